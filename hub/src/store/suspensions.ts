import { suspensionSpan, venueToday } from '../../../shared/rules/suspension.js';
import { Suspension, type SuspensionOrder } from '../../../shared/schemas/suspension.js';
import type { Db } from './database.js';

/**
 * Suspension orders (停业整顿, 000 §5(2)): one venue admits nobody from a
 * venue-local date to another, unless lifted earlier. Orders are never
 * deleted or edited; lifting stamps when, by whom and why.
 */
export interface SuspensionRepository {
  /**
   * Stores an order for the venue (its span read in the venue's own zone); undefined for an unknown
   * venue. Throws SuspensionOrderError for a first day before the venue's today: an order is for
   * days to come (or today), never a past the door could not have obeyed.
   */
  order(venueId: string, order: SuspensionOrder, accountId: string, now: number): Promise<Suspension | undefined>;
  /** Lifts an order in force or ahead; throws SuspensionLiftError when it is over or already lifted. */
  lift(id: number, note: string, accountId: string, now: number): Promise<Suspension>;
  get(id: number): Promise<Suspension | undefined>;
  /** Every order of the venue, newest first. */
  list(venueId: string): Promise<Suspension[]>;
  /** The venue's orders not over and not lifted at `now`: what its doors must know. */
  ahead(venueId: string, now: number): Promise<Suspension[]>;
  /** The venue's orders (lifted ones too) that overlap [from, to): what the flag rule judges admissions against. */
  overlapping(venueId: string, from: number, to: number): Promise<Suspension[]>;
}

/** Lifting an order that is over or already lifted; routes answer 409. */
export class SuspensionLiftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuspensionLiftError';
  }
}

/** An order whose first day is before the venue's today; routes answer 400 naming `from`. */
export class SuspensionOrderError extends Error {
  readonly field = 'from';
  constructor(message: string) {
    super(message);
    this.name = 'SuspensionOrderError';
  }
}

interface Row {
  id: number;
  venue_id: string;
  from_date: string;
  to_date: string;
  starts_at: number;
  ends_at: number;
  reason: string;
  ordered_at: number;
  ordered_by_name: string | null;
  lifted_at: number | null;
  lifted_by_name: string | null;
  lift_note: string | null;
}

const SELECT = `SELECT s.*, o.name AS ordered_by_name, l.name AS lifted_by_name
  FROM venue_suspensions s LEFT JOIN accounts o ON o.id = s.ordered_by LEFT JOIN accounts l ON l.id = s.lifted_by`;

const toSuspension = (r: Row): Suspension =>
  Suspension.parse({
    id: r.id,
    venueId: r.venue_id,
    from: r.from_date,
    to: r.to_date,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    reason: r.reason,
    orderedAt: r.ordered_at,
    orderedBy: r.ordered_by_name,
    liftedAt: r.lifted_at,
    liftedBy: r.lifted_by_name,
    liftNote: r.lift_note,
  });

export function createSuspensionRepository(db: Db): SuspensionRepository {
  const offsetOf = db.prepare<[string], { utc_offset_minutes: number }>('SELECT utc_offset_minutes FROM venues WHERE id = ?');
  const insert = db.prepare<[string, string, string, number, number, string, number, string]>(
    `INSERT INTO venue_suspensions (venue_id, from_date, to_date, starts_at, ends_at, reason, ordered_at, ordered_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[number], Row>(`${SELECT} WHERE s.id = ?`);
  const byVenue = db.prepare<[string], Row>(`${SELECT} WHERE s.venue_id = ? ORDER BY s.id DESC`);
  const aheadOf = db.prepare<[string, number], Row>(`${SELECT} WHERE s.venue_id = ? AND s.ends_at > ? AND s.lifted_at IS NULL ORDER BY s.starts_at, s.id`);
  const overlap = db.prepare<[string, number, number], Row>(
    `${SELECT} WHERE s.venue_id = ? AND s.ends_at > ? AND s.starts_at < ? ORDER BY s.starts_at, s.id`,
  );
  const setLifted = db.prepare<[number, string, string, number]>('UPDATE venue_suspensions SET lifted_at = ?, lifted_by = ?, lift_note = ? WHERE id = ? AND lifted_at IS NULL');

  const lift = db.transaction((id: number, note: string, accountId: string, now: number): Row => {
    const row = byId.get(id);
    if (!row) throw new RangeError(`no suspension ${id}`);
    if (row.lifted_at !== null) throw new SuspensionLiftError('this suspension was already lifted');
    if (row.ends_at <= now) throw new SuspensionLiftError('this suspension is over; there is nothing to lift');
    setLifted.run(now, accountId, note, id);
    return byId.get(id)!;
  });

  return {
    async order(venueId, order, accountId, now) {
      const venue = offsetOf.get(venueId);
      if (!venue) return undefined;
      const today = venueToday(now, venue.utc_offset_minutes);
      if (order.from < today) throw new SuspensionOrderError(`the first day ${order.from} is before the venue's today (${today}); an order starts today or later`);
      const { startsAt, endsAt } = suspensionSpan(order.from, order.to, venue.utc_offset_minutes);
      const id = Number(insert.run(venueId, order.from, order.to, startsAt, endsAt, order.reason, now, accountId).lastInsertRowid);
      return toSuspension(byId.get(id)!);
    },
    async lift(id, note, accountId, now) {
      return toSuspension(lift(id, note, accountId, now));
    },
    async get(id) {
      const row = byId.get(id);
      return row && toSuspension(row);
    },
    async list(venueId) {
      return byVenue.all(venueId).map(toSuspension);
    },
    async ahead(venueId, now) {
      return aheadOf.all(venueId, now).map(toSuspension);
    },
    async overlapping(venueId, from, to) {
      return overlap.all(venueId, from, to).map(toSuspension);
    },
  };
}
