/**
 * The patron's side under load (docs/benchmarks.md): flows/s of one patron flow (GET the
 * page a fresh live venue code opens, then POST the declaration and get a
 * pass), pages/s of the pass page, against the hub's bare GET /api/health
 * measured in the same run. Real hub on 127.0.0.1 over a SQLite file in a temp
 * dir; real HTTP/1.1 over loopback with keep-alive and bounded concurrency.
 * Also the bytes a phone downloads: each page's HTML and script, raw and gzipped
 * (gzip level 6, close to what the hub sends a phone that accepts it: docs/operations.md
 * "Compression and caching").
 * Prints one JSON line.
 *
 *   npm run bench:patron-page -- --requests 2000 --concurrency 16 --json
 *
 * Two limits of the hub shape the client, so that the bench measures the hub
 * and not its refusals:
 * - POST /api/passes allows 120 requests a minute per client address. Each
 *   simulated phone binds its own loopback address (127.1.x.y; Linux routes all
 *   of 127.0.0.0/8 to lo) and makes PHONE_REQUESTS requests before the next
 *   phone takes over, as distinct phones at a door do. The limiter still runs
 *   and counts on every POST; nothing in the hub is configured differently.
 * - A venue can issue CODES_PER_MINUTE (961) pass codes a minute (the 6-character
 *   code's number space, shared/rules/pass-code.ts), so flows are spread over
 *   enough seeded venues that none issues more than PASSES_PER_VENUE in the run.
 *
 * The client runs in a worker thread so that its own CPU does not share the
 * hub's event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { CODES_PER_MINUTE } from '../../shared/rules/pass-code.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import type { PassRequest } from '../../shared/schemas/pass.js';

const PHONE_REQUESTS = 100;
const PASSES_PER_VENUE = CODES_PER_MINUTE - 61;

const Flags = z.object({
  requests: z.coerce.number().int().min(50).max(200_000).default(2000),
  concurrency: z.coerce.number().int().min(1).max(256).default(16),
  /** Time cap per measured phase; a capped phase reports what it completed. */
  seconds: z.coerce.number().min(1).max(600).default(60),
  json: z.boolean().default(false),
});
type Flags = z.infer<typeof Flags>;

interface ClientInput {
  port: number;
  kiosks: { kioskId: string; secret: string }[];
  requests: number;
  concurrency: number;
  seconds: number;
  warmup: number;
}

interface Phase {
  /** Operations completed (a flow is two requests). */
  n: number;
  ms: number;
  capped: boolean;
  p50: number;
  p99: number;
}

interface Sizes {
  page: number;
  pageHeaders: number;
  pageGzip: number;
  script: number;
  scriptGzip: number;
  passPage: number;
  passPageGzip: number;
  passScript: number;
  passScriptGzip: number;
}

interface ClientOutput {
  health: Phase;
  flow: Phase;
  passPage: Phase;
  sizes: Sizes;
}

// ---------------------------------------------------------------- client (worker thread)

interface Response {
  status: number;
  body: Buffer;
  headerBytes: number;
}

/** A phone: its own source address and keep-alive connection, retired after PHONE_REQUESTS requests. */
class Phones {
  private next = 0;
  constructor(private readonly port: number) {}

  open(): { request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<Response>; close(): void } {
    const i = this.next++;
    // 127.1.0.1, 127.1.0.2, … skipping .0 and .255 in the last octet.
    const hi = Math.floor(i / 254);
    const localAddress = `127.${1 + Math.floor(hi / 256)}.${hi % 256}.${1 + (i % 254)}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const port = this.port;
    return {
      request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<Response> {
        const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
        return new Promise((resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              path,
              method,
              agent,
              localAddress,
              headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                let headerBytes = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n\r\n`.length;
                for (let h = 0; h < res.rawHeaders.length; h += 2) headerBytes += `${res.rawHeaders[h]}: ${res.rawHeaders[h + 1]}\r\n`.length;
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headerBytes });
              });
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      },
      close: () => agent.destroy(),
    };
  }
}

