import type { Db } from './database.js';

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
  /** Runs `work` in the next group transaction; resolves with its result after COMMIT. `weight` is its size (records) for the queue's figures. */
  write<T>(work: () => T, weight?: number): Promise<T>;
  /** What is queued and how fast commits have gone, for backpressure. */
  load(): CommitLoad;
  /** Commits whatever is queued now, before the store closes: a write accepted is never dropped by a shutdown. */
  flushNow(): void;
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
  work: () => unknown;
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

export function createGroupCommit(db: Db): GroupCommit {
  let queue: Pending[] = [];
  let queuedWeight = 0;
  let scheduled = false;
  let groupMs = 0;
  let weightPerMs = 0;
  let groups = 0;
  let lastStart = -Infinity;
  let lastSize = 0;

  const runGroup = db.transaction((group: readonly Pending[]) =>
    group.map((p) => {
      try {
        // A transaction function called inside another runs as a savepoint: a throw undoes this write only.
        return { ok: true as const, value: savepoint(p.work) };
      } catch (err) {
        return { ok: false as const, err };
      }
    }),
  );
  const savepoint = (work: () => unknown) => db.transaction(work)();

  function flush(): void {
    scheduled = false;
    if (queue.length === 0) return;
    let weight = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || weight + queue[n]!.weight <= MAX_GROUP_WEIGHT)) weight += queue[n++]!.weight;
    const group = queue.slice(0, n);
    queue = queue.slice(n);
    queuedWeight -= weight;
    if (queue.length > 0) schedule();
    const t0 = performance.now();
    lastStart = t0;
    lastSize = group.length;
    let outcomes: ReturnType<typeof runGroup>;
    try {
      outcomes = runGroup.immediate(group);
    } catch (err) {
      // BEGIN or COMMIT failed: nothing of the group is stored.
      for (const p of group) p.reject(err);
      return;
    }
    groups++;
    const ms = performance.now() - t0;
    groupMs = groupMs === 0 ? ms : groupMs * (1 - SMOOTHING) + ms * SMOOTHING;
    const rate = weight / Math.max(ms, 0.01);
    weightPerMs = weightPerMs === 0 ? rate : weightPerMs * (1 - SMOOTHING) + rate * SMOOTHING;
    outcomes.forEach((o, i) => (o.ok ? group[i]!.resolve(o.value) : group[i]!.reject(o.err)));
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    const wait = lastSize > MANY_WRITES ? Math.min(MAX_GAP_MS, 3 * groupMs) - (performance.now() - lastStart) : 0;
    if (wait > 0) setTimeout(flush, wait);
    else setImmediate(flush);
  }

  return {
    write<T>(work: () => T, weight = 1): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, weight, resolve: resolve as (v: unknown) => void, reject });
        queuedWeight += weight;
        schedule();
      });
    },
    load: () => ({ queued: queue.length, queuedWeight, groupMs, weightPerMs, groups }),
    flushNow() {
      while (queue.length > 0) flush();
    },
  };
}
