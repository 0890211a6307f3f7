import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** What the hub serves that Vite builds: the kiosk PWA and the hub's own page scripts. */
const TARGETS = [
  {
    name: 'the kiosk app (kiosk/dist)',
    config: 'kiosk/vite.config.ts',
    output: 'kiosk/dist/index.html',
    sources: ['kiosk/src', 'kiosk/public', 'kiosk/index.html', 'kiosk/vite.config.ts', 'shared', 'package-lock.json'],
  },
  {
    name: 'the patron pages and the dashboard (hub/ui/dist)',
    config: 'hub/ui/vite.config.ts',
    output: 'hub/ui/dist/patron.js',
    sources: ['hub/ui/patron.ts', 'hub/ui/pass.ts', 'hub/ui/booking.ts', 'hub/ui/declaration-form.ts', 'hub/ui/dashboard.ts', 'hub/ui/dashboard', 'hub/ui/vite.config.ts', 'shared', 'package-lock.json'],
  },
] as const;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isStale(t: (typeof TARGETS)[number]): boolean {
  const built = join(root, t.output);
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return t.sources.some((s) => newestMtime(join(root, s)) > builtAt);
}

/** Builds with Vite whatever is missing or older than its sources, so `npm start` on a fresh checkout just works. */
export async function ensureBuilds(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  for (const t of TARGETS) {
    if (!isStale(t)) continue;
    log(`building ${t.name}…`);
    const { build } = await import('vite');
    await build({ configFile: join(root, t.config), logLevel: 'warn' });
  }
}
