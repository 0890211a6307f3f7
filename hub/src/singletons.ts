/**
 * The jobs only one hub process of a street should run at a time: each works on the shared
 * database, not on this process's sockets, so two processes running one would do its work twice
 * (two sweeps raising the same flags, two purges, two switches applied). Today every process runs
 * them all; a lease on the shared database will decide who runs which, through `run` below, and
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

export function createSingletons(): Singletons {
  const held = new Set<SingletonJob>();
  return {
    run(job, start) {
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
    },
    holds: (job) => held.has(job),
  };
}
