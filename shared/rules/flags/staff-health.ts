import type { RaisedFlag } from '../../schemas/flags.js';
import type { StaffHealthRecord } from '../../schemas/record.js';
import type { BusinessDay } from '../business-day.js';
import { capIds, weekKey, type FlagVenue } from './window.js';

/**
 * `staff_health` — what the staff ledger says, rather than whether it was kept
 * (that is ledger_not_kept): 000 §2(2)(2) has inspectors check the staff's
 * health monitoring and that they completed the booster ("是否完成疫苗接种加强免疫").
 * A finding of its own, so a venue with a full ledger that shows a fever is
 * not told its ledger is missing, and an inspector can filter for it.
 *
 * - fever: a staff temperature at or above the policy's fever threshold
 *   (the threshold patrons are refused at). A violation when that staff
 *   member worked the door the same business day (003 §10: "禁止有可疑症状人员上岗"),
 *   a warning otherwise (the ledger shows it; follow up). Window `2026-11-23:fever`.
 *   Judged as the reading arrives and again when the day is over.
 * - booster: staff on duty in an ISO week whose latest staff health entry says
 *   the booster is not done (`staffBoosterRequired`). Staff with no entry are
 *   ledger_not_kept's (staff tests). Window `2026-W48:booster`, a warning.
 */

/** A staff temperature as the staff ledger holds it. */
export interface StaffReading {
  recordId: string;
  staffId: string;
  celsius: number;
}

export function staffFever(venue: FlagVenue, day: BusinessDay, readings: readonly StaffReading[], onDuty: readonly string[], feverThresholdC: number): RaisedFlag[] {
  const fevers = readings.filter((r) => r.celsius >= feverThresholdC);
  if (fevers.length === 0) return [];
  const duty = new Set(onDuty);
  const highest = new Map<string, number>();
  for (const r of fevers) highest.set(r.staffId, Math.max(highest.get(r.staffId) ?? 0, r.celsius));
  const staff = [...highest].sort(([a], [b]) => a.localeCompare(b)).map(([staffId, celsius]) => ({ staffId, celsius, onDuty: duty.has(staffId) }));
  return [
    {
      venueId: venue.id,
      rule: 'staff_health',
      severity: staff.some((s) => s.onDuty) ? 'violation' : 'warning',
      windowKey: `${day.key}:fever`,
      evidence: { finding: 'fever', day: day.key, recordIds: capIds(fevers.map((r) => r.recordId)), staff, thresholdC: feverThresholdC },
    },
  ];
}

/** A staff health entry with its vaccination and when it was recorded (kiosk time, ms). */
export interface StaffVaccination {
  recordId: string;
  staffId: string;
  vaccination: StaffHealthRecord['vaccination'];
  at: number;
}

export function staffBooster(venue: FlagVenue, week: number, entries: readonly StaffVaccination[], onDuty: readonly string[], required: boolean): RaisedFlag[] {
  if (!required) return [];
  const latest = new Map<string, StaffVaccination>();
  for (const e of entries) if ((latest.get(e.staffId)?.at ?? -Infinity) <= e.at) latest.set(e.staffId, e);
  const missing = [...new Set(onDuty)]
    .sort()
    .flatMap((staffId) => {
      const e = latest.get(staffId);
      return e && e.vaccination !== 'booster' ? [e] : [];
    });
  if (missing.length === 0) return [];
  const key = weekKey(week, venue.utcOffsetMinutes);
  return [
    {
      venueId: venue.id,
      rule: 'staff_health',
      severity: 'warning',
      windowKey: `${key}:booster`,
      evidence: { finding: 'booster', week: key, recordIds: capIds(missing.map((e) => e.recordId)), staff: missing.map((e) => ({ staffId: e.staffId, vaccination: e.vaccination })) },
    },
  ];
}
