import { EVIDENCE_IDS_MAX, dayStart, type StaffReading, type StaffTest, type StaffVaccination, type PolicyInForce, type HeldBooking, type HourFacts, type SpanFacts, type StreetDayFacts, type HeldEntrance, type Reading, type VenueBooking } from '../../../shared/rules/flags/index.js';
import { BookingSettings } from '../../../shared/schemas/booking-settings.js';
import type { JointEnforcementRow } from '../../../shared/schemas/dashboard.js';
import { Flag, FlagStatus, type FlagAction, type RaisedFlag, type Severity } from '../../../shared/schemas/flags.js';
import type { FlagThresholds } from '../../../shared/schemas/policy.js';
import type { EntranceRecord } from '../../../shared/schemas/record.js';
import { jsonIntegers, jsonNumber, jsonText, jsonTexts } from './dialect.js';
import type { FlagVenueRow, RuleContext } from './rule-context.js';
import type { Aggregates } from './aggregates.js';
import type { GroupCommit } from './group-commit.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Dialect, Sql } from './sql.js';

/**
 * Compliance flags: stored one per venue, rule and window, with
 * their evidence, and the life inspectors give them (000 §5): open →
 * acknowledged → rectification ordered (a deadline) → rectified after a visit,
 * or escalated. `facts` are the bounded reads the flag rules are fed from
 * (hub/src/services/flags.ts); they never scan a whole table.
 */

/** An action that does not fit the flag's status; routes answer 409. */
export class FlagTransitionError extends Error {
  constructor(
    readonly status: FlagStatus,
    readonly action: FlagAction['action'],
    message = `a flag that is ${status.replace(/_/g, ' ')} cannot take "${action.replace(/_/g, ' ')}"`,
  ) {
    super(message);
    this.name = 'FlagTransitionError';
  }
}

/** One action on a flag, as flag_events keeps it. */
export interface FlagEvent {
  id: number;
  flagId: number;
  at: number;
  accountId: string | null;
  /** Who acted, by name, for the history an inspector reads. */
  accountName: string | null;
  action: FlagAction['action'];
  note: string | null;
  deadline: number | null;
  visitedAt: number | null;
  /** The on-site inspection that closed the rectification (inspections.ts), if one did. */
  inspectionId: number | null;
}

/** Whose flags: those of the venues inside a scope (store/scope.ts): a community, a street, a district or the city. */
export type FlagScope = Scope;

export interface FlagQuery extends FlagScope {
  status?: FlagStatus[] | undefined;
  venueId?: string | undefined;
  /** Flags raised or changed at or after this instant (ms). */
  since?: number | undefined;
  limit?: number | undefined;
}

export type { JointEnforcementRow };

export type { PolicyInForce };

export type { FlagVenueRow };

