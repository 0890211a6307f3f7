import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Aggregates } from './aggregates.js';
import { createDashboardRepository, type DashboardRepository } from './dashboard.js';
import { createInspectionReads, type InspectionReads } from './inspections.js';
import { createOversightRepository, type OversightRepository } from './oversight.js';
import type { Sql } from './sql.js';
import { createTracingRepository, type TracingRepository } from './tracing.js';

/**
 * The read repositories, answered off the main thread (docs/architecture.md
 * "Reads off the ingest path"). better-sqlite3 is synchronous: the weekly
 * report over a month of a street, the overview or a trace run on the main
 * thread would hold up every kiosk's `records:push` ack behind it. Here they
 * run in a worker thread (read-worker.ts) with its own read-only connection
 * to the same file; the main thread only posts the call and awaits the answer.
 *
 * - The worker starts on the first call (a store nobody reads the dashboard
 *   of never starts one) and is unref'd while idle, so it never keeps the
 *   process alive on its own.
 * - Read-your-writes: a write's promise resolves after its COMMIT, and a read
 *   posted after that begins its own read transaction later, in WAL: it sees
 *   the write.
 * - A worker that dies fails its pending calls with an Error naming the call;
 *   the next call starts a new one. An error thrown by a read reaches the
 *   caller as an Error of the same name (RangeError, TypeError… keep their
 *   class), message and stack, with its `code` if it had one (SqliteError).
 * - ':memory:' cannot be opened from another thread: its reads run in-process,
 *   on the main connection, as they did before the pool.
 *
 * The pool is the SQLite path. On PostgreSQL the server runs each read on a
 * connection of its own, off this thread already: the same repositories are
 * built in-process over the PostgreSQL Sql, `readRepositories(sql, aggregates)`.
 */

export interface ReadRepositories {
  dashboard: DashboardRepository;
  tracing: TracingRepository;
  inspections: InspectionReads;
  /** The district's and city's view of their streets (oversight.ts). */
  oversight: OversightRepository;
}

/**
 * The read repositories over one Sql, answering in this thread: the read
 * worker's (over its read-only connection), and the store's where there is no
 * worker (':memory:', `inProcess`, PostgreSQL). They only read: the aggregates
 * are asked for doors and spans, never applied or rebuilt here.
 */
export function readRepositories(sql: Sql, aggregates: Aggregates): ReadRepositories {
  const dashboard = createDashboardRepository(sql, aggregates);
  return { dashboard, tracing: createTracingRepository(sql), inspections: createInspectionReads(sql), oversight: createOversightRepository(sql, dashboard) };
}

export interface ReadPoolOptions {
  /** Worker threads, each with its own read-only connection; a call goes to the least busy. Default 1. */
  size?: number;
  /**
   * Answer on the main thread's connection, as before the pool: on SQLite only for measuring the
   * difference (scripts/bench/reads-beside-ingest.ts); on PostgreSQL always (no worker there).
   */
  inProcess?: boolean;
}

export interface ReadPool extends ReadRepositories {
  /** Ends the workers; calls still pending fail. Call before closing the main connection. */
  close(): Promise<void>;
}

/** What read-worker.ts is started with. */
export interface ReadWorkerData {
  file: string;
}

export interface ReadRequest {
  id: number;
  repo: keyof ReadRepositories;
  method: string;
  args: unknown[];
}

export interface ReadFailure {
  message: string;
  name: string;
  stack?: string | undefined;
  code?: string;
}

export type ReadReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ReadFailure };

/** Every method of the read repositories: all of them only read (dashboard.ts and tracing.ts never write). */
const READS = {
  dashboard: ['overview', 'records', 'day', 'ranking', 'weeklyReport', 'venueCommunity', 'ledgers', 'names', 'undone', 'trends'],
  tracing: ['venues', 'trace'],
  inspections: ['list'],
  oversight: ['overview', 'ranking', 'weeklyReport'],
} as const satisfies { [R in keyof ReadRepositories]: readonly (keyof ReadRepositories[R])[] };
/** A method added to either repository fails to compile here until it is listed above (and is a read). */
type Unlisted = { [R in keyof ReadRepositories]: Exclude<keyof ReadRepositories[R], (typeof READS)[R][number]> }[keyof ReadRepositories];
type NoneUnlisted<T extends never> = T;
export type EveryReadListed = NoneUnlisted<Unlisted>;

const BUILT_IN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  RangeError,
  TypeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** The worker's error as the caller's: same class for the built-in ones, same name, message, stack and code. */
function toError(f: ReadFailure): Error {
  const err = new (BUILT_IN_ERRORS[f.name] ?? Error)(f.message);
  if (err.name !== f.name) Object.defineProperty(err, 'name', { value: f.name, configurable: true, writable: true });
  if (f.stack) err.stack = f.stack;
  if (f.code !== undefined) (err as Error & { code?: string }).code = f.code;
  return err;
}

