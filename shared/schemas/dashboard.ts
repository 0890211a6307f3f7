import { z } from 'zod';
import { CHECK_NAMES } from './checks.js';
import { Id } from './common.js';
import { FlagRule } from './flags.js';
import { VenueType } from './venue.js';

/**
 * What the inspectors' dashboard reads. The hub's read model
 * (hub/src/store/dashboard.ts) answers these; the dashboard (hub/ui/dashboard)
 * shows them. Times are ms since the epoch unless named otherwise.
 */

/**
 * A venue at a glance: suspended by an inspector's order, closed by policy, the worst open flag,
 * every kiosk not heard from (`kiosk_offline`, since `offlineSince`), or no kiosk that ever
 * reported (`no_data`: nothing to judge, not "clear").
 */
export const VenueStatus = z.enum(['clear', 'warning', 'violation', 'closed', 'kiosk_offline', 'no_data', 'suspended']);
export type VenueStatus = z.infer<typeof VenueStatus>;

export const VenueSummary = z.object({
  id: Id,
  name: z.string(),
  type: VenueType,
  status: VenueStatus,
  inside: z.int().min(0),
  cap: z.int().min(0),
  openFlags: z.int().min(0),
  admissionsToday: z.int().min(0),
  /** The latest record from any of its kiosks (hub time), or null. */
  lastSeenAt: z.int().nullable(),
  /**
   * When every kiosk is offline: the last moment any of them was heard (a record or a connection),
   * hub time. Null while one is heard within the policy's offline threshold, or none ever was.
   */
  offlineSince: z.int().nullable(),
  /** How many kiosks (not revoked) the venue has. */
  kiosks: z.int().min(0),
  /** The suspension order holding the venue now (停业整顿, 000 §5(2)), if any. */
  suspension: z.object({ id: z.int(), from: z.iso.date(), to: z.iso.date(), reason: z.string() }).optional(),
});
export type VenueSummary = z.infer<typeof VenueSummary>;

export const StreetOverview = z.object({
  at: z.int(),
  communities: z.array(z.object({ id: Id, name: z.string(), venues: z.array(VenueSummary) })),
});
export type StreetOverview = z.infer<typeof StreetOverview>;

/**
 * GET /api/street/trends: each venue's admissions and flags over its venue-local day (24 hours)
 * and the week ending today (7 days), and its scans per admission over those 7 days, for the
 * street overview's small charts and its scan-rate ranking.
 */
export const VenueTrend = z.object({
  venueId: Id,
  hours: z.object({ admissions: z.array(z.int()).length(24), flags: z.array(z.int()).length(24) }),
  days: z.object({ dates: z.array(z.string()).length(7), admissions: z.array(z.int()).length(7), flags: z.array(z.int()).length(7) }),
  admissions7: z.int().min(0),
  scans7: z.int().min(0),
  scansPerAdmission: z.number().nullable(),
});
export type VenueTrend = z.infer<typeof VenueTrend>;
export const StreetTrends = z.object({ at: z.int(), venues: z.array(VenueTrend) });
export type StreetTrends = z.infer<typeof StreetTrends>;

/** A yes/no in a query string. */
const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * A kiosk as people name it: the entrance it stands at and, where an entrance has several, its
 * number there (in order of enrolment, counting retired ones, so a number never moves).
 */
export const KioskName = z.object({ entrance: z.string(), n: z.int().min(1), of: z.int().min(1) });
export type KioskName = z.infer<typeof KioskName>;

/** The names behind a venue's ids (kiosks, door staff), for evidence and logs an inspector reads. */
export const VenueNames = z.object({
  kiosks: z.record(z.string(), KioskName),
  staff: z.record(z.string(), z.string()),
});
export type VenueNames = z.infer<typeof VenueNames>;