/** The reads the flag rules need, each bounded by a venue, a kiosk and a window. */
export interface FlagFacts {
  venue(venueId: string): Promise<FlagVenueRow | undefined>;
  venues(): Promise<FlagVenueRow[]>;
  /**
   * Every policy the street put in force, oldest first, with when and whom it
   * covers (null: the whole street). The rules judge a venue by the
   * versions covering its community: see policiesFor in services/flags.ts.
   */
  policies(): Promise<PolicyInForce[]>;
  /** The running figures of one venue-local hour (aggregates.ts): what the hour rules judge. */
  hour(venueId: string, start: number): Promise<HourFacts>;
  /** The running figures of one venue-local day or ISO week: entrance records, admissions, who was on duty. */
  span(venueId: string, kind: 'day' | 'week', start: number): Promise<SpanFacts>;
  /**
   * The admissions that stand, and those without a phone, of the rest of the venue's street (that
   * venue's own left out, unless `withOwn`: the whole street) over the days starting in [from, to) (aggregates.ts).
   */
  street(from: number, to: number, venueId: string, withOwn?: boolean): Promise<StreetDayFacts>;
  /** The venue's entrance records with kiosk time in [from, to). */
  entrances(venueId: string, from: number, to: number): Promise<HeldEntrance[]>;
  /** Passes issued at the venue in [from, to): the patron scans. */
  scans(venueId: string, from: number, to: number): Promise<{ passes: number; people: number }>;
  /** The kiosk's last `limit` measured temperatures, oldest first, among its records after seq `afterSeq`. */
  readings(kioskId: string, afterSeq: number, limit: number): Promise<Reading[]>;
  /** Not revoked kiosks, with when the hub last received a record from each. */
  kiosks(): Promise<{ id: string; venueId: string; enrolledAt: number; lastRecordAt: number | null }[]>;
  /** The venue's booking settings and when they were saved; undefined when it never set any (no bookings). */
  booking(venueId: string): Promise<VenueBooking | undefined>;
  /**
   * Those of `ids` that are live bookings the hub issued at the venue, by id.
   * A cancelled booking is absent — an admission on it counts as one without
   * a booking (doors are told of cancels and refuse them) — unless someone
   * was admitted on it before it was cancelled: then it was real when used.
   */
  bookings(venueId: string, ids: readonly string[]): Promise<Map<string, HeldBooking>>;
  /** Ledger entries of the venue with kiosk time in [from, to). */
  ledger(venueId: string, from: number, to: number): Promise<{
    disinfections: { recordId: string; doneAt: number }[];
    staffMeasured: string[];
    staffReadings: StaffReading[];
    tests: StaffTest[];
    vaccinations: StaffVaccination[];
  }>;
  /**
   * Entrance records of the venue with kiosk time in [from, to), counted in
   * SQL: how many, the admissions that stand, and who worked the door. A
   * business day that is not a calendar day (a venue open past midnight) has
   * no running figure of its own.
   */
  duty(venueId: string, from: number, to: number): Promise<SpanFacts>;
}

export interface FlagRepository {
  /**
   * Stores what the rules raised, one flag per (venue, rule, window): a new
   * one opens; one still being handled (open, acknowledged, rectification
   * ordered, escalated) takes the new evidence (record ids merged) and the
   * higher severity; a closed one (rectified, withdrawn) is left alone, since
   * an inspector closed it. Returns the flags that are new or changed.
   */
  raise(flags: readonly RaisedFlag[], now: number): Promise<Flag[]>;
  /** Newest first (by when opened). */
  list(query: FlagQuery): Promise<Flag[]>;
  /**
   * The venue's pass_reused / pass_unknown flags raised or changed at exactly
   * `at` (the ingest transaction stamps them with the batch's arrival): one
   * index seek, however many flags the venue has.
   */
  passFlagsAt(venueId: string, at: number): Promise<Flag[]>;
  get(id: number): Promise<Flag | undefined>;
  /** The flag's actions, oldest first. */
  history(flagId: number): Promise<FlagEvent[]>;
  /** Applies an inspector's action; throws FlagTransitionError if the status does not allow it. */
  act(id: number, action: FlagAction, accountId: string, now: number): Promise<Flag>;
  jointEnforcement(scope: FlagScope, now: number, thresholds: FlagThresholds): Promise<JointEnforcementRow[]>;
  facts: FlagFacts;
}

interface FlagRow {
  id: number;
  venue_id: string;
  rule: string;
  severity: Severity;
  window_key: string;
  evidence: string;
  opened_at: number;
  status: FlagStatus;
  updated_at: number | null;
  deadline: number | null;
  note: string | null;
  venue_name: string;
  community_id: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, violation: 2 };
const CLOSED: readonly FlagStatus[] = ['rectified', 'withdrawn'];
const DAY_MS = 86_400_000;
const SELECT_FLAG = `SELECT f.*, v.name AS venue_name, v.community_id FROM flags f JOIN venues v ON v.id = f.venue_id`;

