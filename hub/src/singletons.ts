import type { FastifyBaseLogger } from 'fastify';
import { soleLeases, type Leases } from './store/leases.js';

/**
 * The jobs only one hub process of a deployment should run at a time: each works on the shared
 * database, not on this process's sockets, so two processes running one would do its work twice
 * (two sweeps raising the same flags, two purges, two switches applied). Each runs in the process
 * holding its lease (store/leases.ts): on SQLite the one process holds them all from the start; on
 * PostgreSQL every process tries each lease every LEASE_TRY_MS, starts the job when it takes the
 * lease and stops it when it loses it (its database session ended), so a job moves to another
 * process within a few seconds of its holder dying (docs/operations.md "Jobs that run once").
 * `/metrics` (checkin_singleton_held) shows which this process holds (docs/operations.md "Metrics").
 */
export const SINGLETON_JOBS = ['flag_sweep', 'policy_schedule', 'retention_purge'] as const;
export type SingletonJob = (typeof SINGLETON_JOBS)[number];

/** What a job's start function returns: stops it, waiting for a run still going. */
export type StopJob = () => void | Promise<void>;

export interface Singletons {
  /** Starts `job` in this process (today at once) and marks it held; the stop it returns stops it, waits for a run under way, and marks it released. */
  run(job: SingletonJob, start: () => StopJob): StopJob;
  /** Whether this process holds `job` now. */
  holds(job: SingletonJob): boolean;
}

/** How often a process tries the leases it does not hold and checks those it does. */
export const LEASE_TRY_MS = 2_000;

export interface SingletonOptions {
  /** Told when this process starts or stops a job, and of a failed lease check. */
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  everyMs?: number;
}

export function createSingletons(leases: Leases = soleLeases(), { log, everyMs = LEASE_TRY_MS }: SingletonOptions = {}): Singletons {
  const held = new Set<SingletonJob>();
  /** Starts the job, marking it held; the stop it returns waits for a run under way, then marks it released. */
  const begin = (job: SingletonJob, start: () => StopJob): StopJob => {
    const stop = start();
    held.add(job);
    // Released once its last run is over, not before: a lease handed on must never see two runs at once.
    return async () => {
      try {
        await stop();
      } finally {
        held.delete(job);
      }
    };
  };
  return {
    run(job, start) {
      if (leases.sole) return begin(job, start);
      let stop: StopJob | null = null;
      let ended = false;
      let round: Promise<void> = Promise.resolve();
      const check = async () => {
        const holds = await leases.hold(job);
        if (ended) return;
        if (holds && !stop) {
          stop = begin(job, start);
          log?.info({ job }, 'this process now runs the job');
        } else if (!holds && stop) {
          const s = stop;
          stop = null;
          log?.warn({ job }, 'lease lost: this process stops the job (another process takes it)');
          await s();
        }
      };
      // One check at a time: a slow database never piles them up.
      const tick = () => (round = round.then(check).catch((err: unknown) => log?.error({ err, job }, 'lease check failed')));
      tick();
      const timer = setInterval(tick, everyMs);
      timer.unref();
      return async () => {
        ended = true;
        clearInterval(timer);
        await round;
        const s = stop;
        stop = null;
        if (s) await s();
        await leases.release(job);
      };
    },
    holds: (job) => held.has(job),
  };
}