function expectStatus(res: Response, status: number, what: string): Response {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  return res;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
const round2 = (x: number) => Math.round(x * 100) / 100;

async function client(input: ClientInput): Promise<ClientOutput> {
  const phones = new Phones(input.port);
  // A kiosk shows one code per 30-second slot; every phone scanning in that slot gets the same one.
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (k: number) => {
    const { kioskId, secret } = input.kiosks[k % input.kiosks.length]!;
    const slot = slotAt(Date.now());
    const key = `${kioskId}|${slot}`;
    let t = tokens.get(key);
    if (!t) tokens.set(key, (t = liveToken(secret, kioskId, slot)));
    return t;
  };
  // A realistic mix: one in three brings a companion, every other one leaves a phone number.
  const declaration = (i: number, venueCode: string, ticket: string): PassRequest => ({
    venueCode,
    ticket,
    people: [
      { healthCode: 'green', itinerary: 'local', lastNegativeTestAt: new Date(Date.now() - 20 * 3_600_000).toISOString() },
      ...(i % 3 === 0 ? [{ label: '孩子', healthCode: 'green' as const, itinerary: 'local' as const }] : []),
    ],
    commitment: true,
    ...(i % 2 === 0 ? { phone: `139${String(10_000_000 + i).slice(-8)}` } : {}),
  });

  let flowIndex = 0;
  const issued: string[] = [];
  const ops = {
    health: async (p: ReturnType<Phones['open']>) => {
      expectStatus(await p.request('GET', '/api/health'), 200, 'GET /api/health');
    },
    flow: async (p: ReturnType<Phones['open']>) => {
      const i = flowIndex++;
      const venueCode = await tokenFor(i);
      const page = expectStatus(await p.request('GET', `/v/${venueCode}`), 200, 'GET /v/:token');
      // The form sends back the ticket the hub signed into the page, as the page's script does.
      const ticket = /data-ticket="([^"]+)"/.exec(page.body.toString('utf8'))?.[1] ?? '';
      const res = expectStatus(await p.request('POST', '/api/passes', declaration(i, venueCode, ticket)), 201, 'POST /api/passes');
      issued.push((JSON.parse(res.body.toString('utf8')) as { id: string }).id);
    },
    passPage: async (p: ReturnType<Phones['open']>) => {
      const id = issued[flowIndex++ % issued.length]!;
      expectStatus(await p.request('GET', `/pass/${id}`), 200, 'GET /pass/:id');
    },
  };

  /** `count` operations by `concurrency` loops, each on a phone of its own, stopping early at `capMs`. */
  async function run(op: (p: ReturnType<Phones['open']>) => Promise<void>, count: number, capMs: number, perOp: number): Promise<Phase> {
    let started = 0;
    let done = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + capMs;
    await Promise.all(
      Array.from({ length: Math.min(input.concurrency, count) }, async () => {
        let phone = phones.open();
        let used = 0;
        try {
          while (started < count && performance.now() < deadline) {
            started++;
            if (used + perOp > PHONE_REQUESTS) {
              phone.close();
              phone = phones.open();
              used = 0;
            }
            used += perOp;
            const s = performance.now();
            await op(phone);
            latencies.push(performance.now() - s);
            done++;
          }
        } finally {
          phone.close();
        }
      }),
    );
    const ms = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    return { n: done, ms, capped: done < count, p50: round2(quantile(latencies, 0.5)), p99: round2(quantile(latencies, 0.99)) };
  }

  const capMs = input.seconds * 1000;
  const phase = async (op: (p: ReturnType<Phones['open']>) => Promise<void>, perOp: number) => {
    await run(op, input.warmup, capMs, perOp);
    return run(op, input.requests, capMs, perOp);
  };
  const health = await phase(ops.health, 1);
  const flow = await phase(ops.flow, 2);
  flowIndex = 0;
  const passPage = await phase(ops.passPage, 1);
  return { health, flow, passPage, sizes: await sizes(phones, tokenFor) };
}

/** What one phone downloads for each page, as sent over the wire. */
async function sizes(phones: Phones, tokenFor: (k: number) => Promise<string>): Promise<Sizes> {
  const phone = phones.open();
  try {
    const gz = (b: Buffer) => gzipSync(b).length;
    const scriptOf = async (html: Buffer, name: string) => {
      const src = /<script[^>]*\ssrc="([^"]+)"/.exec(html.toString('utf8'))?.[1]?.replaceAll('&amp;', '&');
      if (!src?.startsWith(`/ui/${name}.js`)) throw new Error(`the page does not load /ui/${name}.js (found ${src}); is hub/ui built?`);
      return expectStatus(await phone.request('GET', src), 200, `GET ${src}`).body;
    };
    const venueCode = await tokenFor(0);
    const page = expectStatus(await phone.request('GET', `/v/${venueCode}`), 200, 'GET /v/:token');
    const script = await scriptOf(page.body, 'patron');
    const issued = expectStatus(
      await phone.request('POST', '/api/passes', {
        venueCode,
        ticket: /data-ticket="([^"]+)"/.exec(page.body.toString('utf8'))?.[1] ?? '',
        people: [{ healthCode: 'green', itinerary: 'local' }],
        commitment: true,
      }),
      201,
      'POST /api/passes',
    );
    const passUrl = (JSON.parse(issued.body.toString('utf8')) as { url: string }).url;
    const passPage = expectStatus(await phone.request('GET', passUrl), 200, 'GET /pass/:id');
    const passScript = await scriptOf(passPage.body, 'pass');
    return {
      page: page.body.length,
      pageHeaders: page.headerBytes,
      pageGzip: gz(page.body),
      script: script.length,
      scriptGzip: gz(script),
      passPage: passPage.body.length,
      passPageGzip: gz(passPage.body),
      passScript: passScript.length,
      passScriptGzip: gz(passScript),
    };
  } finally {
    phone.close();
  }
}

