import {
  dayStart,
  emptyHour,
  emptySpan,
  foldHour,
  foldSpan,
  hourStart,
  isNoPhone,
  policiesFor,
  standingAdmissions,
  weekStart,
  type HeldEntrance,
  type HourFacts,
  type SpanFacts,
  type StreetDayFacts,
} from '../../../shared/rules/flags/index.js';
import { EMPTY_DOOR, stepDoor, type DoorCount, type DoorStep } from '../../../shared/rules/occupancy.js';
import type { EntranceRecord, SyncRecord } from '../../../shared/schemas/record.js';
import { jsonNumber, jsonText, unindexed } from './dialect.js';
import type { Dialect, Sql } from './sql.js';
import type { RuleContext } from './rule-context.js';

/**
 * Running figures kept in the same transaction as the records they count,
 * so judging a batch and counting a door cost what the batch costs, not what
 * the day already holds (docs/architecture.md "Running figures"):
 *
 * - door_counts: per kiosk, people inside since its last close-out
 *   (shared/rules/occupancy.ts stepDoor);
 * - window_facts: per venue and venue-local hour, day and ISO week, what the
 *   flag rules read (shared/rules/flags/window-facts.ts);
 * - street_days: per street and day (the start of each venue's local day), in 32 rows
 *   (a shard per venue, streetDayShard) summed when read, the whole
 *   street's admissions that stand and those without a phone: the street's
 *   usual share no_phone_share holds an hour against (less the venue's own
 *   hours, read from its window_facts).
 *
 * A record is stored only with a kiosk time within the policy's allowance of its
 * arrival (sockets/ingest.ts, shared/rules/kiosk-time.ts): never more than the
 * allowed clock drift ahead (a day). It was made before it arrived, so a door counts
 * it from its arrival; a time from nowhere (year 9999) never reaches the figures.
 *
 * A figure that cannot be stepped exactly is counted again from the records:
 * a record arriving out of sequence order marks its door stale, and a
 * correction undoing an admission folded earlier refolds that hour.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Same lookback as the kiosk: counting restarts at a close-out, or after 36 h without one. */
export const OCCUPANCY_LOOKBACK_MS = 36 * HOUR_MS;

/** The street's day is kept in this many rows (migration 28), so batches of different venues rarely write the same one. */
export const STREET_DAY_SHARDS = 32;

/** Which of its day's rows a venue adds to: a hash of its id (FNV-1a), the same in every process. */
export function streetDayShard(venueId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < venueId.length; i++) h = Math.imul(h ^ venueId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % STREET_DAY_SHARDS;
}

export type WindowKind = 'hour' | 'day' | 'week';

export interface DoorInside {
  kioskId: string;
  entranceName: string;
  inside: number;
}

export interface Aggregates {
  /**
   * Folds one kiosk's accepted records (in the order stored) into the figures;
   * `undone` are the ids of admissions a correction in them undid. Call with
   * the ingest transaction, after the rows are written.
   */
  apply(sql: Sql, accepted: readonly SyncRecord[], undone: readonly string[]): Promise<void>;
  /** People inside per active kiosk of the venue at `now`. */
  doors(sql: Sql, venueId: string, now: number): Promise<DoorInside[]>;
  hour(sql: Sql, venueId: string, start: number): Promise<HourFacts>;
  span(sql: Sql, venueId: string, kind: 'day' | 'week', start: number): Promise<SpanFacts>;
  /**
   * The admissions, and those without a phone, of the street of `venueId` over the days starting in
   * [from, to), less that venue's own (its hours in the span) unless `withOwn`, so a venue is not part
   * of the yardstick it is held against, and never another street's (a street is its own yardstick).
   */
  street(sql: Sql, from: number, to: number, venueId: string, withOwn?: boolean): Promise<StreetDayFacts>;
  /**
   * Counts every figure again from the stored records (an upgrade, a seeded street), in one
   * transaction of its own on `sql` (the store's handle, not a transaction); returns the windows written.
   */
  rebuild(sql: Sql, progress?: (line: string) => void): Promise<number>;
}

interface DoorRow {
  inside: number;
  reset_seq: number;
  last_seq: number;
  since_ms: number | null;
  stale: number;
}