/** Which statuses each action may leave from (000 §5). */
const FROM: Record<FlagAction['action'], readonly FlagStatus[]> = {
  acknowledge: ['open'],
  order_rectification: ['open', 'acknowledged'],
  // The visit that finds it put right follows an order (its deadline is what it is held to).
  mark_rectified: ['rectification_ordered'],
  escalate: ['open', 'acknowledged', 'rectification_ordered'],
  withdraw: ['open', 'acknowledged', 'rectification_ordered', 'escalated'],
};
const TO: Record<FlagAction['action'], FlagStatus> = {
  acknowledge: 'acknowledged',
  order_rectification: 'rectification_ordered',
  mark_rectified: 'rectified',
  escalate: 'escalated',
  withdraw: 'withdrawn',
};

/**
 * New evidence over old: the rule's figures replace the old ones (a rule
 * recomputes its whole window); record ids are merged, oldest kept first, so
 * nothing an inspector already saw disappears.
 */
export function mergeEvidence(old: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...old, ...next };
  if (Array.isArray(old.recordIds) && Array.isArray(next.recordIds)) {
    merged.recordIds = [...new Set([...old.recordIds, ...next.recordIds])].slice(0, EVIDENCE_IDS_MAX);
  }
  return merged;
}

type EntranceRow = { id: string; kiosk_id: string; seq: number; venue_id: string; kiosk_time: string; operator_id: string | null; received_at: number; body: string; corrected_by: string | null };
type EventRow = { id: number; flag_id: number; at: number; account_id: string | null; account_name: string | null; action: FlagAction['action']; note: string | null; deadline: number | null; visited_at: number | null; inspection_id: number | null };
type KeyRow = { id: number; severity: Severity; evidence: string; status: FlagStatus };