// ---------------------------------------------------------------- hub (main thread)

async function main(flags: Flags): Promise<void> {
  const { ensureBuilds } = await import('../ensure-build.js');
  const { buildHub } = await import('../../hub/src/app.js');
  const { openStore } = await import('../../hub/src/store/index.js');
  const { enrolKiosk, hubOptions, seedVenue } = await import('../../tests/support/hub.js');

  const say = (line: string) => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  await ensureBuilds(say);
  const warmup = Math.max(50, Math.round(flags.requests / 10));
  const venues = Math.ceil((flags.requests + warmup + 1) / PASSES_PER_VENUE);

  const dir = mkdtempSync(join(tmpdir(), 'bench-patron-'));
  const store = await openStore(join(dir, 'hub.sqlite'));
  let worker: Worker | undefined;
  try {
    const kiosks = [];
    for (let v = 0; v < venues; v++) {
      const venueId = `venue-${v}`;
      const { kiosk } = await enrolKiosk(store, await seedVenue(store, venueId, { ratedCapacity: 100_000 }));
      kiosks.push({ kioskId: kiosk.id, secret: (await store.kiosks.byId(kiosk.id))!.codeSecret });
    }
    const app = await buildHub(await hubOptions(store, { kioskDist: join(dir, 'no-kiosk-build') }));
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (typeof address !== 'object' || !address) throw new Error('the hub has no address');
      say(`hub on 127.0.0.1:${address.port}, ${venues} venue(s); ${flags.requests} requests per phase at concurrency ${flags.concurrency}…`);

      const input: ClientInput = { port: address.port, kiosks, requests: flags.requests, concurrency: flags.concurrency, seconds: flags.seconds, warmup };
      // tsx's loader is not inherited by worker threads on Node 20: register it there first.
      worker = new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`,
        { eval: true, workerData: input },
      );
      const w = worker;
      const out = await new Promise<ClientOutput>((resolve, reject) => {
        w.once('message', (m: { ok: true; out: ClientOutput } | { ok: false; error: string }) => (m.ok ? resolve(m.out) : reject(new Error(m.error))));
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`the client thread exited (${code}) without a result`)));
      });
      report(flags, venues, out, say);
    } finally {
      await worker?.terminate();
      await app.close();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(flags: Flags, venues: number, out: ClientOutput, say: (line: string) => void): void {
  const rate = (p: Phase) => Math.round((p.n / p.ms) * 1000);
  const health = rate(out.health);
  const flow = rate(out.flow);
  const passPage = rate(out.passPage);
  const s = out.sizes;
  const result = {
    bench: 'patron-page',
    requests: flags.requests,
    concurrency: flags.concurrency,
    venues,
    health_rps: health,
    flow_rps: flow,
    ratio: Number((flow / health).toFixed(3)),
    pass_page_rps: passPage,
    ratio_pass_page: Number((passPage / health).toFixed(3)),
    flow_ms_p50: out.flow.p50,
    flow_ms_p99: out.flow.p99,
    health_ms_p50: out.health.p50,
    pass_page_ms_p50: out.passPage.p50,
    capped: out.health.capped || out.flow.capped || out.passPage.capped,
    page_bytes: s.page,
    page_header_bytes: s.pageHeaders,
    page_gzip_bytes: s.pageGzip,
    script_bytes: s.script,
    script_gzip_bytes: s.scriptGzip,
    pass_page_bytes: s.passPage,
    pass_page_gzip_bytes: s.passPageGzip,
    pass_script_bytes: s.passScript,
    pass_script_gzip_bytes: s.passScriptGzip,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const kb = (b: number) => `${(b / 1024).toFixed(1)} kB`;
  say(
    [
      `health        ${health} req/s (p50 ${out.health.p50} ms)`,
      `patron flow   ${flow} flows/s (GET /v/… + POST /api/passes; p50 ${out.flow.p50} ms, p99 ${out.flow.p99} ms) = ${result.ratio} × health`,
      `pass page     ${passPage} pages/s (p50 ${out.passPage.p50} ms) = ${result.ratio_pass_page} × health`,
      `patron page   ${kb(s.page)} HTML (+${s.pageHeaders} B headers), ${kb(s.pageGzip)} gzipped; script ${kb(s.script)}, ${kb(s.scriptGzip)} gzipped`,
      `pass page     ${kb(s.passPage)} HTML, ${kb(s.passPageGzip)} gzipped; script ${kb(s.passScript)}, ${kb(s.passScriptGzip)} gzipped`,
      ...(result.capped ? [`capped at ${flags.seconds} s: a phase completed fewer than ${flags.requests} operations`] : []),
    ].join('\n'),
  );
}

if (isMainThread) {
  const { parseFlags } = await import('../cli.js');
  await main(parseFlags(Flags));
} else {
  try {
    parentPort!.postMessage({ ok: true, out: await client(workerData as ClientInput) });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}
