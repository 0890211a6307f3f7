import { candidateFrom, matchBooking, matchPass, matchingVisits, presenceFrom, type VisitWindow } from '../../../shared/rules/tracing.js';
import { PassPerson } from '../../../shared/schemas/pass.js';
import type { TracingRecord, TracingRow } from '../../../shared/schemas/tracing.js';
import type { Sql } from './sql.js';

/** A tracing row as stored: the contact number still sealed (the route decrypts it, and only there). */
export interface SealedTracingRow {
  visits: number[];
  venueId: string;
  venueName: string;
  /** The street the venue belongs to now: a run above a street spans several. */
  streetId: string;
  streetName: string;
  entranceId: string | null;
  entranceName: string | null;
  kind: TracingRow['kind'];
  timeIn: number;
  timeOut: number;
  timeOutKnown: boolean;
  decision: 'admit' | 'refuse' | null;
  corrected: boolean;
  records: TracingRecord[];
  passId: string | null;
  passCode: string | null;
  people: number;
  labels: (string | null)[];
  /** `v1.<iv>.<ciphertext>` (services/contact-cipher.ts), or null. */
  sealedContact: string | null;
}

/** A venue a run names: its name and offset, and where it is (the route checks that against the account's scope). */
export interface TracingVenue {
  name: string;
  utcOffsetMinutes: number;
  communityId: string;
  streetId: string;
  streetName: string;
  districtId: string;
}

export interface TracingRepository {
  /** These venues, with their place; an id missing from the answer is no venue at all. */
  venues(ids: readonly string[]): Promise<Map<string, TracingVenue>>;
  /**
   * Entrance records and passes overlapping the visits under the overlap rule
   * (shared/rules/tracing.ts), each pass once, ordered by first visit and time in.
   */
  trace(visits: readonly VisitWindow[], stayMs: number): Promise<SealedTracingRow[]>;
}

interface RecordRow {
  id: string;
  kiosk_id: string;
  kiosk_time_ms: number;
  decision: 'admit' | 'refuse';
  corrected_by: string | null;
  pass_id: string | null;
  pass_person: number | null;
  entrance_id: string | null;
}
interface BookingRow {
  id: string;
  venue_id: string;
  slot_start: number;
  slot_end: number;
  code: string;
  people: number;
  declaration: string;
  contact: string | null;
}
interface PassRow {
  id: string;
  venue_id: string;
  entrance_id: string;
  code: string;
  issued_at: number;
  left_at: number | null;
  people: number;
  declaration: string;
  contact: string | null;
}

/**
 * The statements tracing runs, exported so a test can check their plans: each
 * reads a venue's time range from an index (entrance_records_venue_time or the
 * wider venue_outcome index, passes_venue_issued, bookings_venue_slot) or one
 * pass's or booking's records (entrance_records_pass). Never a scan of a whole table.
 */
export const TRACING_SQL = {
  recordsInRange: `SELECT e.id, e.kiosk_id, e.kiosk_time_ms, e.decision, e.corrected_by, e.pass_id, e.pass_person, k.entrance_id
                     FROM entrance_records e LEFT JOIN kiosks k ON k.id = e.kiosk_id
                    WHERE e.venue_id = ? AND e.kiosk_time_ms BETWEEN ? AND ?`,
  passesInRange: 'SELECT id FROM passes WHERE venue_id = ? AND issued_at BETWEEN ? AND ?',
  pass: 'SELECT id, venue_id, entrance_id, code, issued_at, left_at, people, declaration, contact FROM passes WHERE id = ?',
  // Bookings by their slot; a cancelled one is listed only through the records of a door that admitted it anyway.
  bookingsInRange: 'SELECT id FROM bookings WHERE venue_id = ? AND slot_start BETWEEN ? AND ? AND cancelled_at IS NULL',
  booking: 'SELECT id, venue_id, slot_start, slot_end, code, people, declaration, contact FROM bookings WHERE id = ?',
  recordsOfPass: `SELECT e.id, e.kiosk_id, e.kiosk_time_ms, e.decision, e.corrected_by, e.pass_id, e.pass_person, k.entrance_id
                    FROM entrance_records e LEFT JOIN kiosks k ON k.id = e.kiosk_id
                   WHERE e.pass_id = ? ORDER BY e.kiosk_time_ms, e.id`,
} as const;

