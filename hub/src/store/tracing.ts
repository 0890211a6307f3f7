import { candidateFrom, matchBooking, matchPass, matchingVisits, presenceFrom, type VisitWindow } from '../../../shared/rules/tracing.js';
import { PassPerson } from '../../../shared/schemas/pass.js';
import type { TracingRecord, TracingRow } from '../../../shared/schemas/tracing.js';
import type { Db } from './database.js';

/** A tracing row as stored: the contact number still sealed (the route decrypts it, and only there). */
export interface SealedTracingRow {
  visits: number[];
  venueId: string;
  venueName: string;
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

export interface TracingRepository {
  /** Name and UTC offset of these venues; an id missing from the answer is no venue of this street. */
  venues(ids: readonly string[]): Promise<Map<string, { name: string; utcOffsetMinutes: number }>>;
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

export function createTracingRepository(db: Db): TracingRepository {
  const recordsInRange = db.prepare<[string, number, number], RecordRow>(TRACING_SQL.recordsInRange);
  const passesInRange = db.prepare<[string, number, number], { id: string }>(TRACING_SQL.passesInRange);
  const passById = db.prepare<[string], PassRow>(TRACING_SQL.pass);
  const bookingsInRange = db.prepare<[string, number, number], { id: string }>(TRACING_SQL.bookingsInRange);
  const bookingById = db.prepare<[string], BookingRow>(TRACING_SQL.booking);
  const recordsOfPass = db.prepare<[string], RecordRow>(TRACING_SQL.recordsOfPass);
  const venueName = db.prepare<[string], { name: string; utc_offset_minutes: number }>('SELECT name, utc_offset_minutes FROM venues WHERE id = ?');
  const entranceName = db.prepare<[string], { name: string }>('SELECT name FROM entrances WHERE id = ?');

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
  const trace = db.transaction((visits: readonly VisitWindow[], stayMs: number): SealedTracingRow[] => {
    const names = new Map<string, string>();
    const nameOf = (venueId: string) => {
      if (!names.has(venueId)) names.set(venueId, venueName.get(venueId)?.name ?? venueId);
      return names.get(venueId)!;
    };
    const entrances = new Map<string, string | null>();
    const entranceOf = (id: string | null) => {
      if (id === null) return null;
      if (!entrances.has(id)) entrances.set(id, entranceName.get(id)?.name ?? null);
      return entrances.get(id)!;
    };

    const loose = new Map<string, RecordRow & { venue_id: string }>();
    const passIds = new Set<string>();
    for (const v of visits) {
      const since = candidateFrom(v.from);
      for (const r of recordsInRange.all(v.venueId, since, v.to)) {
        if (r.pass_id !== null) passIds.add(r.pass_id);
        else loose.set(r.id, { ...r, venue_id: v.venueId });
      }
      for (const p of passesInRange.all(v.venueId, since, v.to)) passIds.add(p.id);
      for (const b of bookingsInRange.all(v.venueId, since, v.to)) passIds.add(b.id);
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
        venueName: nameOf(r.venue_id),
        entranceId: r.entrance_id,
        entranceName: entranceOf(r.entrance_id),
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
      const p = passById.get(id);
      if (!p) {
        const b = bookingById.get(id);
        if (b) pushBooking(b, recordsOfPass.all(id));
        continue;
      }
      const recs = recordsOfPass.all(id);
      const { presence, visits: matched } = matchPass(p.venue_id, { issuedAt: p.issued_at, leftAt: p.left_at }, recs.map((r) => r.kiosk_time_ms), stayMs, visits);
      if (matched.length === 0) continue;
      const records = recs.map(toRecord);
      const entranceId = recs[0]?.entrance_id ?? p.entrance_id;
      const people = PassPerson.array().parse(JSON.parse(p.declaration));
      rows.push({
        visits: matched,
        venueId: p.venue_id,
        venueName: nameOf(p.venue_id),
        entranceId,
        entranceName: entranceOf(entranceId),
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
    function pushBooking(b: BookingRow, recs: RecordRow[]): void {
      const { presence, visits: matched } = matchBooking(b.venue_id, { start: b.slot_start, end: b.slot_end }, recs.map((r) => r.kiosk_time_ms), stayMs, visits);
      if (matched.length === 0) return;
      const records = recs.map(toRecord);
      const entranceId = recs[0]?.entrance_id ?? null;
      rows.push({
        visits: matched,
        venueId: b.venue_id,
        venueName: nameOf(b.venue_id),
        entranceId,
        entranceName: entranceOf(entranceId),
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
      const out = new Map<string, { name: string; utcOffsetMinutes: number }>();
      for (const id of new Set(ids)) {
        const row = venueName.get(id);
        if (row) out.set(id, { name: row.name, utcOffsetMinutes: row.utc_offset_minutes });
      }
      return out;
    },
    async trace(visits, stayMs) {
      return trace.deferred(visits, stayMs);
    },
  };
}
