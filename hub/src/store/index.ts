import { createAccountRepository, type AccountRepository } from './accounts.js';
import { createAuditRepository, sealAuditLog, type AuditRepository } from './audit.js';
import { createBookingRepository, type BookingRepository } from './bookings.js';
import type { DashboardRepository } from './dashboard.js';
import type { OversightRepository } from './oversight.js';
import { createAggregates, type Aggregates } from './aggregates.js';
import { openDatabase } from './database.js';
import { createInspectionRepository, type InspectionReads, type InspectionRepository } from './inspections.js';
import { createConcurrentCommit, createGroupCommit, type CommitLoad, type CommitStats } from './group-commit.js';
import { isPostgresUrl } from './migrate-postgres.js';
import { openPostgresStore } from './postgres-store.js';
import { createRuleContext } from './rule-context.js';
import { createFlagRepository, type FlagRepository } from './flags.js';
import { createLoginFailureRepository, type LoginFailureRepository } from './login-failures.js';
import { createOrganisationRepository, type OrganisationRepository } from './organisation.js';
import { createStreetSettingsRepository, type StreetSettingsRepository } from './street-settings.js';
import { createKioskRepository, type KioskRepository } from './kiosks.js';
import { createOccupancyRepository, type OccupancyRepository } from './occupancy.js';
import { createPassRepository, type PassRepository } from './passes.js';
import { createPolicyRepository, type PolicyRepository } from './policies.js';
import { createReadPool, readRepositories, type ReadPool, type ReadPoolOptions } from './read-pool.js';
import { privateFileIn } from './private-files.js';
import { createRecordRepository, type RecordRepository } from './records.js';
import { createSuspensionRepository, type SuspensionRepository } from './suspensions.js';
import type { TracingRepository } from './tracing.js';
import { soleLeases, type Leases } from './leases.js';
import { sqliteSql, type Sql, type SqlDatabase } from './sql.js';
import type { SocketAdapter } from './socket-adapter.js';
import { createVenueRepository, type VenueRepository } from './venues.js';

/**
 * Everything the hub keeps, behind async repositories. The routes and sockets
 * see only this interface, so a city-wide deployment can put several hubs on a
 * shared database server by writing another implementation of it.
 */
export interface Store {
  venues: VenueRepository;
  /** Districts and streets above the communities (docs/architecture.md "Streets as tenants"). */
  organisation: OrganisationRepository;
  kiosks: KioskRepository;
  records: RecordRepository;
  policies: PolicyRepository;
  occupancy: OccupancyRepository;
  passes: PassRepository;
  accounts: AccountRepository;
  /** Wrong passwords per account name, for the growing wait between tries. */
  loginFailures: LoginFailureRepository;
  /** Street-wide settings a street admin changes (tracing needs TOTP). */
  streetSettings: StreetSettingsRepository;
  audit: AuditRepository;
  dashboard: DashboardRepository;
  /** Oversight of streets for district and city admins (oversight.ts), read through the read pool. */
  oversight: OversightRepository;
  flags: FlagRepository;
  tracing: TracingRepository;
  /** Reservations: venues' booking settings and bookings per slot. */
  bookings: BookingRepository;
  /** Inspectors' suspension orders (停业整顿, 000 §5(2)). */
  suspensions: SuspensionRepository;
  /** On-site inspections (000 §3, the inspection ledger): stored here, read through the read pool. */
  inspections: InspectionRepository & InspectionReads;
  /**
   * The database itself, for scripts and tests that look at what is stored
   * (SQL both dialects accept, sql.ts). The hub's routes and sockets never use it.
   */
  sql: Sql;
  /** Who runs the work that runs once across hub processes (leases.ts; the singletons in hub/src/singletons.ts). */
  leases: Leases;
  /**
   * On PostgreSQL only: socket.io's adapter between the hub processes on the database
   * (socket-adapter.ts; app.ts gives it to its socket.io server), so a push from one process
   * reaches the sockets of all. Absent on SQLite (one process: socket.io's in-memory adapter).
   * One call per socket.io server; close that server's adapters before the store.
   */
  socketAdapter?: (onError: (err: Error) => void) => SocketAdapter;
  /** How far behind the writer is (group commit), for backpressure. */
  writeLoad(): CommitLoad;
  /** Each group commit as it happens (for metrics); optional, a store without group commit has none. Returns the unsubscribe. */
  observe?(listener: (commit: CommitStats) => void): () => void;
  /** Throws if the database cannot answer. */
  ping(): Promise<void>;
  /**
   * A consistent copy of the whole database at `file`, taken while the hub keeps
   * working (SQLite's online backup API: committed transactions only). On
   * PostgreSQL it refuses, naming pg_dump.
   */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Where the dashboard's and tracing's reads run (read-pool.ts): a worker thread by default. */
  reads?: ReadPoolOptions;
}

