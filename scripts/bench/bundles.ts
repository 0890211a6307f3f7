/**
 * What a tablet, a phone and an inspector's browser download: the size of each built script,
 * raw and gzipped (level 6, as a TLS proxy or @fastify/compress would send it), from a fresh
 * production build of this checkout into a temp dir (never the build the hub serves, which may
 * be older). The ratio is gzipped to raw. Prints one JSON line.
 *
 *   npm run bench:bundles
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILD_TARGETS, buildTarget } from '../ensure-build.js';

const kb = (bytes: number) => Number((bytes / 1000).toFixed(1));

function sizes(dir: string, pattern: RegExp): Record<string, { raw_kb: number; gzip_kb: number; ratio_gzip_to_raw: number }> {
  const out: Record<string, { raw_kb: number; gzip_kb: number; ratio_gzip_to_raw: number }> = {};
  for (const name of readdirSync(dir).filter((n) => pattern.test(n)).sort()) {
    const body = readFileSync(join(dir, name));
    const gzip = gzipSync(body, { level: 6 }).length;
    // Hashed file names change with every build: keep the stem (index-BeS1C2VW.js → index.js).
    const stem = name.replace(/-[A-Za-z0-9_-]{8}(\.[a-z]+)$/, '$1');
    out[stem] = { raw_kb: kb(body.length), gzip_kb: kb(gzip), ratio_gzip_to_raw: Number((gzip / body.length).toFixed(3)) };
  }
  return out;
}

const temp = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
const [kioskTarget, uiTarget] = BUILD_TARGETS;
const kioskOut = join(temp, 'kiosk');
const uiOut = join(temp, 'hub-ui');
try {
  await buildTarget(kioskTarget, kioskOut);
  await buildTarget(uiTarget, uiOut);

  const line = {
    bench: 'bundles',
    kiosk: sizes(join(kioskOut, 'assets'), /\.(js|wasm)$/),
    hub_ui: sizes(uiOut, /\.js$/),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
