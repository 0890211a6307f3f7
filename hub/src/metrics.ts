import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DASHBOARD_NAMESPACE, KIOSK_NAMESPACE } from '../../shared/events.js';
import type { Ack } from '../../shared/schemas/errors.js';
import type { PushResult } from '../../shared/schemas/sync.js';
import { SINGLETON_JOBS, type Singletons } from './singletons.js';
import type { Store } from './store/index.js';

/** Every metric's name starts with this, prom-client's process metrics too (docs/operations.md "Metrics"). */
export const METRIC_PREFIX = 'checkin_';

/** A batch or a record: stored anew, already held (a resend), or refused (a record: its item answered `rejected`). */
export const OUTCOMES = ['accepted', 'duplicate', 'refused'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Where a database error was caught: a kiosk's writes (batches, status reports, policy acks,
 * retirements, flags judged after a batch), the reads the sockets serve (handshakes, a connecting
 * kiosk's catch-up, pushes, pass lookups, dashboard sessions), the health check, or any HTTP
 * route answered 500 by the one error handler.
 */
export const DB_ERROR_WHERE = ['ingest', 'read', 'health', 'http'] as const;
export type DbErrorWhere = (typeof DB_ERROR_WHERE)[number];

/** What the sockets and routes report to; they know nothing of Prometheus. */
export interface HubMeter {
  /** A `records:push` answered with `res`, `seconds` after it arrived on the socket. */
  batchAcked(res: Ack<PushResult>, seconds: number): void;
  /** A database error caught (and logged) at `where`. */
  dbError(where: DbErrorWhere): void;
}

export interface HubMetrics extends HubMeter {
  /** The exposition's Content-Type (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The exposition, read at this instant. */
  text(): Promise<string>;
  /** Stops listening to the store's commits. */
  close(): void;
}

/** Anything with namespaces: the hub's socket.io server, whatever its typing. */
interface Sockets {
  of(name: string): { sockets: Map<string, { data: unknown }> };
}
interface KioskSocketData {
  kiosk?: { id: string };
  status?: { pending: number } | undefined;
}

/** 1 ms to 10 s. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMMIT_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const COMMIT_WRITES_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
/** Up to the group's cap of 5,000 records (store/group-commit.ts), and above for a single large write. */
const COMMIT_RECORDS_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * One registry per hub app (never prom-client's global one: several hubs in one test process
 * would clash). Counters and histograms are fed as things happen; what can be read at any
 * moment (sockets open, backlogs reported, the commit queue, jobs held) is read at scrape time.
 */
export function createHubMetrics({ io, store, singletons }: { io: Sockets; store: Store; singletons: Singletons }): HubMetrics {
  const registry = new Registry();
  const registers = [registry];

  const kioskData = () => [...io.of(KIOSK_NAMESPACE).sockets.values()].map((s) => s.data as KioskSocketData);
  /** The backlog each connected kiosk last reported (one kiosk with two sockets counted once: its larger figure). */
  const backlogs = () => {
    const byKiosk = new Map<string, number>();
    for (const d of kioskData()) {
      if (!d.kiosk || d.status === undefined) continue;
      byKiosk.set(d.kiosk.id, Math.max(byKiosk.get(d.kiosk.id) ?? 0, d.status.pending));
    }
    return [...byKiosk.values()];
  };

  new Gauge({
    name: `${METRIC_PREFIX}kiosks_connected`,
    help: 'Kiosks with a socket open on this hub process (each kiosk once).',
    registers,
    collect() {
      this.set(new Set(kioskData().flatMap((d) => (d.kiosk ? [d.kiosk.id] : []))).size);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}dashboards_connected`,
    help: "Inspectors' dashboards with a live socket open on this hub process.",
    registers,
    collect() {
      this.set(io.of(DASHBOARD_NAMESPACE).sockets.size);
    },
  });
  const batches = new Counter({
    name: `${METRIC_PREFIX}batches_total`,
    help: 'records:push batches answered, by outcome: accepted (at least one record stored anew), duplicate (only records already held), refused (refused whole, or every record refused).',
    labelNames: ['outcome'],
    registers,
  });
  const records = new Counter({
    name: `${METRIC_PREFIX}records_total`,
    help: 'Records in answered batches, by outcome: accepted (stored anew), duplicate (already held), refused (answered rejected; the kiosk keeps it and never resends it). Records of a batch refused whole are not counted: the kiosk resends them.',
    labelNames: ['outcome'],
    registers,
  });
  const ackSeconds = new Histogram({
    name: `${METRIC_PREFIX}ack_seconds`,
    help: 'From a records:push arriving on the socket to its acknowledgement being sent, seconds.',
    buckets: ACK_BUCKETS,
    registers,
  });
  new Gauge({
    name: `${METRIC_PREFIX}kiosk_backlog_records`,
    help: 'Sum of the backlog (records not yet acknowledged) each connected kiosk last reported.',
    registers,
    collect() {
      this.set(backlogs().reduce((a, b) => a + b, 0));
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}kiosk_backlog_max_records`,
    help: 'The largest backlog a connected kiosk last reported.',
    registers,
    collect() {
      this.set(Math.max(0, ...backlogs()));
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}commit_queue_writes`,
    help: 'Writes waiting for the next group commit, now.',
    registers,
    collect() {
      this.set(store.writeLoad().queued);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}commit_queue_records`,
    help: 'Records waiting for the next group commit, now (a batch is refused rate_limited past 50,000).',
    registers,
    collect() {
      this.set(store.writeLoad().queuedWeight);
    },
  });
  const commitWrites = new Histogram({
    name: `${METRIC_PREFIX}commit_writes`,
    help: 'Writes per group commit (one transaction, one fsync).',
    buckets: COMMIT_WRITES_BUCKETS,
    registers,
  });
  const commitRecords = new Histogram({
    name: `${METRIC_PREFIX}commit_records`,
    help: 'Records (write weight) per group commit.',
    buckets: COMMIT_RECORDS_BUCKETS,
    registers,
  });
  const commitSeconds = new Histogram({
    name: `${METRIC_PREFIX}commit_seconds`,
    help: "A group commit's duration, its writes' work and COMMIT, seconds.",
    buckets: COMMIT_SECONDS_BUCKETS,
    registers,
  });
  const dbErrors = new Counter({
    name: `${METRIC_PREFIX}db_errors_total`,
    help: 'Database errors caught, by where: ingest (kiosk writes), read (socket reads and pushes), health (GET /api/health), http (a route answered 500).',
    labelNames: ['where'],
    registers,
  });
  new Gauge({
    name: `${METRIC_PREFIX}singleton_held`,
    help: 'Jobs one process of the street runs: 1 where this process holds the job, 0 where it does not.',
    labelNames: ['job'],
    registers,
    collect() {
      for (const job of SINGLETON_JOBS) this.set({ job }, singletons.holds(job) ? 1 : 0);
    },
  });

  // Every labelled series from the start, so rate() and increase() see the first event.
  for (const outcome of OUTCOMES) {
    batches.inc({ outcome }, 0);
    records.inc({ outcome }, 0);
  }
  for (const where of DB_ERROR_WHERE) dbErrors.inc({ where }, 0);

  const unobserve = store.observe?.((commit) => {
    commitWrites.observe(commit.writes);
    commitRecords.observe(commit.weight);
    commitSeconds.observe(commit.ms / 1000);
  });

  // prom-client's process metrics (CPU, memory, event loop lag, GC) start a GC observer and an
  // event loop monitor that run for the life of the process: registered at the first scrape, so a
  // hub nobody scrapes (most of the tests) starts none.
  let processMetrics = false;

  return {
    contentType: registry.contentType,
    async text() {
      if (!processMetrics) {
        collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
        processMetrics = true;
      }
      return registry.metrics();
    },
    batchAcked(res, seconds) {
      const counts: Record<Outcome, number> = { accepted: 0, duplicate: 0, refused: 0 };
      if (res.ok) for (const r of res.data.results) counts[r.status === 'rejected' ? 'refused' : r.status]++;
      const outcome: Outcome = !res.ok ? 'refused' : counts.accepted > 0 ? 'accepted' : counts.duplicate > 0 ? 'duplicate' : 'refused';
      batches.inc({ outcome });
      for (const o of OUTCOMES) if (counts[o] > 0) records.inc({ outcome: o }, counts[o]);
      ackSeconds.observe(seconds);
    },
    dbError(where) {
      dbErrors.inc({ where });
    },
    close() {
      unobserve?.();
    },
  };
}
