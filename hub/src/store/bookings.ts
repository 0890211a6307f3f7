import { admissionSlot, overbooked as overCap, type SlotCount } from '../../../shared/rules/slots.js';
import type { PassVerdict } from '../../../shared/rules/pass-verdict.js';
import { BookingSettings, NO_BOOKING } from '../../../shared/schemas/booking-settings.js';
import { PassPerson } from '../../../shared/schemas/pass.js';
import { communityInScope, scopeParams, WHOLE_CITY, type Scope } from './scope.js';
import type { Sql } from './sql.js';

/**
 * A booking as the hub keeps it (003 §13 限量、预约、错峰): a party's
 * seats in one slot of a venue, and the signed pass for the slot's entry
 * window that the door verifies offline.
 */
export interface StoredBooking {
  id: string;
  venueId: string;
  slotStart: number;
  slotEnd: number;
  /** Seats held: the party's size (rules/slots.ts counts people, not bookings). */
  people: number;
  /** Each person as the signed pass carries them. */
  party: PassPerson[];
  code: string;
  codeMinute: number;
  codeNumber: number;
  bookedAt: number;
  policyVersion: number;
  verdict: PassVerdict;
  /** The QR text, signed (PassPayload src 'booking'). */
  signed: string;
  /** The contact number, encrypted (services/contact-cipher.ts), or null. */
  contact: string | null;
  cancelledAt: number | null;
  /** 'street_office': a street admin cancelled it (audited); null: its own page did, or it is live. */
  cancelledBy: 'street_office' | null;
}

export type NewBooking = Omit<StoredBooking, 'cancelledAt' | 'cancelledBy'>;

/** The venue's settings as stored, with who set them last. */
export interface SavedBookingSettings {
  settings: BookingSettings;
  updatedAt: number | null;
  updatedBy: string | null;
}

export type BookResult =
  | { ok: true; booking: StoredBooking }
  | { ok: false; reason: 'full'; seatsLeft: number }
  | { ok: false; reason: 'phone'; live: number };

/**
 * The per-number cap on a booking that gave one, so one script cannot take every seat:
 * at most `max` live bookings (not cancelled, slot not over at `now`) of the
 * venue with slots in [from, to) — the slot's venue-local day — per `key`, a
 * keyed hash of the number (services/bookings.ts phoneKey).
 */
export interface PhoneLimit {
  key: string;
  from: number;
  to: number;
  now: number;
  max: number;
}

export interface OverbookedSlot {
  venueId: string;
  slotStart: number;
  /** The bookings that no longer fit, last booked first (rules/slots.ts overbooked). */
  bookings: StoredBooking[];
}

export interface BookingRepository {
  /** NO_BOOKING when the venue never set any. */
  settings(venueId: string): Promise<BookingSettings>;
  /** The settings with when and by whom they were saved (null times: never). */
  savedSettings(venueId: string): Promise<SavedBookingSettings>;
  saveSettings(venueId: string, s: BookingSettings, by: string, now: number): Promise<void>;
  /**
   * Atomic: counts the slot's taken seats (people booked, and people admitted
   * in the slot without a booking) and inserts in one transaction that first
   * holds the venue's bookings (SQLite: the write lock, BEGIN IMMEDIATE;
   * PostgreSQL: the venue's booking settings row, FOR UPDATE), so two bookings
   * of the last seat never both get it, also with several hub processes on one
   * database.
   */
  book(b: NewBooking, cap: number, phone?: PhoneLimit): Promise<BookResult>;
  /** Seats of a slot taken now, as book() counts them (a quick answer before numbering and signing; book() decides). */
  seatsTaken(venueId: string, slot: { start: number; end: number }): Promise<number>;
  get(id: string): Promise<StoredBooking | undefined>;
  /** People admitted at a door on this booking (entrance records naming it, not undone). */
  admitted(id: string): Promise<number>;
  /**
   * Frees the seats; idempotent (a second cancel returns the booking as first
   * cancelled). `by` 'street_office' for a street admin's cancel. The contact
   * number is dropped at once unless someone was admitted on the booking
   * (then it is tracing data, kept for the retention period). Undefined: no such booking.
   */
  cancel(id: string, now: number, by?: 'street_office'): Promise<StoredBooking | undefined>;
  /** The venue's cancelled bookings whose slots are not over at `now`: the doors refuse their QR. */
  cancelledLive(venueId: string, now: number): Promise<{ id: string; slotEnd: number }[]>;
  /**
   * Per slot start in [from, to): people booked (not cancelled), booked people
   * admitted (distinct persons on entrance records naming the booking, not
   * undone) and people admitted in the slot without a live booking. Slots with
   * nothing are absent.
   */
  slotCounts(venueId: string, from: number, to: number, slotMinutes: number): Promise<Map<number, SlotCount>>;
  /** Live (not cancelled) bookings of the venue's slots not yet over at `now`, by slot then booking time. */
  future(venueId: string, now: number): Promise<StoredBooking[]>;
  /**
   * Bookings of slots not yet over beyond their slot's cap (rules/slots.ts
   * overbooked), after the policy or the venue shrank caps: `capFor` gives the
   * cap a slot of the venue may hold now. `where`: one venue (its id), or the venues of a scope
   * (store/scope.ts; the whole city when not given).
   */
  overbooked(now: number, capFor: (venueId: string) => Promise<number>, where?: string | Scope): Promise<OverbookedSlot[]>;
  /** Bookings ever made (all states). */
  count(): Promise<number>;
}

