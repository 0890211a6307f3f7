import { suspensionSpan, venueToday } from '../../../shared/rules/suspension.js';
import { Suspension, type SuspensionOrder } from '../../../shared/schemas/suspension.js';
import type { Sql } from './sql.js';

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

export function createSuspensionRepository(sql: Sql): SuspensionRepository {
  const byId = (q: Sql, id: number) => q.get<Row>(`${SELECT} WHERE s.id = ?`, [id]);

  return {
    async order(venueId, order, accountId, now) {
      const venue = await sql.get<{ utc_offset_minutes: number }>('SELECT utc_offset_minutes FROM venues WHERE id = ?', [venueId]);
      if (!venue) return undefined;
      const today = venueToday(now, venue.utc_offset_minutes);
      if (order.from < today) throw new SuspensionOrderError(`the first day ${order.from} is before the venue's today (${today}); an order starts today or later`);
      const { startsAt, endsAt } = suspensionSpan(order.from, order.to, venue.utc_offset_minutes);
      const { id } = (await sql.get<{ id: number }>(
        `INSERT INTO venue_suspensions (venue_id, from_date, to_date, starts_at, ends_at, reason, ordered_at, ordered_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [venueId, order.from, order.to, startsAt, endsAt, order.reason, now, accountId],
      ))!;
      return toSuspension((await byId(sql, id))!);
    },
    async lift(id, note, accountId, now) {
      const row = await sql.transaction(async (tx) => {
        const before = await byId(tx, id);
        if (!before) throw new RangeError(`no suspension ${id}`);
        if (before.lifted_at !== null) throw new SuspensionLiftError('this suspension was already lifted');
        if (before.ends_at <= now) throw new SuspensionLiftError('this suspension is over; there is nothing to lift');
        // Conditional on lifted_at: of two lifts at once (two hubs on one PostgreSQL), one changes the row; the other is told it was lifted.
        const { changes } = await tx.run('UPDATE venue_suspensions SET lifted_at = ?, lifted_by = ?, lift_note = ? WHERE id = ? AND lifted_at IS NULL', [now, accountId, note, id]);
        if (changes === 0) throw new SuspensionLiftError('this suspension was already lifted');
        return (await byId(tx, id))!;
      });
      return toSuspension(row);
    },
    async get(id) {
      const row = await byId(sql, id);
      return row && toSuspension(row);
    },
    async list(venueId) {
      return (await sql.all<Row>(`${SELECT} WHERE s.venue_id = ? ORDER BY s.id DESC`, [venueId])).map(toSuspension);
    },
    async ahead(venueId, now) {
      return (await sql.all<Row>(`${SELECT} WHERE s.venue_id = ? AND s.ends_at > ? AND s.lifted_at IS NULL ORDER BY s.starts_at, s.id`, [venueId, now])).map(toSuspension);
    },
    async overlapping(venueId, from, to) {
      return (await sql.all<Row>(`${SELECT} WHERE s.venue_id = ? AND s.ends_at > ? AND s.starts_at < ? ORDER BY s.starts_at, s.id`, [venueId, from, to])).map(toSuspension);
    },
  };
}
