/**
 * What bench:kiosks and bench:drain share: the kiosk's own sync settings (read
 * from kiosk/src/sync/sync-client.ts, so the benches follow it), a real hub in
 * its own process on 127.0.0.1 with its log summarised, a data dir seeded and
 * kiosks enrolled through the store before the hub starts, a simulated kiosk
 * (raw socket.io-client, the kiosk's outbox loop without IndexedDB), and the
 * check of what the clients made against the database.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { isPostgresUrl } from '../../hub/src/store/migrate-postgres.js';
import { postgresSql, sqliteSql, type Sql, type SqlDatabase } from '../../hub/src/store/sql.js';
import { HANDSHAKE_SPREAD, backoffDelay, reconnectDelay, retryAfterDelay } from '../../kiosk/src/sync/backoff.js';
import { KIOSK_NAMESPACE, type HubToKioskEvents, type KioskToHubEvents } from '../../shared/events.js';
import { ApiError, type Ack } from '../../shared/schemas/errors.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import type { PushResult } from '../../shared/schemas/sync.js';
import { enrolKiosk, seedVenue } from '../../tests/support/hub.js';
import { entranceRecord } from '../../tests/support/records.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

// ---------------------------------------------------------------- the kiosk's settings

export interface KioskSettings {
  batchSize: number;
  ackTimeoutMs: number;
  statusIntervalMs: number;
  reconnectionDelay: number;
  reconnectionDelayMax: number;
  randomizationFactor: number;
  transports: string[];
  tryAllTransports: boolean;
}

/**
 * The constants and socket.io options of kiosk/src/sync/sync-client.ts (not
 * exported there), read from its source; throws if one is no longer found, so
 * the benches never drift from the tablet silently.
 */
export function kioskSettings(): KioskSettings {
  const src = readFileSync(join(root, 'kiosk/src/sync/sync-client.ts'), 'utf8');
  const missing = (name: string): never => {
    throw new Error(`kiosk/src/sync/sync-client.ts: ${name} not found; update scripts/bench/fleet.ts`);
  };
  const num = (re: RegExp, name: string) => Number((re.exec(src)?.[1] ?? missing(name)).replaceAll('_', ''));
  return {
    batchSize: num(/const BATCH_SIZE = ([\d_]+);/, 'BATCH_SIZE'),
    ackTimeoutMs: num(/const ACK_TIMEOUT_MS = ([\d_]+);/, 'ACK_TIMEOUT_MS'),
    statusIntervalMs: num(/const STATUS_INTERVAL_MS = ([\d_]+);/, 'STATUS_INTERVAL_MS'),
    reconnectionDelay: num(/reconnectionDelay: ([\d_]+),/, 'reconnectionDelay'),
    reconnectionDelayMax: num(/reconnectionDelayMax: ([\d_]+),/, 'reconnectionDelayMax'),
    randomizationFactor: num(/randomizationFactor: ([\d_.]+),/, 'randomizationFactor'),
    transports: [...(/transports: \[([^\]]*)\],/.exec(src)?.[1] ?? missing('transports')).matchAll(/'(\w+)'/g)].map((m) => m[1]!),
    tryAllTransports: (/tryAllTransports: (true|false),/.exec(src)?.[1] ?? missing('tryAllTransports')) === 'true',
  };
}

// ---------------------------------------------------------------- small things

export const log = (line: string) => process.stderr.write(`${line}\n`);
export const round = (x: number, d = 1) => Number(x.toFixed(d));
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of unsorted values; null when there are none. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Polls `done` every `everyMs` until it holds (true) or `ms` have passed (false). */
export async function until(done: () => boolean, ms: number, everyMs = 50): Promise<boolean> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() >= end) return false;
    await sleep(everyMs);
  }
  return true;
}

/** The soft open-file limit this process (and the children it spawns) runs under. */
export function openFileLimit(): number {
  const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Infinity : Number(out);
}

/** CPU time (user + system, s) a process has used so far, from /proc; null if it cannot tell. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU use of a process between `start()` and `pct()`, in % of one core. */
export function cpuMeter(pid: number | undefined): { pct(): number | null } {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  return {
    pct() {
      const c1 = cpuSeconds(pid);
      return c0 === null || c1 === null ? null : round(((c1 - c0) / ((performance.now() - t0) / 1000)) * 100);
    },
  };
}

