import { createAccountRepository } from './accounts.js';
import { createAggregates } from './aggregates.js';
import { createAuditRepository } from './audit.js';
import { createBookingRepository } from './bookings.js';
import { createDashboardRepository } from './dashboard.js';
import { createFlagRepository } from './flags.js';
import { createGroupCommit } from './group-commit.js';
import type { Store, StoreOptions } from './index.js';
import { createInspectionReads, createInspectionRepository } from './inspections.js';
import { createKioskRepository } from './kiosks.js';
import { createLoginFailureRepository } from './login-failures.js';
import { migratePostgres } from './migrate-postgres.js';
import { createOccupancyRepository } from './occupancy.js';
import { createPassRepository } from './passes.js';
import { createPolicyRepository } from './policies.js';
import { createRecordRepository } from './records.js';
import { createRuleContext } from './rule-context.js';
import { postgresSql, type PostgresOptions } from './sql.js';
import { createStreetSettingsRepository } from './street-settings.js';
import { createSuspensionRepository } from './suspensions.js';
import { createTracingRepository } from './tracing.js';
import { createVenueRepository } from './venues.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** The connection pool (sql.ts): its size, and who hears of a dropped idle connection. */
  pool?: PostgresOptions;
}

/**
 * The Store over PostgreSQL (`DATABASE_URL=postgres://…`, docs/architecture.md
 * "One store, two databases"): the same repositories as openStore builds over
 * SQLite, given the `Sql` pool instead of the SQLite connection.
 *
 * What differs from SQLite, by design:
 * - The schema is brought up to date by migrate-postgres.ts (advisory lock:
 *   several hubs may start at once on one database).
 * - The dashboard's, tracing's and the inspections' reads run on the pool, in
 *   this process: the pg driver never blocks the event loop, so there is no
 *   read worker (read-pool.ts exists for better-sqlite3's synchronous reads);
 *   `options.reads` is for SQLite only.
 * - backup() refuses: PostgreSQL is backed up with its own tools (pg_dump).
 *
 * The constructor calls below are marked where a repository still takes
 * better-sqlite3's `Db`: each mark goes (tsc reports it unused) when that file
 * takes `Sql`, and the store works once none is left.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  await migratePostgres(url);
  const sql = postgresSql(url, options.pool);
  const commits = createGroupCommit(sql);
  try {
    // @ts-expect-error rule-context.ts takes Db until it is on Sql
    const ctx = createRuleContext(sql);
    // @ts-expect-error aggregates.ts takes Db until it is on Sql
    const aggregates = createAggregates(sql, ctx);
    // A database seeded straight into its tables has its running figures built once, here (as openStore does).
    if (!(await sql.get("SELECT 1 AS built FROM aggregate_state WHERE name = 'figures'"))) await aggregates.rebuild();
    // @ts-expect-error inspections.ts takes Db until it is on Sql
    const inspectionReads = createInspectionReads(sql);
    return {
      // @ts-expect-error venues.ts takes Db until it is on Sql
      venues: createVenueRepository(sql),
      // @ts-expect-error kiosks.ts takes Db until it is on Sql
      kiosks: createKioskRepository(sql, commits),
      // @ts-expect-error records.ts takes Db until it is on Sql
      records: createRecordRepository(sql, aggregates, commits),
      // @ts-expect-error policies.ts takes Db until it is on Sql
      policies: createPolicyRepository(sql, commits),
      occupancy: createOccupancyRepository(aggregates),
      // @ts-expect-error passes.ts takes Db until it is on Sql
      passes: createPassRepository(sql),
      // @ts-expect-error accounts.ts takes Db until it is on Sql
      accounts: createAccountRepository(sql),
      // @ts-expect-error login-failures.ts takes Db until it is on Sql
      loginFailures: createLoginFailureRepository(sql),
      // @ts-expect-error street-settings.ts takes Db until it is on Sql
      streetSettings: createStreetSettingsRepository(sql),
      // @ts-expect-error audit.ts takes Db until it is on Sql
      audit: createAuditRepository(sql),
      // @ts-expect-error dashboard.ts takes Db until it is on Sql
      dashboard: createDashboardRepository(sql, aggregates),
      // @ts-expect-error flags.ts takes Db until it is on Sql
      flags: createFlagRepository(sql, ctx, aggregates, commits),
      // @ts-expect-error tracing.ts takes Db until it is on Sql
      tracing: createTracingRepository(sql),
      // @ts-expect-error bookings.ts takes Db until it is on Sql
      bookings: createBookingRepository(sql),
      // @ts-expect-error suspensions.ts takes Db until it is on Sql
      suspensions: createSuspensionRepository(sql),
      // @ts-expect-error inspections.ts takes Db until it is on Sql
      inspections: { ...createInspectionRepository(sql), list: inspectionReads.list },
      sql,
      writeLoad: () => commits.load(),
      async ping() {
        await sql.get('SELECT 1 AS one');
      },
      async backup() {
        throw new Error('backup() copies a SQLite file; a PostgreSQL database is backed up with pg_dump (pg_dump --format=custom "$DATABASE_URL" > hub.dump) or the server\'s own backups');
      },
      async close() {
        // Writes already queued are committed, not dropped: their callers are waiting on them.
        await commits.drain();
        await sql.close();
      },
    };
  } catch (err) {
    await sql.close();
    throw err;
  }
}