interface BookingRow {
  id: string;
  venue_id: string;
  slot_start: number;
  slot_end: number;
  people: number;
  code: string;
  code_minute: number;
  code_n: number;
  booked_at: number;
  policy_version: number;
  verdict: PassVerdict;
  declaration: string;
  signed: string;
  contact: string | null;
  cancelled_at: number | null;
  cancelled_by: 'street_office' | null;
}

interface SettingsRow {
  mode: string;
  slot_minutes: number;
  slot_cap: number;
  max_party: number;
  days_ahead: number;
  updated_at: number;
  updated_by: string | null;
}

/** Admissions still standing (an undone one freed its seat). */
const ADMITTED = "e.decision = 'admit' AND e.corrected_by IS NULL";

export function createBookingRepository(sql: Sql): BookingRepository {
  const selectSettings = 'SELECT * FROM venue_booking WHERE venue_id = ?';
  const upsertSettings = `INSERT INTO venue_booking (venue_id, mode, slot_minutes, slot_cap, max_party, days_ahead, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (venue_id) DO UPDATE SET mode = excluded.mode, slot_minutes = excluded.slot_minutes,
       slot_cap = excluded.slot_cap, max_party = excluded.max_party, days_ahead = excluded.days_ahead,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`;
  // Seats taken in one slot, in one statement (one snapshot on both databases): people booked, and people
  // admitted in the slot's time on no live booking (walk-ins, passes, and bookings cancelled since).
  const takenIn = `SELECT
      (SELECT coalesce(sum(people), 0) FROM bookings WHERE venue_id = ? AND slot_start = ? AND cancelled_at IS NULL)
    + (SELECT count(*) FROM entrance_records e
         LEFT JOIN bookings b ON b.id = e.pass_id AND b.cancelled_at IS NULL
        WHERE e.venue_id = ? AND e.kiosk_time_ms >= ? AND e.kiosk_time_ms < ? AND ${ADMITTED} AND b.id IS NULL) AS n`;
  // Per slot in one statement, so a batch landing midway is not counted half: 'b' people booked per slot,
  // 'a' booked people admitted per slot (a person admitted twice on one booking, at a second door or
  // resent under another id, is one arrival), 'w' the time of each admission on no live booking.
  const slotRows = `SELECT 'b' AS kind, slot_start AS at, sum(people) AS n FROM bookings
      WHERE venue_id = ? AND slot_start >= ? AND slot_start < ? AND cancelled_at IS NULL GROUP BY slot_start
    UNION ALL
    SELECT 'a' AS kind, b.slot_start AS at, count(DISTINCT e.pass_id || '#' || e.pass_person) AS n
       FROM bookings b JOIN entrance_records e ON e.pass_id = b.id
      WHERE b.venue_id = ? AND b.slot_start >= ? AND b.slot_start < ? AND b.cancelled_at IS NULL AND ${ADMITTED}
      GROUP BY b.slot_start
    UNION ALL
    SELECT 'w' AS kind, e.kiosk_time_ms AS at, 1 AS n FROM entrance_records e
       LEFT JOIN bookings b ON b.id = e.pass_id AND b.cancelled_at IS NULL
      WHERE e.venue_id = ? AND e.kiosk_time_ms >= ? AND e.kiosk_time_ms < ? AND ${ADMITTED} AND b.id IS NULL`;
  const venueOffset = 'SELECT utc_offset_minutes FROM venues WHERE id = ?';
  const insert = `INSERT INTO bookings (id, venue_id, slot_start, slot_end, people, code, code_minute, code_n, booked_at,
                           policy_version, verdict, declaration, signed, contact, phone_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  // PostgreSQL under READ COMMITTED would let two transactions count the same free seats and both
  // insert: the first to lock the venue's booking settings row books, the other waits for its COMMIT
  // and then counts again (each statement reads what is committed when it starts). Every booking of
  // the venue passes here, so the seats and a number's bookings there are decided one at a time.
  // A venue that never saved settings takes no bookings (services/bookings.ts); should one be booked
  // anyway, its venue row is held instead (NO KEY UPDATE: records and passes naming the venue still go in).
  // SQLite needs neither: BEGIN IMMEDIATE took the write lock before the count.
  const lockSettings = 'SELECT venue_id FROM venue_booking WHERE venue_id = ? FOR UPDATE';
  const lockVenue = 'SELECT id FROM venues WHERE id = ? FOR NO KEY UPDATE';
  // Reads the partial index bookings_phone_key.
  const livePerPhone = `SELECT count(*) AS n FROM bookings
      WHERE venue_id = ? AND phone_key = ? AND slot_start >= ? AND slot_start < ? AND slot_end > ?
        AND phone_key IS NOT NULL AND cancelled_at IS NULL`;
  const byId = 'SELECT * FROM bookings WHERE id = ?';
  // The cancelled_at guard: a booking is cancelled once, whoever else cancels it at the same time.
  const setCancelled = `UPDATE bookings SET cancelled_at = ?, cancelled_by = ?,
       contact = CASE WHEN EXISTS (SELECT 1 FROM entrance_records e WHERE e.pass_id = bookings.id AND ${ADMITTED}) THEN contact ELSE NULL END
     WHERE id = ? AND cancelled_at IS NULL`;
  const cancelledOf = 'SELECT id, slot_end FROM bookings WHERE venue_id = ? AND slot_end > ? AND cancelled_at IS NOT NULL ORDER BY slot_end, id';
  const futureOf = 'SELECT * FROM bookings WHERE venue_id = ? AND slot_end > ? AND cancelled_at IS NULL ORDER BY slot_start, booked_at';
  const allFuture = `SELECT b.* FROM bookings b JOIN venues v ON v.id = b.venue_id JOIN communities c ON c.id = v.community_id
    WHERE b.slot_end > ? AND b.cancelled_at IS NULL AND ${communityInScope('c')} ORDER BY b.venue_id, b.slot_start, b.booked_at`;
  const countAll = 'SELECT count(*) AS n FROM bookings';
  const admittedOn = `SELECT count(DISTINCT e.pass_person) AS n FROM entrance_records e WHERE e.pass_id = ? AND ${ADMITTED}`;

  const toBooking = (r: BookingRow): StoredBooking => ({
    id: r.id,
    venueId: r.venue_id,
    slotStart: r.slot_start,
    slotEnd: r.slot_end,
    people: r.people,
    party: PassPerson.array().parse(JSON.parse(r.declaration)),
    code: r.code,
    codeMinute: r.code_minute,
    codeNumber: r.code_n,
    bookedAt: r.booked_at,
    policyVersion: r.policy_version,
    verdict: r.verdict,
    signed: r.signed,
    contact: r.contact,
    cancelledAt: r.cancelled_at,
    cancelledBy: r.cancelled_by,
  });

  const taken = async (q: Sql, venueId: string, start: number, end: number) =>
    (await q.get<{ n: number }>(takenIn, [venueId, start, venueId, start, end]))!.n;

  return {
    async settings(venueId) {
      return (await this.savedSettings(venueId)).settings;
    },
    async savedSettings(venueId) {
      const r = await sql.get<SettingsRow>(selectSettings, [venueId]);
      if (!r) return { settings: NO_BOOKING, updatedAt: null, updatedBy: null };
      const settings = BookingSettings.parse({
        mode: r.mode,
        slotMinutes: r.slot_minutes,
        slotCap: r.slot_cap,
        maxParty: r.max_party,
        daysAhead: r.days_ahead,
      });
      return { settings, updatedAt: r.updated_at, updatedBy: r.updated_by };
    },
    async saveSettings(venueId, s, by, now) {
      const v = BookingSettings.parse(s);
      await sql.run(upsertSettings, [venueId, v.mode, v.slotMinutes, v.slotCap, v.maxParty, v.daysAhead, now, by]);
    },
    async book(b, cap, phone) {
      return sql.transaction(async (tx): Promise<BookResult> => {
        // The venue's bookings held before anything is counted (see lockSettings above).
        if (tx.dialect === 'postgres' && !(await tx.get(lockSettings, [b.venueId]))) await tx.get(lockVenue, [b.venueId]);
        if (phone) {
          const live = (await tx.get<{ n: number }>(livePerPhone, [b.venueId, phone.key, phone.from, phone.to, phone.now]))!.n;
          if (live >= phone.max) return { ok: false, reason: 'phone', live };
        }
        const seats = await taken(tx, b.venueId, b.slotStart, b.slotEnd);
        if (seats + b.people > cap) return { ok: false, reason: 'full', seatsLeft: Math.max(0, cap - seats) };
        await tx.run(insert, [
          b.id, b.venueId, b.slotStart, b.slotEnd, b.people, b.code, b.codeMinute, b.codeNumber, b.bookedAt,
          b.policyVersion, b.verdict, JSON.stringify(b.party), b.signed, b.contact, phone?.key ?? null,
        ]);
        return { ok: true, booking: { ...b, cancelledAt: null, cancelledBy: null } };
      });
    },
    async seatsTaken(venueId, slot) {
      return taken(sql, venueId, slot.start, slot.end);
    },
    async get(id) {
      const r = await sql.get<BookingRow>(byId, [id]);
      return r ? toBooking(r) : undefined;
    },
    async admitted(id) {
      return (await sql.get<{ n: number }>(admittedOn, [id]))!.n;
    },
    async cancel(id, now, by) {
      await sql.run(setCancelled, [now, by ?? null, id]);
      const r = await sql.get<BookingRow>(byId, [id]);
      return r ? toBooking(r) : undefined;
    },
    async cancelledLive(venueId, now) {
      return (await sql.all<{ id: string; slot_end: number }>(cancelledOf, [venueId, now])).map((r) => ({ id: r.id, slotEnd: r.slot_end }));
    },
    async slotCounts(venueId, from, to, slotMinutes) {
      const out = new Map<number, SlotCount>();
      const at = (start: number) => {
        let c = out.get(start);
        if (!c) out.set(start, (c = { booked: 0, arrivedBooked: 0, walkIns: 0 }));
        return c;
      };
      const offset = (await sql.get<{ utc_offset_minutes: number }>(venueOffset, [venueId]))?.utc_offset_minutes;
      if (offset === undefined) return out;
      const rows = await sql.all<{ kind: 'b' | 'a' | 'w'; at: number; n: number }>(slotRows, [venueId, from, to, venueId, from, to, venueId, from, to]);
      for (const r of rows) {
        if (r.kind === 'b') at(r.at).booked = r.n;
        else if (r.kind === 'a') at(r.at).arrivedBooked = r.n;
        // Placement is rules/slots.ts admissionSlot, as for slot_over_cap and the door: the SQL above splits
        // admissions on a live booking (counted in its slot) from the rest (here, in the slot of their time).
        else at(admissionSlot(r.at, undefined, slotMinutes, offset)).walkIns += 1;
      }
      return out;
    },
    async future(venueId, now) {
      return (await sql.all<BookingRow>(futureOf, [venueId, now])).map(toBooking);
    },
    async overbooked(now, capFor, where = WHOLE_CITY) {
      const slots = new Map<string, StoredBooking[]>();
      const rows =
        typeof where === 'string' ? await sql.all<BookingRow>(futureOf, [where, now]) : await sql.all<BookingRow>(allFuture, [now, ...scopeParams(where)]);
      for (const r of rows) {
        const key = `${r.venue_id}\u0000${r.slot_start}`;
        slots.set(key, [...(slots.get(key) ?? []), toBooking(r)]);
      }
      const caps = new Map<string, number>();
      const out: OverbookedSlot[] = [];
      for (const bookings of slots.values()) {
        const { venueId, slotStart } = bookings[0]!;
        if (!caps.has(venueId)) caps.set(venueId, await capFor(venueId));
        const over = overCap(bookings, caps.get(venueId)!);
        if (over.length > 0) out.push({ venueId, slotStart, bookings: over });
      }
      return out;
    },
    async count() {
      return (await sql.get<{ n: number }>(countAll))!.n;
    },
  };
}