interface Call {
  label: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker | undefined;
  pending: Map<number, Call>;
}

/**
 * How to start read-worker.ts. The hub runs its TypeScript under tsx
 * (`node --import tsx`), but on Node 20 the module hooks that `--import tsx`
 * registers do not reach a worker thread's modules (a Worker on read-worker.ts
 * with `execArgv: ['--import', 'tsx']` fails with "Unknown file extension
 * .ts"), and vitest does not transform a nested Worker's code either. tsx's
 * require hook does work inside a worker: the worker registers it and
 * requires the entry. tsx is resolved from this file, so the hub's working
 * directory does not matter. Compiled to .js, the worker is started as it is.
 */
function workerSource(): { source: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { source: new URL('./read-worker.js', import.meta.url), eval: false };
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL('./read-worker.ts', import.meta.url));
  return { source: `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(entry)});`, eval: true };
}

/** Test hook: what the pool's workers are doing, and a way to kill them as a crash would. Not for the hub. */
const internals = new WeakMap<ReadPool, { slots: Slot[] }>();

/**
 * Ends a pool's running workers abruptly, as a crash would (worker.terminate()):
 * their pending calls fail when the thread is gone; the next call starts a new
 * worker. For tests only.
 */
export async function crashReadWorkersForTest(pool: ReadPool): Promise<number> {
  const slots = internals.get(pool)?.slots ?? [];
  const running = slots.flatMap((s) => (s.worker ? [s.worker] : []));
  await Promise.all(running.map((w) => w.terminate()));
  return running.length;
}

/**
 * The read repositories of the store on `file`. `local` builds them on the main
 * connection (readRepositories over its Sql), for ':memory:' and `inProcess`.
 * A store on PostgreSQL has no worker: `createReadPool(url, () => readRepositories(sql, aggregates), { inProcess: true })`.
 */
export function createReadPool(file: string, local: () => ReadRepositories, options: ReadPoolOptions = {}): ReadPool {
  if (file === ':memory:' || options.inProcess) {
    const repos = local();
    return { ...repos, async close() {} };
  }
  const size = Math.max(1, Math.floor(options.size ?? 1));
  const slots: Slot[] = Array.from({ length: size }, () => ({ worker: undefined, pending: new Map() }));
  let nextId = 1;
  let closed = false;

  function start(slot: Slot): Worker {
    const { source, eval: isEval } = workerSource();
    const worker = new Worker(source, { eval: isEval, execArgv: [], workerData: { file } satisfies ReadWorkerData });
    worker.unref();
    let failed: Error | undefined;
    worker.on('message', (reply: ReadReply) => {
      const call = slot.pending.get(reply.id);
      if (!call) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) call.resolve(reply.value);
      else call.reject(toError(reply.error));
    });
    // An uncaught error in the worker (it could not open the file…): the pending calls fail with it, at exit.
    worker.on('error', (err) => {
      failed = err;
    });
    worker.on('exit', (code) => {
      if (slot.worker === worker) slot.worker = undefined;
      const calls = [...slot.pending.values()];
      slot.pending.clear();
      for (const call of calls) {
        const err = new Error(
          closed
            ? `the store was closed before ${call.label} answered`
            : `the read worker stopped (exit code ${code}${failed ? `: ${failed.message}` : ''}) before ${call.label} answered`,
          failed ? { cause: failed } : undefined,
        );
        call.reject(err);
      }
    });
    return worker;
  }

  function call(repo: keyof ReadRepositories, method: string, args: unknown[]): Promise<unknown> {
    const label = `${repo}.${method}`;
    if (closed) return Promise.reject(new Error(`the store is closed: ${label}`));
    // The least busy worker; a new one only where none is running.
    const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const worker = (slot.worker ??= start(slot));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      try {
        worker.postMessage({ id, repo, method, args } satisfies ReadRequest);
      } catch (err) {
        // Arguments that cannot be cloned: the caller's mistake, said at once.
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (slot.pending.size === 0) worker.ref();
      slot.pending.set(id, { label, resolve, reject });
    });
  }

  const proxy = <R extends keyof ReadRepositories>(repo: R): ReadRepositories[R] =>
    Object.fromEntries(READS[repo].map((method) => [method, (...args: unknown[]) => call(repo, method, args)])) as unknown as ReadRepositories[R];

  const pool: ReadPool = {
    dashboard: proxy('dashboard'),
    tracing: proxy('tracing'),
    inspections: proxy('inspections'),
    oversight: proxy('oversight'),
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker?.terminate()));
    },
  };
  internals.set(pool, { slots });
  return pool;
}
