import pg from 'pg';

/**
 * Work that must run once however many hub processes share the database (the
 * flag sweep, scheduled policy switches, the retention purge) runs in the
 * process holding its lease (docs/operations.md "Jobs that run once").
 *
 * - SQLite: one hub process owns the file; it holds every lease.
 * - PostgreSQL: a lease is a session advisory lock on a connection of its
 *   own. The server releases it when that connection ends: the holder closed,
 *   was killed, lost the network, or the server restarted. Another process
 *   takes it at its next try (hub/src/singletons.ts tries every few
 *   seconds), so the work moves within seconds of its holder dying.
 */
export interface Leases {
  /** One process owns the database (SQLite): it holds every lease from the start. */
  readonly sole: boolean;
  /** Whether this process holds `name` now, taking it if it is free. */
  hold(name: string): Promise<boolean>;
  /** Gives `name` back (this process stops doing that work). */
  release(name: string): Promise<void>;
  /** Gives every lease back. */
  close(): Promise<void>;
}

export function soleLeases(): Leases {
  return { sole: true, hold: async () => true, release: async () => {}, close: async () => {} };
}

/** Leases as advisory locks in one 64-bit key space: the names' keys are fixed here, one per job. */
export function postgresLeases(url: string, onError: (err: Error) => void = () => {}): Leases {
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  const held = new Set<string>();
  let closed = false;
  /** One query at a time on the lease connection (pg's client takes one at a time; jobs check their leases independently). */
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f);
    queue = run.catch(() => {});
    return run;
  };

  function lost(c: pg.Client, err?: Error): void {
    if (client !== c) return;
    client = null;
    // The server ends a session's advisory locks with it: nothing is held any more.
    held.clear();
    if (err) onError(err);
    c.end().catch(() => {});
  }

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: 'checkin-leases' });
      c.on('error', (err) => lost(c, err));
      c.on('end', () => lost(c));
      try {
        await c.connect();
      } catch (err) {
        c.end().catch(() => {});
        throw err;
      }
      client = c;
      return c;
    })().finally(() => (connecting = null));
    return connecting;
  }

  return {
    sole: false,
    hold: (name) => serial(async () => {
      if (closed) return false;
      let c: pg.Client;
      try {
        c = await connection();
      } catch (err) {
        onError(err as Error);
        return false;
      }
      try {
        if (held.has(name)) {
          // Held as long as the session that took it lives: a round trip proves it still does.
          await c.query('SELECT 1');
          return client === c && held.has(name);
        }
        const row = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [`checkin:${name}`])).rows[0];
        if (row?.ok && client === c) held.add(name);
        return held.has(name);
      } catch (err) {
        lost(c, err as Error);
        return false;
      }
    }),
    release: (name) => serial(async () => {
      if (!held.delete(name) || !client) return;
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`checkin:${name}`]).catch(() => {});
    }),
    async close() {
      closed = true;
      held.clear();
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