// ---------------------------------------------------------------- cleanup

const cleanups: (() => void)[] = [];
/** Runs on exit, on an error, and on SIGINT/SIGTERM: synchronous, so it also runs from 'exit'. */
export function onCleanup(fn: () => void): void {
  cleanups.push(fn);
}
function runCleanups(): void {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()!();
    } catch {
      // best effort: the rest still run
    }
  }
}
process.once('exit', runCleanups);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    runCleanups();
    process.exit(130);
  });
}

// ---------------------------------------------------------------- the hub process

/** What the hub wrote at warn and above, by message, and how many lines at each level. */
export interface HubLog {
  lines: number;
  levels: Record<string, number>;
  /** Up to 20 distinct warn/error messages with how often each came (and one error text). */
  problems: Map<string, { n: number; level: string; example: string }>;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Loaded into the hub process beside tsx (`--import` of a data: URL; hub code
 * unchanged): every second it writes its event loop's delay over that second
 * to stderr as one `{"benchLoopDelay": …}` line, which the bench reads and does
 * not count as hub output (a stalled loop is what delays acks and pings); and
 * if the bench process is gone (killed outright), it sends itself SIGTERM.
 */
const LOOP_PROBE = `data:text/javascript,${encodeURIComponent(
  "import { monitorEventLoopDelay } from 'node:perf_hooks';" +
    'const h = monitorEventLoopDelay({ resolution: 10 }); h.enable();' +
    'setInterval(() => { process.stderr.write(JSON.stringify({ benchLoopDelay: { at: Date.now(), p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 } }) + "\\n"); h.reset(); }, 1000).unref();' +
    // The bench died without stopping it (SIGKILL): close as on SIGTERM rather than linger on the port.
    "const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM'); }, 1000).unref();",
)}`;

/** The hub's event-loop delay per second, as the probe reports it (ms). */
export interface LoopDelay {
  at: number;
  p50: number;
  p99: number;
  max: number;
}

export interface HubProcess {
  child: ChildProcess;
  url: string;
  log: HubLog;
  /** One entry per second since it started. */
  loopDelay: LoopDelay[];
  /** The child's peak resident set (VmHWM), in MB; null if /proc cannot tell. */
  peakRssMb(): number | null;
  /** SIGTERM (graceful close), SIGKILL after `graceMs`. Resolves once it exited: whether it had to be killed. */
  stop(graceMs?: number): Promise<{ killed: boolean }>;
}

function procStatus(pid: number | undefined, field: string): number | null {
  if (pid === undefined) return null;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * `node --import tsx hub/src/server.ts` (what `npm run serve` runs, plus the
 * event-loop probe above) on a data dir and a port of 127.0.0.1, at LOG_LEVEL
 * info as in production; its log lines are counted by level as they come (its
 * stderr too). Resolves once it listens; killed on exit of this process.
 * `env` is added to its environment (DATABASE_URL for a hub on PostgreSQL).
 * With `cpuProfDir`, node writes a CPU profile of the hub there when it exits.
 */
export function startHubProcess(
  dataDir: string,
  port: number,
  hubLog?: HubLog,
  { cpuProfDir, env = {} }: { cpuProfDir?: string | undefined; env?: Record<string, string> } = {},
): Promise<HubProcess> {
  const prof = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', '--import', LOOP_PROBE, 'hub/src/server.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  onCleanup(killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const summary: HubLog = hubLog ?? { lines: 0, levels: {}, problems: new Map() };
  let listening: () => void = () => {};
  const listened = new Promise<void>((r) => (listening = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    summary.lines++;
    let entry: { level?: number; msg?: string; err?: { message?: string }; error?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      entry = { level: 50, msg: `(not JSON) ${line.slice(0, 200)}` };
    }
    const level = LEVELS[entry.level ?? 30] ?? String(entry.level);
    summary.levels[level] = (summary.levels[level] ?? 0) + 1;
    if ((entry.level ?? 30) >= 40) {
      const key = entry.msg ?? '(no msg)';
      const seen = summary.problems.get(key);
      if (seen) seen.n++;
      else if (summary.problems.size < 20) summary.problems.set(key, { n: 1, level, example: (entry.err?.message ?? entry.error?.message ?? '').slice(0, 200) });
    }
    if (entry.msg?.startsWith('Server listening at')) listening();
  });
  let stderr = '';
  const loopDelay: LoopDelay[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.startsWith('{"benchLoopDelay"')) {
      loopDelay.push((JSON.parse(line) as { benchLoopDelay: LoopDelay }).benchLoopDelay);
      return;
    }
    stderr += `${line}\n`;
    summary.levels.stderr = (summary.levels.stderr ?? 0) + 1;
    const key = `(stderr) ${line.slice(0, 160)}`;
    const seen = summary.problems.get(key);
    if (seen) seen.n++;
    else if (summary.problems.size < 20) summary.problems.set(key, { n: 1, level: 'stderr', example: '' });
  });
  const hub: HubProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    log: summary,
    loopDelay,
    peakRssMb: () => procStatus(child.pid, 'VmHWM'),
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return { killed: false };
      child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), graceMs);
      await exited;
      clearTimeout(timer);
      return { killed };
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start within 30 s:\n${stderr}`));
    }, 30_000);
    void listened.then(() => {
      clearTimeout(timer);
      resolve(hub);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening:\n${stderr}`));
    });
  });
}

