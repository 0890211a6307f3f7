import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** What the hub serves that Vite builds: the kiosk PWA and the hub's own page scripts. */
const TARGETS = [
  {
    name: 'the kiosk app (kiosk/dist)',
    config: 'kiosk/vite.config.ts',
    output: 'kiosk/dist/index.html',
    outDir: 'kiosk/dist',
    sources: ['kiosk/src', 'kiosk/public', 'kiosk/index.html', 'kiosk/vite.config.ts', 'shared', 'package-lock.json'],
  },
  {
    name: 'the patron pages and the dashboard (hub/ui/dist)',
    config: 'hub/ui/vite.config.ts',
    output: 'hub/ui/dist/patron.js',
    outDir: 'hub/ui/dist',
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

/**
 * Written beside a build once it is done. A build without it (cut short, or made by an older
 * checkout in another mode) is rebuilt: only production builds are served.
 */
const STAMP = 'build-stamp.json';

function isStale(t: (typeof TARGETS)[number]): boolean {
  const built = join(root, t.output);
  const stamp = join(root, t.outDir, STAMP);
  if (!existsSync(built) || !existsSync(stamp)) return true;
  const builtAt = Math.min(statSync(built).mtimeMs, statSync(stamp).mtimeMs);
  return t.sources.some((s) => newestMtime(join(root, s)) > builtAt);
}

/**
 * A production build with Vite, into `outDir` (default: where the hub serves it from). Vite picks
 * Lit's development build (and its dev-mode warnings, 20 kB more) whenever NODE_ENV is anything but
 * `production`, and test runners set it to `test`, which `npm start` spawned by a test inherits:
 * so it is set for the build and put back afterwards.
 */
export async function buildTarget(t: (typeof TARGETS)[number], outDir = join(root, t.outDir)): Promise<void> {
  const { build } = await import('vite');
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, t.config), logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
  writeFileSync(join(outDir, STAMP), `${JSON.stringify({ mode: 'production', builtAt: new Date().toISOString() })}\n`);
}

export { TARGETS as BUILD_TARGETS };

/** Builds with Vite whatever is missing or older than its sources, so `npm start` on a fresh checkout just works. */
export async function ensureBuilds(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  for (const t of TARGETS) {
    if (!isStale(t)) continue;
    log(`building ${t.name}…`);
    await buildTarget(t);
  }
}
