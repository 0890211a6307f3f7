import { CHECK_NAMES, skippedChecks } from '../../schemas/checks.js';
import type { ReasonCode } from '../../schemas/record.js';
import { decideEntry } from '../decide-entry.js';
import { isOpenUnder } from '../opening-hours.js';
import { requiredChecks } from '../required-checks.js';
import { EVIDENCE_IDS_MAX, kioskTimeMs, type FlagVenue, type HeldEntrance, type PolicyAt, type PolicyOf } from './window.js';

/**
 * What the hour, day and week rules read, kept as running figures (the hub
 * stores one per venue and window, updated in the same transaction as the
 * records) so a batch is judged at a cost proportional to the batch, not to
 * what the window already holds.
 *
 * Every fold is order-free: folding records one batch at a time, in any split
 * and any order, gives the same figures as folding them all at once, and the
 * rules judge the figures alone (tests/shared/flags/window-facts.test.ts
 * checks this with random records and splits). Record ids in evidence are the
 * earliest by kiosk time (then id), whatever order they arrived in; kiosk and
 * operator ids are listed sorted.
 *
 * Records undone by a correction leave the figures: the hub folds a batch's
 * admissions that stand, and refolds a window from its stored records when a
 * correction undoes one folded earlier.
 */

/** Up to EVIDENCE_IDS_MAX `[kioskTimeMs, recordId]`, the earliest first. */
export type EarliestIds = [number, string][];
/** How many records each id (kiosk, operator, check, reason) has: a set that several batches add to. */
export type Counts = Record<string, number>;

export function addEarliest(ids: EarliestIds, more: readonly [number, string][]): EarliestIds {
  if (more.length === 0) return ids;
  const seen = new Set(ids.map(([, id]) => id));
  const all = [...ids, ...more.filter(([, id]) => !seen.has(id) && (seen.add(id), true))];
  all.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return all.slice(0, EVIDENCE_IDS_MAX);
}