/** Prints the hub log's summary on stderr. */
export function reportHubLog(hubLog: HubLog): void {
  log(`hub log: ${hubLog.lines} lines ${JSON.stringify(hubLog.levels)}`);
  for (const [msg, p] of hubLog.problems) log(`  ${p.level} ×${p.n}: ${msg}${p.example ? ` — ${p.example}` : ''}`);
}

/** The worst second and the 99th percentile of the per-second maxima, between two Date.now() instants. */
export function loopDelaySummary(samples: readonly LoopDelay[], from: number, to: number): { max_ms: number | null; p99_of_max_ms: number | null } {
  const maxes = samples.filter((d) => d.at >= from && d.at <= to).map((d) => d.max);
  return { max_ms: maxes.length ? round(Math.max(...maxes)) : null, p99_of_max_ms: maxes.length ? round(percentile(maxes, 99)!) : null };
}

// ---------------------------------------------------------------- seeding

export interface FleetKiosk {
  id: string;
  venueId: string;
  token: string;
}

/**
 * A data dir with ceil(kiosks / perVenue) venues (each with one entrance, as
 * seedVenue makes it) and `kiosks` kiosks enrolled at them, through the store,
 * before the hub starts. `location`: the store (openStore), hub.sqlite in the
 * data dir by default, or a PostgreSQL URL (migrated by openStore); returned as `dbFile`.
 */
export async function seedFleet(dataDir: string, kiosks: number, perVenue: number, location = join(dataDir, 'hub.sqlite')): Promise<{ dbFile: string; kiosks: FleetKiosk[] }> {
  const dbFile = location;
  const store = await openStore(dbFile);
  try {
    return { dbFile, kiosks: await seedFleetIn(store, kiosks, perVenue) };
  } finally {
    await store.close();
  }
}

/** seedFleet's venues and kiosks in an open store (SQLite or PostgreSQL: `npm run test:cluster` seeds its database so). */
export async function seedFleetIn(store: Store, kiosks: number, perVenue: number): Promise<FleetKiosk[]> {
  const out: FleetKiosk[] = [];
  let entranceId = '';
  for (let k = 0; k < kiosks; k++) {
    if (k % perVenue === 0) entranceId = await seedVenue(store, `venue-${String(k / perVenue).padStart(5, '0')}`);
    const { kiosk, token } = await enrolKiosk(store, entranceId);
    out.push({ id: kiosk.id, venueId: kiosk.venueId, token });
  }
  return out;
}

// ---------------------------------------------------------------- checking the database

