import { createAccountRepository, type AccountRepository } from './accounts.js';
import { createAuditRepository, type AuditRepository } from './audit.js';
import { createBookingRepository, type BookingRepository } from './bookings.js';
import { createDashboardRepository, type DashboardRepository } from './dashboard.js';
import { openDatabase } from './database.js';
import { createFlagRepository, type FlagRepository } from './flags.js';
import { createKioskRepository, type KioskRepository } from './kiosks.js';
import { createOccupancyRepository, type OccupancyRepository } from './occupancy.js';
import { createPassRepository, type PassRepository } from './passes.js';
import { createPolicyRepository, type PolicyRepository } from './policies.js';
import { createRecordRepository, type RecordRepository } from './records.js';
import { createTracingRepository, type TracingRepository } from './tracing.js';
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
  audit: AuditRepository;
  dashboard: DashboardRepository;
  flags: FlagRepository;
  tracing: TracingRepository;
  /** Reservations: venues' booking settings and bookings per slot. */
  bookings: BookingRepository;
  /** Throws if the database cannot answer. */
  ping(): Promise<void>;
  /**
   * A consistent copy of the whole database at `file`, taken while the hub keeps
   * working (SQLite's online backup API: committed transactions only).
   */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

export function openStore(file: string): Store {
  const db = openDatabase(file);
  return {
    venues: createVenueRepository(db),
    kiosks: createKioskRepository(db),
    records: createRecordRepository(db),
    policies: createPolicyRepository(db),
    occupancy: createOccupancyRepository(db),
    passes: createPassRepository(db),
    accounts: createAccountRepository(db),
    audit: createAuditRepository(db),
    dashboard: createDashboardRepository(db),
    flags: createFlagRepository(db),
    tracing: createTracingRepository(db),
    bookings: createBookingRepository(db),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async backup(file) {
      await db.backup(file);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