/** GET /api/venues/:id/records: the venue's entrance log, filtered and paginated by the server. */
export const RecordsQuery = z.strictObject({
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
  outcome: z.enum(['admit', 'refuse']).optional(),
  /** Records where this check was recorded as skipped. */
  check: z.enum(CHECK_NAMES).optional(),
  skipped: QueryBool.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type RecordsQuery = z.infer<typeof RecordsQuery>;

export const LogRecord = z.object({
  id: z.string(),
  kioskId: z.string(),
  kioskTime: z.string(),
  receivedAt: z.int(),
  operatorId: z.string().nullable(),
  decision: z.enum(['admit', 'refuse']),
  reasons: z.array(z.string()),
  skipped: z.array(z.string()),
  checks: z.record(z.string(), z.unknown()),
  passId: z.string().nullable(),
  correctedBy: z.string().nullable(),
  /** Names for the ids above, as the registry holds them now (null if the id names nothing there). */
  operatorName: z.string().nullable(),
  kiosk: KioskName.nullable(),
});
export type LogRecord = z.infer<typeof LogRecord>;

export const RecordsPage = z.object({
  total: z.int().min(0),
  page: z.int().min(1),
  pageSize: z.int().min(1),
  items: z.array(LogRecord),
});
export type RecordsPage = z.infer<typeof RecordsPage>;

/** GET /api/venues/:id/day?date=YYYY-MM-DD: the day in hours (venue-local), and the outcomes per check. */
export const DayQuery = z.strictObject({ date: z.iso.date().refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'a date between 2000 and 2100') });
export const VenueDay = z.object({
  date: z.string(),
  hours: z.array(
    z.object({ hour: z.int().min(0).max(23), admissions: z.int(), refusals: z.int(), scans: z.int(), inside: z.int() }),
  ),
  /** check → outcome → count, over the day's entrance records. */
  breakdown: z.record(z.string(), z.record(z.string(), z.int())),
});
export type VenueDay = z.infer<typeof VenueDay>;

/** GET /api/ranking?date=YYYY-MM-DD: where to go first. */
export const RankingRow = z.object({
  venueId: Id,
  venueName: z.string(),
  communityId: Id,
  admissions: z.int(),
  skippedRate: z.number(),
  scansPerAdmission: z.number().nullable(),
  /** The same figures over the 7 days before, for the change. */
  previousSkippedRate: z.number().nullable(),
  previousScansPerAdmission: z.number().nullable(),
});
export type RankingRow = z.infer<typeof RankingRow>;
export const Ranking = z.object({ date: z.string(), rows: z.array(RankingRow) });
export type Ranking = z.infer<typeof Ranking>;

/** GET /api/reports/weekly?week=YYYY-Www (ISO week, venue-local): the street office's weekly report (每周报送一次). */
export const WeekQuery = z.strictObject({
  week: z
    .string()
    .regex(/^(20\d\d|2100)-W(0[1-9]|[1-4]\d|5[0-3])$/, 'an ISO week like 2026-W47 (years 2000–2100)')
    .refine((w) => !w.endsWith('-W53') || hasWeek53(Number(w.slice(0, 4))), 'that year has 52 ISO weeks'),
});
/** A year has an ISO week 53 when it starts on a Thursday, or on a Wednesday in a leap year. */
function hasWeek53(year: number): boolean {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3);
}
export const WeeklyReportRow = z.object({
  communityId: Id,
  communityName: z.string(),
  venueId: Id,
  venueName: z.string(),
  admissions: z.int(),
  refusals: z.int(),
  skippedRate: z.number(),
  flagsByRule: z.partialRecord(FlagRule, z.int()),
  /** Visits this week: on-site inspections, and rectified visits recorded without one. */
  inspections: z.int(),
  /** Checklist points marked failed by this week's on-site inspections. */
  inspectionItemsFailed: z.int(),
  rectificationsOpen: z.int(),
  rectificationsClosed: z.int(),
  repeatOffender: z.boolean(),
});
export type WeeklyReportRow = z.infer<typeof WeeklyReportRow>;
export const WeeklyReport = z.object({ week: z.string(), from: z.int(), to: z.int(), rows: z.array(WeeklyReportRow) });
export type WeeklyReport = z.infer<typeof WeeklyReport>;

/** GET /api/joint-enforcement: a venue for the joint enforcement list (000 §5 屡查屡犯、查后不改). */
export const JointEnforcementRow = z.object({
  venueId: Id,
  venueName: z.string(),
  communityId: Id,
  communityName: z.string(),
  /** Violation-severity flags raised within `repeatWindowDays`. */
  violations: z.int().min(0),
  /** Rectifications whose deadline passed with nothing rectified by then. */
  missedDeadlines: z.int().min(0),
});
export type JointEnforcementRow = z.infer<typeof JointEnforcementRow>;

export const AuditEntry = z.object({
  id: z.int(),
  at: z.int(),
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  /** The street the act concerned, and its district; a district's own act has a district alone; both null: the city's. */
  streetId: z.string().nullable(),
  districtId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
