import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds } from '../../schemas/policy.js';
import { capIds, dayKey, dayStart, weekKey, type FlagVenue } from './window.js';

/**
 * `ledger_not_kept` — the venue's own ledgers (台账) missing for a day or a
 * week it was open (000 §2(2)(2)–(3): staff health and disinfection each kept
 * in a 台账; 003 table row 9 for staff tests). Three ledgers, each its own
 * window so each is one flag:
 *
 * - disinfection/ventilation (000 §2(2)(3)): fewer than `disinfectionsPerDay`
 *   entries done on an open day. Window `2026-11-23:disinfection`.
 * - staff temperature (000 §2(2)(2), daily): a staff member on duty that day
 *   (an operator of its entrance records) without a reading that day.
 *   Window `2026-11-23:staff_temperature`.
 * - staff nucleic-acid tests (003 table row 9, 1周2检 for entertainment,
 *   hotel and restaurant staff; the types are `staffTestVenueTypes`): a staff
 *   member on duty that ISO week with fewer than `staffTestsPerWeek` test
 *   dates within it. Window `2026-W48:staff_tests`.
 *
 * An open day is a day with at least one admission. Severity `warning`: a
 * ledger gap is a finding to rectify, not a patron at risk.
 *
 * Time-based: the periodic sweep judges a day or a week once it is over.
 */

/** One finished venue-local day, as the hub read it. */
export interface LedgerDay {
  /** Any instant of the day. */
  day: number;
  admissions: number;
  /** Staff who worked the door that day (operators of its entrance records). */
  onDuty: readonly string[];
  /** Disinfection and ventilation entries, by when they were done. */
  disinfections: readonly { recordId: string; doneAt: number }[];
  /** Staff with a temperature reading recorded that day. */
  staffMeasured: readonly string[];
}

export function ledgerNotKeptDay(venue: FlagVenue, d: LedgerDay, thresholds: FlagThresholds): RaisedFlag[] {
  if (d.admissions === 0) return [];
  const day = dayKey(d.day, venue.utcOffsetMinutes);
  const start = dayStart(d.day, venue.utcOffsetMinutes);
  const flags: RaisedFlag[] = [];
  const done = d.disinfections.filter((x) => x.doneAt >= start && x.doneAt < start + 86_400_000);
  if (done.length < thresholds.disinfectionsPerDay) {
    flags.push({
      venueId: venue.id,
      rule: 'ledger_not_kept',
      severity: 'warning',
      windowKey: `${day}:disinfection`,
      evidence: { ledger: 'disinfection', day, recordIds: capIds(done.map((x) => x.recordId)), entries: done.length, required: thresholds.disinfectionsPerDay, admissions: d.admissions },
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
  return flags;
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
  tests: readonly { recordId: string; staffId: string; lastTestDate: string }[];
}

export function ledgerNotKeptWeek(venue: FlagVenue, w: LedgerWeek, thresholds: FlagThresholds): RaisedFlag[] {
  if (!thresholds.staffTestVenueTypes.includes(venue.type) || thresholds.staffTestsPerWeek === 0) return [];
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
    .filter((s) => s.tests < thresholds.staffTestsPerWeek)
    .sort((a, b) => a.staffId.localeCompare(b.staffId));
  if (short.length === 0) return [];
  const week = weekKey(w.week, venue.utcOffsetMinutes);
  return [
    {
      venueId: venue.id,
      rule: 'ledger_not_kept',
      severity: 'warning',
      windowKey: `${week}:staff_tests`,
      evidence: { ledger: 'staff_tests', week, recordIds: capIds(ids), staff: short, required: thresholds.staffTestsPerWeek },
    },
  ];
}
