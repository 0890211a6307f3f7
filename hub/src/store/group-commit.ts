import type { Sql } from './sql.js';

/**
 * Group commit: writes that arrive together (batches from many kiosks, passes,
 * bookings, status reports, flags) are run in ONE transaction and made durable
 * by one fsync (synchronous=FULL stays), and each caller's promise settles only
 * after that COMMIT. Each write runs in its own savepoint, so one that throws is
 * rolled back alone and its caller gets the error; the others commit.
 *
 * Writes queue until the event loop has handled what already arrived
 * (setImmediate), so a burst of socket messages shares a commit: a lone write
 * commits as soon as it would have on its own. When writers are many (the
 * last group held more than MANY_WRITES writes: a street of tablets, not a
 * few draining a backlog, whose next batch waits on this commit), a group starts no sooner than about
 * three commits' time after the last one started (at most MAX_GAP_MS): the
 * work of the writes arriving meanwhile overlaps that time, and the fsyncs,
 * which block the event loop, take about a third of it at worst rather than
 * all of it. A few writers each waiting on its last write never wait for
 * company that cannot come.
 */
export interface GroupCommit {
  /** Runs `work` in the next group transaction (on `tx`, in a savepoint of its own); resolves with its result after COMMIT. `weight` is its size (records) for the queue's figures. */
  write<T>(work: (tx: Sql) => T | Promise<T>, weight?: number): Promise<T>;
  /** What is queued and how fast commits have gone, for backpressure. */
  load(): CommitLoad;
  /** Commits whatever is queued, before the store closes: a write accepted is never dropped by a shutdown. */
  drain(): Promise<void>;
  /** Calls `listener` after each group committed (its callers already answered); returns the unsubscribe. For metrics. */
  observe(listener: (commit: CommitStats) => void): () => void;
}

/** One group committed: how many writes, their weight (records), how long its work and COMMIT took. */
export interface CommitStats {
  writes: number;
  weight: number;
  ms: number;
}

export interface CommitLoad {
  /** Writes waiting for the next commit. */
  queued: number;
  /** Their weight (records). */
  queuedWeight: number;
  /** Moving average of how long one group took, ms (work and COMMIT). */
  groupMs: number;
  /** Moving average of weight committed per ms. */
  weightPerMs: number;
  /** Groups committed since the store opened (each one transaction, one fsync). */
  groups: number;
}

interface Pending {
  work: (tx: Sql) => unknown;
  weight: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A group stops taking writes past this weight; the rest go in the next one, so one commit never grows without bound. */
const MAX_GROUP_WEIGHT = 5_000;
/** The longest a write waits for company under load. */
const MAX_GAP_MS = 25;
/** A group larger than this says writers are many enough that waiting gathers more of them. */
const MANY_WRITES = 8;
/** Smoothing of the moving averages (the newest group's share). */
const SMOOTHING = 0.2;

/** The figures both commit strategies keep: moving averages, groups counted, observers told. */
function commitFigures() {
  let groupMs = 0;
  let weightPerMs = 0;
  let groups = 0;
  const observers = new Set<(commit: CommitStats) => void>();
  const smooth = (average: number, sample: number) => (average === 0 ? sample : average * (1 - SMOOTHING) + sample * SMOOTHING);
  return {
    /** One group committed: `rate` is the weight per ms it stands for (its own, or scaled by writes side by side). */
    committed(stats: CommitStats, rate: number): void {
      groups++;
      groupMs = smooth(groupMs, stats.ms);
      weightPerMs = smooth(weightPerMs, rate);
      for (const observer of observers) observer(stats);
    },
    groupMs: () => groupMs,
    load: (queued: number, queuedWeight: number): CommitLoad => ({ queued, queuedWeight, groupMs, weightPerMs, groups }),
    observe(listener: (commit: CommitStats) => void): () => void {
      observers.add(listener);
      return () => observers.delete(listener);
    },
  };
}

export function createGroupCommit(sql: Sql): GroupCommit {
  let queue: Pending[] = [];
  let queuedWeight = 0;
  let scheduled = false;
  /** The group being committed: one at a time. */
  let running: Promise<void> | null = null;
  let lastStart = -Infinity;
  let lastSize = 0;
  const figures = commitFigures();

  async function runGroup(group: readonly Pending[]) {
    return sql.transaction(async (tx) => {
      const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
      for (const p of group) {
        try {
          // A savepoint of its own: a throw undoes this write only.
          outcomes.push({ ok: true, value: await tx.transaction(async (sp) => p.work(sp)) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
      return outcomes;
    });
  }

  async function flush(): Promise<void> {
    let weight = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || weight + queue[n]!.weight <= MAX_GROUP_WEIGHT)) weight += queue[n++]!.weight;
    const group = queue.slice(0, n);
    queue = queue.slice(n);
    queuedWeight -= weight;
    const t0 = performance.now();
    lastStart = t0;
    lastSize = group.length;
    let outcomes: Awaited<ReturnType<typeof runGroup>>;
    try {
      outcomes = await runGroup(group);
    } catch (err) {
      // BEGIN or COMMIT failed: nothing of the group is stored.
      for (const p of group) p.reject(err);
      return;
    }
    const ms = performance.now() - t0;
    outcomes.forEach((o, i) => (o.ok ? group[i]!.resolve(o.value) : group[i]!.reject(o.err)));
    figures.committed({ writes: group.length, weight, ms }, weight / Math.max(ms, 0.01));
  }

  function start(): void {
    scheduled = false;
    // A timer set before a drain may find the queue taken, or a group under way (which schedules the next).
    if (running || queue.length === 0) return;
    running = flush().finally(() => {
      running = null;
      if (queue.length > 0) schedule();
    });
  }

  function schedule(): void {
    if (scheduled || running) return;
    scheduled = true;
    const wait = lastSize > MANY_WRITES ? Math.min(MAX_GAP_MS, 3 * figures.groupMs()) - (performance.now() - lastStart) : 0;
    if (wait > 0) setTimeout(start, wait);
    else setImmediate(start);
  }

  return {
    write<T>(work: (tx: Sql) => T | Promise<T>, weight = 1): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, weight, resolve: resolve as (v: unknown) => void, reject });
        queuedWeight += weight;
        schedule();
      });
    },
    load: () => figures.load(queue.length, queuedWeight),
    observe: figures.observe,
    async drain() {
      while (running || queue.length > 0) {
        if (running) await running;
        else start();
      }
    },
  };
}

