import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createSingletons, type StopJob } from '../../hub/src/singletons.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { locationOf, onPostgres, openTestStore } from '../support/store.js';

/**
 * Work that runs once across hub processes (hub/src/singletons.ts, store/leases.ts): two stores on
 * one PostgreSQL database stand for two processes, each running the same job under its lease.
 * Exactly one runs it; when the holder's store closes, or its lease session is ended by the server
 * (pg_terminate_backend, as a dropped connection or a killed process would), the other takes it.
 */

/** Polls until `check` holds; a generous bound (a lease is tried every LEASE_TRY_MS), never a timed assertion. */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`still waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One process's run of the job: whether it is running now, and how often it started. */
interface Process {
  store: Store;
  running: boolean;
  starts: number;
  stop: StopJob;
}

/** A lease try every 100 ms rather than every 2 s: the same code, a shorter test. */
const EVERY_MS = 100;

function run(store: Store): Process {
  const p: Process = { store, running: false, starts: 0, stop: () => {} };
  p.stop = createSingletons(store.leases, { everyMs: EVERY_MS }).run('retention_purge', () => {
    p.running = true;
    p.starts++;
    return () => {
      p.running = false;
    };
  });
  return p;
}

describe.skipIf(!onPostgres)('leases on PostgreSQL: one process runs a job, another takes it when the holder goes (skipped on SQLite: one process holds every lease)', () => {
  const open: Store[] = [];
  const stops: StopJob[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    for (const store of open.splice(0)) await store.close();
  });

  async function twoProcesses(): Promise<[Process, Process]> {
    const first = await openTestStore();
    const second = await openStore(locationOf(first));
    open.push(first, second);
    const ps: [Process, Process] = [run(first), run(second)];
    stops.push(...ps.map((p) => p.stop));
    await until(() => ps.some((p) => p.running), 'one process to take the lease');
    // Several rounds of tries later, still exactly one runs it.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, EVERY_MS));
      expect(ps.filter((p) => p.running)).toHaveLength(1);
    }
    return ps;
  }

  it('moves the job when the holder closes its store', async () => {
    const ps = await twoProcesses();
    const holder = ps.find((p) => p.running)!;
    const other = ps.find((p) => p !== holder)!;
    expect(other.starts).toBe(0);
    // As a process shutting down closes its store: the lease session ends with it.
    open.splice(open.indexOf(holder.store), 1);
    await holder.store.close();
    await until(() => other.running, 'the other process to take the job');
    // The old holder finds its lease gone at its next check, and stops.
    await until(() => !holder.running, 'the old holder to stop');
    expect(other.starts).toBe(1);
  });

  it("moves the job when the holder's lease session is ended by the server", async () => {
    const ps = await twoProcesses();
    const holder = ps.find((p) => p.running)!;
    const other = ps.find((p) => p !== holder)!;
    // Each store has a lease session; the holder's is the one holding an advisory lock.
    const admin = new pg.Client({ connectionString: locationOf(ps[0].store) });
    await admin.connect();
    try {
      const ended = await admin.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(a.pid) AS ok
           FROM pg_stat_activity a
          WHERE a.application_name = 'checkin-leases' AND a.datname = current_database()
            AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)`,
      );
      expect(ended.rows).toEqual([{ ok: true }]);
    } finally {
      await admin.end();
    }
    await until(() => other.running, 'the other process to take the job');
    // The holder learns at its next check that its session (and lease) is gone, and stops.
    await until(() => !holder.running, 'the old holder to stop');
    expect(other.starts).toBe(1);
    // It may take the lease back later only if the other gives it up: one runner at a time.
    await new Promise((r) => setTimeout(r, 5 * EVERY_MS));
    expect(ps.filter((p) => p.running)).toHaveLength(1);
    expect(other.running).toBe(true);
  });
});