/**
 * What became of the ids the clients made. lost: made (acked or not) but not
 * in kiosk_records, the ledger every record goes to. doubled: rows beyond one
 * per made record — the same id twice, the same (kiosk_id, seq) twice, in
 * kiosk_records or its projection entrance_records, or rows of these kiosks
 * the clients never made. Both tables have id PRIMARY KEY and UNIQUE (kiosk_id,
 * seq), so doubled is 0 unless a constraint went missing; it is counted, not assumed.
 * lostAcked: of the lost, those the hub had acknowledged. `location`: the
 * store the hubs used, a SQLite file or a PostgreSQL URL (their DATABASE_URL).
 */
export async function checkStored(
  location: string,
  made: ReadonlyMap<string, { ids: string[]; acked: Set<string> }>,
): Promise<{ stored: number; lost: number; lostAcked: number; doubled: number }> {
  // Read-only, on either database: the SQLite file or a PostgreSQL URL (a hub's DATABASE_URL).
  const sql: SqlDatabase = isPostgresUrl(location) ? postgresSql(location, { max: 1 }) : sqliteSql(new Database(location, { readonly: true }));
  try {
    return await checkStoredIn(sql, made);
  } finally {
    await sql.close();
  }
}

/**
 * checkStored over the store's `Sql` (SQLite or PostgreSQL; the cluster tests
 * check their PostgreSQL database so): the same counts, in SQL both accept.
 */
export async function checkStoredIn(sql: Sql, made: ReadonlyMap<string, { ids: string[]; acked: Set<string> }>): Promise<{ stored: number; lost: number; lostAcked: number; doubled: number }> {
  let lost = 0;
  let lostAcked = 0;
  let doubled = 0;
  let stored = 0;
  for (const [kioskId, m] of made) {
    const rows = new Map((await sql.all<{ id: string; n: number }>('SELECT id, count(*) AS n FROM kiosk_records WHERE kiosk_id = ? GROUP BY id', [kioskId])).map((r) => [r.id, r.n]));
    const entrances = new Map((await sql.all<{ id: string; n: number }>('SELECT id, count(*) AS n FROM entrance_records WHERE kiosk_id = ? GROUP BY id', [kioskId])).map((r) => [r.id, r.n]));
    const mine = new Set(m.ids);
    for (const id of m.ids) {
      const n = rows.get(id) ?? 0;
      if (n === 0) {
        lost++;
        if (m.acked.has(id)) lostAcked++;
      } else stored++;
      doubled += Math.max(0, n - 1) + Math.max(0, (entrances.get(id) ?? 0) - 1);
    }
    for (const [id, n] of rows) if (!mine.has(id)) doubled += n;
    const twice = await sql.get<{ n: number | null }>(
      'SELECT sum(n - 1) AS n FROM (SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ? GROUP BY seq HAVING count(*) > 1) AS twice',
      [kioskId],
    );
    doubled += twice?.n ?? 0;
  }
  return { stored, lost, lostAcked, doubled };
}

// ---------------------------------------------------------------- a simulated kiosk

type KioskSocket = Socket<HubToKioskEvents, KioskToHubEvents>;

/** One records:push as sent: when, how many, and how it ended (ms after sending). */
export interface Attempt {
  sentAt: number;
  records: number;
  /** Ack arrival, ms after sending (also when it came after the kiosk had given up on it). */
  ackMs?: number;
  /** No ack within the kiosk's ack timeout: the kiosk gave up on it and resends. */
  timedOut?: boolean;
  /** The socket dropped before the ack came. */
  dropped?: boolean;
  /** The hub answered with a refusal (ok: false). */
  refused?: string;
  /** The wait the hub asked for in its answer (an ok one or a `rate_limited` refusal). */
  retryAfterMs?: number;
}

/**
 * The tablet's sync loop (kiosk/src/sync/sync-client.ts) over a raw
 * socket.io-client socket, its outbox in memory: the same reconnection
 * settings and handshake (token and status in `auth`, a function read at
 * every connect), oldest first in batches of its batch size, one at a time,
 * each leaving the outbox only on its ack, an ack later than its timeout
 * taken as lost (resent after backoffDelay), the hub's backpressure (no batch
 * before the `retryAfterMs` of an ack or of a `rate_limited` refusal, which
 * keeps the batch; a `rate_limited` handshake retried after its
 * retryAfterMs), the same spread reconnect after the hub dropped the socket,
 * status reports at most every status interval and at once when the backlog
 * reaches zero, and policy acks. Times are performance.now() of this process,
 * the hub's waits Date.now() as on the tablet.
 */
