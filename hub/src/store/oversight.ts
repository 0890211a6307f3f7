import { dayStart, weekStart } from '../../../shared/rules/flags/index.js';
import type { WeeklyReport, WeeklyReportRow } from '../../../shared/schemas/dashboard.js';
import { FlagRule, Severity } from '../../../shared/schemas/flags.js';
import type { OversightOverview, RolledUpReport, StreetFigures, StreetRanking, StreetRankingRow, WeeklyTotals } from '../../../shared/schemas/oversight.js';
import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import type { DashboardRepository } from './dashboard.js';
import { isoWeekMonday, localDayStart } from './dashboard.js';
import { jsonNumber } from './dialect.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Sql } from './sql.js';

/**
 * Oversight of streets (docs/district-guide.md): what a district or city admin reads of the streets
 * in its scope. Every figure of the overview is a count over an index or a running figure the hub
 * keeps already (street_days for admissions, window_facts for today's hours, the passes index for
 * scans, the flags and kiosks tables), never a pass over the entrance records, so the city's
 * overview costs about what the plain indexed counts behind it cost (scripts/bench/dashboard.ts,
 * docs/benchmarks.md "Oversight of a district"). The ranking counts over the covering index of the
 * entrance records, as the street ranking does per venue; the weekly report is the streets' own.
 * Only reads.
 */
