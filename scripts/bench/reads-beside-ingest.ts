/**
 * Kiosks' `records:push` acks while the dashboard reads (docs/architecture.md
 * "Reads off the ingest path"): a real hub on 127.0.0.1 over a seeded street,
 * kiosks pushing batches at a steady pace while one loop reads
 * `store.dashboard.weeklyReport` (last week, whole street) and
 * `store.dashboard.overview` back to back, for as long as the kiosks push.
 * Run on copies of the same seeded file: with the reads in the worker thread
 * (hub/src/store/read-pool.ts, the hub's default), with them on the main
 * thread's connection (`reads: { inProcess: true }`, as before the pool), and,
 * for reference, with no reads at all. Prints one JSON line: ack percentiles
 * of each run and the ratio in-process over worker.
 *
 *   npm run bench:reads-beside-ingest -- --json [--records 500000] [--seconds 15] [--kiosks 4] [--batch 20] [--interval-ms 100]
 *
 * The street is seeded by scripts/seed-street.ts into a temp dir (200 venues,
 * 4 weeks; progress on stderr), its running figures built by a first
 * openStore, then copied for each run. Each kiosk sends a batch every
 * `--interval-ms` (or as soon as the previous one is acked, if later), honours
 * a `retryAfterMs` as the kiosk does, and resends a batch refused unstored.
 * An ack's time is from emit to ack. The kiosks' sockets run in this process
 * too (on 2 cores the worker shares the CPU with them and the hub). Stops by
 * itself after the three runs (about two minutes at the defaults).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setImmediate as yieldTurn, setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { buildHub } from '../../hub/src/app.js';
import { openStore } from '../../hub/src/store/index.js';
import { weekKey } from '../../shared/rules/flags/window.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, type KioskClient } from '../../tests/support/hub.js';
import { entranceRecord } from '../../tests/support/records.js';
import { parseFlags } from '../cli.js';
import { seedStreet } from '../seed-street.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

const flags = parseFlags(
  z.object({
    records: z.coerce.number().int().min(10_000).max(5_000_000).default(500_000),
    seconds: z.coerce.number().int().min(3).max(60).default(15),
    kiosks: z.coerce.number().int().min(1).max(50).default(4),
    batch: z.coerce.number().int().min(1).max(200).default(20),
    'interval-ms': z.coerce.number().int().min(0).max(10_000).default(100),
    json: z.boolean().default(false),
  }),
);

const OFFSET = 480; // seed-street and seedVenue: UTC+8
const DAY = 86_400_000;
const ALL = WHOLE_CITY;
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (x: number, d = 1) => Number(x.toFixed(d));
function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Run {
  acks: number;
  ack_p50_ms: number;
  ack_p95_ms: number;
  ack_p99_ms: number;
  ack_max_ms: number;
  refused_unstored: number;
  paused: number;
  records_stored: number;
  weekly_reports: number;
  weekly_report_p50_ms: number;
  overviews: number;
  overview_p50_ms: number;
}

type Readers = 'worker' | 'in-process' | 'none';

async function run(file: string, readers: Readers, week: string): Promise<Run> {
  const store = await openStore(file, { reads: { inProcess: readers === 'in-process' } });
  const entranceId = await seedVenue(store, 'bench-venue');
  const kiosks = [];
  for (let k = 0; k < flags.kiosks; k++) kiosks.push(await enrolKiosk(store, entranceId));
  const app = await buildHub(await hubOptions(store, { kioskDist: join(dirname(file), 'none') }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const sockets: KioskClient[] = await Promise.all(kiosks.map((k) => connectKiosk(url, k.token)));
  // Warm: statements prepared, pages cached, the worker started (not timed).
  await store.dashboard.weeklyReport(week, ALL);
  await store.dashboard.overview(ALL, Date.now());

  const acks: number[] = [];
  const reports: number[] = [];
  const overviews: number[] = [];
  let refused = 0;
  let paused = 0;
  let stored = 0;
  const end = performance.now() + flags.seconds * 1000;
  let pushing = true;

  // Each read is a dashboard request: it starts from its own turn of the event loop (setImmediate), as a
  // request does. On the main connection a read resolves at once, so without that the loop would never turn.
  const reader = (async () => {
    while (pushing && readers !== 'none') {
      await yieldTurn();
      let t0 = performance.now();
      await store.dashboard.weeklyReport(week, ALL);
      reports.push(performance.now() - t0);
      if (!pushing) break;
      await yieldTurn();
      t0 = performance.now();
      await store.dashboard.overview(ALL, Date.now());
      overviews.push(performance.now() - t0);
    }
  })();

  await Promise.all(
    kiosks.map(async ({ kiosk }, i) => {
      const socket = sockets[i]!;
      let seq = 0;
      while (performance.now() < end) {
        const due = performance.now() + flags['interval-ms'];
        const batch: EntranceRecord[] = Array.from({ length: flags.batch }, () => entranceRecord(kiosk, ++seq));
        for (;;) {
          const t0 = performance.now();
          const res = await socket.emitWithAck('records:push', { records: batch });
          acks.push(performance.now() - t0);
          if (res.ok) {
            stored += res.data.results.filter((r) => r.status === 'accepted').length;
            if (res.data.retryAfterMs) {
              paused++;
              await sleep(res.data.retryAfterMs);
            }
            break;
          }
          if (res.error.code !== 'rate_limited') throw new Error(`push failed: ${res.error.message}`);
          refused++;
          await sleep(res.error.retryAfterMs ?? 1000);
        }
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }),
  );
  pushing = false;
  await reader;
  sockets.forEach((s) => s.close());
  await app.close();
  await store.close();
  return {
    acks: acks.length,
    ack_p50_ms: round(pct(acks, 50)),
    ack_p95_ms: round(pct(acks, 95)),
    ack_p99_ms: round(pct(acks, 99)),
    ack_max_ms: round(Math.max(...acks)),
    refused_unstored: refused,
    paused,
    records_stored: stored,
    weekly_reports: reports.length,
    weekly_report_p50_ms: round(pct(reports, 50)),
    overviews: overviews.length,
    overview_p50_ms: round(pct(overviews, 50)),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-reads-'));
try {
  const t0 = performance.now();
  log(`seeding ${flags.records.toLocaleString('en')} entrance records into ${dir} …`);
  const street = await seedStreet({ dataDir: dir, venues: 200, communities: 8, weeks: 4, seed: 1, records: flags.records }, log);
  log(`seeded in ${round((performance.now() - t0) / 1000)} s; building the running figures …`);
  const t1 = performance.now();
  await (await openStore(street.file)).close(); // the first open builds the running figures of the seeded rows
  log(`figures built in ${round((performance.now() - t1) / 1000)} s`);
  const copies = { worker: join(dir, 'worker', 'hub.sqlite'), inProcess: join(dir, 'in-process', 'hub.sqlite'), none: join(dir, 'none', 'hub.sqlite') };
  // The store closed last, so its WAL is checkpointed into the file: the file alone is the street.
  for (const f of Object.values(copies)) {
    mkdirSync(dirname(f), { recursive: true });
    copyFileSync(street.file, f);
  }
  // The last full week of the seeded traffic: the report reads every venue's week of records.
  const week = weekKey(street.until - 7 * DAY, OFFSET);
  log(`run 1/3: reads in the worker thread, ${flags.kiosks} kiosks for ${flags.seconds} s …`);
  const worker = await run(copies.worker, 'worker', week);
  log(`run 2/3: reads on the main thread …`);
  const inProcess = await run(copies.inProcess, 'in-process', week);
  log(`run 3/3: no reads …`);
  const none = await run(copies.none, 'none', week);
  const ratio = (k: 'ack_p50_ms' | 'ack_p95_ms' | 'ack_p99_ms') => round(inProcess[k] / worker[k], 2);
  const line = {
    bench: 'reads-beside-ingest',
    entrance_records: street.entranceRecords,
    venues: street.venues,
    week,
    kiosks: flags.kiosks,
    batch: flags.batch,
    interval_ms: flags['interval-ms'],
    seconds: flags.seconds,
    worker,
    in_process: inProcess,
    no_reads: { ack_p50_ms: none.ack_p50_ms, ack_p95_ms: none.ack_p95_ms, ack_p99_ms: none.ack_p99_ms, ack_max_ms: none.ack_max_ms, acks: none.acks },
    ratio_in_process_to_worker: { ack_p50: ratio('ack_p50_ms'), ack_p95: ratio('ack_p95_ms'), ack_p99: ratio('ack_p99_ms') },
  };
  process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${JSON.stringify(line, null, 2)}\n`);
  log(`done in ${round((performance.now() - t0) / 1000)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