type HourEntranceRow = { id: string; kiosk_id: string; seq: number; kiosk_time: string; operator_id: string | null; body: string; corrected_by: string | null };

/** The statements, in the SQL of one dialect: built once per dialect, constant texts after that. */
function statements(d: Dialect) {
  return {
    doorRow: 'SELECT inside, reset_seq, last_seq, since_ms, stale FROM door_counts WHERE kiosk_id = ?',
    // `held` grows by the records a batch stored (every type), whatever the count does.
    putDoor: `INSERT INTO door_counts (kiosk_id, venue_id, inside, reset_seq, last_seq, since_ms, stale, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kiosk_id) DO UPDATE SET inside = excluded.inside, reset_seq = excluded.reset_seq, last_seq = excluded.last_seq,
       since_ms = excluded.since_ms, stale = excluded.stale, held = door_counts.held + excluded.held`,
    venueDoors: `SELECT k.id, e.name AS entrance_name, d.inside, d.since_ms, d.stale
       FROM kiosks k JOIN entrances e ON e.id = k.entrance_id LEFT JOIN door_counts d ON d.kiosk_id = k.id
      WHERE k.venue_id = ? AND k.revoked_at IS NULL ORDER BY e.id, k.id`,
    factsRow: 'SELECT facts FROM window_facts WHERE venue_id = ? AND kind = ? AND start = ?',
    putFacts: 'INSERT INTO window_facts (venue_id, kind, start, facts) VALUES (?, ?, ?, ?) ON CONFLICT (venue_id, kind, start) DO UPDATE SET facts = excluded.facts',
    target: `SELECT kiosk_id, seq, kiosk_time_ms, decision, CASE WHEN ${jsonText(d, 'checks', ['scan', 'outcome'])} = 'no_phone' THEN 1 ELSE 0 END AS no_phone
       FROM entrance_records WHERE id = ?`,
    // The street is the venue's community's now (the first parameter is the venue's id).
    addStreetDay: `INSERT INTO street_days (street_id, start, shard, admissions, no_phone)
     VALUES ((SELECT c.street_id FROM venues v JOIN communities c ON c.id = v.community_id WHERE v.id = ?), ?, ?, ?, ?)
     ON CONFLICT (street_id, start, shard) DO UPDATE SET admissions = street_days.admissions + excluded.admissions, no_phone = street_days.no_phone + excluded.no_phone`,
    streetDays: `SELECT sum(admissions) AS admissions, sum(no_phone) AS no_phone FROM street_days
      WHERE street_id = (SELECT c.street_id FROM venues v JOIN communities c ON c.id = v.community_id WHERE v.id = ?) AND start >= ? AND start < ?`,
    venueNoPhone: `SELECT sum(${jsonNumber(d, 'facts', ['noPhone', 'admissions'])}) AS admissions, sum(${jsonNumber(d, 'facts', ['noPhone', 'noPhone'])}) AS no_phone
       FROM window_facts WHERE venue_id = ? AND kind = 'hour' AND start >= ? AND start < ?`,
    hourEntrances: `SELECT k.id, k.kiosk_id, k.seq, k.kiosk_time, k.operator_id, k.body, e.corrected_by
       FROM kiosk_records k JOIN entrance_records e ON e.id = k.id
      WHERE k.venue_id = ? AND k.type = 'entrance' AND k.kiosk_time_ms >= ? AND k.kiosk_time_ms < ?`,
    // A door counted from its records (a figure from before the lookback, or stale): the admissions
    // are counted in the index entrance_records_kiosk_admits between the door's few other events
    // (corrections, exits, head counts, close-outs), which are folded one by one, so no admission
    // row is read into JavaScript.
    lastCloseOut: `SELECT max(seq) AS seq FROM kiosk_records
      WHERE kiosk_id = ? AND type = 'occupancy' AND ${jsonText(d, 'body', ['kind'])} = 'close_out' AND kiosk_time_ms >= ?`,
    // The admissions' seqs in the lookback, from the index alone (`+seq` keeps SQLite's planner off the
    // (kiosk_id, seq) key, which would read every table row), counted between events in JavaScript.
    admitSeqs: `SELECT seq FROM entrance_records WHERE kiosk_id = ? AND kiosk_time_ms >= ? AND decision = 'admit' AND ${unindexed(d, 'seq')} > ?`,
    // By the venue/type/time index (kiosk and seq kept out of the plan with `+`): the lookback's few
    // door events, not every record the kiosk ever sent.
    doorEvents: `SELECT seq, type,
            CASE type WHEN 'correction' THEN ${jsonText(d, 'body', ['correctsId'])} ELSE ${jsonText(d, 'body', ['kind'])} END AS a,
            CASE type WHEN 'occupancy' THEN ${jsonNumber(d, 'body', ['count'])} END AS n
       FROM kiosk_records
      WHERE venue_id = ? AND type IN ('correction', 'occupancy') AND kiosk_time_ms >= ? AND ${unindexed(d, 'kiosk_id')} = ? AND ${unindexed(d, 'seq')} > ?
      ORDER BY seq`,
    admissionOf: "SELECT seq FROM entrance_records WHERE id = ? AND kiosk_id = ? AND decision = 'admit' AND kiosk_time_ms >= ?",
    // Rebuild.
    allKiosks: 'SELECT id, venue_id FROM kiosks',
    kioskRecords: `SELECT id, seq, type, kiosk_time, body FROM kiosk_records WHERE kiosk_id = ? AND seq > ? AND type IN ('entrance', 'correction', 'occupancy') ORDER BY seq`,
    lastReset: `SELECT max(seq) AS seq FROM kiosk_records WHERE kiosk_id = ? AND type = 'occupancy' AND ${jsonText(d, 'body', ['kind'])} = 'close_out'`,
    corrected: 'SELECT id FROM entrance_records WHERE kiosk_id = ? AND corrected_by IS NOT NULL',
    heldBy: 'SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ?',
    range: 'SELECT min(kiosk_time_ms) AS lo, max(kiosk_time_ms) AS hi FROM entrance_records WHERE venue_id = ?',
    built: "INSERT INTO aggregate_state (name, built_at) VALUES ('figures', ?) ON CONFLICT (name) DO UPDATE SET built_at = excluded.built_at",
  };
}