export class SimKiosk {
  readonly socket: KioskSocket;
  /** Outbox, oldest first. */
  readonly pending: EntranceRecord[] = [];
  readonly madeIds: string[] = [];
  readonly ackedIds = new Set<string>();
  readonly attempts: Attempt[] = [];
  readonly disconnects: { at: number; reason: string }[] = [];
  readonly connects: number[] = [];
  refusedHandshake = 0;
  /** Handshakes the hub refused as `rate_limited` (retried after its retryAfterMs). */
  busyHandshakes = 0;
  /** connect_error messages (a handshake the hub did not answer in time is `timeout`). */
  readonly connectErrors: { at: number; message: string }[] = [];
  lastSeq = 0;
  private flushing = false;
  private again = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private reconnects = 0;
  /** Apart from retryTimer, as on the tablet: a batch failing on the drop must not cancel the reconnect. */
  private connectTimer: NodeJS.Timeout | undefined;
  /** No batch before this Date.now() instant (the hub's retryAfterMs). */
  private sendAfter = 0;
  private sendTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private reported: { pending: number; at: number } | undefined;
  private stopped = false;

  constructor(
    readonly kiosk: FleetKiosk,
    url: string,
    private readonly settings: KioskSettings,
  ) {
    this.socket = io(`${url}${KIOSK_NAMESPACE}`, {
      auth: (cb) => {
        const status = { appVersion: 'bench-sim', pending: this.pending.length, rejected: 0, clock: Date.now() };
        this.reported = { pending: status.pending, at: Date.now() };
        cb({ token: kiosk.token, status });
      },
      autoConnect: false,
      // One connection per tablet (socket.io would otherwise share one manager per URL in this process).
      forceNew: true,
      reconnectionDelay: settings.reconnectionDelay,
      reconnectionDelayMax: settings.reconnectionDelayMax,
      randomizationFactor: settings.randomizationFactor,
      transports: settings.transports as ('websocket' | 'polling')[],
      tryAllTransports: settings.tryAllTransports,
    });
    this.socket.on('connect', () => {
      this.attempt = 0;
      this.reconnects = 0;
      this.connects.push(performance.now());
      void this.flush();
    });
    this.socket.on('disconnect', (reason) => {
      this.socket.sendBuffer = [];
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      this.disconnects.push({ at: performance.now(), reason });
      if (this.stopped) return;
      if (reason === 'io server disconnect') this.connectLater(this.nextReconnectDelay());
    });
    this.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      this.connectErrors.push({ at: performance.now(), message: err.message });
      if (err.data?.code === 'unauthorized') {
        this.refusedHandshake++;
        this.stop();
        return;
      }
      const refusal = ApiError.safeParse(err.data);
      if (refusal.success && refusal.data.code === 'rate_limited') {
        this.busyHandshakes++;
        const after = refusal.data.retryAfterMs;
        this.connectLater(after === undefined ? this.nextReconnectDelay() : retryAfterDelay(after, Math.random, HANDSHAKE_SPREAD.spread, HANDSHAKE_SPREAD.minJitterMs));
        return;
      }
      if (!this.socket.active) this.connectLater(backoffDelay(this.attempt++));
    });
    this.socket.on('policy:update', (policy) => {
      this.socket.emit('policy:ack', { version: policy.version }, () => undefined);
    });
  }

  /** The engine.io transport in use: polling until the upgrade to websocket is done. */
  get transport(): string {
    return this.socket.io.engine?.transport?.name ?? 'none';
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Every record made up to `seq` is acknowledged. */
  syncedThrough(seq: number): boolean {
    return this.pending.length === 0 || this.pending[0]!.seq > seq;
  }

  start(): void {
    this.stopped = false;
    this.socket.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    clearTimeout(this.statusTimer);
    this.socket.disconnect();
  }

  /** Records `n` patrons now (or at the kiosk times given) and sends them if it can, as the door does. */
  make(n: number, kioskTimeOf: (seq: number) => string = () => new Date().toISOString(), notify = true): void {
    for (let i = 0; i < n; i++) {
      const seq = ++this.lastSeq;
      const r = entranceRecord(this.kiosk, seq, { kioskTime: kioskTimeOf(seq), operatorId: `${this.kiosk.venueId}-staff-1` });
      this.pending.push(r);
      this.madeIds.push(r.id);
    }
    if (notify) {
      this.reportStatus();
      void this.flush();
    }
  }

  flush(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    void this.drain().finally(() => (this.flushing = false));
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      while (this.socket.connected && !this.stopped) {
        const batch = this.pending.slice(0, this.settings.batchSize);
        if (batch.length === 0) break;
        if (this.holdSending()) return;
        const res = await this.push(batch);
        if (res && !res.ok && res.error.code === 'rate_limited') {
          // Refused whole, nothing stored: kept, sent again after the hub's wait; not a failure.
          const after = res.error.retryAfterMs;
          this.holdFor(after === undefined ? backoffDelay(this.attempt++) : retryAfterDelay(after));
          continue;
        }
        if (!res || !res.ok || res.data.results.length !== batch.length) return this.retryLater(() => this.flush());
        // Only this loop takes from the outbox, and only its head.
        this.pending.splice(0, batch.length);
        for (const r of batch) this.ackedIds.add(r.id);
        this.attempt = 0;
        const after = res.data.retryAfterMs;
        if (after !== undefined && after > 0) this.holdFor(retryAfterDelay(after));
        this.reportStatus();
      }
    } while (this.again && this.socket.connected && !this.stopped);
  }

  private push(records: EntranceRecord[]): Promise<Ack<PushResult> | undefined> {
    // As the kiosk: a batch read just as the socket dropped is not buffered for a time-out.
    if (!this.socket.connected) return Promise.resolve(undefined);
    const attempt: Attempt = { sentAt: performance.now(), records: records.length };
    this.attempts.push(attempt);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (res: Ack<PushResult> | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.socket.off('disconnect', onDisconnect);
        resolve(res);
      };
      const onDisconnect = () => {
        attempt.dropped = true;
        finish(undefined);
      };
      // The kiosk's socket.timeout(ACK_TIMEOUT_MS): past it the batch counts as lost. Timed here
      // by hand so an ack that comes later is still measured.
      const timer = setTimeout(() => {
        attempt.timedOut = true;
        finish(undefined);
      }, this.settings.ackTimeoutMs);
      this.socket.once('disconnect', onDisconnect);
      this.socket.emit('records:push', { records }, (res: Ack<PushResult>) => {
        attempt.ackMs = performance.now() - attempt.sentAt;
        if (!res.ok) attempt.refused = res.error.code;
        const after = res.ok ? res.data.retryAfterMs : res.error.retryAfterMs;
        if (after !== undefined) attempt.retryAfterMs = after;
        finish(res);
      });
    });
  }

  private reportStatus(): void {
    if (!this.socket.connected || this.stopped) return;
    const pending = this.pending.length;
    const last = this.reported;
    if (last && last.pending === pending) return;
    const wait = last ? last.at + this.settings.statusIntervalMs - Date.now() : 0;
    if (pending === 0 || wait <= 0) {
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      this.reported = { pending, at: Date.now() };
      this.socket.emit('kiosk:status', { appVersion: 'bench-sim', pending, rejected: 0, clock: Date.now() });
      return;
    }
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      this.reportStatus();
    }, wait);
  }

  private retryLater(fn: () => void): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(fn, backoffDelay(this.attempt++));
  }

  private nextReconnectDelay(): number {
    return reconnectDelay(this.reconnects++, Math.random, this.socket.io.reconnectionDelay(), this.socket.io.reconnectionDelayMax());
  }

  private connectLater(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      if (!this.stopped && !this.socket.connected) this.socket.connect();
    }, ms);
  }

  private holdFor(ms: number): void {
    this.sendAfter = Math.max(this.sendAfter, Date.now() + ms);
  }

  /** The hub's wait still holds: the drain stops, a timer resumes it (and checks again). */
  private holdSending(): boolean {
    const wait = this.sendAfter - Date.now();
    if (wait <= 0) return false;
    this.sendTimer ??= setTimeout(() => {
      this.sendTimer = undefined;
      this.flush();
    }, wait);
    return true;
  }
}
