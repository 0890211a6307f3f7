import pg from 'pg';
import { POSTGRES_BASELINE, POSTGRES_BASELINE_VERSION, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './migrations-postgres.js';

/**
 * Brings a PostgreSQL database to this hub's schema (migrations-postgres.ts),
 * as database.ts does for SQLite.
 *
 * Several hub processes may start at once against one database: each takes
 * the same session advisory lock before reading the version, so one applies
 * what is missing while the others wait, then find nothing left to do. Each
 * step (the baseline, then each later migration) runs in its own transaction
 * together with the new version number, so a failed step leaves the database
 * at the last good version. The lock is a session lock, so this uses one
 * connection of its own rather than a pool.
 */

/** The advisory lock key every hub takes while migrating (any constant; only hubs use it). */
export const MIGRATION_LOCK_KEY = 4_823_110_726;

export interface Migrated {
  /** The version found. */
  from: number;
  /** The version left. */
  to: number;
}

export async function migratePostgres(url: string): Promise<Migrated> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)');
      const row = (await client.query<{ version: string }>('SELECT version FROM schema_version')).rows[0];
      const from = row ? Number(row.version) : 0;
      if (from > POSTGRES_SCHEMA_VERSION) {
        throw new Error(`database schema version ${from} is newer than this hub knows (${POSTGRES_SCHEMA_VERSION}); upgrade the hub`);
      }
      if (from > 0 && from < POSTGRES_BASELINE_VERSION) {
        // Only the baseline ever writes a version below it, and it writes POSTGRES_BASELINE_VERSION.
        throw new Error(`database schema version ${from} predates PostgreSQL's baseline (${POSTGRES_BASELINE_VERSION}): this is not a hub database`);
      }
      const steps: { to: number; text: string }[] = [];
      if (from === 0) steps.push({ to: POSTGRES_BASELINE_VERSION, text: POSTGRES_BASELINE });
      const start = Math.max(from, POSTGRES_BASELINE_VERSION);
      for (let v = start; v < POSTGRES_SCHEMA_VERSION; v++) steps.push({ to: v + 1, text: POSTGRES_MIGRATIONS[v - POSTGRES_BASELINE_VERSION]! });
      for (const step of steps) {
        await client.query('BEGIN');
        try {
          await client.query(step.text);
          await client.query('DELETE FROM schema_version');
          await client.query('INSERT INTO schema_version (version) VALUES ($1)', [step.to]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
      return { from, to: Math.max(from, POSTGRES_SCHEMA_VERSION) };
    } finally {
      // A broken connection has lost the lock already; its error is the one worth throwing.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

/** Whether a store location names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
