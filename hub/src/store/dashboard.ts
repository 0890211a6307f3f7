import { z } from 'zod';
import { capacityCap } from '../../../shared/rules/capacity.js';
import { dayStart } from '../../../shared/rules/flags/index.js';
import { occupancyFrom } from '../../../shared/rules/occupancy.js';
import type {
  LogRecord,
  Ranking,
  RankingRow,
  RecordsPage,
  RecordsQuery,
  StreetOverview,
  StreetTrends,
  VenueDay,
  VenueNames,
  VenueStatus,
  VenueSummary,
  WeeklyReport,
  WeeklyReportRow,
} from '../../../shared/schemas/dashboard.js';
import { FlagRule } from '../../../shared/schemas/flags.js';
import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import {
  DisinfectionRecord,
  StaffHealthRecord,
  StaffTemperatureRecord,
  VenueCheckRecord,
  type SyncRecord,
} from '../../../shared/schemas/record.js';
import { OpeningHours, VenueType } from '../../../shared/schemas/venue.js';
import type { Aggregates } from './aggregates.js';
import { jsonNumber, jsonText, jsonTexts, unindexed } from './dialect.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Sql } from './sql.js';

/** Which venues a query covers: the account's scope (store/scope.ts), a community, a street, a district or the city. */
export type { Scope };

/** The venue's own ledgers (台账, 000 §2(2)(2)–(4)) as the kiosk sent them, with the hub's receipt time. */
export const LedgerRecord = z.discriminatedUnion('type', [VenueCheckRecord, DisinfectionRecord, StaffTemperatureRecord, StaffHealthRecord]);
export type LedgerEntry = z.infer<typeof LedgerRecord> & { receivedAt: number };
/**
 * A stored ledger row that no longer fits the schema (kept under an older one, e.g. a kiosk time
 * written as +23:59 before such offsets were refused): named, never shown as if it were read.
 */
export interface UnreadableLedgerRow {
  id: string;
  type: string;
  kioskTime: string;
}
/** The ledger entries of a window, and the stored rows that could not be read. */
export interface Ledgers {
  items: LedgerEntry[];
  unreadable: UnreadableLedgerRow[];
}
const LEDGER_TYPES = LedgerRecord.options.map((o) => o.shape.type.value);
/** A venue page shows at most this many ledger entries per query. */
export const MAX_LEDGER_ENTRIES = 2000;

/**
 * The inspectors' read model: what the dashboard shows, read from the
 * entrance log, the ledger, passes and flags. Never writes.
 */