/** How many writes run at once on PostgreSQL; the pool's other connections stay free for reads and sign-ins. */
export const CONCURRENT_WRITES = 16;
/** A write that lost a deadlock or a serialization check is run again this many times before its caller hears of it. */
const RETRIES = 3;

/**
 * The same contract over PostgreSQL: each write is a transaction of its own,
 * and up to `concurrency` run at once on the pool. Grouping buys SQLite one
 * fsync for many writes on its single connection; PostgreSQL already shares
 * WAL flushes between concurrent commits, while one big transaction would hold
 * every row it touched (a door, a venue's hours, the street's day) until its
 * end, against every other hub process writing the same rows. A write that
 * loses a deadlock (40P01) or a serialization check (40001) is run again:
 * nothing of it was stored, and its work only reads and writes the database.
 */
export function createConcurrentCommit(sql: Sql, { concurrency = CONCURRENT_WRITES }: { concurrency?: number } = {}): GroupCommit {
  const queue: Pending[] = [];
  let queuedWeight = 0;
  let running = 0;
  const idle: (() => void)[] = [];
  const figures = commitFigures();

  async function run(p: Pending): Promise<void> {
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await sql.transaction(async (tx) => p.work(tx));
        const ms = performance.now() - t0;
        p.resolve(value);
        // Writes run side by side: the rate is this one's weight over its time, times how many run.
        figures.committed({ writes: 1, weight: p.weight, ms }, (p.weight / Math.max(ms, 0.01)) * Math.max(1, running));
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if ((code === '40P01' || code === '40001') && attempt < RETRIES) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
          continue;
        }
        p.reject(err);
        return;
      }
    }
  }

  function next(): void {
    while (running < concurrency && queue.length > 0) {
      const p = queue.shift()!;
      queuedWeight -= p.weight;
      running++;
      void run(p).finally(() => {
        running--;
        next();
        if (running === 0 && queue.length === 0) for (const wake of idle.splice(0)) wake();
      });
    }
  }

  return {
    write<T>(work: (tx: Sql) => T | Promise<T>, weight = 1): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, weight, resolve: resolve as (v: unknown) => void, reject });
        queuedWeight += weight;
        next();
      });
    },
    load: () => figures.load(queue.length, queuedWeight),
    async drain() {
      if (running === 0 && queue.length === 0) return;
      await new Promise<void>((resolve) => idle.push(resolve));
    },
    observe: figures.observe,
  };
}
