import type { FastifyBaseLogger } from 'fastify';
import type { Leases } from './store/leases.js';

/** Work one process of the deployment does: started when this process takes its lease, stopped when it loses it. */
export interface SingletonJob {
  name: string;
  start(): () => void | Promise<void>;
}

export interface SingletonRunner {
  /** The jobs this process runs now. */
  holding(): string[];
  /** Stops every job this process runs and gives its leases back. */
  close(): Promise<void>;
}

/** How often a process tries the leases it does not hold and checks those it does. */
export const LEASE_TRY_MS = 2_000;

/**
 * Runs each job in exactly one process (store/leases.ts). Every LEASE_TRY_MS
 * each process checks each lease: it starts the jobs whose lease it took and
 * stops those whose lease it lost (its database session ended), so a job moves
 * to another process within a few seconds of its holder dying. `changed` is
 * told of every start and stop (the metrics, the log).
 */
export function runSingletons(
  leases: Leases,
  jobs: readonly SingletonJob[],
  { log, changed = () => {}, everyMs = LEASE_TRY_MS }: { log: FastifyBaseLogger; changed?: (name: string, held: boolean) => void; everyMs?: number },
): SingletonRunner {
  const stops = new Map<string, () => void | Promise<void>>();
  let closed = false;
  let round: Promise<void> = Promise.resolve();

  async function check(job: SingletonJob): Promise<void> {
    const held = await leases.hold(job.name);
    if (closed) return;
    const stop = stops.get(job.name);
    if (held && !stop) {
      stops.set(job.name, job.start());
      log.info({ job: job.name }, 'this process now runs the job');
      changed(job.name, true);
    } else if (!held && stop) {
      stops.delete(job.name);
      log.warn({ job: job.name }, 'lease lost: this process stops the job (another takes it)');
      changed(job.name, false);
      await stop();
    }
  }

  const tick = () => {
    // One round at a time: a slow database never piles rounds up.
    round = round.then(() => Promise.all(jobs.map((j) => check(j).catch((err: unknown) => log.error({ err, job: j.name }, 'lease check failed')))).then(() => {}));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();

  return {
    holding: () => [...stops.keys()],
    async close() {
      closed = true;
      clearInterval(timer);
      await round;
      for (const [name, stop] of stops) {
        stops.delete(name);
        changed(name, false);
        await stop();
        await leases.release(name);
      }
    },
  };
}
