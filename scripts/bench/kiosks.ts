/**
 * A street of N tablets on one hub: a real hub process (`node --import tsx
 * hub/src/server.ts`, as `npm run serve` runs it) on 127.0.0.1 and a free
 * port over a temp DATA_DIR, seeded with ceil(N / --per-venue) venues (one
 * entrance each; 2 kiosks a venue by default) and N kiosks enrolled through
 * the store before it starts; the tablets are
 * simulated in a second process (this file, forked), raw socket.io-client
 * sockets with the kiosk's own reconnection settings, handshake and outbox
 * loop (scripts/bench/fleet.ts SimKiosk, settings read from
 * kiosk/src/sync/sync-client.ts). Prints one JSON line.
 *
 *   npm run bench:kiosks -- --kiosks 1000 --seconds 60 --json [--per-venue 2] [--resync-max 300] [--hub-cpu-prof DIR]
 *                           [--store sqlite|postgres] [--hubs N]
 *
 * --store (default sqlite): where the hubs keep their data. sqlite: hub.sqlite
 * in the temp DATA_DIR, as `npm run serve` keeps it. postgres: a throwaway
 * PostgreSQL server started for the run (startBenchPostgres below, the one place
 * that says how; stopped and removed at the end), its `bench` database seeded
 * through openStore(url) and given to every hub as DATABASE_URL; `lost` and
 * `doubled` are then counted in that database.
 * --hubs N (default 1): N hub processes on the one store and one keys file (the
 * temp DATA_DIR's), each on its own port; with N > 1, HAProxy
 * (/usr/sbin/haproxy) in front with deploy/haproxy.cfg, its `server` lines
 * replaced by the N hubs and its bind by a free port, and every kiosk connects
 * through it. With N > 1 the restart phase is rolling: each hub in turn is
 * stopped and started again, the next one only once the balancer has taken the
 * restarted one back (its health check's rise: 2 checks 1 s apart).
 *   e.g. ulimit -n 16384; npm run bench:kiosks -- --hubs 3 --store postgres --kiosks 2000
 * The JSON line says `hubs` and `store`; CPU figures of the hubs are their sum,
 * `hub_rss_mb` the largest hub's peak, `hub_loop_delay_*` the worst of any hub,
 * `hub_stop_s`/`hub_down_s` the longest of the restarts, and `restart_all_s` the
 * whole rolling restart (first SIGTERM to the last hub listening again).
 *
 * Phases, each bounded by count and time:
 *  1. baseline: kiosk 0 alone on the hub sends a batch of 5 every 500 ms for
 *     10 s (`single_ack_p50_ms`, `single_ack_p95_ms`);
 *  2. all N connect (`connect_all_s`);
 *  3. load, --seconds: every kiosk makes 5 records every 5 s (phases spread
 *     over the 5 s) and sends them as records:push batches; every ack timed
 *     (`ack_p50_ms` …, over batches sent in this phase, a late ack included),
 *     `ack_timeouts` = acks not back within the kiosk's ack timeout (it then
 *     resends), `disconnects` = sockets dropped in this phase, `records_per_s`
 *     = records acknowledged of this phase's batches per second of it,
 *     `hub_rss_mb` = the hub's peak resident set (VmHWM) up to its end;
 *  4. restart (every hub, one after another, with --hubs N > 1): SIGTERM to the hub (graceful close; SIGKILL if it has not exited
 *     30 s later: `hub_stop_s`, `hub_stop_killed`), start it again on the same
 *     port and data; the tablets keep recording throughout.
 *     `resync_after_restart_s`: from the SIGTERM until every kiosk has
 *     reconnected and its hub holds every record it made before the new hub
 *     listened (null if that took longer than --resync-max s);
 *     `hub_down_s`: SIGTERM to listening again (the graceful close included);
 *  5. final drain (≤ 60 s) with recording stopped, then the clients' ids are
 *     compared with the database (`lost`, `doubled`: see fleet.ts checkStored).
 * Ratios: `ratio_p50_to_single`, `ratio_p95_to_single` = the fleet's ack
 * percentile over the lone kiosk's. The hub's log (info, as in production) is
 * summarised on stderr: lines per level and each warn/error message; progress
 * every 10 s too (acks, outboxes, reconnected kiosks).
 *
 * To tell a busy hub from a busy simulator: `hub_cpu_pct_*` and
 * `driver_cpu_pct_*` (CPU time over wall time, % of one core, from /proc; a
 * hub blocked in fsync shows less than 100 % while it does nothing else),
 * `hub_loop_delay_max_ms_*` (the hub's worst event-loop stall in a second,
 * from a probe loaded beside it, fleet.ts), and `host_load_1m_before` (other
 * work on the machine skews everything). `lost` counts records still in the
 * outboxes when the final drain gave up (`outbox_left`); `lost_acked` only
 * those the hub had acknowledged.
 *
 * Open files: each kiosk holds one socket in the hub process and one in the
 * simulating process, two while socket.io upgrades from long-polling to
 * WebSocket (and a reconnect storm does that for all at once), so the bench
 * asks for 2N + 256 descriptors per process and refuses to start under a
 * lower `ulimit -n`: 1024, a common default, allows N ≤ 384; N = 2000 needs
 * 4256 (raise it in the shell first, e.g. `ulimit -n 8192`; the children
 * inherit it).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadOrCreateKeys } from '../../hub/src/keys.js';
import { freePort } from '../../tests/support/hub-process.js';
import { ensureDatabase, startPostgres } from '../postgres-server.js';
import { parseFlags } from '../cli.js';
import {
  checkStored,
  cpuMeter,
  kioskSettings,
  log,
  loopDelaySummary,
  onCleanup,
  openFileLimit,
  percentile,
  reportHubLog,
  root,
  round,
  seedFleet,
  SimKiosk,
  sleep,
  startHubProcess,
  until,
  type FleetKiosk,
  type HubLog,
  type HubProcess,
  type KioskSettings,
} from './fleet.js';

const TICK_MS = 5000;
const PER_TICK = 5;
const BASELINE_MS = 10_000;
const BASELINE_EVERY_MS = 500;
const FINAL_DRAIN_MS = 60_000;
/** deploy/haproxy.cfg takes a hub back after `rise 2` good checks `inter 1s` apart: the rolling restart waits this long before the next hub goes. */
const BALANCER_RISE_MS = 2_500;