export interface OversightRepository {
  /** Per street in scope: doors and doors online, admissions today, scan rate, flags, rectifications overdue, joint enforcement, ledgers. */
  overview(scope: Scope, now: number): Promise<OversightOverview>;
  /** Streets over the 7 venue-local days ending on `date`, against the 7 before, by the street ranking's measures. */
  ranking(date: string, scope: Scope): Promise<StreetRanking>;
  /** Each street's weekly report (the street's own, dashboard.weeklyReport) for an ISO week, and their sum. */
  weeklyReport(week: string, scope: Scope): Promise<RolledUpReport>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEVERITY_ORDER: Record<Severity, number> = { violation: 0, warning: 1, info: 2 };

interface StreetRow {
  id: string;
  name: string;
  district_id: string;
  district_name: string;
}

/** The sums of a set of weekly report rows (a street's, or every street's). */
export function weeklyTotals(rows: readonly WeeklyReportRow[]): WeeklyTotals {
  const t: WeeklyTotals = {
    venues: rows.length,
    admissions: 0,
    refusals: 0,
    skipped: 0,
    skippedRate: 0,
    flagsByRule: {},
    inspections: 0,
    inspectionItemsFailed: 0,
    rectificationsOpen: 0,
    rectificationsClosed: 0,
    repeatOffenders: 0,
  };
  for (const r of rows) {
    t.admissions += r.admissions;
    t.refusals += r.refusals;
    // The row's rate is skipped / (admissions + refusals): the count it was made from, back.
    t.skipped += Math.round(r.skippedRate * (r.admissions + r.refusals));
    for (const [rule, n] of Object.entries(r.flagsByRule) as [FlagRule, number][]) t.flagsByRule[rule] = (t.flagsByRule[rule] ?? 0) + n;
    t.inspections += r.inspections;
    t.inspectionItemsFailed += r.inspectionItemsFailed;
    t.rectificationsOpen += r.rectificationsOpen;
    t.rectificationsClosed += r.rectificationsClosed;
    if (r.repeatOffender) t.repeatOffenders += 1;
  }
  t.skippedRate = t.admissions + t.refusals > 0 ? t.skipped / (t.admissions + t.refusals) : 0;
  return t;
}

/** Sums of several streets' totals (the roll-up): the same as weeklyTotals over all their rows. */
export function addTotals(parts: readonly WeeklyTotals[]): WeeklyTotals {
  const t = weeklyTotals([]);
  for (const p of parts) {
    t.venues += p.venues;
    t.admissions += p.admissions;
    t.refusals += p.refusals;
    t.skipped += p.skipped;
    for (const [rule, n] of Object.entries(p.flagsByRule) as [FlagRule, number][]) t.flagsByRule[rule] = (t.flagsByRule[rule] ?? 0) + n;
    t.inspections += p.inspections;
    t.inspectionItemsFailed += p.inspectionItemsFailed;
    t.rectificationsOpen += p.rectificationsOpen;
    t.rectificationsClosed += p.rectificationsClosed;
    t.repeatOffenders += p.repeatOffenders;
  }
  t.skippedRate = t.admissions + t.refusals > 0 ? t.skipped / (t.admissions + t.refusals) : 0;
  return t;
}

export function createOversightRepository(sql: Sql, dashboard: DashboardRepository): OversightRepository {
  const d = sql.dialect;
  const inScope = communityInScope('c');
  const place = 'JOIN venues v ON v.id = f.venue_id JOIN communities c ON c.id = v.community_id';
  // Every text below is built once; values are always `?` parameters.
  const streetsIn = `SELECT s.id, s.name, s.district_id, dd.name AS district_name FROM streets s JOIN districts dd ON dd.id = s.district_id
      WHERE (CAST(? AS TEXT) IS NULL OR s.id = ?) AND (CAST(? AS TEXT) IS NULL OR s.district_id = ?)
      ORDER BY dd.name, dd.id, s.name, s.id`;
  const communitiesIn = `SELECT c.id, c.street_id AS street FROM communities c WHERE ${inScope} ORDER BY c.id`;
  const venuesIn = `SELECT v.id, v.community_id, c.street_id AS street, v.utc_offset_minutes AS off
      FROM venues v JOIN communities c ON c.id = v.community_id WHERE ${inScope}`;
  // A door's last word is the newer of its last record (one seek on its (kiosk_id, seq) key) and
  // its last connection (kiosks.last_seen_at, which the sweep stamps on connected kiosks): as the
  // street overview reads each kiosk.
  const doors = `SELECT k.venue_id, c.id AS community_id, c.street_id AS street, k.last_seen_at,
        (SELECT r.received_at FROM kiosk_records r WHERE r.kiosk_id = k.id ORDER BY r.seq DESC LIMIT 1) AS last_record
      FROM kiosks k JOIN venues v ON v.id = k.venue_id JOIN communities c ON c.id = v.community_id
     WHERE k.revoked_at IS NULL AND ${inScope}`;
  const policies = `SELECT p.community_id, p.body FROM community_policy p JOIN communities c ON c.id = p.community_id WHERE ${inScope}`;
  // Each street's own street-wide version: the joint-enforcement thresholds, as the street's list uses them.
  const streetPolicies = 'SELECT street_id, body FROM policies WHERE community_id IS NULL AND street_id IS NOT NULL ORDER BY version';
  // The street's day (aggregates.ts): 32 shard rows per street and day, summed here.
  const streetDays = `SELECT street_id AS street, start, sum(admissions) AS n FROM street_days
      WHERE street_id IN (SELECT c.street_id FROM communities c WHERE ${inScope}) AND start >= ? AND start < ?
      GROUP BY street_id, start`;
  // Today's hours from the venues' hour windows (their admissions that stand): a key range per venue.
  // CROSS JOIN keeps SQLite's planner on the venues first (else it scans every hour window there is).
  const hours = `SELECT c.street_id AS street, v.utc_offset_minutes AS off, w.start, ${jsonNumber(d, 'w.facts', ['noPhone', 'admissions'])} AS n
      FROM venues v JOIN communities c ON c.id = v.community_id CROSS JOIN window_facts w
     WHERE w.venue_id = v.id AND w.kind = 'hour' AND w.start >= ? AND w.start < ? AND ${inScope}`;
  // Patron scans by the venue/issue-time index, for the venues of one UTC offset (their days start together).
  const scans = `SELECT c.street_id AS street, count(*) AS n
      FROM venues v JOIN communities c ON c.id = v.community_id
      JOIN passes p ON p.venue_id = v.id AND p.issued_at >= ? AND p.issued_at < ?
     WHERE v.utc_offset_minutes = ? AND ${inScope} GROUP BY c.street_id`;
  const openFlags = `SELECT c.street_id AS street, f.rule, f.severity, count(*) AS n,
        sum(CASE WHEN f.deadline IS NOT NULL AND f.deadline < ? THEN 1 ELSE 0 END) AS overdue
      FROM flags f ${place}
     WHERE f.status NOT IN ('rectified', 'withdrawn') AND ${inScope}
     GROUP BY c.street_id, f.rule, f.severity`;
  // Flags opened since a time (the week's charts, ledgers, repeat violations): few next to records.
  const openedSince = `SELECT c.street_id AS street, f.venue_id, v.utc_offset_minutes AS off, f.rule, f.severity, f.opened_at
      FROM flags f ${place} WHERE f.opened_at >= ? AND f.status != 'withdrawn' AND ${inScope}`;
  // 000 §5 查后不改, as the joint-enforcement list counts it (flags.ts): a deadline passed with nothing rectified by then.
  const missed = `SELECT c.street_id AS street, f.venue_id FROM flags f ${place}
     WHERE f.deadline IS NOT NULL AND f.deadline < ? AND f.status != 'withdrawn' AND ${inScope}
       AND NOT EXISTS (SELECT 1 FROM flag_events e WHERE e.flag_id = f.id AND e.action = 'mark_rectified' AND e.at <= f.deadline)`;
  // The street ranking's measures (dashboard.ranking), per street: the covering index entrance_records_venue_outcome.
  const one = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;
  const stats = `SELECT c.street_id AS street, coalesce(sum(${one("r.decision = 'admit'")}), 0) AS admissions,
        coalesce(sum(${one('r.skipped_count > 0')}), 0) AS skipped, count(*) AS total
      FROM venues v JOIN communities c ON c.id = v.community_id
      JOIN entrance_records r ON r.venue_id = v.id AND r.kiosk_time_ms >= ? AND r.kiosk_time_ms < ? AND r.corrected_by IS NULL
     WHERE v.utc_offset_minutes = ? AND ${inScope} GROUP BY c.street_id`;

  const streetsOf = (scope: Scope) => sql.all<StreetRow>(streetsIn, [scope.streetId, scope.streetId, scope.districtId, scope.districtId]);
  const parsed = new Map<string, Policy>();
  const parsePolicy = (body: string | null): Policy => {
    if (!body) return NORMAL_POLICY;
    let p = parsed.get(body);
    if (!p) parsed.set(body, (p = Policy.parse(JSON.parse(body))));
    return p;
  };
  const offsetsOf = async (scope: Scope) => {
    const venues = await sql.all<{ id: string; community_id: string; street: string; off: number }>(venuesIn, scopeParams(scope));
    return { venues, offsets: [...new Set(venues.map((v) => v.off))] };
  };

  return {
    async overview(scope, now) {
      const p = scopeParams(scope);
      const streets = await streetsOf(scope);
      const { venues, offsets } = await offsetsOf(scope);
      const figures = new Map<string, StreetFigures>();
      // The week's days are named by the first venue offset of the street (a street keeps one offset in practice).
      const streetOffset = new Map<string, number>();
      for (const v of venues) if (!streetOffset.has(v.street)) streetOffset.set(v.street, v.off);
      for (const s of streets) {
        const off = streetOffset.get(s.id) ?? 480;
        const from = dayStart(now, off) - 6 * DAY;
        figures.set(s.id, {
          streetId: s.id,
          streetName: s.name,
          districtId: s.district_id,
          districtName: s.district_name,
          communities: 0,
          venues: 0,
          doors: 0,
          doorsOnline: 0,
          admissionsToday: 0,
          admissions7: 0,
          scans7: 0,
          scansPerAdmission: null,
          openFlags: [],
          overdueRectifications: 0,
          jointEnforcement: 0,
          ledgersKept: 0,
          hours: { admissions: Array<number>(24).fill(0), flags: Array<number>(24).fill(0) },
          days: {
            dates: Array.from({ length: 7 }, (_, i) => new Date(from + i * DAY + off * 60_000).toISOString().slice(0, 10)),
            admissions: Array<number>(7).fill(0),
            flags: Array<number>(7).fill(0),
          },
        });
      }
      for (const c of await sql.all<{ id: string; street: string }>(communitiesIn, p)) {
        const f = figures.get(c.street);
        if (f) f.communities += 1;
      }
      for (const v of venues) {
        const f = figures.get(v.street);
        if (f) f.venues += 1;
      }

      // Doors online: the street overview's rule, each community's policy's offline threshold.
      const policyOf = new Map((await sql.all<{ community_id: string; body: string | null }>(policies, p)).map((r) => [r.community_id, parsePolicy(r.body)]));
      for (const k of await sql.all<{ community_id: string; street: string; last_seen_at: number | null; last_record: number | null }>(doors, p)) {
        const f = figures.get(k.street);
        if (!f) continue;
        f.doors += 1;
        const seen = Math.max(k.last_record ?? -Infinity, k.last_seen_at ?? -Infinity);
        const minutes = (policyOf.get(k.community_id) ?? NORMAL_POLICY).flags.kioskOfflineMinutes;
        if (seen >= now - minutes * 60_000) f.doorsOnline += 1;
      }

      // Day index of a start in a venue-local week ending today, for each offset: -1 outside it.
      const dayIndex = (start: number, off: number) => {
        const i = (start - (dayStart(now, off) - 6 * DAY)) / DAY;
        return Number.isInteger(i) && i >= 0 && i < 7 ? i : -1;
      };
      if (offsets.length > 0) {
        const lo = Math.min(...offsets.map((o) => dayStart(now, o))) - 6 * DAY;
        const hi = Math.max(...offsets.map((o) => dayStart(now, o))) + DAY;
        const offsetsOfStreet = new Map<string, Set<number>>();
        for (const v of venues) (offsetsOfStreet.get(v.street) ?? offsetsOfStreet.set(v.street, new Set()).get(v.street)!).add(v.off);
        for (const r of await sql.all<{ street: string; start: number; n: number }>(streetDays, [...p, lo, hi])) {
          const f = figures.get(r.street);
          if (!f) continue;
          for (const off of offsetsOfStreet.get(r.street) ?? []) {
            const i = dayIndex(r.start, off);
            if (i < 0) continue;
            f.days.admissions[i]! += r.n;
            if (i === 6) f.admissionsToday += r.n;
            break;
          }
        }
        for (const r of await sql.all<{ street: string; off: number; start: number; n: number | null }>(hours, [lo + 6 * DAY, hi, ...p])) {
          const f = figures.get(r.street);
          const h = (r.start - dayStart(now, r.off)) / HOUR;
          if (f && h >= 0 && h < 24) f.hours.admissions[h]! += r.n ?? 0;
        }
        for (const off of offsets) {
          const today = dayStart(now, off);
          for (const r of await sql.all<{ street: string; n: number }>(scans, [today - 6 * DAY, today + DAY, off, ...p])) {
            const f = figures.get(r.street);
            if (f) f.scans7 += r.n;
          }
        }
      }
      for (const f of figures.values()) {
        f.admissions7 = f.days.admissions.reduce((a, b) => a + b, 0);
        f.scansPerAdmission = f.admissions7 > 0 ? f.scans7 / f.admissions7 : null;
      }

      for (const r of await sql.all<{ street: string; rule: string; severity: string; n: number; overdue: number }>(openFlags, [now, ...p])) {
        const f = figures.get(r.street);
        const rule = FlagRule.safeParse(r.rule);
        const severity = Severity.safeParse(r.severity);
        if (!f) continue;
        if (rule.success && severity.success) f.openFlags.push({ rule: rule.data, severity: severity.data, n: r.n });
        f.overdueRectifications += r.overdue;
      }
      for (const f of figures.values()) f.openFlags.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.n - a.n || a.rule.localeCompare(b.rule));

      // Joint enforcement, by each street's own thresholds (the street's list: repeat violations or a missed deadline).
      const thresholds = new Map<string, Policy['flags']>();
      for (const r of await sql.all<{ street_id: string; body: string | null }>(streetPolicies)) thresholds.set(r.street_id, parsePolicy(r.body).flags);
      const th = (street: string) => thresholds.get(street) ?? NORMAL_POLICY.flags;
      const longest = Math.max(NORMAL_POLICY.flags.repeatWindowDays, ...[...thresholds.values()].map((t) => t.repeatWindowDays));
      const weekFrom = offsets.length ? Math.min(...offsets.map((o) => Math.min(weekStart(now, o), dayStart(now, o) - 6 * DAY))) : now;
      const violations = new Map<string, { street: string; n: number }>();
      const ledgerGaps = new Set<string>();
      for (const r of await sql.all<{ street: string; venue_id: string; off: number; rule: string; severity: string; opened_at: number }>(openedSince, [
        Math.min(now - longest * DAY, weekFrom),
        ...p,
      ])) {
        const f = figures.get(r.street);
        if (!f) continue;
        if (r.severity === 'violation' && r.opened_at >= now - th(r.street).repeatWindowDays * DAY) {
          const v = violations.get(r.venue_id) ?? { street: r.street, n: 0 };
          v.n += 1;
          violations.set(r.venue_id, v);
        }
        const i = dayIndex(dayStart(r.opened_at, r.off), r.off);
        if (i >= 0) f.days.flags[i]! += 1;
        const today = dayStart(now, r.off);
        if (r.opened_at >= today && r.opened_at < today + DAY) f.hours.flags[Math.floor((r.opened_at - today) / HOUR)]! += 1;
        // The weekly report's measure: a ledger_not_kept flag opened in the venue's week.
        const week = weekStart(now, r.off);
        if (r.rule === 'ledger_not_kept' && r.opened_at >= week && r.opened_at < week + 7 * DAY) ledgerGaps.add(r.venue_id);
      }
      const joint = new Map<string, string>();
      for (const [venueId, v] of violations) if (v.n >= th(v.street).repeatViolations) joint.set(venueId, v.street);
      for (const r of await sql.all<{ street: string; venue_id: string }>(missed, [now, ...p])) joint.set(r.venue_id, r.street);
      for (const street of joint.values()) {
        const f = figures.get(street);
        if (f) f.jointEnforcement += 1;
      }
      for (const v of venues) {
        const f = figures.get(v.street);
        if (f && !ledgerGaps.has(v.id)) f.ledgersKept += 1;
      }
      return { at: now, streets: [...figures.values()] };
    },

    async ranking(date, scope) {
      const p = scopeParams(scope);
      const streets = await streetsOf(scope);
      const { venues, offsets } = await offsetsOf(scope);
      type Stats = { admissions: number; skipped: number; total: number; scans: number };
      const zero = (): Stats => ({ admissions: 0, skipped: 0, total: 0, scans: 0 });
      const cur = new Map(streets.map((s) => [s.id, zero()]));
      const prev = new Map(streets.map((s) => [s.id, zero()]));
      for (const off of offsets) {
        const end = localDayStart(date, off) + DAY;
        for (const [into, from, to] of [
          [cur, end - 7 * DAY, end],
          [prev, end - 14 * DAY, end - 7 * DAY],
        ] as const) {
          for (const r of await sql.all<{ street: string; admissions: number; skipped: number; total: number }>(stats, [from, to, off, ...p])) {
            const s = into.get(r.street);
            if (s) Object.assign(s, { admissions: s.admissions + r.admissions, skipped: s.skipped + r.skipped, total: s.total + r.total });
          }
          for (const r of await sql.all<{ street: string; n: number }>(scans, [from, to, off, ...p])) {
            const s = into.get(r.street);
            if (s) s.scans += r.n;
          }
        }
      }
      const count = new Map<string, number>();
      for (const v of venues) count.set(v.street, (count.get(v.street) ?? 0) + 1);
      const rows: StreetRankingRow[] = streets.map((s) => {
        const c = cur.get(s.id)!;
        const b = prev.get(s.id)!;
        return {
          streetId: s.id,
          streetName: s.name,
          districtId: s.district_id,
          districtName: s.district_name,
          venues: count.get(s.id) ?? 0,
          admissions: c.admissions,
          skippedRate: c.total > 0 ? c.skipped / c.total : 0,
          scansPerAdmission: c.admissions > 0 ? c.scans / c.admissions : null,
          previousSkippedRate: b.total > 0 ? b.skipped / b.total : null,
          previousScansPerAdmission: b.admissions > 0 ? b.scans / b.admissions : null,
        };
      });
      // As the street ranking orders venues: the most skipping first, then the fewest scans per admission.
      rows.sort(
        (a, b) =>
          b.skippedRate - a.skippedRate ||
          (a.scansPerAdmission ?? Infinity) - (b.scansPerAdmission ?? Infinity) ||
          a.streetId.localeCompare(b.streetId),
      );
      return { date, rows };
    },

    async weeklyReport(week, scope) {
      const streets = await streetsOf(scope);
      const communities = await sql.all<{ id: string; street: string }>(communitiesIn, scopeParams(scope));
      const out: RolledUpReport['streets'] = [];
      let from = Infinity;
      let to = -Infinity;
      for (const s of streets) {
        // The street's own report, community by community (each the street report cut to that community).
        const rows: WeeklyReportRow[] = [];
        for (const c of communities.filter((c) => c.street === s.id)) {
          const community: Scope = { districtId: null, streetId: null, communityId: c.id };
          const r: WeeklyReport = await dashboard.weeklyReport(week, community);
          rows.push(...r.rows);
          if (r.rows.length > 0) {
            from = Math.min(from, r.from);
            to = Math.max(to, r.to);
          }
        }
        out.push({ streetId: s.id, streetName: s.name, districtId: s.district_id, districtName: s.district_name, totals: weeklyTotals(rows), rows });
      }
      if (from === Infinity) {
        // No venue: the week in China Standard Time, as the street report says it without venues.
        from = isoWeekMonday(week) - 480 * 60_000;
        to = from + 7 * DAY;
      }
      return { week, from, to, streets: out, totals: addTotals(out.map((s) => s.totals)) };
    },
  };
}
