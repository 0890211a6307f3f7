/**
 * Tablets back after a day offline: --kiosks kiosks (one venue each), each
 * with --backlog records it made over the past 24 hours (seq order, evenly
 * spaced, the newest a minute ago; so they cross the venue's midnight and the
 * hub judges yesterday's hours and day as it takes them), connect to a real
 * hub process at once (the same process as `npm run serve`, 127.0.0.1, a
 * free port, a temp DATA_DIR seeded through the store first) and drain
 * their outboxes as the kiosk does: batches of its batch size, one at a time
 * per tablet, each awaiting its ack (scripts/bench/fleet.ts SimKiosk, the
 * kiosk's settings read from kiosk/src/sync/sync-client.ts). Prints one JSON line.
 *
 *   npm run bench:drain -- --json [--kiosks 5] [--backlog 10000]
 *
 * `drain_s`: from the moment they start connecting until the hub has
 * acknowledged every record; then the database is checked (`lost`,
 * `doubled`: see fleet.ts checkStored). Baseline in the same run, first, on
 * the same hub: one more tablet (its own venue) draining the same backlog
 * alone (`single_records_per_s`; `ratio_to_single` = records_per_s over it).
 * Every phase stops by itself after 20 minutes. The hub's log is summarised
 * on stderr; `hub_cpu_pct` (% of one core) and `hub_loop_delay_max_ms` (its
 * worst event-loop stall) cover the 5-tablet drain, as in bench:kiosks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { freePort } from '../../tests/support/hub-process.js';
import { parseFlags } from '../cli.js';
import {
  checkStored,
  cpuMeter,
  kioskSettings,
  log,
  loopDelaySummary,
  onCleanup,
  percentile,
  reportHubLog,
  round,
  seedFleet,
  SimKiosk,
  startHubProcess,
  until,
  type HubLog,
} from './fleet.js';

const flags = parseFlags(
  z.object({
    kiosks: z.coerce.number().int().min(1).max(50).default(5),
    backlog: z.coerce.number().int().min(100).max(200_000).default(10_000),
    json: z.boolean().default(false),
  }),
);

const DAY_MS = 86_400_000;
const PHASE_MS = 20 * 60_000;

async function main(): Promise<void> {
  const settings = kioskSettings();
  const dir = mkdtempSync(join(tmpdir(), 'bench-drain-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const { dbFile, kiosks } = await seedFleet(dir, flags.kiosks + 1, 1);
  const hubLog: HubLog = { lines: 0, levels: {}, problems: new Map() };
  const hub = await startHubProcess(dir, await freePort(), hubLog);

  const made = Date.now();
  const dayOffline = (seq: number) => new Date(made - DAY_MS + Math.floor(((seq - 1) * (DAY_MS - 60_000)) / Math.max(1, flags.backlog - 1))).toISOString();
  const sims = kiosks.map((k) => {
    const sim = new SimKiosk(k, hub.url, settings);
    sim.make(flags.backlog, dayOffline, false);
    return sim;
  });
  const alone = sims.pop()!;

  /** Connects them all at once; ms until every record is acknowledged. */
  async function drain(group: SimKiosk[]): Promise<number> {
    const t0 = performance.now();
    group.forEach((s) => s.start());
    const done = await until(() => group.every((s) => s.pending.length === 0), PHASE_MS, 20);
    const ms = performance.now() - t0;
    if (!done) throw new Error(`not drained within ${PHASE_MS / 60_000} min: ${group.reduce((n, s) => n + s.pending.length, 0)} records still pending`);
    group.forEach((s) => s.stop());
    return ms;
  }

  const load1 = round(loadavg()[0]!, 2);
  const singleMs = await drain([alone]);
  log(`one tablet alone: ${flags.backlog} records in ${round(singleMs / 1000, 2)} s`);
  const cpu = cpuMeter(hub.child.pid);
  const from = Date.now();
  const ms = await drain(sims);
  const hubCpu = cpu.pct();
  const loop = loopDelaySummary(hub.loopDelay, from, Date.now());
  await hub.stop();
  reportHubLog(hubLog);

  const check = (group: SimKiosk[]) => checkStored(dbFile, new Map(group.map((s) => [s.kiosk.id, { ids: s.madeIds, acked: s.ackedIds }])));
  const single = await check([alone]);
  if (single.lost + single.doubled > 0) log(`baseline tablet: ${JSON.stringify(single)}`);
  const stored = await check(sims);
  const attempts = sims.flatMap((s) => s.attempts);
  const ackMs = attempts.filter((a) => a.ackMs !== undefined).map((a) => a.ackMs!);
  const records = flags.kiosks * flags.backlog;
  const rate = round(records / (ms / 1000));
  const singleRate = round(flags.backlog / (singleMs / 1000));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'drain',
      kiosks: flags.kiosks,
      backlog_per_kiosk: flags.backlog,
      batch: settings.batchSize,
      records,
      drain_s: round(ms / 1000, 2),
      records_per_s: rate,
      batches: attempts.length,
      ack_p50_ms: round(percentile(ackMs, 50) ?? NaN, 2),
      ack_p95_ms: round(percentile(ackMs, 95) ?? NaN, 2),
      ack_max_ms: round(Math.max(...ackMs), 2),
      ack_timeouts: attempts.filter((a) => a.timedOut).length,
      disconnects: sims.reduce((n, s) => n + s.disconnects.filter((d) => d.reason !== 'io client disconnect').length, 0),
      stored: stored.stored,
      lost: stored.lost,
      lost_acked: stored.lostAcked,
      doubled: stored.doubled,
      single_drain_s: round(singleMs / 1000, 2),
      single_records_per_s: singleRate,
      ratio_to_single: round(rate / singleRate, 3),
      hub_log_warn: hubLog.levels.warn ?? 0,
      hub_log_error: (hubLog.levels.error ?? 0) + (hubLog.levels.fatal ?? 0),
      hub_cpu_pct: hubCpu,
      hub_loop_delay_max_ms: loop.max_ms,
      host_load_1m_before: load1,
    })}\n`,
  );
}

try {
  await main();
  process.exit(0);
} catch (err) {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}