/**
 * The hub's store at `location`: a SQLite file (the default, embedded), or a
 * PostgreSQL database when it is a postgres:// or postgresql:// URL
 * (DATABASE_URL, postgres-store.ts). Either way the schema is brought up to date first.
 */
export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) return openPostgresStore(location, options);
  const file = location;
  const db = openDatabase(file);
  const sql = sqliteSql(db);
  return assembleStore(sql, {
    // Off the main thread, so a long read never holds up a kiosk's ack (docs/architecture.md "Reads off the ingest path").
    reads: (aggregates) => createReadPool(file, () => readRepositories(sql, aggregates), options.reads),
    leases: soleLeases(),
    async backup(copy) {
      // The copy holds what the database holds: private like it (its folder is the caller's).
      privateFileIn(copy);
      await db.backup(copy);
    },
  });
}

export interface StoreParts {
  /** Where the dashboard's, tracing's and the inspections' reads run. */
  reads(aggregates: Aggregates): ReadPool;
  leases: Leases;
  backup(file: string): Promise<void>;
}

/**
 * The same repositories over either database (docs/architecture.md "One store,
 * two databases"): what differs is only where reads run, who holds the leases,
 * and how a backup is taken.
 */
export async function assembleStore(sql: SqlDatabase, parts: StoreParts): Promise<Store> {
  try {
    const ctx = createRuleContext();
    const aggregates = createAggregates(ctx);
    // A database from before running figures (or seeded straight into its tables) has them built once, here.
    if (!(await sql.get("SELECT 1 AS one FROM aggregate_state WHERE name = 'figures'"))) await aggregates.rebuild(sql);
    // Entries from before the audit log was chained are hashed once, before anything is appended (audit.ts).
    await sealAuditLog(sql);
    // SQLite: writes arriving together share one transaction and one fsync; PostgreSQL: each its own, side by side (group-commit.ts).
    const commits = sql.dialect === 'sqlite' ? createGroupCommit(sql) : createConcurrentCommit(sql);
    const reads = parts.reads(aggregates);
    return {
      venues: createVenueRepository(sql),
      organisation: createOrganisationRepository(sql),
      kiosks: createKioskRepository(sql, commits),
      records: createRecordRepository(sql, aggregates, commits),
      policies: createPolicyRepository(sql, commits),
      occupancy: createOccupancyRepository(sql, aggregates),
      passes: createPassRepository(sql),
      accounts: createAccountRepository(sql),
      loginFailures: createLoginFailureRepository(sql),
      streetSettings: createStreetSettingsRepository(sql),
      audit: createAuditRepository(sql),
      dashboard: reads.dashboard,
      oversight: reads.oversight,
      flags: createFlagRepository(sql, ctx, aggregates, commits),
      tracing: reads.tracing,
      bookings: createBookingRepository(sql),
      suspensions: createSuspensionRepository(sql),
      inspections: { ...createInspectionRepository(sql), list: reads.inspections.list },
      sql,
      leases: parts.leases,
      writeLoad: () => commits.load(),
      observe: (listener) => commits.observe(listener),
      async ping() {
        await sql.get('SELECT 1 AS one');
      },
      backup: parts.backup,
      async close() {
        await reads.close();
        // Writes already queued are committed, not dropped: their callers are waiting on them.
        await commits.drain();
        await parts.leases.close();
        await sql.close();
      },
    };
  } catch (err) {
    await sql.close();
    throw err;
  }
}
