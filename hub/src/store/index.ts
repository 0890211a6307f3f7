import { createAccountRepository, type AccountRepository } from './accounts.js';
import { createAuditRepository, type AuditRepository } from './audit.js';
import { createBookingRepository, type BookingRepository } from './bookings.js';
import { createDashboardRepository, type DashboardRepository } from './dashboard.js';
import { createAggregates } from './aggregates.js';
import { openDatabase } from './database.js';
import { createInspectionReads, createInspectionRepository, type InspectionReads, type InspectionRepository } from './inspections.js';
import { createGroupCommit, type CommitLoad } from './group-commit.js';
import { isPostgresUrl } from './migrate-postgres.js';
import { openPostgresStore } from './postgres-store.js';
import { createRuleContext } from './rule-context.js';
import { createFlagRepository, type FlagRepository } from './flags.js';
import { createLoginFailureRepository, type LoginFailureRepository } from './login-failures.js';
import { createStreetSettingsRepository, type StreetSettingsRepository } from './street-settings.js';
import { createKioskRepository, type KioskRepository } from './kiosks.js';
import { createOccupancyRepository, type OccupancyRepository } from './occupancy.js';
import { createPassRepository, type PassRepository } from './passes.js';
import { createPolicyRepository, type PolicyRepository } from './policies.js';
import { createReadPool, type ReadPoolOptions } from './read-pool.js';
import { privateFileIn } from './private-files.js';
import { createRecordRepository, type RecordRepository } from './records.js';
import { createSuspensionRepository, type SuspensionRepository } from './suspensions.js';
import { createTracingRepository, type TracingRepository } from './tracing.js';
import { sqliteSql, type Sql } from './sql.js';
import { createVenueRepository, type VenueRepository } from './venues.js';

/**
 * Everything the hub keeps, behind async repositories. The routes and sockets
 * see only this interface, so a city-wide deployment can put several hubs on a
 * shared database server by writing another implementation of it.
 */
export interface Store {
  venues: VenueRepository;
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
  /** How far behind the writer is (group commit), for backpressure. */
  writeLoad(): CommitLoad;
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
  const ctx = createRuleContext(db);
  const aggregates = createAggregates(db, ctx);
  // A file from before running figures (or seeded straight into SQLite) has them built once, here.
  if (!db.prepare("SELECT 1 FROM aggregate_state WHERE name = 'figures'").get()) aggregates.rebuild();
  const sql = sqliteSql(db);
  const commits = createGroupCommit(sql);
  // Off the main thread, so a long read never holds up a kiosk's ack (docs/architecture.md "Reads off the ingest path").
  const reads = createReadPool(file, () => ({ dashboard: createDashboardRepository(db, aggregates), tracing: createTracingRepository(db), inspections: createInspectionReads(db) }), options.reads);
  return {
    venues: createVenueRepository(db),
    kiosks: createKioskRepository(db, commits),
    records: createRecordRepository(db, aggregates, commits),
    policies: createPolicyRepository(db, commits),
    occupancy: createOccupancyRepository(aggregates),
    passes: createPassRepository(db),
    accounts: createAccountRepository(db),
    loginFailures: createLoginFailureRepository(db),
    streetSettings: createStreetSettingsRepository(db),
    audit: createAuditRepository(db),
    dashboard: reads.dashboard,
    flags: createFlagRepository(db, ctx, aggregates, commits),
    tracing: reads.tracing,
    bookings: createBookingRepository(db),
    suspensions: createSuspensionRepository(db),
    inspections: { ...createInspectionRepository(db), list: reads.inspections.list },
    sql,
    writeLoad: () => commits.load(),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async backup(file) {
      // The copy holds what the database holds: private like it (its folder is the caller's).
      privateFileIn(file);
      await db.backup(file);
    },
    async close() {
      await reads.close();
      // Writes already queued are committed, not dropped: their callers are waiting on them.
      if (db.open) await commits.drain();
      await sql.close();
    },
  };
}
