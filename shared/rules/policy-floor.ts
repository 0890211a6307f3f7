import type { DoorCheck } from '../schemas/checks.js';
import type { StaffTestFrequency, StaffTestTable } from '../schemas/ledgers.js';
import type { HoursWindow, Policy, VaccinationEffect } from '../schemas/policy.js';
import { VenueType } from '../schemas/venue.js';

/**
 * One act for the city (004 §1–3; docs/policy.md "Levels"): the city, a district, a street and a
 * community may each put a policy in force, and a venue enforces the meet of them all: field by
 * field the stricter value, so no level below can loosen what a level above imposed, and a
 * street's own stricter switch still stands when the city switches.
 */

type ByType<T> = Partial<Record<VenueType, T>>;

/** Every venue type either side names, in the schema's order (a deterministic result). */
const typesOf = (a: ByType<unknown>, b: ByType<unknown>): VenueType[] => VenueType.options.filter((t) => t in a || t in b);

/** `a`'s items, then those of `b` not in `a`: equal to `a` when `b` adds nothing. */
function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...a, ...b.filter((x) => !a.includes(x))];
}

/** Per venue type, `pick` of each side's value for it (its own, else its default). */
function perType<T>(a: { default: T; byVenueType: ByType<T> }, b: { default: T; byVenueType: ByType<T> }, pick: (x: T, y: T) => T) {
  const byVenueType: ByType<T> = {};
  for (const t of typesOf(a.byVenueType, b.byVenueType)) byVenueType[t] = pick(a.byVenueType[t] ?? a.default, b.byVenueType[t] ?? b.default);
  return { default: pick(a.default, b.default), byVenueType };
}

const VACCINATION_RANK: Record<VaccinationEffect, number> = { record: 0, warn: 1, refuse: 2 };
const stricterEffect = (a: VaccinationEffect, b: VaccinationEffect) => (VACCINATION_RANK[b] > VACCINATION_RANK[a] ? b : a);

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** Minutes a window admits in a day; close at or before open runs past midnight (open = close: the whole day). */
export function windowMinutes(w: HoursWindow | null): number {
  if (w === null) return 24 * 60;
  const span = minutes(w.close) - minutes(w.open);
  return span > 0 ? span : span + 24 * 60;
}

/**
 * The narrower of two shortened-hours windows: the one admitting fewer minutes a day (no window:
 * the whole day). On a tie, the earlier opening (then closing) time, so the choice does not depend
 * on which side is which. What a closed type keeps as its window (`meetHours`): it admits at no hour.
 */
export function narrowerWindow(a: HoursWindow | null, b: HoursWindow | null): HoursWindow | null {
  if (a === null) return b;
  if (b === null) return a;
  const d = windowMinutes(a) - windowMinutes(b);
  if (d !== 0) return d < 0 ? a : b;
  return a.open < b.open || (a.open === b.open && a.close <= b.close) ? a : b;
}

