import type { RaisedFlag } from '../../schemas/flags.js';
import type { StaffTestFrequency } from '../../schemas/ledgers.js';
import { disinfectionsPerDay, type FlagThresholds } from '../../schemas/policy.js';
import { businessDayDates, type BusinessDay } from '../business-day.js';
import { capIds, dayKey, weekKey, type FlagVenue } from './window.js';

/**
 * `ledger_not_kept` — the venue's own ledgers (台账) missing for a business day
 * or an ISO week it was open (000 §2(2)(2)–(3): staff health and disinfection
 * each kept in a 台账; 003's table of staff test frequencies). Each ledger is
 * its own window, so each is one flag:
 *
 * - disinfection/ventilation (000 §2(2)(3)): fewer entries done within the
 *   business day than its venue type needs (`disinfectionsPerDay`, or
 *   `disinfectionsByVenueType`: 003 §27, twice a day after a local case).
 *   Window `2026-11-23:disinfection`.
 * - staff temperature (000 §2(2)(2), daily): a staff member on duty that day
 *   (an operator of its entrance records) without a reading that day.
 *   Window `2026-11-23:staff_temperature`.
 * - staff nucleic-acid tests, by the venue type's frequency (`staffTests`):
 *   - 1周2检 (rows 9, 13, 14): a staff member on duty that ISO week with fewer
 *     test dates within it. Window `2026-W48:staff_tests` (ledgerNotKeptWeek).
 *   - 5天1检 (rows 15, 17, 18, 21): a staff member on duty that day whose
 *     last test is `days` or more days old (a test covers its own day and the
 *     `days − 1` after), or who has none. Window `2026-11-23:staff_tests`.
 *   - daily sample (rows 23–28, after a local case): fewer staff tested that
 *     day than `percent` % of the staff seen that day (on duty, measured or
 *     tested), rounded up. Window `2026-11-23:staff_tests`.
 *
 * Days are business days (shared/rules/business-day.ts): a venue open past
 * midnight is judged once per night, not for the calendar day that holds the
 * night's tail. An open day is a business day with at least one admission.
 * Severity `warning`: a ledger gap is a finding to rectify, not a patron at risk.
 *
 * Time-based: the periodic sweep judges a day or a week once it is over.
 */

/** A staff health entry (StaffHealthRecord): who, the test date it reports, and the record. */
export interface StaffTest {
  recordId: string;
  staffId: string;
  /** YYYY-MM-DD */
  lastTestDate: string;
}

/** One finished business day of a venue, as the hub read it. */
export interface LedgerDay {
  day: BusinessDay;
  admissions: number;
  /** Staff who worked the door that day (operators of its entrance records). */
  onDuty: readonly string[];
  /** Disinfection and ventilation entries, by when they were done. */
  disinfections: readonly { recordId: string; doneAt: number }[];
  /** Staff with a temperature reading recorded that day. */
  staffMeasured: readonly string[];
  /**
   * Staff health entries recorded from `staffTestLookbackMs` before the day
   * began until it was judged (for the frequencies judged per day).
   */
  tests: readonly StaffTest[];
}

const DAY_MS = 86_400_000;

/** How far before a day its staff health entries are read: long enough to find a test still covering it. */
export function staffTestLookbackMs(frequency: StaffTestFrequency | undefined): number {
  return frequency?.every === 'days' ? frequency.days * DAY_MS : 0;
}

/** Whole days from date `a` to date `b` (YYYY-MM-DD). */
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY_MS);

export function ledgerNotKeptDay(venue: FlagVenue, d: LedgerDay, thresholds: FlagThresholds): RaisedFlag[] {
  if (d.admissions === 0) return [];
  const day = d.day.key;
  const flags: RaisedFlag[] = [];
  const required = disinfectionsPerDay(thresholds, venue.type);
  const done = d.disinfections.filter((x) => x.doneAt >= d.day.from && x.doneAt < d.day.to);
  if (done.length < required) {
    flags.push({
      venueId: venue.id,
      rule: 'ledger_not_kept',
      severity: 'warning',
      windowKey: `${day}:disinfection`,
      evidence: { ledger: 'disinfection', day, recordIds: capIds(done.map((x) => x.recordId)), entries: done.length, required, admissions: d.admissions },
    });
  }
  const measured = new Set(d.staffMeasured);
  const unmeasured = [...new Set(d.onDuty)].filter((s) => !measured.has(s)).sort();
  if (unmeasured.length > 0) {
    flags.push({
      venueId: venue.id,
      rule: 'ledger_not_kept',
      severity: 'warning',
      windowKey: `${day}:staff_temperature`,
      evidence: { ledger: 'staff_temperature', day, recordIds: [], staffIds: unmeasured, onDuty: new Set(d.onDuty).size },
    });
  }
  flags.push(...staffTestsOfDay(venue, d, thresholds.staffTests[venue.type]));
  return flags;
}