const TEXTS: Record<Dialect, ReturnType<typeof statements>> = { sqlite: statements('sqlite'), postgres: statements('postgres') };

/** One window a batch folds into: its empty facts, and the new facts from the stored ones. */
interface Fold {
  kind: WindowKind;
  start: number;
  empty: () => unknown;
  fold: (old: unknown) => unknown;
}

/** Statement texts by row count and dialect, each built once. */
function bySize(build: (d: Dialect, rows: number) => string): (d: Dialect, rows: number) => string {
  const texts: Record<Dialect, string[]> = { sqlite: [], postgres: [] };
  return (d, rows) => (texts[d][rows] ??= build(d, rows));
}

/**
 * The facts of windows (venue, kind and start of each), locked on PostgreSQL in (kind, start) order. The venue is in every
 * term so each is one primary-key seek (SQLite's MULTI-INDEX OR): with it outside the OR, SQLite
 * may read every window the venue has.
 */
const factsOf = bySize(
  (d, rows) =>
    `SELECT kind, start, facts FROM window_facts WHERE ${Array.from({ length: rows }, () => '(venue_id = ? AND kind = ? AND start = ?)').join(' OR ')}${d === 'postgres' ? ' ORDER BY kind, start FOR UPDATE' : ''}`,
);

const windowValues = (rows: number) => Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ');
const putReplace = bySize(
  (_, rows) => `INSERT INTO window_facts (venue_id, kind, start, facts) VALUES ${windowValues(rows)} ON CONFLICT (venue_id, kind, start) DO UPDATE SET facts = excluded.facts`,
);
const putNew = bySize((_, rows) => `INSERT INTO window_facts (venue_id, kind, start, facts) VALUES ${windowValues(rows)} ON CONFLICT (venue_id, kind, start) DO NOTHING`);
/** Writes windows' facts (venue, kind, start, facts per row): replacing them, or only where none is stored. The text is the same in both dialects. */
const putWindows = (rows: number, replace: boolean) => (replace ? putReplace : putNew)('sqlite', rows);