const DAY_MINUTES = 24 * 60;
/** A window of the whole day (none, or open = close) shortens nothing. */
const wholeDay = (w: HoursWindow | null) => w === null || windowMinutes(w) === DAY_MINUTES;
/** A window as minute ranges of one day, [from, to): one range, or two when it runs past midnight. */
function ranges(w: HoursWindow): [number, number][] {
  const open = minutes(w.open);
  const close = minutes(w.close);
  return close > open ? [[open, close]] : [[open, DAY_MINUTES], [0, close]];
}
const clockTime = (m: number) => `${String(Math.floor((m % DAY_MINUTES) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * What two shortened-hours windows both allow, as one window: their overlap. Two windows may
 * overlap in two pieces (one of them past midnight); one window cannot say that, so the longer
 * piece is kept (the earlier on a tie): never looser than either side. `closed` when they have no
 * minute in common: a venue may then admit at no time of the day.
 */
export function meetWindows(a: HoursWindow | null, b: HoursWindow | null): HoursWindow | null | 'closed' {
  if (wholeDay(a)) return wholeDay(b) ? a : b;
  if (wholeDay(b)) return a;
  const pieces: [number, number][] = [];
  for (const [f1, t1] of ranges(a!)) for (const [f2, t2] of ranges(b!)) if (Math.max(f1, f2) < Math.min(t1, t2)) pieces.push([Math.max(f1, f2), Math.min(t1, t2)]);
  if (pieces.length === 0) return 'closed';
  // A piece ending at midnight and one starting at it are one window running past midnight.
  const late = pieces.find((p) => p[1] === DAY_MINUTES);
  const early = pieces.find((p) => p[0] === 0);
  const joined: [number, number][] =
    late && early && late !== early ? [[late[0], DAY_MINUTES + early[1]], ...pieces.filter((p) => p !== late && p !== early)] : pieces;
  joined.sort((x, y) => y[1] - y[0] - (x[1] - x[0]) || x[0] - y[0]);
  const [from, to] = joined[0]!;
  return { open: clockTime(from), close: clockTime(to) };
}

/**
 * Shortened hours under both sides, per venue type: each type's window is the overlap of what
 * each side allows it (`meetWindows`); a type whose two windows share no minute is closed.
 */
function meetHours(a: Policy['shortenedHours'], b: Policy['shortenedHours']): { hours: Policy['shortenedHours']; closed: VenueType[] } {
  const window = (x: HoursWindow | null, y: HoursWindow | null) => {
    const m = meetWindows(x, y);
    return m === 'closed' ? narrowerWindow(x, y) : m;
  };
  const byDefault = window(a.default, b.default);
  const byVenueType: ByType<HoursWindow> = {};
  const closed: VenueType[] = [];
  for (const t of VenueType.options) {
    const x = a.byVenueType[t] ?? a.default;
    const y = b.byVenueType[t] ?? b.default;
    if (meetWindows(x, y) === 'closed') closed.push(t);
    const w = window(x, y);
    const set = a.byVenueType[t] !== undefined || b.byVenueType[t] !== undefined;
    // A type that keeps the whole day under a shortened default (or set so on a side) says so with a window of the whole day.
    if (wholeDay(w)) {
      if (set || !wholeDay(byDefault)) byVenueType[t] = w ?? a.byVenueType[t] ?? b.byVenueType[t] ?? { open: '00:00', close: '00:00' };
    } else if (set || JSON.stringify(w) !== JSON.stringify(byDefault)) {
      byVenueType[t] = w!;
    }
  }
  return { hours: { default: byDefault, byVenueType }, closed };
}

/** Tests a staff member takes a week at this frequency (a daily sample of p % is p % of the days). */
function testsPerWeek(f: StaffTestFrequency): number {
  return f.every === 'week' ? f.times : f.every === 'days' ? 7 / f.days : (7 * f.percent) / 100;
}
/** The more frequent of two staff test frequencies (a type one side does not list asks none there); equal rates: the first in JSON order, either way round. */
function moreTests(a: StaffTestFrequency | undefined, b: StaffTestFrequency | undefined): StaffTestFrequency | undefined {
  if (!a || !b) return a ?? b;
  const d = testsPerWeek(a) - testsPerWeek(b);
  if (d !== 0) return d > 0 ? a : b;
  return JSON.stringify(a) <= JSON.stringify(b) ? a : b;
}

/**
 * The inspectors' flag thresholds are the lower level's own tuning, but the ledgers a venue must
 * keep are rules for it (003's table of test frequencies, 003 §27 disinfection after a local case):
 * the staff tests per type the more frequent, disinfections a day the more, the booster asked if
 * either asks it, so a city's emergency tightens every street's ledgers.
 */
function meetFlags(lower: Policy['flags'], higher: Policy['flags']): Policy['flags'] {
  const staffTests: StaffTestTable = {};
  for (const t of typesOf(lower.staffTests, higher.staffTests)) {
    const f = moreTests(lower.staffTests[t], higher.staffTests[t]);
    if (f) staffTests[t] = f;
  }
  const disinfectionsByVenueType: Policy['flags']['disinfectionsByVenueType'] = {};
  for (const t of typesOf(lower.disinfectionsByVenueType, higher.disinfectionsByVenueType)) {
    disinfectionsByVenueType[t] = Math.max(lower.disinfectionsByVenueType[t] ?? lower.disinfectionsPerDay, higher.disinfectionsByVenueType[t] ?? higher.disinfectionsPerDay);
  }
  return {
    ...lower,
    staffTests,
    disinfectionsPerDay: Math.max(lower.disinfectionsPerDay, higher.disinfectionsPerDay),
    disinfectionsByVenueType,
    staffBoosterRequired: lower.staffBoosterRequired || higher.staffBoosterRequired,
  };
}

/**
 * The field-wise meet of two policies: never looser than either, in every field a door enforces.
 * `lower` is the policy of the lower level (a street's under a city's): the fields that are the
 * street's own tuning rather than rules for patrons (contact retention, booking grace, the
 * inspectors' flag thresholds, but not the ledgers: `meetFlags`) are taken from it. Every other
 * field does not depend on the order:
 * - mode: emergency if either is;
 * - closed venue types, test-and-commitment types, door checks (per type): the union;
 * - cap percent, fever threshold, test windows, pass validity: the lower number, per type each
 *   side's own value for it or its default;
 * - the three-code check: on if either; a commitment in place of a test: only if both accept it;
 * - an unvaccinated answer: the stricter of record < warn < refuse, per type, of the sides that ask
 *   the three-code check (both when neither does);
 * - shortened hours: per type, the overlap of the two windows (`meetWindows`); a type whose two
 *   windows share no minute of the day is closed (added to the closed venue types).
 * The version is the higher of the two, so a kiosk never refuses the meet as older than a part.
 */
export function strictest(lower: Policy, higher: Policy): Policy {
  const a = lower;
  const b = higher;
  const hours = meetHours(a.shortenedHours, b.shortenedHours);
  return {
    version: Math.max(a.version, b.version),
    mode: a.mode === 'emergency' || b.mode === 'emergency' ? 'emergency' : 'normal',
    feverThresholdC: Math.min(a.feverThresholdC, b.feverThresholdC),
    doorChecks: perType<DoorCheck[]>(a.doorChecks, b.doorChecks, union),
    testWindowHours: {
      starred: Math.min(a.testWindowHours.starred, b.testWindowHours.starred),
      otherProvince: Math.min(a.testWindowHours.otherProvince, b.testWindowHours.otherProvince),
      // A type's window tightens both cases (testWindowHours in policy.ts): the lower of those set.
      byVenueType: Object.fromEntries(
        typesOf(a.testWindowHours.byVenueType, b.testWindowHours.byVenueType).map((t) => [
          t,
          Math.min(a.testWindowHours.byVenueType[t] ?? Infinity, b.testWindowHours.byVenueType[t] ?? Infinity),
        ]),
      ),
    },
    commitmentAccepted: a.commitmentAccepted && b.commitmentAccepted,
    testAndCommitmentVenueTypes: union(a.testAndCommitmentVenueTypes, b.testAndCommitmentVenueTypes),
    closedVenueTypes: union(union(a.closedVenueTypes, b.closedVenueTypes), hours.closed),
    capPercent: perType(a.capPercent, b.capPercent, Math.min),
    threeCodeCheck: a.threeCodeCheck || b.threeCodeCheck,
    // What an unvaccinated answer does matters only where the three-code check asks it: a side that
    // does not ask keeps no say, so its dormant setting never becomes a refusal nobody imposed.
    unvaccinated:
      a.threeCodeCheck === b.threeCodeCheck ? perType(a.unvaccinated, b.unvaccinated, stricterEffect) : a.threeCodeCheck ? a.unvaccinated : b.unvaccinated,
    shortenedHours: hours.hours,
    passValidMinutes: Math.min(a.passValidMinutes, b.passValidMinutes),
    // The street's own tuning, not a rule for patrons: the lower level's (its ledgers aside: meetFlags).
    contactRetentionDays: a.contactRetentionDays,
    bookingGraceMinutes: a.bookingGraceMinutes,
    flags: meetFlags(a.flags, b.flags),
  };
}

/** The meet of the levels that ever switched, lowest first (the lowest's tuning stays); undefined when none did. */
export function strictestOf(lowestFirst: readonly (Policy | undefined)[]): Policy | undefined {
  let out: Policy | undefined;
  for (const p of lowestFirst) if (p) out = out ? strictest(out, p) : p;
  return out;
}

/** The fields a door enforces, as the floor check names them (the street's tuning is not among them). */
export const FLOOR_FIELDS = [
  'mode',
  'feverThresholdC',
  'doorChecks',
  'testWindowHours',
  'commitmentAccepted',
  'testAndCommitmentVenueTypes',
  'closedVenueTypes',
  'capPercent',
  'threeCodeCheck',
  'unvaccinated',
  'shortenedHours',
  'passValidMinutes',
] as const;
export type FloorField = (typeof FLOOR_FIELDS)[number];

/**
 * The hours each venue type may admit in, as a door sees them (shared/rules/opening-hours.ts): its
 * own window or the default, a window of the whole day as none, and `closed` for a closed type
 * (its window then means nothing).
 */
export function doorHours(p: Policy): (HoursWindow | null | 'closed')[] {
  return VenueType.options.map((t) => {
    if (p.closedVenueTypes.includes(t)) return 'closed';
    const w = p.shortenedHours.byVenueType[t] ?? p.shortenedHours.default;
    return wholeDay(w) ? null : w;
  });
}

/** A field as a door sees it: per venue type its value (own or default), sets sorted; two equal forms enforce the same. */
function enforced(p: Policy, field: FloorField): unknown {
  const each = <T>(f: (t: VenueType) => T) => VenueType.options.map(f);
  switch (field) {
    case 'doorChecks':
      return [[...p.doorChecks.default].sort(), each((t) => [...(p.doorChecks.byVenueType[t] ?? p.doorChecks.default)].sort())];
    case 'testWindowHours': {
      const w = p.testWindowHours;
      return each((t) => [Math.min(w.starred, w.byVenueType[t] ?? Infinity), Math.min(w.otherProvince, w.byVenueType[t] ?? Infinity)]);
    }
    case 'testAndCommitmentVenueTypes':
    case 'closedVenueTypes':
      return [...p[field]].sort();
    case 'capPercent':
    case 'unvaccinated':
      return [p[field].default, each((t) => p[field].byVenueType[t] ?? p[field].default)];
    case 'shortenedHours':
      return doorHours(p);
    default:
      return p[field];
  }
}

/**
 * The fields in which `policy` is looser than `floor` (the meet of the levels above it): those
 * the meet would change. Empty: the policy may be put in force under that floor as it is.
 */
export function looserThan(policy: Policy, floor: Policy): FloorField[] {
  const meet = strictest(policy, floor);
  return FLOOR_FIELDS.filter((f) => (f === 'shortenedHours' ? hoursLooser(policy, floor, meet) : JSON.stringify(enforced(meet, f)) !== JSON.stringify(enforced(policy, f))));
}

/**
 * Whether `policy` lets a venue type admit at hours the floor does not: a type the meet keeps open
 * with other hours, or one the meet closes for its hours alone (not closed by either side; that
 * closure is named as closedVenueTypes).
 */
function hoursLooser(policy: Policy, floor: Policy, meet: Policy): boolean {
  const own = doorHours(policy);
  const met = doorHours(meet);
  return VenueType.options.some((t, i) =>
    met[i] === 'closed' ? own[i] !== 'closed' && !floor.closedVenueTypes.includes(t) : JSON.stringify(met[i]) !== JSON.stringify(own[i]),
  );
}