export function addCounts(into: Counts, names: Iterable<string>): Counts {
  const out = { ...into };
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

/** Counts in a stable order (by name), as evidence shows a tally. */
export const sortedCounts = (c: Counts): Counts => Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
/** The names of a count, sorted: a set in evidence. */
export const names = (c: Counts): string[] => Object.keys(c).sort();
export const idsOf = (ids: EarliestIds): string[] => ids.map(([, id]) => id);

const idOf = (e: HeldEntrance): [number, string] => [kioskTimeMs(e), e.record.id];

/** Admissions with a required check recorded as skipped (skipped_check). */
export interface SkippedFacts {
  admissions: number;
  lapses: number;
  ids: EarliestIds;
  byCheck: Counts;
  kiosks: Counts;
  operators: Counts;
}

/** Admissions the checks say should have been refused (admitted_despite_risk). */
export interface RiskFacts {
  count: number;
  ids: EarliestIds;
  byReason: Counts;
  kiosks: Counts;
  operators: Counts;
}

/** Admissions while the venue was closed (admitted_while_closed). */
export interface ClosedFacts {
  count: number;
  closedByPolicy: number;
  underOlderPolicy: number;
  outsideHours: number;
  /** Versions in force at the admissions closed by policy. */
  policyVersions: Counts;
  ids: EarliestIds;
  kiosks: Counts;
}

/** Admissions that needed a scan (scans_below_admissions), and the earliest of them naming no pass. */
export interface ScanFacts {
  admissions: number;
  noPass: EarliestIds;
}

/** Admissions with a required check not recorded at all (missing_check). */
export interface MissingFacts {
  count: number;
  /** Missing only under the policy in force at the admission, not under the (older) version the record names. */
  underOlderPolicy: number;
  ids: EarliestIds;
  byCheck: Counts;
  kiosks: Counts;
  operators: Counts;
}

/** Admissions that stand, and those of patrons recorded without a phone (no_phone_share). */
export interface NoPhoneFacts {
  admissions: number;
  noPhone: number;
  ids: EarliestIds;
}

/** One venue-local hour of a venue. */
export interface HourFacts {
  skipped: SkippedFacts;
  risk: RiskFacts;
  closed: ClosedFacts;
  scans: ScanFacts;
  missing: MissingFacts;
  noPhone: NoPhoneFacts;
}

/** One day of the whole street (every venue): admissions that stand and those without a phone, the street's usual share. */
export interface StreetDayFacts {
  admissions: number;
  noPhone: number;
}

/** One venue-local day or ISO week of a venue: entrance records, admissions that stand, and who worked the door. */
export interface SpanFacts {
  entrances: number;
  admissions: number;
  onDuty: Counts;
}

export const emptySkipped = (): SkippedFacts => ({ admissions: 0, lapses: 0, ids: [], byCheck: {}, kiosks: {}, operators: {} });
export const emptyRisk = (): RiskFacts => ({ count: 0, ids: [], byReason: {}, kiosks: {}, operators: {} });
export const emptyClosed = (): ClosedFacts => ({ count: 0, closedByPolicy: 0, underOlderPolicy: 0, outsideHours: 0, policyVersions: {}, ids: [], kiosks: {} });
export const emptyScans = (): ScanFacts => ({ admissions: 0, noPass: [] });
export const emptyMissing = (): MissingFacts => ({ count: 0, underOlderPolicy: 0, ids: [], byCheck: {}, kiosks: {}, operators: {} });
export const emptyNoPhone = (): NoPhoneFacts => ({ admissions: 0, noPhone: 0, ids: [] });
export const emptyHour = (): HourFacts => ({
  skipped: emptySkipped(),
  risk: emptyRisk(),
  closed: emptyClosed(),
  scans: emptyScans(),
  missing: emptyMissing(),
  noPhone: emptyNoPhone(),
});
export const emptySpan = (): SpanFacts => ({ entrances: 0, admissions: 0, onDuty: {} });

/** `admissions`: entrance records that are admissions and stand (not undone). */
export function foldSkipped(f: SkippedFacts, venue: FlagVenue, admissions: readonly HeldEntrance[], policyOf: PolicyOf): SkippedFacts {
  const lapses = admissions.flatMap((e) => {
    const { record } = e;
    const asked = requiredChecks(policyOf(record.policyVersion), venue.type, record.checks.itinerary?.outcome);
    const skipped = skippedChecks(record.checks).filter((name) => asked.includes(name));
    return skipped.length > 0 ? [{ e, skipped }] : [];
  });
  return {
    admissions: f.admissions + admissions.length,
    lapses: f.lapses + lapses.length,
    ids: addEarliest(f.ids, lapses.map((l) => idOf(l.e))),
    byCheck: addCounts(f.byCheck, lapses.flatMap((l) => l.skipped)),
    kiosks: addCounts(f.kiosks, lapses.map((l) => l.e.record.kioskId)),
    operators: addCounts(f.operators, lapses.map((l) => l.e.record.operatorId)),
  };
}

/** Reasons judged by `admitted_while_closed` and `admitted_while_suspended`, not as a personal risk. */
const VENUE_REASONS: readonly ReasonCode[] = ['venue_closed_by_policy', 'outside_opening_hours', 'venue_suspended'];

export function foldRisk(f: RiskFacts, venue: FlagVenue, admissions: readonly HeldEntrance[], policyOf: PolicyOf): RiskFacts {
  const risky = admissions.flatMap((e) => {
    const { reasons } = decideEntry(policyOf(e.record.policyVersion), venue, e.record.checks, kioskTimeMs(e));
    const personal = reasons.filter((r) => !VENUE_REASONS.includes(r));
    return personal.length > 0 ? [{ e, reasons: personal }] : [];
  });
  return {
    count: f.count + risky.length,
    ids: addEarliest(f.ids, risky.map((r) => idOf(r.e))),
    byReason: addCounts(f.byReason, risky.flatMap((r) => r.reasons)),
    kiosks: addCounts(f.kiosks, risky.map((r) => r.e.record.kioskId)),
    operators: addCounts(f.operators, risky.map((r) => r.e.record.operatorId)),
  };
}

export function foldClosed(f: ClosedFacts, venue: FlagVenue, admissions: readonly HeldEntrance[], policyOf: PolicyOf, policyAt: PolicyAt): ClosedFacts {
  const closed = admissions.flatMap((e) => {
    const at = kioskTimeMs(e);
    const inForce = policyAt(at);
    const own = policyOf(e.record.policyVersion);
    const ownClosed = own.closedVenueTypes.includes(venue.type);
    const streetClosed = inForce.closedVenueTypes.includes(venue.type);
    const j = {
      e,
      closedByPolicy: ownClosed || streetClosed,
      underOlderPolicy: streetClosed && !ownClosed,
      policyVersion: inForce.version,
      // Outside its hours as the record's policy or the street's in force shortened them (003 §14).
      outsideHours: !isOpenUnder(own, venue, at) || !isOpenUnder(inForce, venue, at),
    };
    return j.closedByPolicy || j.outsideHours ? [j] : [];
  });
  const byPolicy = closed.filter((j) => j.closedByPolicy);
  return {
    count: f.count + closed.length,
    closedByPolicy: f.closedByPolicy + byPolicy.length,
    underOlderPolicy: f.underOlderPolicy + closed.filter((j) => j.underOlderPolicy).length,
    outsideHours: f.outsideHours + closed.filter((j) => j.outsideHours).length,
    policyVersions: addCounts(f.policyVersions, byPolicy.map((j) => String(j.policyVersion))),
    ids: addEarliest(f.ids, closed.map((j) => idOf(j.e))),
    kiosks: addCounts(f.kiosks, closed.map((j) => j.e.record.kioskId)),
  };
}

export function foldScans(f: ScanFacts, admissions: readonly HeldEntrance[]): ScanFacts {
  // Patrons without a phone (paper shown instead) need no scan.
  const needed = admissions.filter((e) => e.record.checks.scan?.outcome !== 'no_phone');
  return {
    admissions: f.admissions + needed.length,
    noPass: addEarliest(f.noPass, needed.filter((e) => e.record.pass === undefined).map(idOf)),
  };
}

/**
 * The required checks an admission does not record at all (absent: neither done nor skipped), under
 * the policy in force when it was made (`policyAt`, the street's activation history) and under the
 * version the record names (`policyOf`): a check either asked is owed. `older`: owed only under the
 * policy in force, so the kiosk applied an older version (offline through a switch, or claiming one).
 */
export function missingChecks(admission: HeldEntrance, venue: FlagVenue, policyOf: PolicyOf, policyAt: PolicyAt): { missing: string[]; older: boolean } {
  const { record } = admission;
  const itinerary = record.checks.itinerary?.outcome;
  const own = requiredChecks(policyOf(record.policyVersion), venue.type, itinerary);
  const inForce = requiredChecks(policyAt(kioskTimeMs(admission)), venue.type, itinerary);
  const absent = (name: (typeof CHECK_NAMES)[number]) => record.checks[name] === undefined;
  const missing = CHECK_NAMES.filter((name) => (own.includes(name) || inForce.includes(name)) && absent(name));
  return { missing, older: missing.length > 0 && missing.every((name) => !own.includes(name)) };
}

export function foldMissing(f: MissingFacts, venue: FlagVenue, admissions: readonly HeldEntrance[], policyOf: PolicyOf, policyAt: PolicyAt): MissingFacts {
  const lapses = admissions.flatMap((e) => {
    const m = missingChecks(e, venue, policyOf, policyAt);
    return m.missing.length > 0 ? [{ e, ...m }] : [];
  });
  return {
    count: f.count + lapses.length,
    underOlderPolicy: f.underOlderPolicy + lapses.filter((l) => l.older).length,
    ids: addEarliest(f.ids, lapses.map((l) => idOf(l.e))),
    byCheck: addCounts(f.byCheck, lapses.flatMap((l) => l.missing)),
    kiosks: addCounts(f.kiosks, lapses.map((l) => l.e.record.kioskId)),
    operators: addCounts(f.operators, lapses.map((l) => l.e.record.operatorId)),
  };
}

/** A patron admitted without a phone: paper itinerary or ID card shown instead of a scan (checks.ts ScanCheck). */
export const isNoPhone = (e: HeldEntrance): boolean => e.record.checks.scan?.outcome === 'no_phone';

export function foldNoPhone(f: NoPhoneFacts, admissions: readonly HeldEntrance[]): NoPhoneFacts {
  const noPhone = admissions.filter(isNoPhone);
  return { admissions: f.admissions + admissions.length, noPhone: f.noPhone + noPhone.length, ids: addEarliest(f.ids, noPhone.map(idOf)) };
}

/** Standing admissions of one hour folded into its figures. */
export function foldHour(f: HourFacts, venue: FlagVenue, admissions: readonly HeldEntrance[], policyOf: PolicyOf, policyAt: PolicyAt): HourFacts {
  if (admissions.length === 0) return f;
  return {
    skipped: foldSkipped(f.skipped, venue, admissions, policyOf),
    risk: foldRisk(f.risk, venue, admissions, policyOf),
    closed: foldClosed(f.closed, venue, admissions, policyOf, policyAt),
    scans: foldScans(f.scans, admissions),
    missing: foldMissing(f.missing, venue, admissions, policyOf, policyAt),
    noPhone: foldNoPhone(f.noPhone, admissions),
  };
}

/** Entrance records of one day or week (all of them: who worked the door), with whether each stands as an admission. */
export function foldSpan(f: SpanFacts, entrances: readonly HeldEntrance[]): SpanFacts {
  if (entrances.length === 0) return f;
  return {
    entrances: f.entrances + entrances.length,
    admissions: f.admissions + entrances.filter((e) => e.record.decision === 'admit' && !e.corrected).length,
    onDuty: addCounts(f.onDuty, entrances.map((e) => e.record.operatorId)),
  };
}