export function createAggregates(ctx: RuleContext): Aggregates {
  const toHeld = (r: HourEntranceRow, venueId: string): HeldEntrance => ({
    // Stored bodies were validated on the way in; the rules read the record's own fields.
    record: { ...JSON.parse(r.body), type: 'entrance', id: r.id, venueId, kioskId: r.kiosk_id, seq: r.seq, kioskTime: r.kiosk_time, operatorId: r.operator_id ?? '' } as EntranceRecord,
    receivedAt: 0,
    corrected: r.corrected_by !== null,
  });

  async function readFacts<T>(sql: Sql, venueId: string, kind: WindowKind, start: number, empty: () => T): Promise<T> {
    const row = await sql.get<{ facts: string }>(TEXTS[sql.dialect].factsRow, [venueId, kind, start]);
    return row ? (JSON.parse(row.facts) as T) : empty();
  }

  /**
   * The door counted from its records at `now`, by the kiosk's rule over the
   * lookback (occupancyFrom over its records since its last close-out in the
   * last 36 h, else over the 36 h).
   */
  async function countDoor(sql: Sql, venueId: string, kioskId: string, now: number): Promise<number> {
    const q = TEXTS[sql.dialect];
    const from = now - OCCUPANCY_LOOKBACK_MS;
    const after = (await sql.get<{ seq: number | null }>(q.lastCloseOut, [kioskId, from]))?.seq ?? 0;
    let inside = 0;
    let resetSeq = after;
    const undone = new Set<string>();
    const admits = Float64Array.from((await sql.all<{ seq: number }>(q.admitSeqs, [kioskId, from, after])).map((r) => r.seq)).sort();
    let next = 0;
    const admitsTo = (seq: number) => {
      const first = next;
      while (next < admits.length && admits[next]! < seq) next++;
      inside += next - first;
    };
    for (const e of await sql.all<{ seq: number; type: string; a: string | null; n: number | null }>(q.doorEvents, [venueId, from, kioskId, after])) {
      admitsTo(e.seq);
      if (e.type === 'correction') {
        // Undoes an admission counted since the last reset, once.
        const t = e.a === null || undone.has(e.a) ? undefined : await sql.get<{ seq: number }>(q.admissionOf, [e.a, kioskId, from]);
        if (t && t.seq > resetSeq && t.seq < e.seq) {
          undone.add(e.a!);
          inside = Math.max(0, inside - 1);
        }
      } else if (e.a === 'exit') {
        inside = Math.max(0, inside - (e.n ?? 0));
      } else {
        inside = e.a === 'headcount' ? (e.n ?? 0) : 0;
        resetSeq = e.seq;
      }
    }
    admitsTo(Number.MAX_SAFE_INTEGER);
    return inside;
  }

  type Target = { kiosk_id: string; seq: number; kiosk_time_ms: number; decision: string; no_phone: number };
  const target = (sql: Sql, id: string) => sql.get<Target>(TEXTS[sql.dialect].target, [id]);

  /** A correction's step: it undoes an admission of this kiosk's, read from the records. */
  async function correctionStep(sql: Sql, r: SyncRecord & { type: 'correction' }, ms: number, undone: Set<string>, kioskId: string): Promise<DoorStep> {
    // Each undone admission once: a second correction of it changed nothing (corrected_by was set).
    if (!undone.delete(r.correctsId)) return { seq: r.seq, ms, kind: 'none' };
    const t = await target(sql, r.correctsId);
    return t && t.kiosk_id === kioskId && t.decision === 'admit' ? { seq: r.seq, ms, kind: 'undo', targetSeq: t.seq } : { seq: r.seq, ms, kind: 'none' };
  }

  /**
   * Steps the kiosk's door over its records. Race-safe with several hub processes: the row is
   * read FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers), so two
   * batches of one kiosk stored at once step it one after the other.
   */
  async function applyDoor(sql: Sql, kioskId: string, venueId: string, records: readonly SyncRecord[], undone: Set<string>, held = records.length): Promise<void> {
    const q = TEXTS[sql.dialect];
    const row = await sql.get<DoorRow>(sql.dialect === 'postgres' ? `${q.doorRow} FOR UPDATE` : q.doorRow, [kioskId]);
    let c: DoorCount = row ? { inside: row.inside, resetSeq: row.reset_seq, lastSeq: row.last_seq, sinceMs: row.since_ms } : EMPTY_DOOR;
    let stale = row?.stale === 1;
    for (const r of records) {
      // Stepping is exact only in sequence order; a record from before the last one stepped makes the
      // door counted from its records, until a close-out in order starts its figure from zero again.
      if (r.seq <= c.lastSeq) stale = true;
      else if (r.type === 'occupancy' && r.kind === 'close_out') stale = false;
      const ms = Date.parse(r.kioskTime);
      // Only a correction reads the database; every other step is worked out here, without an await.
      c = stepDoor(c, r.type === 'correction' ? await correctionStep(sql, r, ms, undone, kioskId) : doorStep(r, ms));
    }
    await sql.run(q.putDoor, [kioskId, venueId, c.inside, c.resetSeq, c.lastSeq, c.sinceMs, stale ? 1 : 0, held]);
  }

  async function refoldHour(sql: Sql, venueId: string, start: number, fold: (held: readonly HeldEntrance[]) => HourFacts): Promise<void> {
    const q = TEXTS[sql.dialect];
    // On PostgreSQL the hour is locked before its records are read: a batch of another hub process
    // folding into it has committed (and its records are read here) or waits for this one.
    if (sql.dialect === 'postgres') await sql.get(`${q.factsRow} FOR UPDATE`, [venueId, 'hour', start]);
    const held = (await sql.all<HourEntranceRow>(q.hourEntrances, [venueId, start, start + HOUR_MS])).map((r) => toHeld(r, venueId));
    await sql.run(q.putFacts, [venueId, 'hour', start, JSON.stringify(fold(standingAdmissions(held)))]);
  }

  /**
   * Folds the batch into its windows: their facts read in one statement and written in one. Race-safe
   * with several hub processes: on PostgreSQL the rows are read FOR UPDATE (windows not yet written
   * are first created empty by INSERT … ON CONFLICT DO NOTHING, which a second writer waits on, then
   * read locked), so two batches of one venue fold into a window one after the other.
   */
  async function foldWindows(sql: Sql, venueId: string, unordered: readonly Fold[]): Promise<void> {
    if (unordered.length === 0) return;
    // Every batch locks and inserts a venue's windows in one order (kind, then start), so two batches of one
    // venue written side by side on PostgreSQL wait for each other rather than deadlock.
    const windows = [...unordered].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.start - b.start));
    const keyOf = (kind: string, start: number) => `${kind}:${start}`;
    const where = windows.flatMap((w) => [venueId, w.kind, w.start]);
    const read = async () => {
      const rows = await sql.all<{ kind: string; start: number; facts: string }>(factsOf(sql.dialect, windows.length), where);
      return new Map(rows.map((r) => [keyOf(r.kind, r.start), r.facts]));
    };
    let stored = await read();
    const missing = windows.filter((w) => !stored.has(keyOf(w.kind, w.start)));
    if (missing.length > 0 && sql.dialect === 'postgres') {
      await sql.run(putWindows(missing.length, false), missing.flatMap((w) => [venueId, w.kind, w.start, JSON.stringify(w.empty())]));
      stored = await read();
    }
    const values = windows.flatMap((w) => {
      const old = stored.get(keyOf(w.kind, w.start));
      return [venueId, w.kind, w.start, JSON.stringify(w.fold(old === undefined ? w.empty() : JSON.parse(old)))];
    });
    await sql.run(putWindows(windows.length, true), values);
  }

  return {
    async apply(sql, accepted, undoneIds) {
      if (accepted.length === 0) return;
      const q = TEXTS[sql.dialect];
      const first = accepted[0]!;
      const venue = await ctx.venue(sql, first.venueId);
      if (!venue) return;
      const p = policiesFor(await ctx.policies(sql), venue);
      const undone = new Set(undoneIds);
      await applyDoor(sql, first.kioskId, venue.id, accepted, new Set(undone));

      const off = venue.utcOffsetMinutes;
      const entrances: HeldEntrance[] = accepted.flatMap((r) => (r.type === 'entrance' ? [{ record: r, receivedAt: 0, corrected: undone.has(r.id) }] : []));
      const inBatch = new Set(entrances.map((e) => e.record.id));
      // Admissions of earlier batches that this one undid: their hours are folded again from the records
      // (which already hold this batch), their days lose an admission.
      const refold = new Set<number>();
      const dayLoss = new Map<number, number>();
      // The street's days: this batch's admissions that stand, less the earlier ones it undid.
      const street = new Map<number, StreetDayFacts>();
      const toStreet = (day: number, admissions: number, noPhone: number) => {
        const f = street.get(day) ?? { admissions: 0, noPhone: 0 };
        street.set(day, { admissions: f.admissions + admissions, noPhone: f.noPhone + noPhone });
      };
      for (const e of standingAdmissions(entrances)) toStreet(dayStart(Date.parse(e.record.kioskTime), off), 1, isNoPhone(e) ? 1 : 0);
      for (const id of undone) {
        if (inBatch.has(id)) continue;
        const t = await target(sql, id);
        if (!t || t.decision !== 'admit') continue;
        refold.add(hourStart(t.kiosk_time_ms, off));
        const day = dayStart(t.kiosk_time_ms, off);
        dayLoss.set(day, (dayLoss.get(day) ?? 0) + 1);
        toStreet(day, -1, -t.no_phone);
      }
      const byWindow = (key: (ms: number) => number) => {
        const groups = new Map<number, HeldEntrance[]>();
        for (const e of entrances) {
          const k = key(Date.parse(e.record.kioskTime));
          const g = groups.get(k);
          if (g) g.push(e);
          else groups.set(k, [e]);
        }
        return groups;
      };
      const folds: Fold[] = [];
      for (const [start, held] of byWindow((ms) => hourStart(ms, off))) {
        if (refold.has(start)) continue;
        folds.push({ kind: 'hour', start, empty: emptyHour, fold: (old) => foldHour(old as HourFacts, venue, standingAdmissions(held), p.of, p.at) });
      }
      for (const start of refold) await refoldHour(sql, venue.id, start, (admissions) => foldHour(emptyHour(), venue, admissions, p.of, p.at));
      // A day and a week lose the admissions undone; who worked the door (refusals and undone admissions included) stays.
      for (const [kind, key] of [['day', (ms: number) => dayStart(ms, off)], ['week', (ms: number) => weekStart(ms, off)]] as const) {
        const spans = byWindow(key);
        const loss = new Map<number, number>();
        for (const [day, n] of dayLoss) loss.set(key(day), (loss.get(key(day)) ?? 0) + n);
        for (const start of loss.keys()) if (!spans.has(start)) spans.set(start, []);
        for (const [start, held] of spans) {
          folds.push({
            kind,
            start,
            empty: emptySpan,
            fold: (old) => {
              const facts = foldSpan(old as SpanFacts, held);
              return { ...facts, admissions: facts.admissions - (loss.get(start) ?? 0) };
            },
          });
        }
      }
      await foldWindows(sql, venue.id, folds);
      // One statement adds to the row whatever else is stored beside it: race-safe as it stands. Last, on
      // purpose: every batch of the street writes this row, and a row written is held until COMMIT, so
      // hub processes writing side by side on PostgreSQL wait on it for as short a time as can be.
      const shard = streetDayShard(venue.id);
      for (const [day, f] of street) if (f.admissions !== 0 || f.noPhone !== 0) await sql.run(q.addStreetDay, [venue.id, day, shard, f.admissions, f.noPhone]);
    },

    async doors(sql, venueId, now) {
      const from = now - OCCUPANCY_LOOKBACK_MS;
      const rows = await sql.all<{ id: string; entrance_name: string; inside: number | null; since_ms: number | null; stale: number | null }>(TEXTS[sql.dialect].venueDoors, [venueId]);
      const out: DoorInside[] = [];
      for (const d of rows) {
        out.push({
          kioskId: d.id,
          entranceName: d.entrance_name,
          // The running figure holds while it starts inside the lookback; an older one, or a stale one, is counted again.
          inside: d.inside === null ? 0 : d.stale === 1 || (d.since_ms !== null && d.since_ms < from) ? await countDoor(sql, venueId, d.id, now) : d.inside,
        });
      }
      return out;
    },

    hour: (sql, venueId, start) => readFacts(sql, venueId, 'hour', start, emptyHour),
    span: (sql, venueId, kind, start) => readFacts(sql, venueId, kind, start, emptySpan),
    async street(sql, from, to, venueId, withOwn = false) {
      const q = TEXTS[sql.dialect];
      type Sums = { admissions: number | null; no_phone: number | null };
      const r = await sql.get<Sums>(q.streetDays, [venueId, from, to]);
      const own = withOwn ? undefined : await sql.get<Sums>(q.venueNoPhone, [venueId, from, to]);
      return { admissions: (r?.admissions ?? 0) - (own?.admissions ?? 0), noPhone: (r?.no_phone ?? 0) - (own?.no_phone ?? 0) };
    },

    async rebuild(sql, progress = () => {}) {
      const q = TEXTS[sql.dialect];
      return sql.transaction(async (tx) => {
        let written = 0;
        await tx.exec('DELETE FROM door_counts; DELETE FROM window_facts; DELETE FROM street_days;');
        const history = await ctx.policies(tx);
        const kiosks = await tx.all<{ id: string; venue_id: string }>(q.allKiosks);
        for (const k of kiosks) {
          const held = (await tx.get<{ n: number }>(q.heldBy, [k.id]))!.n;
          if (held === 0) continue;
          const after = (await tx.get<{ seq: number | null }>(q.lastReset, [k.id]))?.seq ?? 0;
          // From the close-out itself (seq >= after), so the figure starts at zero there.
          const records = (await tx.all<{ id: string; seq: number; type: string; kiosk_time: string; body: string }>(q.kioskRecords, [k.id, after - 1])).map(
            (r) => ({ ...JSON.parse(r.body), id: r.id, seq: r.seq, type: r.type, kioskTime: r.kiosk_time, kioskId: k.id, venueId: k.venue_id }) as SyncRecord,
          );
          const corrected = await tx.all<{ id: string }>(q.corrected, [k.id]);
          await applyDoor(tx, k.id, k.venue_id, records, new Set(corrected.map((r) => r.id)), held);
        }
        for (const [i, venue] of (await ctx.venues(tx)).entries()) {
          const p = policiesFor(history, venue);
          const range = (await tx.get<{ lo: number | null; hi: number | null }>(q.range, [venue.id]))!;
          if (range.lo === null || range.hi === null) continue;
          const weeks = new Map<number, SpanFacts>();
          for (let day = dayStart(range.lo, venue.utcOffsetMinutes); day <= range.hi; day += DAY_MS) {
            const held = (await tx.all<HourEntranceRow>(q.hourEntrances, [venue.id, day, day + DAY_MS])).map((r) => toHeld(r, venue.id));
            if (held.length === 0) continue;
            const hours = new Map<number, HeldEntrance[]>();
            for (const e of standingAdmissions(held)) {
              const h = hourStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes);
              hours.set(h, [...(hours.get(h) ?? []), e]);
            }
            for (const [h, admissions] of hours) await tx.run(q.putFacts, [venue.id, 'hour', h, JSON.stringify(foldHour(emptyHour(), venue, admissions, p.of, p.at))]);
            const standing = standingAdmissions(held);
            if (standing.length > 0) await tx.run(q.addStreetDay, [venue.id, day, streetDayShard(venue.id), standing.length, standing.filter(isNoPhone).length]);
            await tx.run(q.putFacts, [venue.id, 'day', day, JSON.stringify(foldSpan(emptySpan(), held))]);
            const w = weekStart(day, venue.utcOffsetMinutes);
            weeks.set(w, foldSpan(weeks.get(w) ?? emptySpan(), held));
            written += hours.size + 1;
          }
          for (const [w, facts] of weeks) await tx.run(q.putFacts, [venue.id, 'week', w, JSON.stringify(facts)]);
          written += weeks.size;
          progress(`running figures: venue ${i + 1}, ${written} windows`);
        }
        await tx.run(q.built, [Date.now()]);
        return written;
      });
    },
  };
}

/** A record's step, worked out without a read: every record but a correction (correctionStep). */
function doorStep(r: SyncRecord, ms: number): DoorStep {
  switch (r.type) {
    case 'entrance':
      return { seq: r.seq, ms, kind: r.decision === 'admit' ? 'admit' : 'none' };
    case 'occupancy':
      return r.kind === 'exit'
        ? { seq: r.seq, ms, kind: 'exit', count: r.count }
        : r.kind === 'headcount'
          ? { seq: r.seq, ms, kind: 'headcount', count: r.count }
          : { seq: r.seq, ms, kind: 'close_out' };
    default:
      return { seq: r.seq, ms, kind: 'none' };
  }
}