/** A venue's name, offset and place, and an entrance's name: looked up once per trace, per id. */
const VENUE_NAME = `SELECT v.name, v.utc_offset_minutes, v.community_id, c.street_id, s.name AS street_name, s.district_id
                      FROM venues v JOIN communities c ON c.id = v.community_id JOIN streets s ON s.id = c.street_id WHERE v.id = ?`;
interface VenueNameRow {
  name: string;
  utc_offset_minutes: number;
  community_id: string;
  street_id: string;
  street_name: string;
  district_id: string;
}
const ENTRANCE_NAME = 'SELECT name FROM entrances WHERE id = ?';

/**
 * A read of several statements that must agree with each other, even while kiosks sync: on
 * SQLite a transaction (on the read worker's read-only connection it takes no write lock, only
 * the snapshot of its first read); on PostgreSQL one snapshot for the whole transaction
 * (REPEATABLE READ, where READ COMMITTED would give each statement its own).
 */
export function readSnapshot<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.transaction(async (tx) => {
    // Must be the transaction's first statement.
    if (tx.dialect === 'postgres') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}

export function createTracingRepository(sql: Sql): TracingRepository {
  const toRecord = (r: RecordRow): TracingRecord => ({
    id: r.id,
    kioskId: r.kiosk_id,
    at: r.kiosk_time_ms,
    decision: r.decision,
    corrected: r.corrected_by !== null,
    person: r.pass_person,
  });

  /** Admitted if any record still standing admitted; all undone: judged on them all, and marked. */
  function outcome(records: readonly TracingRecord[]): { decision: 'admit' | 'refuse' | null; corrected: boolean } {
    if (records.length === 0) return { decision: null, corrected: false };
    const standing = records.filter((r) => !r.corrected);
    const judged = standing.length > 0 ? standing : records;
    return { decision: judged.some((r) => r.decision === 'admit') ? 'admit' : 'refuse', corrected: standing.length === 0 };
  }

  // One consistent view of the rows, even while kiosks sync: a read transaction.
  const trace = (visits: readonly VisitWindow[], stayMs: number): Promise<SealedTracingRow[]> => readSnapshot(sql, async (tx) => {
    const names = new Map<string, { venueName: string; streetId: string; streetName: string }>();
    const nameOf = async (venueId: string) => {
      if (!names.has(venueId)) {
        const v = await tx.get<VenueNameRow>(VENUE_NAME, [venueId]);
        names.set(venueId, { venueName: v?.name ?? venueId, streetId: v?.street_id ?? '', streetName: v?.street_name ?? '' });
      }
      return names.get(venueId)!;
    };
    const entrances = new Map<string, string | null>();
    const entranceOf = async (id: string | null) => {
      if (id === null) return null;
      if (!entrances.has(id)) entrances.set(id, (await tx.get<{ name: string }>(ENTRANCE_NAME, [id]))?.name ?? null);
      return entrances.get(id)!;
    };

    const loose = new Map<string, RecordRow & { venue_id: string }>();
    const passIds = new Set<string>();
    for (const v of visits) {
      const since = candidateFrom(v.from);
      for (const r of await tx.all<RecordRow>(TRACING_SQL.recordsInRange, [v.venueId, since, v.to])) {
        if (r.pass_id !== null) passIds.add(r.pass_id);
        else loose.set(r.id, { ...r, venue_id: v.venueId });
      }
      for (const p of await tx.all<{ id: string }>(TRACING_SQL.passesInRange, [v.venueId, since, v.to])) passIds.add(p.id);
      for (const b of await tx.all<{ id: string }>(TRACING_SQL.bookingsInRange, [v.venueId, since, v.to])) passIds.add(b.id);
    }

    const rows: SealedTracingRow[] = [];
    for (const r of loose.values()) {
      const presence = presenceFrom(r.kiosk_time_ms, null, stayMs);
      const matched = matchingVisits(r.venue_id, presence, visits);
      if (matched.length === 0) continue;
      const record = toRecord(r);
      rows.push({
        visits: matched,
        venueId: r.venue_id,
        ...(await nameOf(r.venue_id)),
        entranceId: r.entrance_id,
        entranceName: await entranceOf(r.entrance_id),
        kind: 'record',
        timeIn: presence.start,
        timeOut: presence.end,
        timeOutKnown: presence.endKnown,
        ...outcome([record]),
        records: [record],
        passId: null,
        passCode: null,
        people: 1,
        labels: [null],
        sealedContact: null,
      });
    }
    for (const id of passIds) {
      const p = await tx.get<PassRow>(TRACING_SQL.pass, [id]);
      if (!p) {
        const b = await tx.get<BookingRow>(TRACING_SQL.booking, [id]);
        if (b) await pushBooking(b, await tx.all<RecordRow>(TRACING_SQL.recordsOfPass, [id]));
        continue;
      }
      const recs = await tx.all<RecordRow>(TRACING_SQL.recordsOfPass, [id]);
      const { presence, visits: matched } = matchPass(p.venue_id, { issuedAt: p.issued_at, leftAt: p.left_at }, recs.map((r) => r.kiosk_time_ms), stayMs, visits);
      if (matched.length === 0) continue;
      const records = recs.map(toRecord);
      const entranceId = recs[0]?.entrance_id ?? p.entrance_id;
      const people = PassPerson.array().parse(JSON.parse(p.declaration));
      rows.push({
        visits: matched,
        venueId: p.venue_id,
        ...(await nameOf(p.venue_id)),
        entranceId,
        entranceName: await entranceOf(entranceId),
        kind: 'pass',
        timeIn: presence.start,
        timeOut: presence.end,
        timeOutKnown: presence.endKnown,
        ...outcome(records),
        records,
        passId: p.id,
        passCode: p.code,
        people: p.people,
        labels: people.map((x) => x.n ?? null),
        sealedContact: p.contact,
      });
    }
    /** A booking, as a pass (it is one, src 'booking'): who booked, with their records, or its slot when none came through a door yet. */
    async function pushBooking(b: BookingRow, recs: RecordRow[]): Promise<void> {
      const { presence, visits: matched } = matchBooking(b.venue_id, { start: b.slot_start, end: b.slot_end }, recs.map((r) => r.kiosk_time_ms), stayMs, visits);
      if (matched.length === 0) return;
      const records = recs.map(toRecord);
      const entranceId = recs[0]?.entrance_id ?? null;
      rows.push({
        visits: matched,
        venueId: b.venue_id,
        ...(await nameOf(b.venue_id)),
        entranceId,
        entranceName: await entranceOf(entranceId),
        kind: 'booking',
        timeIn: presence.start,
        timeOut: presence.end,
        timeOutKnown: presence.endKnown,
        ...outcome(records),
        records,
        passId: b.id,
        passCode: b.code,
        people: b.people,
        labels: PassPerson.array().parse(JSON.parse(b.declaration)).map((x) => x.n ?? null),
        sealedContact: b.contact,
      });
    }
    const key = (r: SealedTracingRow) => r.records[0]?.id ?? r.passId ?? '';
    return rows.sort((a, b) => a.visits[0]! - b.visits[0]! || a.timeIn - b.timeIn || key(a).localeCompare(key(b)));
  });

  return {
    async venues(ids) {
      const out = new Map<string, TracingVenue>();
      for (const id of new Set(ids)) {
        const row = await sql.get<VenueNameRow>(VENUE_NAME, [id]);
        if (row) {
          out.set(id, {
            name: row.name,
            utcOffsetMinutes: row.utc_offset_minutes,
            communityId: row.community_id,
            streetId: row.street_id,
            streetName: row.street_name,
            districtId: row.district_id,
          });
        }
      }
      return out;
    },
    async trace(visits, stayMs) {
      return trace(visits, stayMs);
    },
  };
}