/** The frequencies judged per day: every N days, and the daily sample. */
function staffTestsOfDay(venue: FlagVenue, d: LedgerDay, frequency: StaffTestFrequency | undefined): RaisedFlag[] {
  if (frequency === undefined || frequency.every === 'week') return [];
  const day = d.day.key;
  const dates = businessDayDates(d.day, venue.utcOffsetMinutes);
  const lastDate = dates.at(-1)!;
  // Entries reporting a test after the day say nothing about the day.
  const tests = d.tests.filter((t) => t.lastTestDate <= lastDate);
  const base = { venueId: venue.id, rule: 'ledger_not_kept' as const, severity: 'warning' as const, windowKey: `${day}:staff_tests` };
  if (frequency.every === 'days') {
    const latest = new Map<string, StaffTest>();
    for (const t of tests) if ((latest.get(t.staffId)?.lastTestDate ?? '') < t.lastTestDate) latest.set(t.staffId, t);
    const short = [...new Set(d.onDuty)]
      .sort()
      .map((staffId) => ({ staffId, lastTestDate: latest.get(staffId)?.lastTestDate ?? null }))
      .filter((s) => s.lastTestDate === null || daysBetween(s.lastTestDate, day) >= frequency.days);
    if (short.length === 0) return [];
    const ids = short.flatMap((s) => (latest.has(s.staffId) ? [latest.get(s.staffId)!.recordId] : []));
    return [{ ...base, evidence: { ledger: 'staff_tests', day, frequency, recordIds: capIds(ids), staff: short } }];
  }
  const sampled = tests.filter((t) => dates.includes(t.lastTestDate));
  const tested = new Set(sampled.map((t) => t.staffId));
  const staff = new Set([...d.onDuty, ...d.staffMeasured, ...tested]);
  const required = Math.ceil((staff.size * frequency.percent) / 100);
  if (tested.size >= required) return [];
  return [{ ...base, evidence: { ledger: 'staff_tests', day, frequency, recordIds: capIds(sampled.map((t) => t.recordId)), staff: staff.size, tested: tested.size, required } }];
}

/** One finished venue-local ISO week, as the hub read it. */
export interface LedgerWeek {
  /** Any instant of the week. */
  week: number;
  /** Start of the week (Monday 00:00 local) and its end, in ms. */
  from: number;
  to: number;
  onDuty: readonly string[];
  /** Staff health entries of the week and after: who, and the test date they report (YYYY-MM-DD). */
  tests: readonly StaffTest[];
}

/** The 1周2检 rows (003 table rows 9, 13, 14): test dates per staff member within the ISO week. */
export function ledgerNotKeptWeek(venue: FlagVenue, w: LedgerWeek, thresholds: FlagThresholds): RaisedFlag[] {
  const frequency = thresholds.staffTests[venue.type];
  if (frequency?.every !== 'week') return [];
  const first = dayKey(w.from, venue.utcOffsetMinutes);
  const last = dayKey(w.to - 1, venue.utcOffsetMinutes);
  const dates = new Map<string, Set<string>>();
  const ids: string[] = [];
  for (const t of w.tests) {
    if (t.lastTestDate < first || t.lastTestDate > last) continue;
    dates.set(t.staffId, (dates.get(t.staffId) ?? new Set()).add(t.lastTestDate));
    ids.push(t.recordId);
  }
  const short = [...new Set(w.onDuty)]
    .map((staffId) => ({ staffId, tests: dates.get(staffId)?.size ?? 0 }))
    .filter((s) => s.tests < frequency.times)
    .sort((a, b) => a.staffId.localeCompare(b.staffId));
  if (short.length === 0) return [];
  const week = weekKey(w.week, venue.utcOffsetMinutes);
  return [
    {
      venueId: venue.id,
      rule: 'ledger_not_kept',
      severity: 'warning',
      windowKey: `${week}:staff_tests`,
      evidence: { ledger: 'staff_tests', week, recordIds: capIds(ids), staff: short, required: frequency.times },
    },
  ];
}
