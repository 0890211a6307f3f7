import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const SOURCES = ['kiosk/src', 'kiosk/public', 'kiosk/index.html', 'kiosk/vite.config.ts', 'shared', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when kiosk/dist is missing or older than any of its sources. */
export function kioskBuildIsStale(): boolean {
  const built = join(root, 'kiosk/dist/index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(root, s)) > builtAt);
}

/** Builds the kiosk PWA with Vite if it is missing or stale ("builds if needed", issue 2). */
export async function ensureKioskBuild(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  if (!kioskBuildIsStale()) return;
  log('building the kiosk app (kiosk/dist)…');
  const { build } = await import('vite');
  await build({ configFile: join(root, 'kiosk/vite.config.ts'), logLevel: 'warn' });
}
