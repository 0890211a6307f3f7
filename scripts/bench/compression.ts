/**
 * What an inspector's browser downloads for the dashboard's script, as the hub sends it
 * (docs/benchmarks.md "Compression"): `dashboard.js` from a fresh production build of this checkout
 * into a temp dir, served by a real hub on 127.0.0.1, fetched over HTTP/1.1 with no encoding (what
 * every browser got before @fastify/compress), gzip and brotli. For each: the bytes on the wire,
 * whether they decode to the built file, and the hub's time to answer (median of `--runs`, the
 * compression done per request). Prints one JSON line.
 *
 *   npm run bench:compression -- --runs 20
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildHub } from '../../hub/src/app.js';
import { newHubKeys } from '../../hub/src/keys.js';
import { openStore } from '../../hub/src/store/index.js';
import { BUILD_TARGETS, buildTarget } from '../ensure-build.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Math.max(1, Number(values.runs));

function get(url: string, encoding: string | undefined): Promise<{ body: Buffer; encoding: string | undefined; ms: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ body: Buffer.concat(chunks), encoding: res.headers['content-encoding'], ms: Number(process.hrtime.bigint() - start) / 1e6 }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (bytes: number) => Number((bytes / 1000).toFixed(1));

const temp = mkdtempSync(join(tmpdir(), 'bench-compression-'));
const uiDist = join(temp, 'hub-ui');
const store = await openStore(join(temp, 'hub.sqlite'));
try {
  await buildTarget(BUILD_TARGETS[1], uiDist);
  const built = readFileSync(join(uiDist, 'dashboard.js'));
  const app = await buildHub({ store, keys: await newHubKeys(), kioskDist: join(temp, 'none'), uiDist });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    const base = `http://127.0.0.1:${address.port}`;
    const shell = (await get(`${base}/dashboard/`, undefined)).body.toString();
    const script = /src="(\/ui\/dashboard\.js\?v=[0-9a-f]+)"/.exec(shell)?.[1];
    if (!script) throw new Error('the dashboard shell links no script');
    const line: Record<string, unknown> = { bench: 'compression', file: 'dashboard.js', built_kb: kb(built.length), runs };
    for (const [name, encoding] of [['identity', undefined], ['gzip', 'gzip'], ['br', 'br']] as const) {
      const answers = [];
      for (let i = 0; i < runs; i++) answers.push(await get(`${base}${script}`, encoding));
      const first = answers[0]!;
      const decoded = first.encoding === 'br' ? brotliDecompressSync(first.body) : first.encoding === 'gzip' ? gunzipSync(first.body) : first.body;
      line[name] = {
        content_encoding: first.encoding ?? 'none',
        wire_kb: kb(first.body.length),
        ratio_to_raw: Number((first.body.length / built.length).toFixed(3)),
        decodes_to_built: decoded.equals(built),
        answer_p50_ms: Number(median(answers.map((a) => a.ms)).toFixed(1)),
      };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await app.close();
  }
} finally {
  await store.close();
  rmSync(temp, { recursive: true, force: true });
}
