import { assembleStore, type StoreOptions, type Store } from './index.js';
import { postgresLeases } from './leases.js';
import { migratePostgres } from './migrate-postgres.js';
import { readRepositories } from './read-pool.js';
import { postgresSocketAdapters } from './socket-adapter.js';
import { postgresSql, type PostgresOptions } from './sql.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** The connection pool (sql.ts): its size, and who hears of a dropped idle connection. */
  pool?: PostgresOptions;
}

/**
 * The Store over PostgreSQL (`DATABASE_URL=postgres://…`, docs/architecture.md
 * "One store, two databases"): the same repositories as over SQLite
 * (assembleStore in index.ts), given the pool instead of the SQLite connection.
 *
 * What differs from SQLite, by design:
 * - The schema is brought up to date by migrate-postgres.ts (advisory lock:
 *   several hubs may start at once on one database).
 * - The dashboard's, tracing's and the inspections' reads run on the pool, in
 *   this process: the pg driver never blocks the event loop, so there is no
 *   read worker (read-pool.ts exists for better-sqlite3's synchronous reads);
 *   `options.reads` is for SQLite only.
 * - Work that runs once (the flag sweep, scheduled switches, retention) runs
 *   in the process holding its lease, an advisory lock (leases.ts).
 * - backup() refuses: PostgreSQL is backed up with its own tools (pg_dump).
 * - socketAdapter() gives socket.io the PostgreSQL adapter (socket-adapter.ts):
 *   the hub processes on the database push to each other's sockets.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  await migratePostgres(url);
  const sql = postgresSql(url, options.pool);
  const adapters = postgresSocketAdapters(url);
  const store = await assembleStore(sql, {
    reads: (aggregates) => ({ ...readRepositories(sql, aggregates), async close() {} }),
    leases: postgresLeases(url, options.pool?.onError),
    async backup() {
      throw new Error('backup() copies a SQLite file; a PostgreSQL database is backed up with pg_dump (pg_dump --format=custom "$DATABASE_URL" > hub.dump) or the server\'s own backups');
    },
  });
  const close = store.close.bind(store);
  return {
    ...store,
    socketAdapter: (onError) => adapters.create(onError),
    async close() {
      await close();
      await adapters.close();
    },
  };
}
