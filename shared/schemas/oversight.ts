import { z } from 'zod';
import { Id } from './common.js';
import { WeeklyReportRow } from './dashboard.js';
import { FlagRule, Severity } from './flags.js';

/**
 * What a district or city admin reads of the streets it oversees (docs/district-guide.md): the
 * street overview one level up, a ranking of streets, and the weekly report rolled up from the
 * streets' reports (000 §4(1) 每周报送). The hub's read model is hub/src/store/oversight.ts.
 */

/** Open flags of one rule and severity in a street. */
export const FlagCount = z.object({ rule: FlagRule, severity: Severity, n: z.int().min(1) });
export type FlagCount = z.infer<typeof FlagCount>;

export const StreetFigures = z.object({
  streetId: Id,
  streetName: z.string(),
  districtId: Id,
  districtName: z.string(),
  communities: z.int().min(0),
  venues: z.int().min(0),
  /** Kiosks in service (neither revoked nor retired). */
  doors: z.int().min(0),
  /** Of those, heard within their policy's offline threshold (a record or a connection), as the street overview judges a door. */
  doorsOnline: z.int().min(0),
  /** Admissions that stand, in each venue's local day of `at` (the street's running day figure). */
  admissionsToday: z.int().min(0),
  /** Admissions over the 7 venue-local days ending today, and the patron scans (passes issued) over them. */
  admissions7: z.int().min(0),
  scans7: z.int().min(0),
  /** scans7 / admissions7, as the street overview's scan ranking computes it per venue; null without admissions. */
  scansPerAdmission: z.number().nullable(),
  /** Open flags (neither rectified nor withdrawn) by rule and severity. */
  openFlags: z.array(FlagCount),
  /** Flags still open whose rectification deadline has passed. */
  overdueRectifications: z.int().min(0),
  /** Venues on the joint-enforcement list (000 §5 屡查屡犯、查后不改), by the street's own thresholds. */
  jointEnforcement: z.int().min(0),
  /**
   * Ledger compliance (台账, 000 §2(2)), as the weekly report measures it: venues with no
   * `ledger_not_kept` flag opened in the current venue-local ISO week, of `venues`.
   */
  ledgersKept: z.int().min(0),
  /** Today's admissions and flags opened by venue-local hour, and the week's by day: the street overview's small charts. */
  hours: z.object({ admissions: z.array(z.int()).length(24), flags: z.array(z.int()).length(24) }),
  days: z.object({ dates: z.array(z.string()).length(7), admissions: z.array(z.int()).length(7), flags: z.array(z.int()).length(7) }),
});
export type StreetFigures = z.infer<typeof StreetFigures>;

/** GET /api/oversight: every street the account oversees. */
export const OversightOverview = z.object({ at: z.int(), streets: z.array(StreetFigures) });
export type OversightOverview = z.infer<typeof OversightOverview>;

/** GET /api/oversight/ranking?date=: streets by the measures the street ranking uses per venue. */
export const StreetRankingRow = z.object({
  streetId: Id,
  streetName: z.string(),
  districtId: Id,
  districtName: z.string(),
  venues: z.int().min(0),
  admissions: z.int().min(0),
  skippedRate: z.number(),
  scansPerAdmission: z.number().nullable(),
  previousSkippedRate: z.number().nullable(),
  previousScansPerAdmission: z.number().nullable(),
});
export type StreetRankingRow = z.infer<typeof StreetRankingRow>;
export const StreetRanking = z.object({ date: z.string(), rows: z.array(StreetRankingRow) });
export type StreetRanking = z.infer<typeof StreetRanking>;

/** A street's (or the roll-up's) weekly figures: the sums of its venues' rows. */
export const WeeklyTotals = z.object({
  venues: z.int().min(0),
  admissions: z.int().min(0),
  refusals: z.int().min(0),
  /** Entrance records with a check skipped, of admissions + refusals (the rows' skippedRate, summed back to counts). */
  skipped: z.int().min(0),
  skippedRate: z.number(),
  flagsByRule: z.partialRecord(FlagRule, z.int()),
  inspections: z.int().min(0),
  inspectionItemsFailed: z.int().min(0),
  rectificationsOpen: z.int().min(0),
  rectificationsClosed: z.int().min(0),
  repeatOffenders: z.int().min(0),
});
export type WeeklyTotals = z.infer<typeof WeeklyTotals>;

/** GET /api/oversight/reports/weekly?week=: the streets' weekly reports and their sum. */
export const RolledUpReport = z.object({
  week: z.string(),
  from: z.int(),
  to: z.int(),
  streets: z.array(
    z.object({
      streetId: Id,
      streetName: z.string(),
      districtId: Id,
      districtName: z.string(),
      totals: WeeklyTotals,
      rows: z.array(WeeklyReportRow),
    }),
  ),
  totals: WeeklyTotals,
});
export type RolledUpReport = z.infer<typeof RolledUpReport>;
