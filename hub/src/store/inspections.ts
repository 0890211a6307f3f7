import { failedItems, Inspection, InspectionChecks, type InspectionSubmit } from '../../../shared/schemas/inspection.js';
import { jsonGroupArray } from './dialect.js';
import type { Dialect, Sql } from './sql.js';

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

/** The inspection with its inspector's name and the flags it closed (a JSON array, in the dialect's spelling). */
const selectFor = (d: Dialect) => `SELECT i.*, a.name AS inspector_name,
    (SELECT ${jsonGroupArray(d, 'e.flag_id')} FROM flag_events e WHERE e.inspection_id = i.id) AS closed
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

export function createInspectionReads(sql: Sql): InspectionReads {
  const byVenue = `${selectFor(sql.dialect)} WHERE i.venue_id = ? ORDER BY i.at DESC, i.id DESC LIMIT ?`;
  return {
    async list(venueId, limit) {
      return (await sql.all<Row>(byVenue, [venueId, limit])).map(toInspection);
    },
  };
}

type ClientIdRow = { id: number; venue_id: string; inspector_id: string | null };

export function createInspectionRepository(sql: Sql): InspectionRepository {
  const byId = `${selectFor(sql.dialect)} WHERE i.id = ?`;
  const byClientId = (tx: Sql, clientId: string) => tx.get<ClientIdRow>('SELECT id, venue_id, inspector_id FROM inspections WHERE client_id = ?', [clientId]);
  /** A clientId already stored: that inspection, if it is this venue's by this inspector. */
  const resent = (before: ClientIdRow, venueId: string, accountId: string) => {
    if (before.venue_id !== venueId || before.inspector_id !== accountId) throw new InspectionClientIdError();
    return { id: before.id, created: false };
  };

  const record = (venueId: string, submit: InspectionSubmit, accountId: string, now: number) =>
    sql.transaction(async (tx): Promise<{ id: number; created: boolean }> => {
      if (submit.clientId !== undefined) {
        const before = await byClientId(tx, submit.clientId);
        if (before) return resent(before, venueId, accountId);
      }
      const items = InspectionChecks.parse(submit.items);
      // ON CONFLICT on the form's id: two sends of one form at once (two hubs on one PostgreSQL) store
      // one inspection; the later insert waits for the earlier, stores nothing, and answers with it.
      const inserted = await tx.get<{ id: number }>(
        `INSERT INTO inspections (venue_id, at, inspector_id, items, failed, note, client_id) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (client_id) WHERE client_id IS NOT NULL DO NOTHING RETURNING id`,
        [venueId, now, accountId, JSON.stringify(items), failedItems(items).length, submit.note ?? null, submit.clientId ?? null],
      );
      if (!inserted) return resent((await byClientId(tx, submit.clientId!))!, venueId, accountId);
      const id = inserted.id;
      for (const [index, flagId] of (submit.closes ?? []).entries()) {
        const flag = await tx.get<{ venue_id: string; status: string }>('SELECT venue_id, status FROM flags WHERE id = ?', [flagId]);
        if (!flag || flag.venue_id !== venueId) throw new InspectionCloseError(index, `flag ${flagId} is not a rectification of this venue`);
        if (flag.status !== 'rectification_ordered') {
          throw new InspectionCloseError(index, `flag ${flagId} is ${flag.status.replace(/_/g, ' ')}, not waiting for its rectification`);
        }
        // The visit that finds it put right follows the order (the hub's clock never runs back past it).
        const ordered = await tx.get<{ at: number | null }>("SELECT max(at) AS at FROM flag_events WHERE flag_id = ? AND action = 'order_rectification'", [flagId]);
        if ((ordered?.at ?? 0) > now) throw new InspectionCloseError(index, `flag ${flagId} was ordered after this inspection`);
        // As FlagRepository.act's mark_rectified: the status, and an event whose visit is the inspection.
        // Conditional on the status: a flag closed meanwhile (another hub on one PostgreSQL) is not closed twice.
        const { changes } = await tx.run("UPDATE flags SET status = 'rectified', updated_at = ? WHERE id = ? AND status = 'rectification_ordered'", [now, flagId]);
        if (changes === 0) throw new InspectionCloseError(index, `flag ${flagId} is no longer waiting for its rectification`);
        await tx.run(
          "INSERT INTO flag_events (flag_id, at, account_id, action, note, deadline, visited_at, inspection_id) VALUES (?, ?, ?, 'mark_rectified', NULL, NULL, ?, ?)",
          [flagId, now, accountId, now, id],
        );
      }
      return { id, created: true };
    });

  return {
    async record(venueId, submit, accountId, now) {
      const { id, created } = await record(venueId, submit, accountId, now);
      return { inspection: toInspection((await sql.get<Row>(byId, [id]))!), created };
    },
    async get(id) {
      const row = await sql.get<Row>(byId, [id]);
      return row && toInspection(row);
    },
  };
}
