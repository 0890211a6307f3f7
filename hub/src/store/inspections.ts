import { failedItems, Inspection, InspectionChecks, type InspectionSubmit } from '../../../shared/schemas/inspection.js';
import type { Db } from './database.js';

/**
 * On-site inspections (000 §3 "逐一过滤", the inspection ledger 台账): the
 * checklist an inspector fills at the venue, kept with the hub's time and the
 * inspector. Never edited or deleted: a later visit is a new inspection.
 * Storing one may close rectifications of the venue it saw put right, in the
 * same transaction: each flag goes from rectification ordered to rectified,
 * with a mark_rectified event naming the inspection (its visit time is the
 * inspection's).
 */
export interface InspectionRepository {
  /**
   * Stores the inspection of `venueId` at `now` by `accountId`, closing the rectifications named in
   * `closes`. Throws InspectionCloseError (nothing stored) when one of them is not a rectification
   * of this venue waiting to be closed. A `clientId` already stored answers that inspection
   * (`created` false) and changes nothing; one stored for another venue or inspector throws
   * InspectionClientIdError.
   */
  record(venueId: string, submit: InspectionSubmit, accountId: string, now: number): Promise<{ inspection: Inspection; created: boolean }>;
  get(id: number): Promise<Inspection | undefined>;
}

/** The read side, answered by the read pool (read-pool.ts) like the dashboard's other reads. */
export interface InspectionReads {
  /** The venue's inspections, newest first, at most `limit`. */
  list(venueId: string, limit: number): Promise<Inspection[]>;
}

/** A rectification an inspection cannot close; routes answer 409 naming `closes.<index>`. */
export class InspectionCloseError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'InspectionCloseError';
  }
  get field(): string {
    return `closes.${this.index}`;
  }
}

/** A form id already used for another venue's or another inspector's inspection; routes answer 409 naming `clientId`. */
export class InspectionClientIdError extends Error {
  readonly field = 'clientId';
  constructor() {
    super('this form id belongs to another inspection');
    this.name = 'InspectionClientIdError';
  }
}

interface Row {
  id: number;
  venue_id: string;
  at: number;
  inspector_id: string | null;
  inspector_name: string | null;
  items: string;
  note: string | null;
  closed: string | null;
}

const SELECT = `SELECT i.*, a.name AS inspector_name,
    (SELECT json_group_array(e.flag_id) FROM flag_events e WHERE e.inspection_id = i.id) AS closed
  FROM inspections i LEFT JOIN accounts a ON a.id = i.inspector_id`;

const toInspection = (r: Row): Inspection => {
  // Stored checklists were validated on the way in; parse so a hand-edited row fails loudly.
  const items = InspectionChecks.parse(JSON.parse(r.items));
  return Inspection.parse({
    id: r.id,
    venueId: r.venue_id,
    at: r.at,
    inspectorId: r.inspector_id,
    inspectorName: r.inspector_name,
    items,
    failed: failedItems(items),
    note: r.note,
    closed: r.closed ? (JSON.parse(r.closed) as number[]).sort((a, b) => a - b) : [],
  });
};

export function createInspectionReads(db: Db): InspectionReads {
  const byVenue = db.prepare<[string, number], Row>(`${SELECT} WHERE i.venue_id = ? ORDER BY i.at DESC, i.id DESC LIMIT ?`);
  return {
    async list(venueId, limit) {
      return byVenue.all(venueId, limit).map(toInspection);
    },
  };
}

export function createInspectionRepository(db: Db): InspectionRepository {
  const insert = db.prepare<[string, number, string, string, number, string | null, string | null]>(
    'INSERT INTO inspections (venue_id, at, inspector_id, items, failed, note, client_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const byClientId = db.prepare<[string], { id: number; venue_id: string; inspector_id: string | null }>(
    'SELECT id, venue_id, inspector_id FROM inspections WHERE client_id = ?',
  );
  const byId = db.prepare<[number], Row>(`${SELECT} WHERE i.id = ?`);
  const flagOf = db.prepare<[number], { venue_id: string; status: string }>('SELECT venue_id, status FROM flags WHERE id = ?');
  const orderedAt = db.prepare<[number], { at: number | null }>(
    "SELECT max(at) AS at FROM flag_events WHERE flag_id = ? AND action = 'order_rectification'",
  );
  // As FlagRepository.act's mark_rectified: the status, and an event whose visit is the inspection.
  const rectify = db.prepare<[number, number]>("UPDATE flags SET status = 'rectified', updated_at = ? WHERE id = ? AND status = 'rectification_ordered'");
  const event = db.prepare<[number, number, string, number, number]>(
    "INSERT INTO flag_events (flag_id, at, account_id, action, note, deadline, visited_at, inspection_id) VALUES (?, ?, ?, 'mark_rectified', NULL, NULL, ?, ?)",
  );

  const record = db.transaction((venueId: string, submit: InspectionSubmit, accountId: string, now: number): { id: number; created: boolean } => {
    if (submit.clientId !== undefined) {
      const before = byClientId.get(submit.clientId);
      if (before) {
        if (before.venue_id !== venueId || before.inspector_id !== accountId) throw new InspectionClientIdError();
        return { id: before.id, created: false };
      }
    }
    const items = InspectionChecks.parse(submit.items);
    const id = Number(
      insert.run(venueId, now, accountId, JSON.stringify(items), failedItems(items).length, submit.note ?? null, submit.clientId ?? null).lastInsertRowid,
    );
    (submit.closes ?? []).forEach((flagId, index) => {
      const flag = flagOf.get(flagId);
      if (!flag || flag.venue_id !== venueId) throw new InspectionCloseError(index, `flag ${flagId} is not a rectification of this venue`);
      if (flag.status !== 'rectification_ordered') {
        throw new InspectionCloseError(index, `flag ${flagId} is ${flag.status.replace(/_/g, ' ')}, not waiting for its rectification`);
      }
      // The visit that finds it put right follows the order (the hub's clock never runs back past it).
      if ((orderedAt.get(flagId)?.at ?? 0) > now) throw new InspectionCloseError(index, `flag ${flagId} was ordered after this inspection`);
      rectify.run(now, flagId);
      event.run(flagId, now, accountId, now, id);
    });
    return { id, created: true };
  });

  return {
    async record(venueId, submit, accountId, now) {
      const { id, created } = record.immediate(venueId, submit, accountId, now);
      return { inspection: toInspection(byId.get(id)!), created };
    },
    async get(id) {
      const row = byId.get(id);
      return row && toInspection(row);
    },
  };
}