/** The statements, in the SQL of one dialect: built once per dialect. */
function statements(d: Dialect) {
  // On PostgreSQL a flag read to be changed is locked until the transaction ends, so two hub
  // processes changing one flag do it one after the other (SQLite's BEGIN IMMEDIATE serialises writers).
  const locked = d === 'postgres' ? ' FOR UPDATE' : '';
  return {
    byKey: `SELECT id, severity, evidence, status FROM flags WHERE venue_id = ? AND rule = ? AND window_key = ?${locked}`,
    // A flag another process opened meanwhile is left to the update path: no second row, no unique-key error.
    insert: `INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (venue_id, rule, window_key) DO NOTHING RETURNING id`,
    update: 'UPDATE flags SET severity = ?, evidence = ?, updated_at = ? WHERE id = ?',
    byId: `${SELECT_FLAG} WHERE f.id = ?`,
    byIds: `${SELECT_FLAG} WHERE f.id IN (${jsonIntegers(d)})`,
    statusOf: `SELECT status, venue_id, opened_at FROM flags WHERE id = ?${locked}`,
    passFlagRows: `${SELECT_FLAG} WHERE f.venue_id = ? AND f.updated_at = ? AND f.rule IN ('pass_reused', 'pass_unknown') ORDER BY f.id`,
    orderedAtOf: "SELECT max(at) AS at FROM flag_events WHERE flag_id = ? AND action = 'order_rectification'",
    events: 'SELECT e.*, a.name AS account_name FROM flag_events e LEFT JOIN accounts a ON a.id = e.account_id WHERE e.flag_id = ? ORDER BY e.at, e.id',
    setStatus: 'UPDATE flags SET status = ?, updated_at = ?, deadline = coalesce(CAST(? AS BIGINT), deadline), note = coalesce(CAST(? AS TEXT), note) WHERE id = ?',
    addEvent: 'INSERT INTO flag_events (flag_id, at, account_id, action, note, deadline, visited_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    repeatViolations: `SELECT f.venue_id, count(*) AS n FROM flags f JOIN venues v ON v.id = f.venue_id JOIN communities c ON c.id = v.community_id
      WHERE f.opened_at >= ? AND f.severity = 'violation' AND f.status != 'withdrawn' AND ${communityInScope('c')}
      GROUP BY f.venue_id`,
    missed: `SELECT f.venue_id, count(*) AS n FROM flags f JOIN venues v ON v.id = f.venue_id JOIN communities c ON c.id = v.community_id
      WHERE f.deadline IS NOT NULL AND f.deadline < ? AND f.status != 'withdrawn' AND ${communityInScope('c')}
        AND NOT EXISTS (SELECT 1 FROM flag_events e WHERE e.flag_id = f.id AND e.action = 'mark_rectified' AND e.at <= f.deadline)
      GROUP BY f.venue_id`,
    venueNames: 'SELECT v.id, v.name, v.community_id, c.name AS community_name FROM venues v JOIN communities c ON c.id = v.community_id',

    // Facts.
    entranceRows: `SELECT k.id, k.kiosk_id, k.seq, k.venue_id, k.kiosk_time, k.operator_id, k.received_at, k.body, e.corrected_by
       FROM kiosk_records k JOIN entrance_records e ON e.id = k.id
      WHERE k.venue_id = ? AND k.type = 'entrance' AND k.kiosk_time_ms >= ? AND k.kiosk_time_ms < ?
      ORDER BY k.kiosk_time_ms, k.kiosk_id, k.seq`,
    scanCount: 'SELECT count(*) AS passes, sum(people) AS people FROM passes WHERE venue_id = ? AND issued_at >= ? AND issued_at < ?',
    readingRows: `SELECT id, kiosk_time_ms, ${jsonNumber(d, 'checks', ['temperature', 'celsius'])} AS celsius FROM entrance_records
      WHERE kiosk_id = ? AND seq > ? AND ${jsonText(d, 'checks', ['temperature', 'outcome'])} = 'measured'
      ORDER BY seq DESC LIMIT ?`,
    kioskRows: `SELECT k.id, k.venue_id, k.enrolled_at,
            (SELECT r.received_at FROM kiosk_records r WHERE r.kiosk_id = k.id ORDER BY r.seq DESC LIMIT 1) AS last_record_at
       FROM kiosks k WHERE k.revoked_at IS NULL ORDER BY k.id`,
    ledgerRows: `SELECT id, type, kiosk_time_ms, body FROM kiosk_records
      WHERE venue_id = ? AND type IN ('disinfection', 'staff_temperature', 'staff_health') AND kiosk_time_ms >= ? AND kiosk_time_ms < ?`,
    dutyRows: `SELECT operator_id, count(*) AS entrances, sum(CASE WHEN decision = 'admit' AND corrected_by IS NULL THEN 1 ELSE 0 END) AS admissions FROM entrance_records
      WHERE venue_id = ? AND kiosk_time_ms >= ? AND kiosk_time_ms < ? GROUP BY operator_id`,
    bookingRow: 'SELECT mode, slot_minutes, slot_cap, max_party, days_ahead, updated_at FROM venue_booking WHERE venue_id = ?',
    // By primary key, one id per row of the batch's records: bounded by the batch.
    bookingRows: `SELECT b.id, b.slot_start, b.slot_end FROM bookings b
      WHERE b.venue_id = ? AND b.id IN (${jsonTexts(d)})
        AND (b.cancelled_at IS NULL OR EXISTS (
          SELECT 1 FROM entrance_records e
           WHERE e.pass_id = b.id AND e.decision = 'admit' AND e.corrected_by IS NULL AND e.kiosk_time_ms <= b.cancelled_at))`,
  };
}

const TEXTS: Record<Dialect, ReturnType<typeof statements>> = { sqlite: statements('sqlite'), postgres: statements('postgres') };

export function createFlagRepository(sql: Sql, ctx: RuleContext, aggregates: Aggregates, commits: GroupCommit): FlagRepository {
  const q = TEXTS[sql.dialect];

  const toFlag = (r: FlagRow): Flag =>
    Flag.parse({
      id: r.id,
      venueId: r.venue_id,
      venueName: r.venue_name,
      communityId: r.community_id,
      rule: r.rule,
      severity: r.severity,
      windowKey: r.window_key,
      evidence: JSON.parse(r.evidence),
      status: r.status,
      openedAt: r.opened_at,
      updatedAt: r.updated_at ?? r.opened_at,
      deadline: r.deadline,
      note: r.note,
    });

  async function raiseAll(tx: Sql, flags: readonly RaisedFlag[], now: number): Promise<number[]> {
    const changed: number[] = [];
    for (const f of flags) {
      let old = await tx.get<KeyRow>(q.byKey, [f.venueId, f.rule, f.windowKey]);
      if (!old) {
        const made = await tx.get<{ id: number }>(q.insert, [f.venueId, f.rule, f.severity, f.windowKey, JSON.stringify(f.evidence), now, now]);
        if (made) {
          changed.push(made.id);
          continue;
        }
        // Another hub process opened it since the read: take the new evidence as for any open flag.
        old = (await tx.get<KeyRow>(q.byKey, [f.venueId, f.rule, f.windowKey]))!;
      }
      if (CLOSED.includes(old.status)) continue;
      const evidence = JSON.stringify(mergeEvidence(JSON.parse(old.evidence) as Record<string, unknown>, f.evidence));
      const severity = RANK[f.severity] > RANK[old.severity] ? f.severity : old.severity;
      if (evidence === old.evidence && severity === old.severity) continue;
      await tx.run(q.update, [severity, evidence, now, old.id]);
      changed.push(old.id);
    }
    return changed;
  }

  async function act(tx: Sql, id: number, action: FlagAction, accountId: string, now: number): Promise<void> {
    // Locked on PostgreSQL: the status checked is the status changed.
    const row = await tx.get<{ status: FlagStatus; venue_id: string; opened_at: number }>(q.statusOf, [id]);
    if (!row) throw new RangeError(`no flag ${id}`);
    if (!FROM[action.action].includes(row.status)) throw new FlagTransitionError(row.status, action.action);
    let deadline: number | null = null;
    let visitedAt: number | null = null;
    const note = action.action === 'acknowledge' ? null : action.note;
    if (action.action === 'order_rectification') {
      // The deadline is the end of that date at the venue (整改期限, 000 §5).
      const offset = (await ctx.venue(tx, row.venue_id))!.utcOffsetMinutes;
      const midnight = dayStart(Date.parse(`${action.deadline}T12:00:00Z`) - offset * 60_000, offset);
      deadline = midnight + DAY_MS - 1;
      if (deadline < now) throw new FlagTransitionError(row.status, action.action, `the deadline ${action.deadline} has already passed`);
    }
    if (action.action === 'mark_rectified') {
      // The visit that finds it put right happened after the order, and not in the future.
      visitedAt = Date.parse(action.visitedAt);
      const orderedAt = (await tx.get<{ at: number | null }>(q.orderedAtOf, [id]))?.at ?? row.opened_at;
      if (visitedAt > now || visitedAt < orderedAt) {
        throw new FlagTransitionError(row.status, action.action, 'the visit must be after the rectification was ordered and not in the future');
      }
    }
    await tx.run(q.setStatus, [TO[action.action], now, deadline, note, id]);
    await tx.run(q.addEvent, [id, now, accountId, action.action, note, deadline, visitedAt]);
  }

  const byId = async (id: number) => {
    const row = await sql.get<FlagRow>(q.byId, [id]);
    return row && toFlag(row);
  };

  return {
    async raise(flags, now) {
      if (flags.length === 0) return [];
      // Shares the commit of the batches being written beside it.
      const ids = await commits.write((tx) => raiseAll(tx, flags, now), flags.length);
      if (ids.length === 0) return [];
      // One read for them all, in the order raised.
      const rows = new Map((await sql.all<FlagRow>(q.byIds, [JSON.stringify(ids)])).map((r) => [r.id, r]));
      return ids.map((id) => toFlag(rows.get(id)!));
    },
    async list({ communityId, streetId, districtId, status, venueId, since, limit = 200 }) {
      // Always cut to the scope (store/scope.ts), the whole city's included (every field null): one text per filter set.
      const where: string[] = [communityInScope('c')];
      const params: (string | number | null)[] = scopeParams({ communityId, streetId, districtId });
      if (venueId !== undefined) where.push('f.venue_id = ?'), params.push(venueId);
      if (status && status.length > 0) where.push(`f.status IN (${status.map(() => '?').join(', ')})`), params.push(...status);
      if (since !== undefined) where.push('coalesce(f.updated_at, f.opened_at) >= ?'), params.push(since);
      // The text depends only on which filters are given (values are parameters): a few texts in all.
      const text = `${SELECT_FLAG} JOIN communities c ON c.id = v.community_id WHERE ${where.join(' AND ')} ORDER BY f.opened_at DESC, f.id DESC LIMIT ?`;
      return (await sql.all<FlagRow>(text, [...params, Math.min(Math.max(1, limit), 1000)])).map(toFlag);
    },
    async passFlagsAt(venueId, at) {
      return (await sql.all<FlagRow>(q.passFlagRows, [venueId, at])).map(toFlag);
    },
    get: byId,
    async history(flagId) {
      return (await sql.all<EventRow>(q.events, [flagId])).map((e) => ({ id: e.id, flagId: e.flag_id, at: e.at, accountId: e.account_id, accountName: e.account_name, action: e.action, note: e.note, deadline: e.deadline, visitedAt: e.visited_at, inspectionId: e.inspection_id }));
    },
    async act(id, action, accountId, now) {
      await sql.transaction((tx) => act(tx, id, action, accountId, now));
      return (await byId(id))!;
    },
    async jointEnforcement(scope, now, thresholds) {
      const rows = new Map<string, { violations: number; missedDeadlines: number }>();
      const row = (venueId: string) => rows.get(venueId) ?? rows.set(venueId, { violations: 0, missedDeadlines: 0 }).get(venueId)!;
      type Count = { venue_id: string; n: number };
      for (const r of await sql.all<Count>(q.repeatViolations, [now - thresholds.repeatWindowDays * DAY_MS, ...scopeParams(scope)])) {
        if (r.n >= thresholds.repeatViolations) row(r.venue_id).violations = r.n;
      }
      for (const r of await sql.all<Count>(q.missed, [now, ...scopeParams(scope)])) row(r.venue_id).missedDeadlines = r.n;
      const names = new Map((await sql.all<{ id: string; name: string; community_id: string; community_name: string }>(q.venueNames)).map((v) => [v.id, v]));
      return [...rows]
        .map(([venueId, r]) => ({
          venueId,
          venueName: names.get(venueId)!.name,
          communityId: names.get(venueId)!.community_id,
          communityName: names.get(venueId)!.community_name,
          ...r,
        }))
        .sort((a, b) => b.missedDeadlines + b.violations - (a.missedDeadlines + a.violations) || a.venueId.localeCompare(b.venueId));
    },
    facts: {
      venue: (venueId) => ctx.venue(sql, venueId),
      venues: () => ctx.venues(sql),
      policies: () => ctx.policies(sql),
      hour: (venueId, start) => aggregates.hour(sql, venueId, start),
      span: (venueId, kind, start) => aggregates.span(sql, venueId, kind, start),
      street: (from, to, venueId, withOwn) => aggregates.street(sql, from, to, venueId, withOwn),
      async entrances(venueId, from, to) {
        return (await sql.all<EntranceRow>(q.entranceRows, [venueId, from, to])).map((r) => ({
          // Stored bodies were validated on the way in; the rules read the record's own fields.
          record: { ...JSON.parse(r.body), type: 'entrance', id: r.id, venueId: r.venue_id, kioskId: r.kiosk_id, seq: r.seq, kioskTime: r.kiosk_time, operatorId: r.operator_id ?? '' } as EntranceRecord,
          receivedAt: r.received_at,
          corrected: r.corrected_by !== null,
        }));
      },
      async scans(venueId, from, to) {
        const r = (await sql.get<{ passes: number; people: number | null }>(q.scanCount, [venueId, from, to]))!;
        return { passes: r.passes, people: r.people ?? 0 };
      },
      async readings(kioskId, afterSeq, limit) {
        const rows = await sql.all<{ id: string; kiosk_time_ms: number; celsius: number }>(q.readingRows, [kioskId, afterSeq, limit]);
        return rows.reverse().map((r) => ({ recordId: r.id, celsius: r.celsius, kioskTimeMs: r.kiosk_time_ms }));
      },
      async kiosks() {
        const rows = await sql.all<{ id: string; venue_id: string; enrolled_at: number; last_record_at: number | null }>(q.kioskRows);
        return rows.map((k) => ({ id: k.id, venueId: k.venue_id, enrolledAt: k.enrolled_at, lastRecordAt: k.last_record_at }));
      },
      async booking(venueId) {
        const r = await sql.get<{ mode: string; slot_minutes: number; slot_cap: number; max_party: number; days_ahead: number; updated_at: number }>(q.bookingRow, [venueId]);
        if (!r) return undefined;
        // Stored settings were validated when saved; parse so a hand-edited row fails loudly.
        const settings = BookingSettings.parse({ mode: r.mode, slotMinutes: r.slot_minutes, slotCap: r.slot_cap, maxParty: r.max_party, daysAhead: r.days_ahead });
        return { settings, since: r.updated_at };
      },
      async bookings(venueId, ids) {
        if (ids.length === 0) return new Map();
        const rows = await sql.all<{ id: string; slot_start: number; slot_end: number }>(q.bookingRows, [venueId, JSON.stringify([...new Set(ids)])]);
        return new Map(rows.map((r) => [r.id, { id: r.id, slotStart: r.slot_start, slotEnd: r.slot_end }]));
      },
      async ledger(venueId, from, to) {
        const out = {
          disinfections: [] as { recordId: string; doneAt: number }[],
          staffMeasured: [] as string[],
          staffReadings: [] as StaffReading[],
          tests: [] as StaffTest[],
          vaccinations: [] as StaffVaccination[],
        };
        for (const r of await sql.all<{ id: string; type: string; kiosk_time_ms: number; body: string }>(q.ledgerRows, [venueId, from, to])) {
          const body = JSON.parse(r.body) as { doneAt?: string; staffId?: string; lastTestDate?: string; celsius?: number; vaccination?: StaffVaccination['vaccination'] };
          if (r.type === 'disinfection' && body.doneAt) out.disinfections.push({ recordId: r.id, doneAt: Date.parse(body.doneAt) });
          if (r.type === 'staff_temperature' && body.staffId) {
            out.staffMeasured.push(body.staffId);
            if (typeof body.celsius === 'number') out.staffReadings.push({ recordId: r.id, staffId: body.staffId, celsius: body.celsius });
          }
          if (r.type === 'staff_health' && body.staffId && body.lastTestDate) out.tests.push({ recordId: r.id, staffId: body.staffId, lastTestDate: body.lastTestDate });
          if (r.type === 'staff_health' && body.staffId && body.vaccination) out.vaccinations.push({ recordId: r.id, staffId: body.staffId, vaccination: body.vaccination, at: r.kiosk_time_ms });
        }
        return out;
      },
      async duty(venueId, from, to) {
        const facts: SpanFacts = { entrances: 0, admissions: 0, onDuty: {} };
        for (const r of await sql.all<{ operator_id: string | null; entrances: number; admissions: number }>(q.dutyRows, [venueId, from, to])) {
          facts.entrances += r.entrances;
          facts.admissions += r.admissions;
          // Records stored before operators were kept name nobody.
          if (r.operator_id) facts.onDuty[r.operator_id] = r.entrances;
        }
        return facts;
      },
    },
  };
}