export interface DashboardRepository {
  /** Every venue in scope by community, with its status, people inside against the cap and today's admissions. */
  overview(scope: Scope, now: number): Promise<StreetOverview>;
  /** Each venue's admissions and flags by hour today and by day over the week, and its scan rate (street overview charts). */
  trends(scope: Scope, now: number): Promise<StreetTrends>;
  /** The venue's entrance log, newest first; `from` inclusive, `to` exclusive (ms, kiosk time). */
  records(venueId: string, q: RecordsQuery): Promise<RecordsPage>;
  /** One venue-local day in hours, and the outcome of each check; undefined for an unknown venue. */
  day(venueId: string, date: string): Promise<VenueDay | undefined>;
  /** Venues in scope over the 7 venue-local days ending on `date`, against the 7 days before. */
  ranking(date: string, scope: Scope): Promise<Ranking>;
  /** The weekly report (每周报送一次, 000 §4) for an ISO week like `2026-W47`, venue-local. */
  weeklyReport(week: string, scope: Scope): Promise<WeeklyReport>;
  /** The community a venue belongs to, for scope checks; undefined if there is no such venue. */
  venueCommunity(venueId: string): Promise<string | undefined>;
  /**
   * Ledger entries kept at the venue between `from` (inclusive) and `to` (exclusive), newest first,
   * and the rows that no longer fit the schema, left out and named (the page says how many).
   */
  ledgers(venueId: string, from: number, to: number): Promise<Ledgers>;
  /** The venue's kiosks (revoked and retired ones too) and door staff (inactive too) by name. */
  names(venueId: string): Promise<VenueNames>;
  /** Which of these entrance records were undone at the door by a correction. */
  undone(recordIds: readonly string[]): Promise<string[]>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Same lookback as the kiosk and hub/src/sockets/kiosks.ts: counting restarts at a close-out, or after 36 h without one. */
const OCCUPANCY_LOOKBACK_MS = 36 * HOUR;
/** How far before its close-out a later record of the same door may be stamped (a clock set back). */
const CLOCK_MARGIN_MS = HOUR;
/** Flags still waiting for the inspectors: everything but rectified and withdrawn. */
const OPEN_FLAG = "status NOT IN ('rectified', 'withdrawn')";

interface VenueRow {
  id: string;
  name: string;
  type: string;
  rated_capacity: number;
  opening_hours: string | null;
  utc_offset_minutes: number;
  community_id: string;
  community_name: string;
  street_id: string;
}

interface VenueInfo {
  id: string;
  name: string;
  type: VenueType;
  ratedCapacity: number;
  openingHours: OpeningHours;
  utcOffsetMinutes: number;
  communityId: string;
  communityName: string;
  streetId: string;
}

const toVenue = (r: VenueRow): VenueInfo => ({
  id: r.id,
  name: r.name,
  type: VenueType.parse(r.type),
  ratedCapacity: r.rated_capacity,
  openingHours: OpeningHours.parse(r.opening_hours === null ? null : JSON.parse(r.opening_hours)),
  utcOffsetMinutes: r.utc_offset_minutes,
  communityId: r.community_id,
  communityName: r.community_name,
  streetId: r.street_id,
});

/** Start of the venue-local calendar day `date` (YYYY-MM-DD), in ms. */
export function localDayStart(date: string, utcOffsetMinutes: number): number {
  return Date.parse(`${date}T00:00:00.000Z`) - utcOffsetMinutes * 60_000;
}

/**
 * Monday 00:00 UTC of an ISO week `YYYY-Www` (week 1 holds 4 January). Throws
 * a RangeError for week 53 of a year that has 52.
 */
export function isoWeekMonday(week: string): number {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new RangeError(`not an ISO week: ${week}`);
  const year = Number(m[1]);
  const w = Number(m[2]);
  const jan4 = Date.UTC(year, 0, 4);
  const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  const monday = monday1 + (w - 1) * 7 * DAY;
  const thursday = new Date(monday + 3 * DAY);
  if (w < 1 || thursday.getUTCFullYear() !== year) throw new RangeError(`${year} has no week ${w}`);
  return monday;
}

/** One row the occupancy fold reads: only the fields occupancyFrom looks at. */
interface FoldRow {
  seq: number;
  type: 'entrance' | 'correction' | 'occupancy';
  ms: number;
  /** entrance: decision; correction: the seq of the admission it undoes; occupancy: kind. */
  a: string;
  n: number | null;
}

function toFold(r: FoldRow): SyncRecord {
  const rec =
    r.type === 'entrance'
      ? { type: r.type, id: String(r.seq), decision: r.a }
      : r.type === 'correction'
        ? { type: r.type, id: `c${r.seq}`, correctsId: r.a }
        : { type: r.type, id: `o${r.seq}`, kind: r.a, count: r.n ?? 0 };
  // The stored bodies were validated on the way in, and occupancyFrom reads only these fields;
  // parsing whole bodies (checks and all) would cost the overview most of its time.
  return rec as unknown as SyncRecord;
}

export function createDashboardRepository(sql: Sql, aggregates: Aggregates): DashboardRepository {
  const d = sql.dialect;
  // Every text below is built once, here: values are always `?` parameters.
  // A policy is street-wide or for one community; a venue is under its community's, the table
  // community_policy (as policies.activeFor reads it). A NULL body is the normal preset.
  // A street's own street-wide versions: one street's thresholds never judge another's venues.
  const streetPolicy = 'SELECT body FROM policies WHERE community_id IS NULL AND street_id = ? ORDER BY version DESC LIMIT 1';
  const communityPolicy = 'SELECT body FROM community_policy WHERE community_id = ?';
  // The communities of a scope (store/scope.ts: the one way a query is cut to a scope).
  const communities = `SELECT c.id, c.name FROM communities c WHERE ${communityInScope('c')} ORDER BY c.id`;
  const venueCols = `v.id, v.name, v.type, v.rated_capacity, v.opening_hours, v.utc_offset_minutes, v.community_id, c.name AS community_name, c.street_id
    FROM venues v JOIN communities c ON c.id = v.community_id`;
  const venuesIn = `SELECT ${venueCols} WHERE ${communityInScope('c')} ORDER BY v.community_id, v.name, v.id`;
  const venueById = `SELECT ${venueCols} WHERE v.id = ?`;
  const communityOf = 'SELECT community_id FROM venues WHERE id = ?';
  const openFlags = `SELECT f.venue_id, count(*) AS n, max(CASE f.severity WHEN 'violation' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END) AS worst
       FROM flags f JOIN venues v ON v.id = f.venue_id JOIN communities c ON c.id = v.community_id
      WHERE f.${OPEN_FLAG} AND ${communityInScope('c')} GROUP BY f.venue_id`;
  // Orders holding a venue now (停业整顿): started, not ended, not lifted.
  const suspendedNow = 'SELECT id, venue_id, from_date, to_date, reason FROM venue_suspensions WHERE starts_at <= ? AND ends_at > ? AND lifted_at IS NULL ORDER BY id';
  // Numbered in the order they were enrolled (the id breaks a tie, as the kiosk list does).
  const kioskNames =
    'SELECT k.id, k.entrance_id, e.name AS entrance FROM kiosks k JOIN entrances e ON e.id = k.entrance_id WHERE k.venue_id = ? ORDER BY k.enrolled_at, k.id';
  const staffNames = 'SELECT id, name FROM venue_staff WHERE venue_id = ?';
  const correctedIds = `SELECT id FROM entrance_records WHERE id IN (${jsonTexts(d)}) AND corrected_by IS NOT NULL ORDER BY id`;
  async function namesOf(venueId: string): Promise<VenueNames> {
    const rows = await sql.all<{ id: string; entrance_id: string; entrance: string }>(kioskNames, [venueId]);
    const perEntrance = new Map<string, number>();
    for (const r of rows) perEntrance.set(r.entrance_id, (perEntrance.get(r.entrance_id) ?? 0) + 1);
    const seen = new Map<string, number>();
    const kiosks: VenueNames['kiosks'] = {};
    for (const r of rows) {
      const n = (seen.get(r.entrance_id) ?? 0) + 1;
      seen.set(r.entrance_id, n);
      kiosks[r.id] = { entrance: r.entrance, n, of: perEntrance.get(r.entrance_id)! };
    }
    const staff = await sql.all<{ id: string; name: string }>(staffNames, [venueId]);
    return { kiosks, staff: Object.fromEntries(staff.map((r) => [r.id, r.name])) };
  }
  const kiosksOf = 'SELECT id, last_seen_at FROM kiosks WHERE venue_id = ? AND revoked_at IS NULL ORDER BY id';
  // The kiosk's highest seq is the record it sent last (the outbox sends oldest first): one index seek.
  const lastRecord = 'SELECT received_at FROM kiosk_records WHERE kiosk_id = ? ORDER BY seq DESC LIMIT 1';
  // The fold reads admissions from the partial index entrance_records_kiosk_admits alone (no
  // table row, no JSON: most of the rows), and the few corrections and door events from the
  // ledger, merged by seq. An admission goes into the fold named by its seq; a correction names
  // the seq of the record it undoes at this kiosk, so occupancyFrom matches them as by id.
  const admits = `SELECT seq, kiosk_time_ms AS ms FROM entrance_records
        WHERE kiosk_id = ? AND kiosk_time_ms >= ? AND kiosk_time_ms < ? AND decision = 'admit' AND seq > ?`;
  // By the venue/type/time index (kiosk and seq kept out of SQLite's plan): the window's few door events.
  const doorEvents = `SELECT seq, type, kiosk_time_ms AS ms,
            CASE type WHEN 'correction' THEN ${jsonText(d, 'body', ['correctsId'])} ELSE ${jsonText(d, 'body', ['kind'])} END AS a,
            CASE type WHEN 'occupancy' THEN ${jsonNumber(d, 'body', ['count'])} END AS n
       FROM kiosk_records
      WHERE venue_id = ? AND type IN ('correction', 'occupancy') AND kiosk_time_ms >= ? AND kiosk_time_ms < ?
        AND ${unindexed(d, 'kiosk_id')} = ? AND ${unindexed(d, 'seq')} > ?`;
  const seqOf = 'SELECT seq FROM entrance_records WHERE id = ? AND kiosk_id = ?';
  /** The door's records the fold reads, past seq `after` and in [from, to), in seq order. */
  async function foldRows(venueId: string, kioskId: string, after: number, from: number, to: number): Promise<FoldRow[]> {
    const admitted = await sql.all<{ seq: number; ms: number }>(admits, [kioskId, from, to, after]);
    const rows: FoldRow[] = admitted.map(({ seq, ms }) => ({ seq, type: 'entrance', ms, a: 'admit', n: null }));
    for (const e of await sql.all<FoldRow>(doorEvents, [venueId, from, to, kioskId, after])) {
      if (e.type === 'correction') e.a = String((await sql.get<{ seq: number }>(seqOf, [e.a, kioskId]))?.seq ?? `other:${e.a}`);
      rows.push(e);
    }
    return rows.sort((x, y) => x.seq - y.seq);
  }
  /** 1 where the condition holds, else 0: summed to count (PostgreSQL's comparisons are booleans). */
  const one = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;
  // Counts read the covering index entrance_records_venue_outcome only (migration 8).
  const stats = `SELECT coalesce(sum(${one("decision = 'admit'")}), 0) AS admissions, coalesce(sum(${one("decision = 'refuse'")}), 0) AS refusals,
            coalesce(sum(${one('skipped_count > 0')}), 0) AS skipped, count(*) AS total
       FROM entrance_records WHERE venue_id = ? AND kiosk_time_ms >= ? AND kiosk_time_ms < ? AND corrected_by IS NULL`;
  const scansIn = 'SELECT count(*) AS n FROM passes WHERE venue_id = ? AND issued_at >= ? AND issued_at < ?';
  // Hour and day numbers from the window's start: integer division on both (the times are at or after it).
  const hourly = `SELECT CAST((kiosk_time_ms - ?) / ${HOUR} AS INTEGER) AS h, sum(${one("decision = 'admit'")}) AS admissions, sum(${one("decision = 'refuse'")}) AS refusals
       FROM entrance_records WHERE venue_id = ? AND kiosk_time_ms >= ? AND kiosk_time_ms < ? AND corrected_by IS NULL
      GROUP BY 1`;
  const hourlyScans = `SELECT CAST((issued_at - ?) / ${HOUR} AS INTEGER) AS h, count(*) AS n FROM passes
      WHERE venue_id = ? AND issued_at >= ? AND issued_at < ? GROUP BY 1`;
  const daily = `SELECT CAST((kiosk_time_ms - ?) / ${DAY} AS INTEGER) AS d, sum(${one("decision = 'admit'")}) AS admissions
       FROM entrance_records WHERE venue_id = ? AND kiosk_time_ms >= ? AND kiosk_time_ms < ? AND corrected_by IS NULL
      GROUP BY 1`;
  const flagTimes = "SELECT opened_at FROM flags WHERE venue_id = ? AND opened_at >= ? AND opened_at < ? AND status != 'withdrawn'";
  // Each record's checks object, one row per check (name, outcome). The one query whose JSON has
  // no shared spelling: SQLite's json_each and PostgreSQL's jsonb_each both give key and value.
  const breakdown =
    d === 'sqlite'
      ? `SELECT c.key AS name, json_extract(c.value, '$.outcome') AS outcome, count(*) AS n
           FROM entrance_records r, json_each(r.checks) c
          WHERE r.venue_id = ? AND r.kiosk_time_ms >= ? AND r.kiosk_time_ms < ? AND r.corrected_by IS NULL
          GROUP BY 1, 2`
      : `SELECT c.key AS name, c.value ->> 'outcome' AS outcome, count(*) AS n
           FROM entrance_records r, jsonb_each(CAST(r.checks AS jsonb)) c
          WHERE r.venue_id = ? AND r.kiosk_time_ms >= ? AND r.kiosk_time_ms < ? AND r.corrected_by IS NULL
          GROUP BY 1, 2`;
  const ledgerRows = `SELECT id, kiosk_id, seq, venue_id, type, kiosk_time, received_at, operator_id, body FROM kiosk_records
      WHERE venue_id = ? AND type IN (${LEDGER_TYPES.map((t) => `'${t}'`).join(', ')}) AND kiosk_time_ms >= ? AND kiosk_time_ms < ?
      ORDER BY kiosk_time_ms DESC, seq DESC LIMIT ?`;
  const flagsOpened = "SELECT venue_id, rule, severity, opened_at FROM flags WHERE opened_at >= ? AND opened_at < ? AND status != 'withdrawn'";
  const flagLives = `SELECT f.id, f.venue_id, f.status, f.deadline,
            (SELECT min(e.at) FROM flag_events e WHERE e.flag_id = f.id AND e.action = 'order_rectification') AS ordered_at,
            (SELECT min(e.at) FROM flag_events e WHERE e.flag_id = f.id AND e.action = 'mark_rectified') AS rectified_at
       FROM flags f WHERE f.status != 'withdrawn' AND f.opened_at < ?
        AND EXISTS (SELECT 1 FROM flag_events e WHERE e.flag_id = f.id AND e.action IN ('order_rectification', 'mark_rectified'))`;
  const visits = `SELECT f.venue_id, coalesce(e.visited_at, e.at) AS at FROM flag_events e JOIN flags f ON f.id = e.flag_id
      WHERE e.action = 'mark_rectified' AND e.inspection_id IS NULL AND coalesce(e.visited_at, e.at) >= ? AND coalesce(e.visited_at, e.at) < ?`;
  // On-site inspections (inspections.ts); a rectification one closed is counted once, as the inspection.
  const inspected = 'SELECT venue_id, at, failed FROM inspections WHERE at >= ? AND at < ?';

  const parsePolicy = (row: { body: string | null } | undefined): Policy => (row?.body ? Policy.parse(JSON.parse(row.body)) : NORMAL_POLICY);
  /** A street's street-wide policy: thresholds that compare venues across its communities (the weekly report's repeat window). */
  const policy = async (streetId: string): Promise<Policy> => parsePolicy(await sql.get<{ body: string }>(streetPolicy, [streetId]));
  /** Per community, read once per call: caps, closures and the offline threshold of its venues. */
  const policiesByCommunity = () => {
    const seen = new Map<string, Policy>();
    return async (communityId: string): Promise<Policy> => {
      let p = seen.get(communityId);
      if (!p) seen.set(communityId, (p = parsePolicy(await sql.get<{ body: string | null }>(communityPolicy, [communityId]))));
      return p;
    };
  };
  const venuesOf = async (scope: Scope) => (await sql.all<VenueRow>(venuesIn, scopeParams(scope))).map(toVenue);
  type Stats = { admissions: number; refusals: number; skipped: number; total: number };
  const statsOf = async (venueId: string, from: number, to: number) => (await sql.get<Stats>(stats, [venueId, from, to]))!;
  const scansOf = async (venueId: string, from: number, to: number) => (await sql.get<{ n: number }>(scansIn, [venueId, from, to]))!.n;

  /** The clause matching a check in the record's `skipped` array (JSON text): the other query spelled per database. */
  const skippedHas =
    d === 'sqlite'
      ? 'EXISTS (SELECT 1 FROM json_each(skipped) s WHERE s.value = ?)'
      : 'EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST(skipped AS jsonb)) AS s(value) WHERE s.value = ?)';
  function countPage(venueId: string, q: RecordsQuery): { where: string; params: (string | number)[] } {
    // Fixed clauses, values always bound: nothing a filter carries ever becomes SQL.
    const where = ['venue_id = ?'];
    const params: (string | number)[] = [venueId];
    if (q.from !== undefined) where.push('kiosk_time_ms >= ?'), params.push(q.from);
    if (q.to !== undefined) where.push('kiosk_time_ms < ?'), params.push(q.to);
    if (q.outcome !== undefined) where.push('decision = ?'), params.push(q.outcome);
    // `skipped_count > 0` as written in the partial index entrance_records_venue_skipped.
    if (q.skipped === true || q.check !== undefined) where.push('skipped_count > 0');
    if (q.skipped === false) where.push('skipped_count = 0');
    if (q.check !== undefined) where.push(skippedHas), params.push(q.check);
    return { where: where.join(' AND '), params };
  }

  interface LogRow {
    id: string;
    kiosk_id: string;
    kiosk_time: string;
    received_at: number;
    operator_id: string | null;
    decision: 'admit' | 'refuse';
    reasons: string;
    skipped: string;
    checks: string;
    pass_id: string | null;
    corrected_by: string | null;
  }
  const toLog = (r: LogRow): Omit<LogRecord, 'operatorName' | 'kiosk'> => ({
    id: r.id,
    kioskId: r.kiosk_id,
    kioskTime: r.kiosk_time,
    receivedAt: r.received_at,
    operatorId: r.operator_id,
    decision: r.decision,
    reasons: JSON.parse(r.reasons),
    skipped: JSON.parse(r.skipped),
    checks: JSON.parse(r.checks),
    passId: r.pass_id,
    correctedBy: r.corrected_by,
  });
  // A filter set makes one of a few statement shapes: their texts are made once each.
  const pageStatements = new Map<string, { count: string; page: string }>();
  function statementsFor(where: string) {
    let s = pageStatements.get(where);
    if (!s) {
      s = {
        count: `SELECT count(*) AS n FROM entrance_records WHERE ${where}`,
        // Newest first; records of one kiosk time in the order the kiosk made them, a kiosk's after another's.
        page: `SELECT id, kiosk_id, kiosk_time, received_at, operator_id, decision, reasons, skipped, checks, pass_id, corrected_by
             FROM entrance_records WHERE ${where} ORDER BY kiosk_time_ms DESC, kiosk_id DESC, seq DESC LIMIT ? OFFSET ?`,
      };
      pageStatements.set(where, s);
    }
    return s;
  }

  return {
    async overview(scope, now) {
      const policyOf = policiesByCommunity();
      const flags = new Map((await sql.all<{ venue_id: string; n: number; worst: number }>(openFlags, scopeParams(scope))).map((f) => [f.venue_id, f]));
      const orders = await sql.all<{ id: number; venue_id: string; from_date: string; to_date: string; reason: string }>(suspendedNow, [now, now]);
      const suspended = new Map(orders.map((o) => [o.venue_id, { id: o.id, from: o.from_date, to: o.to_date, reason: o.reason }]));
      const venues = await venuesOf(scope);
      const summaries = new Map<string, VenueSummary[]>();
      for (const v of venues) {
        const p = await policyOf(v.communityId);
        const kiosks = await sql.all<{ id: string; last_seen_at: number | null }>(kiosksOf, [v.id]);
        let inside = 0;
        let lastSeenAt: number | null = null;
        let anyKioskSeen = false;
        /** The last moment any kiosk was heard (a record or a connection). */
        let heardAt: number | null = null;
        // People inside per door from the running figures (aggregates.ts), as the kiosks are told.
        const doors = new Map((await aggregates.doors(sql, v.id, now)).map((door) => [door.kioskId, door.inside]));
        for (const k of kiosks) {
          inside += doors.get(k.id) ?? 0;
          const last = (await sql.get<{ received_at: number }>(lastRecord, [k.id]))?.received_at ?? null;
          if (last !== null) lastSeenAt = Math.max(lastSeenAt ?? last, last);
          const seen = Math.max(last ?? -Infinity, k.last_seen_at ?? -Infinity);
          if (seen > -Infinity) heardAt = Math.max(heardAt ?? seen, seen);
          if (seen >= now - p.flags.kioskOfflineMinutes * 60_000) anyKioskSeen = true;
        }
        const offlineSince = heardAt !== null && !anyKioskSeen ? heardAt : null;
        const f = flags.get(v.id);
        let status: VenueStatus = 'clear';
        const suspension = suspended.get(v.id);
        if (suspension) status = 'suspended';
        else if (p.closedVenueTypes.includes(v.type)) status = 'closed';
        else if (f && f.worst === 2) status = 'violation';
        else if (f && f.worst === 1) status = 'warning';
        // Nothing ever heard is no evidence of a clean door; every tablet silent is not "clear" either,
        // open or not (outside its hours the venue reads offline since its last close, which is true).
        else if (heardAt === null) status = 'no_data';
        else if (offlineSince !== null) status = 'kiosk_offline';
        const list = summaries.get(v.communityId) ?? [];
        list.push({
          id: v.id,
          name: v.name,
          type: v.type,
          status,
          inside,
          cap: capacityCap(p, v),
          openFlags: f?.n ?? 0,
          // The running day figure (aggregates.ts): admissions that stand, in the venue-local day of `now`.
          admissionsToday: (await aggregates.span(sql, v.id, 'day', dayStart(now, v.utcOffsetMinutes))).admissions,
          lastSeenAt,
          offlineSince,
          kiosks: kiosks.length,
          ...(suspension ? { suspension } : {}),
        });
        summaries.set(v.communityId, list);
      }
      return {
        at: now,
        communities: (await sql.all<{ id: string; name: string }>(communities, scopeParams(scope))).map((c) => ({
          ...c,
          venues: summaries.get(c.id) ?? [],
        })),
      };
    },

    async trends(scope, now) {
      const venues = await venuesOf(scope);
      const out: StreetTrends['venues'] = [];
      for (const v of venues) {
        const today = dayStart(now, v.utcOffsetMinutes);
        const weekFrom = today - 6 * DAY;
        const hours = { admissions: Array<number>(24).fill(0), flags: Array<number>(24).fill(0) };
        for (const h of await sql.all<{ h: number; admissions: number }>(hourly, [today, v.id, today, today + DAY])) hours.admissions[h.h] = h.admissions;
        const days = {
          dates: Array.from({ length: 7 }, (_, i) => new Date(weekFrom + i * DAY + v.utcOffsetMinutes * 60_000).toISOString().slice(0, 10)),
          admissions: Array<number>(7).fill(0),
          flags: Array<number>(7).fill(0),
        };
        for (const r of await sql.all<{ d: number; admissions: number }>(daily, [weekFrom, v.id, weekFrom, today + DAY])) days.admissions[r.d] = r.admissions;
        for (const f of await sql.all<{ opened_at: number }>(flagTimes, [v.id, weekFrom, today + DAY])) {
          days.flags[Math.floor((f.opened_at - weekFrom) / DAY)]! += 1;
          if (f.opened_at >= today) hours.flags[Math.floor((f.opened_at - today) / HOUR)]! += 1;
        }
        const admissions7 = days.admissions.reduce((a, b) => a + b, 0);
        const scans7 = await scansOf(v.id, weekFrom, today + DAY);
        out.push({ venueId: v.id, hours, days, admissions7, scans7, scansPerAdmission: admissions7 > 0 ? scans7 / admissions7 : null });
      }
      return { at: now, venues: out };
    },

    async records(venueId, q) {
      const { where, params } = countPage(venueId, q);
      const s = statementsFor(where);
      const total = (await sql.get<{ n: number }>(s.count, params))!.n;
      const rows = await sql.all<LogRow>(s.page, [...params, q.pageSize, (q.page - 1) * q.pageSize]);
      const names = await namesOf(venueId);
      const items = rows.map((r) => {
        const log = toLog(r);
        return { ...log, operatorName: log.operatorId ? (names.staff[log.operatorId] ?? null) : null, kiosk: names.kiosks[log.kioskId] ?? null };
      });
      return { total, page: q.page, pageSize: q.pageSize, items };
    },

    async day(venueId, date) {
      const row = await sql.get<VenueRow>(venueById, [venueId]);
      if (!row) return undefined;
      const v = toVenue(row);
      const start = localDayStart(date, v.utcOffsetMinutes);
      const end = start + DAY;
      const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, admissions: 0, refusals: 0, scans: 0, inside: 0 }));
      for (const h of await sql.all<{ h: number; admissions: number; refusals: number }>(hourly, [start, venueId, start, end])) {
        Object.assign(hours[h.h]!, { admissions: h.admissions, refusals: h.refusals });
      }
      for (const h of await sql.all<{ h: number; n: number }>(hourlyScans, [start, venueId, start, end])) hours[h.h]!.scans = h.n;
      // Inside at the end of each hour, counted as byVenue would have counted it then: from the
      // door's last close-out in the lookback before that moment, else over the lookback.
      for (const k of await sql.all<{ id: string }>(kiosksOf, [venueId])) {
        const rows = await foldRows(venueId, k.id, 0, start + HOUR - OCCUPANCY_LOOKBACK_MS, end);
        const recs = rows.map(toFold);
        for (const hour of hours) {
          const hourEnd = start + (hour.hour + 1) * HOUR;
          const from = hourEnd - OCCUPANCY_LOOKBACK_MS;
          let co = 0;
          for (const r of rows) if (r.type === 'occupancy' && r.a === 'close_out' && r.ms >= from && r.ms < hourEnd) co = Math.max(co, r.seq);
          hour.inside += occupancyFrom(recs.filter((_, i) => rows[i]!.seq > co && rows[i]!.ms >= from && rows[i]!.ms < hourEnd));
        }
      }
      const checks: VenueDay['breakdown'] = {};
      for (const b of await sql.all<{ name: string; outcome: string; n: number }>(breakdown, [venueId, start, end])) (checks[b.name] ??= {})[b.outcome] = b.n;
      return { date, hours, breakdown: checks };
    },

    async ranking(date, scope) {
      const rows: RankingRow[] = [];
      for (const v of await venuesOf(scope)) {
        const end = localDayStart(date, v.utcOffsetMinutes) + DAY;
        const cur = await statsOf(v.id, end - 7 * DAY, end);
        const prev = await statsOf(v.id, end - 14 * DAY, end - 7 * DAY);
        const scans = await scansOf(v.id, end - 7 * DAY, end);
        const prevScans = await scansOf(v.id, end - 14 * DAY, end - 7 * DAY);
        rows.push({
          venueId: v.id,
          venueName: v.name,
          communityId: v.communityId,
          admissions: cur.admissions,
          skippedRate: cur.total > 0 ? cur.skipped / cur.total : 0,
          scansPerAdmission: cur.admissions > 0 ? scans / cur.admissions : null,
          previousSkippedRate: prev.total > 0 ? prev.skipped / prev.total : null,
          previousScansPerAdmission: prev.admissions > 0 ? prevScans / prev.admissions : null,
        });
      }
      // Where to go first: the most skipping, then the fewest scans per admission.
      rows.sort(
        (a, b) =>
          b.skippedRate - a.skippedRate ||
          (a.scansPerAdmission ?? Infinity) - (b.scansPerAdmission ?? Infinity) ||
          a.venueId.localeCompare(b.venueId),
      );
      return { date, rows };
    },

    async weeklyReport(week, scope) {
      const monday = isoWeekMonday(week);
      // "Repeat offender" is judged on each venue's street-wide window, as the joint enforcement list does.
      const venues = await venuesOf(scope);
      const thresholds = new Map<string, Policy['flags']>();
      for (const streetId of new Set(venues.map((v) => v.streetId))) thresholds.set(streetId, (await policy(streetId)).flags);
      const longest = Math.max(NORMAL_POLICY.flags.repeatWindowDays, ...[...thresholds.values()].map((t) => t.repeatWindowDays));
      const bounds = new Map(venues.map((v) => [v.id, { from: monday - v.utcOffsetMinutes * 60_000, to: monday - v.utcOffsetMinutes * 60_000 + 7 * DAY }]));
      const all = [...bounds.values()];
      const from = all.length ? Math.min(...all.map((b) => b.from)) : monday - 480 * 60_000;
      const to = all.length ? Math.max(...all.map((b) => b.to)) : from + 7 * DAY;
      const repeatFrom = from - longest * DAY;
      // Flags, events and visits are few next to records: read the week once, sort per venue here.
      const opened = await sql.all<{ venue_id: string; rule: string; severity: string; opened_at: number }>(flagsOpened, [Math.min(repeatFrom, from), to]);
      const lives = await sql.all<{ id: string; venue_id: string; status: string; deadline: number | null; ordered_at: number | null; rectified_at: number | null }>(
        flagLives,
        [to],
      );
      const visited = [
        ...(await sql.all<{ venue_id: string; at: number }>(visits, [from, to])).map((e) => ({ ...e, failed: 0 })),
        ...(await sql.all<{ venue_id: string; at: number; failed: number }>(inspected, [from, to])),
      ];
      const rows: WeeklyReportRow[] = [];
      for (const v of venues) {
        const b = bounds.get(v.id)!;
        const th = thresholds.get(v.streetId)!;
        const s = await statsOf(v.id, b.from, b.to);
        const flagsByRule: WeeklyReportRow['flagsByRule'] = {};
        let violations = 0;
        for (const f of opened) {
          if (f.venue_id !== v.id) continue;
          const rule = FlagRule.safeParse(f.rule);
          if (rule.success && f.opened_at >= b.from && f.opened_at < b.to) flagsByRule[rule.data] = (flagsByRule[rule.data] ?? 0) + 1;
          if (f.severity === 'violation' && f.opened_at >= b.to - th.repeatWindowDays * DAY && f.opened_at < b.to) violations += 1;
        }
        let open = 0;
        let closed = 0;
        let missedDeadline = false;
        for (const l of lives) {
          if (l.venue_id !== v.id) continue;
          const rectifiedBy = (t: number) => l.rectified_at !== null && l.rectified_at < t;
          if (l.ordered_at !== null && l.ordered_at < b.to && !rectifiedBy(b.to)) open += 1;
          if (l.rectified_at !== null && l.rectified_at >= b.from && l.rectified_at < b.to) closed += 1;
          // 000 §5 查后不改: a rectification deadline passed with nothing rectified by then.
          if (l.deadline !== null && l.deadline < b.to && !rectifiedBy(l.deadline)) missedDeadline = true;
        }
        rows.push({
          communityId: v.communityId,
          communityName: v.communityName,
          venueId: v.id,
          venueName: v.name,
          admissions: s.admissions,
          refusals: s.refusals,
          skippedRate: s.total > 0 ? s.skipped / s.total : 0,
          flagsByRule,
          inspections: visited.filter((e) => e.venue_id === v.id && e.at >= b.from && e.at < b.to).length,
          inspectionItemsFailed: visited.reduce((n, e) => n + (e.venue_id === v.id && e.at >= b.from && e.at < b.to ? e.failed : 0), 0),
          rectificationsOpen: open,
          rectificationsClosed: closed,
          // 000 §5 屡查屡犯: this many violations within the window, or a missed deadline.
          repeatOffender: violations >= th.repeatViolations || missedDeadline,
        });
      }
      return { week, from, to, rows };
    },

    async names(venueId) {
      return namesOf(venueId);
    },

    async undone(recordIds) {
      return recordIds.length ? (await sql.all<{ id: string }>(correctedIds, [JSON.stringify(recordIds)])).map((r) => r.id) : [];
    },

    async venueCommunity(venueId) {
      return (await sql.get<{ community_id: string }>(communityOf, [venueId]))?.community_id;
    },

    async ledgers(venueId, from, to) {
      const out: Ledgers = { items: [], unreadable: [] };
      type LedgerRow = { id: string; kiosk_id: string; seq: number; venue_id: string; type: string; kiosk_time: string; received_at: number; operator_id: string | null; body: string };
      for (const r of await sql.all<LedgerRow>(ledgerRows, [venueId, from, to, MAX_LEDGER_ENTRIES])) {
        let body: unknown;
        try {
          body = JSON.parse(r.body);
        } catch {
          body = undefined;
        }
        const parsed = LedgerRecord.safeParse({
          ...(typeof body === 'object' && body !== null ? body : {}),
          id: r.id,
          venueId: r.venue_id,
          kioskId: r.kiosk_id,
          seq: r.seq,
          type: r.type,
          kioskTime: r.kiosk_time,
          operatorId: r.operator_id,
        });
        if (parsed.success) out.items.push({ ...parsed.data, receivedAt: r.received_at });
        else out.unreadable.push({ id: r.id, type: r.type, kioskTime: r.kiosk_time });
      }
      return out;
    },
  };
}