// ---------------------------------------------------------------- PostgreSQL and the balancer

/**
 * The one place that starts PostgreSQL for --store postgres: a throwaway
 * cluster (scripts/postgres-server.ts: Debian's binaries, a temp dir, a free
 * port, C collation, fsync on), stopped and removed on exit, with an empty
 * `bench` database.
 */
async function startBenchPostgres(): Promise<string> {
  const server = await startPostgres({ onStop: (stop) => onCleanup(stop) });
  return ensureDatabase(server.url, 'bench');
}

/**
 * HAProxy in front of the hubs, with deploy/haproxy.cfg: each block between
 * `# hubs:` and `# end hubs` becomes one `server` line per hub port, and the
 * frontend binds a free port of 127.0.0.1 instead of 8080. Resolves once a
 * request through it reaches a hub; killed on exit of this process.
 */
async function startBalancer(dir: string, hubPorts: readonly number[]): Promise<{ url: string; child: ChildProcess; log: string[] }> {
  const port = await freePort();
  const servers = hubPorts.map((p, i) => `    server hub${i + 1} 127.0.0.1:${p} check`).join('\n');
  const cfg = readFileSync(join(root, 'deploy/haproxy.cfg'), 'utf8')
    .replace(/(# hubs:\n)[\s\S]*?(\n\s*# end hubs)/g, (_m, open: string, close: string) => `${open}${servers}${close}`)
    .replace(/bind 127\.0\.0\.1:8080/, `bind 127.0.0.1:${port}`);
  if (!cfg.includes(`bind 127.0.0.1:${port}`) || !cfg.includes(`server hub${hubPorts.length} `)) throw new Error('deploy/haproxy.cfg: bind or "# hubs:" blocks not found; update startBalancer');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, cfg);
  // deploy/haproxy.cfg's maxconn (20000) wants 2 descriptors a connection; under a lower `ulimit -n`
  // haproxy refuses to start, so its maxconn (-n) is cut to what the limit allows (16384: 8142, plenty for 2000 kiosks).
  const maxconn = Math.min(20_000, Math.floor((openFileLimit() - 100) / 2));
  const child = spawn('/usr/sbin/haproxy', ['-f', file, '-db', '-n', String(maxconn)], { stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.length < 200 && lines.push(line));
  const url = `http://127.0.0.1:${port}`;
  let ok = false;
  for (const from = performance.now(); !ok && child.exitCode === null && performance.now() - from < 20_000; await sleep(200)) {
    try {
      ok = (await fetch(`${url}/api/health`)).status === 200;
    } catch {
      // not listening yet
    }
  }
  if (!ok) throw new Error(`haproxy did not pass a request to a hub within 20 s:\n${lines.join('\n')}`);
  return { url, child, log: lines };
}

// ---------------------------------------------------------------- messages between the two processes

type Request =
  | { id: number; type: 'init'; url: string; kiosks: FleetKiosk[]; settings: KioskSettings }
  | { id: number; type: 'baseline' }
  | { id: number; type: 'connect' }
  | { id: number; type: 'load'; seconds: number }
  | { id: number; type: 'restart-begin' }
  | { id: number; type: 'hub-back'; maxMs: number }
  | { id: number; type: 'finish'; madeFile: string };

/** A request before it is numbered. */
type Ask = { [T in Request['type']]: Omit<Extract<Request, { type: T }>, 'id'> }[Request['type']];

interface Reply {
  id: number;
  error?: string;
  data?: unknown;
}

interface LoadStats {
  batches: number;
  ackMs: number[];
  timeouts: number;
  dropped: number;
  refused: number;
  ackedRecords: number;
  disconnects: number;
  seconds: number;
}

// ---------------------------------------------------------------- the tablets' process

async function driver(): Promise<void> {
  let kiosks: SimKiosk[] = [];
  /** Each kiosk's next tick. */
  const tickers: (NodeJS.Timeout | undefined)[] = [];
  let ticking = false;
  let finished = false;
  let loadWindow = { from: 0, to: 0 };
  let restartAt = 0;
  const stopTicking = () => {
    ticking = false;
    tickers.forEach((t) => clearTimeout(t));
  };
  // The main process let go (done, or it died): stop everything.
  process.on('disconnect', () => {
    stopTicking();
    kiosks.forEach((k) => k.stop());
    process.exit(finished ? 0 : 1);
  });

  const handlers: { [T in Request['type']]: (req: Extract<Request, { type: T }>) => Promise<unknown> } = {
    async init(req) {
      kiosks = req.kiosks.map((k) => new SimKiosk(k, req.url, req.settings));
      return { kiosks: kiosks.length };
    },
    async baseline() {
      const k = kiosks[0]!;
      k.start();
      if (!(await until(() => k.connected, 20_000))) throw new Error('kiosk 0 could not connect alone');
      await sleep(500); // its connect pushes over
      const from = performance.now();
      for (let t = 0; t < BASELINE_MS / BASELINE_EVERY_MS; t++) {
        k.make(PER_TICK);
        await sleep(BASELINE_EVERY_MS);
      }
      await until(() => k.pending.length === 0, 30_000);
      const ackMs = k.attempts.filter((a) => a.sentAt >= from && a.ackMs !== undefined).map((a) => round(a.ackMs!, 2));
      return { ackMs, timeouts: k.attempts.filter((a) => a.sentAt >= from && a.timedOut).length };
    },
    async connect() {
      const t0 = performance.now();
      for (const k of kiosks.slice(1)) k.start();
      const ok = await until(() => kiosks.every((k) => k.connected), 60_000 + kiosks.length * 30, 100);
      return { connected: kiosks.filter((k) => k.connected).length, ms: performance.now() - t0, all: ok };
    },
    async load(req) {
      loadWindow = { from: performance.now(), to: 0 };
      ticking = true;
      kiosks.forEach((k, i) => {
        // Until `finish`: the tablets keep recording through the restart.
        const tick = () => {
          if (!ticking) return;
          k.make(PER_TICK);
          tickers[i] = setTimeout(tick, TICK_MS);
        };
        tickers[i] = setTimeout(tick, Math.random() * TICK_MS);
      });
      /** Which transport the connected sockets are on, and why sockets dropped so far in this phase. */
      const transports = () => {
        const on: Record<string, number> = {};
        for (const k of kiosks) if (k.connected) on[k.transport] = (on[k.transport] ?? 0) + 1;
        const why: Record<string, number> = {};
        for (const k of kiosks) for (const d of k.disconnects) if (d.at >= loadWindow.from) why[d.reason] = (why[d.reason] ?? 0) + 1;
        log(`    transports ${JSON.stringify(on)}, disconnects ${JSON.stringify(why)}`);
      };
      // Every 10 s on stderr: the acks that came in it, and what waits in the outboxes.
      let seen = kiosks.reduce((n, k) => n + k.attempts.length, 0);
      const progress = setInterval(() => {
        const now = performance.now();
        const acks = kiosks.flatMap((k) => k.attempts.filter((a) => a.ackMs !== undefined && a.sentAt + a.ackMs > now - 10_000).map((a) => a.ackMs!));
        const sent = kiosks.reduce((n, k) => n + k.attempts.length, 0);
        log(
          `  +${round((now - loadWindow.from) / 1000)} s: ${sent - seen} batches sent, ${acks.length} acks (p50 ${percentile(acks, 50)?.toFixed(0)} ms, ` +
            `p95 ${percentile(acks, 95)?.toFixed(0)} ms), outboxes ${kiosks.reduce((n, k) => n + k.pending.length, 0)} records, connected ${kiosks.filter((k) => k.connected).length}`,
        );
        seen = sent;
        transports();
      }, 10_000);
      await sleep(req.seconds * 1000);
      clearInterval(progress);
      loadWindow.to = performance.now();
      return { seconds: (loadWindow.to - loadWindow.from) / 1000 };
    },
    async 'restart-begin'() {
      restartAt = performance.now();
      return {};
    },
    async 'hub-back'(req) {
      const back = performance.now();
      const target = kiosks.map((k) => k.lastSeq);
      const reconnected = (k: SimKiosk) => k.connected && (k.connects.at(-1) ?? 0) > restartAt;
      let allConnectedAt: number | undefined;
      const progress = setInterval(() => {
        const pending = kiosks.reduce((n, k) => n + k.pending.length, 0);
        log(
          `  +${round((performance.now() - restartAt) / 1000)} s: reconnected ${kiosks.filter(reconnected).length}/${kiosks.length}, ` +
            `synced ${kiosks.filter((k, i) => k.syncedThrough(target[i]!)).length}, outboxes ${pending} records`,
        );
      }, 10_000);
      const done = await until(
        () => {
          const all = kiosks.every(reconnected);
          if (all) allConnectedAt ??= performance.now();
          return all && kiosks.every((k, i) => k.syncedThrough(target[i]!));
        },
        req.maxMs,
        20,
      );
      clearInterval(progress);
      const reasons: Record<string, number> = {};
      for (const k of kiosks) for (const d of k.disconnects) if (d.at >= restartAt) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
      const connectErrors: Record<string, number> = {};
      for (const k of kiosks) for (const e of k.connectErrors) if (e.at >= restartAt) connectErrors[e.message] = (connectErrors[e.message] ?? 0) + 1;
      return {
        done,
        resyncMs: performance.now() - restartAt,
        reconnectMs: allConnectedAt === undefined ? null : allConnectedAt - restartAt,
        backMs: back - restartAt,
        notReconnected: kiosks.filter((k) => !reconnected(k)).length,
        notSynced: kiosks.filter((k, i) => !k.syncedThrough(target[i]!)).length,
        reasons,
        connectErrors,
      };
    },
    async finish(req) {
      stopTicking();
      const drained = await until(() => kiosks.every((k) => k.pending.length === 0), FINAL_DRAIN_MS, 50);
      const pendingLeft = kiosks.reduce((n, k) => n + k.pending.length, 0);
      const inLoad = (at: number) => at >= loadWindow.from && at < loadWindow.to;
      const attempts = kiosks.flatMap((k) => k.attempts.filter((a) => inLoad(a.sentAt)));
      const stats: LoadStats = {
        batches: attempts.length,
        ackMs: attempts.filter((a) => a.ackMs !== undefined).map((a) => round(a.ackMs!, 2)),
        timeouts: attempts.filter((a) => a.timedOut).length,
        dropped: attempts.filter((a) => a.dropped).length,
        refused: attempts.filter((a) => a.refused).length,
        ackedRecords: attempts.filter((a) => a.ackMs !== undefined && !a.refused).reduce((n, a) => n + a.records, 0),
        disconnects: kiosks.reduce((n, k) => n + k.disconnects.filter((d) => inLoad(d.at)).length, 0),
        seconds: (loadWindow.to - loadWindow.from) / 1000,
      };
      const refusedHandshakes = kiosks.reduce((n, k) => n + k.refusedHandshake, 0);
      writeFileSync(req.madeFile, JSON.stringify(kiosks.map((k) => ({ id: k.kiosk.id, ids: k.madeIds, acked: [...k.ackedIds] }))));
      kiosks.forEach((k) => k.stop());
      finished = true;
      return { stats, drained, pendingLeft, refusedHandshakes, made: kiosks.reduce((n, k) => n + k.madeIds.length, 0) };
    },
  };

  process.on('message', (raw: Request) => {
    const handler = handlers[raw.type] as (req: Request) => Promise<unknown>;
    handler(raw).then(
      (data) => process.send!({ id: raw.id, data } satisfies Reply),
      (err: unknown) => process.send!({ id: raw.id, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies Reply),
    );
  });
  process.send!({ id: 0, data: 'ready' } satisfies Reply);
}

// ---------------------------------------------------------------- the bench

async function main(): Promise<void> {
  const flags = parseFlags(
    z.object({
      kiosks: z.coerce.number().int().min(2).max(10_000).default(100),
      seconds: z.coerce.number().int().min(10).max(600).default(60),
      'per-venue': z.coerce.number().int().min(1).max(50).default(2),
      /** How long to wait, at most, for every kiosk to be back and synced after the restart. */
      'resync-max': z.coerce.number().int().min(10).max(900).default(300),
      /** A directory for CPU profiles of the hub (one per hub process, written as it exits). */
      'hub-cpu-prof': z.string().min(1).optional(),
      /** Where the hubs keep their data (see the header). */
      store: z.enum(['sqlite', 'postgres']).default('sqlite'),
      /** Hub processes on that store; more than one: behind HAProxy, restarted one after another. */
      hubs: z.coerce.number().int().min(1).max(16).default(1),
      json: z.boolean().default(false),
    }),
  );
  const need = 2 * flags.kiosks + 256;
  const limit = openFileLimit();
  if (limit < need) {
    log(`--kiosks ${flags.kiosks} needs about ${need} open files per process; ulimit -n is ${limit}. Raise it first (ulimit -n ${Math.max(need, 8192)}).`);
    process.exit(2);
  }
  const settings = kioskSettings();
  const dir = mkdtempSync(join(tmpdir(), 'bench-kiosks-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));

  let t = performance.now();
  const location = flags.store === 'postgres' ? await startBenchPostgres() : join(dir, 'hub.sqlite');
  if (flags.store === 'postgres') log(`PostgreSQL started in ${round((performance.now() - t) / 1000)} s`);
  t = performance.now();
  const { dbFile, kiosks } = await seedFleet(dir, flags.kiosks, flags['per-venue'], location);
  log(`seeded ${Math.ceil(flags.kiosks / flags['per-venue'])} venues, ${kiosks.length} kiosks in ${round((performance.now() - t) / 1000)} s (${flags.store})`);

  // One keys file for every hub, made before they start at once (each would otherwise write its own).
  await loadOrCreateKeys(join(dir, 'hub-keys.json'));
  const ports = await Promise.all(Array.from({ length: flags.hubs }, () => freePort()));
  const hubLog: HubLog = { lines: 0, levels: {}, problems: new Map() };
  const env: Record<string, string> = flags.store === 'postgres' ? { DATABASE_URL: dbFile } : {};
  const hubOpts = { cpuProfDir: flags['hub-cpu-prof'], env };
  const hubs: HubProcess[] = await Promise.all(ports.map((port) => startHubProcess(dir, port, hubLog, hubOpts)));
  const balancer = flags.hubs > 1 ? await startBalancer(dir, ports) : undefined;
  const kioskUrl = balancer?.url ?? hubs[0]!.url;
  if (balancer) log(`${flags.hubs} hubs behind HAProxy at ${balancer.url}`);
  /** Every hub process's loop-delay samples, those of hubs since restarted included. */
  const retiredLoopDelay: HubProcess['loopDelay'] = [];
  const allLoopDelay = () => hubs.flatMap((h) => h.loopDelay).concat(retiredLoopDelay);
  /** CPU of all the hubs together, in % of one core. */
  const hubsCpu = () => {
    const meters = hubs.map((h) => cpuMeter(h.child.pid));
    return {
      pct: () => {
        const each = meters.map((m) => m.pct());
        return each.some((p) => p === null) ? null : round(each.reduce<number>((sum, p) => sum + p!, 0));
      },
    };
  };

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_KIOSKS_ROLE: 'driver' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  onCleanup(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  const waiting = new Map<number, { resolve: (d: unknown) => void; reject: (e: Error) => void }>();
  let ready: () => void = () => {};
  const readied = new Promise<void>((r) => (ready = r));
  child.on('message', (m: Reply) => {
    if (m.id === 0) return ready();
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(`kiosk process: ${m.error}`));
    else w?.resolve(m.data);
  });
  child.once('exit', (code) => waiting.forEach((w) => w.reject(new Error(`kiosk process exited with ${code}`))));
  let nextId = 1;
  /** One step of the tablets' process, bounded by `ms`. */
  const ask = <T>(req: Ask, ms: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`kiosk process: no answer to ${req.type} within ${ms} ms`)), ms);
      waiting.set(id, { resolve: (d) => (clearTimeout(timer), resolve(d as T)), reject: (e) => (clearTimeout(timer), reject(e)) });
      child.send({ ...req, id });
    });
  await Promise.race([readied, sleep(30_000).then(() => Promise.reject(new Error('kiosk process did not start within 30 s')))]);

  await ask({ type: 'init', url: kioskUrl, kiosks, settings }, 120_000);
  const single = await ask<{ ackMs: number[]; timeouts: number }>({ type: 'baseline' }, BASELINE_MS + 60_000);
  log(`baseline: ${single.ackMs.length} acks, p50 ${percentile(single.ackMs, 50)} ms`);
  const connect = await ask<{ connected: number; ms: number; all: boolean }>({ type: 'connect' }, 120_000 + flags.kiosks * 60);
  log(`connected ${connect.connected}/${flags.kiosks} in ${round(connect.ms / 1000)} s`);
  if (!connect.all) log('not every kiosk connected; the load runs with those that did');
  const load1 = round(loadavg()[0]!, 2);
  const hubCpu = hubsCpu();
  const driverCpu = cpuMeter(child.pid);
  const loadFrom = Date.now();
  await ask({ type: 'load', seconds: flags.seconds }, flags.seconds * 1000 + 30_000);
  const cpuLoad = { hub: hubCpu.pct(), driver: driverCpu.pct() };
  const loopLoad = loopDelaySummary(allLoopDelay(), loadFrom, Date.now());
  const rssEach = hubs.map((h) => h.peakRssMb());
  const rss = rssEach.some((r) => r === null) ? null : Math.max(...(rssEach as number[]));
  log(
    `load over (${flags.seconds} s); hub peak RSS ${JSON.stringify(rssEach)} MB; CPU % of a core: ${JSON.stringify(cpuLoad)}; host load ${load1} → ${round(loadavg()[0]!, 2)}; ` +
      `restarting ${flags.hubs > 1 ? `the ${flags.hubs} hubs one after another` : 'the hub'}`,
  );

  await ask({ type: 'restart-begin' }, 10_000);
  const restartFrom = performance.now();
  const restarts: { stoppedMs: number; downMs: number; killed: boolean }[] = [];
  for (const [i, port] of ports.entries()) {
    if (i > 0) await sleep(BALANCER_RISE_MS);
    t = performance.now();
    const { killed } = await hubs[i]!.stop();
    const stoppedMs = performance.now() - t;
    retiredLoopDelay.push(...hubs[i]!.loopDelay);
    hubs[i] = await startHubProcess(dir, port, hubLog, hubOpts);
    restarts.push({ stoppedMs, downMs: performance.now() - t, killed });
    if (flags.hubs > 1) log(`  hub ${i + 1} restarted: stopped in ${round(stoppedMs / 1000, 2)} s, listening again after ${round((performance.now() - t) / 1000, 2)} s`);
  }
  const restartAllMs = performance.now() - restartFrom;
  const stoppedMs = Math.max(...restarts.map((r) => r.stoppedMs));
  const downMs = Math.max(...restarts.map((r) => r.downMs));
  const killed = restarts.some((r) => r.killed);
  const hubCpu2 = hubsCpu();
  const driverCpu2 = cpuMeter(child.pid);
  const resyncFrom = Date.now();
  const resync = await ask<{
    done: boolean;
    resyncMs: number;
    reconnectMs: number | null;
    backMs: number;
    notReconnected: number;
    notSynced: number;
    reasons: Record<string, number>;
    connectErrors: Record<string, number>;
  }>(
    { type: 'hub-back', maxMs: flags['resync-max'] * 1000 },
    flags['resync-max'] * 1000 + 30_000,
  );
  const cpuResync = { hub: hubCpu2.pct(), driver: driverCpu2.pct() };
  const loopResync = loopDelaySummary(allLoopDelay(), resyncFrom, Date.now());
  log(`hub event loop, worst second: load ${JSON.stringify(loopLoad)}, after the restart ${JSON.stringify(loopResync)}`);
  log(`hub stopped in ${round(stoppedMs / 1000, 2)} s${killed ? ' (SIGKILL: no graceful close within 30 s)' : ''}, listening again after ${round(downMs / 1000, 2)} s; CPU % of a core: ${JSON.stringify(cpuResync)}; ${JSON.stringify(resync)}`);

  const madeFile = join(dir, 'made.json');
  const fin = await ask<{ stats: LoadStats; drained: boolean; pendingLeft: number; refusedHandshakes: number; made: number }>({ type: 'finish', madeFile }, FINAL_DRAIN_MS + 60_000);
  child.disconnect();
  await Promise.all(hubs.map((h) => h.stop()));
  balancer?.child.kill('SIGTERM');
  const made = new Map(
    (JSON.parse(readFileSync(madeFile, 'utf8')) as { id: string; ids: string[]; acked: string[] }[]).map((k) => [k.id, { ids: k.ids, acked: new Set(k.acked) }]),
  );
  const stored = await checkStored(dbFile, made);
  reportHubLog(hubLog);
  if (!fin.drained) log(`final drain incomplete: ${fin.pendingLeft} records still in the outboxes`);

  const s = fin.stats;
  const p = (q: number) => percentile(s.ackMs, q);
  const sp = (q: number) => percentile(single.ackMs, q);
  const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : round(a / b, 2));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'kiosks',
      hubs: flags.hubs,
      store: flags.store,
      kiosks: flags.kiosks,
      venues: Math.ceil(flags.kiosks / flags['per-venue']),
      seconds: flags.seconds,
      records_per_s: round(s.ackedRecords / s.seconds),
      batches: s.batches,
      ack_p50_ms: p(50),
      ack_p95_ms: p(95),
      ack_p99_ms: p(99),
      ack_max_ms: s.ackMs.length ? Math.max(...s.ackMs) : null,
      ack_timeouts: s.timeouts,
      ack_timeout_ms: settings.ackTimeoutMs,
      dropped_in_flight: s.dropped,
      refused: s.refused,
      disconnects: s.disconnects,
      connect_all_s: round(connect.ms / 1000, 2),
      hub_rss_mb: rss,
      hub_stop_s: round(stoppedMs / 1000, 2),
      hub_stop_killed: killed,
      hub_down_s: round(downMs / 1000, 2),
      restart_all_s: round(restartAllMs / 1000, 2),
      resync_after_restart_s: resync.done ? round(resync.resyncMs / 1000, 2) : null,
      reconnect_after_restart_s: resync.reconnectMs === null ? null : round(resync.reconnectMs / 1000, 2),
      made: fin.made,
      stored: stored.stored,
      lost: stored.lost,
      lost_acked: stored.lostAcked,
      outbox_left: fin.pendingLeft,
      doubled: stored.doubled,
      single_ack_p50_ms: sp(50),
      single_ack_p95_ms: sp(95),
      ratio_p50_to_single: ratio(p(50), sp(50)),
      ratio_p95_to_single: ratio(p(95), sp(95)),
      hub_log_warn: hubLog.levels.warn ?? 0,
      hub_log_error: (hubLog.levels.error ?? 0) + (hubLog.levels.fatal ?? 0),
      hub_loop_delay_max_ms_load: loopLoad.max_ms,
      hub_loop_delay_max_ms_resync: loopResync.max_ms,
      hub_cpu_pct_load: cpuLoad.hub,
      driver_cpu_pct_load: cpuLoad.driver,
      hub_cpu_pct_resync: cpuResync.hub,
      driver_cpu_pct_resync: cpuResync.driver,
      host_load_1m_before: load1,
    })}\n`,
  );
}

if (process.env.BENCH_KIOSKS_ROLE === 'driver') await driver();
else {
  try {
    await main();
    process.exit(0);
  } catch (err) {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  }
}
