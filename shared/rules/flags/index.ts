import type { FlagRule, Severity } from '../../schemas/flags.js';

/**
 * The inspectors' flag rules, one module each. Every rule is pure:
 * plain data in (records as the hub holds them, the venue, the policy,
 * thresholds from `policy.flags`, `now`), `RaisedFlag[]` out, each with the
 * window it is de-duplicated by and the evidence an inspector opens.
 *
 * `batch` rules run as each batch is committed, over reads bounded by the
 * batch (its hours at its venue, the kiosk's last readings); `sweep` rules
 * need time to pass and run from the periodic sweep (hub/src/services/flags.ts).
 */
export { admittedDespiteRisk, judgeRisk } from './admitted-despite-risk.js';
export { admittedWhileClosed, judgeClosed } from './admitted-while-closed.js';
export { admittedWhileSuspended, type HeldSuspension } from './admitted-while-suspended.js';
export { admittedWithoutBooking } from './admitted-without-booking.js';
export { clockSkew } from './clock-skew.js';
export { inventedTemperatures, readingStats, readingsNeeded, temperatureTests, TEMPERATURE_TESTS, type Reading, type TemperatureTest } from './invented-temperatures.js';
export { kioskSilent, type KioskHeard } from './kiosk-silent.js';
export { ledgerNotKeptDay, ledgerNotKeptWeek, staffTestLookbackMs, type LedgerDay, type LedgerWeek, type StaffTest } from './ledger-not-kept.js';
export { judgeMissing, missingCheck } from './missing-check.js';
export { baselineDays, binomialTail, judgeNoPhone, noPhoneShare, usualShare, type StreetBefore } from './no-phone-share.js';
export { staffBooster, staffFever, type StaffReading, type StaffVaccination } from './staff-health.js';
export { overCapacity } from './over-capacity.js';
export { judgeScans, scansBelowAdmissions, type HourScans } from './scans-below-admissions.js';
export { judgeSkipped, skippedCheck } from './skipped-check.js';
export { slotAdmissions, slotKey, slotOverCap, slotText, type BookingsById, type HeldBooking, type SlotAdmission, type VenueBooking } from './slot-over-cap.js';
export * from './window.js';
export * from './window-facts.js';
export { policiesFor, type Policies, type PolicyInForce } from './policies-for.js';

export interface RuleInfo {
  when: 'batch' | 'sweep' | 'batch+sweep' | 'ingest';
  severity: Severity | 'warning/violation';
  window: string;
  seed: string;
}

/**
 * Every rule, when it runs, how severe, its window and its seed source: a table kept beside the rules for
 * readers of the code. No code reads it; docs/inspectors-guide.md lists the same in its flag table.
 */
// Stryker disable all: a table of each rule's severity, window and source, read by no code; what each describes (severity, window) is asserted rule by rule in tests/shared/flags.
export const FLAG_RULES: Record<FlagRule, RuleInfo> = {
  skipped_check: { when: 'batch', severity: 'warning', window: 'hour', seed: '000 §2(2)(1)' },
  admitted_despite_risk: { when: 'batch', severity: 'violation', window: 'hour', seed: '000 §2(2)(1); 003 §30; 004 §3.8' },
  admitted_while_closed: { when: 'batch', severity: 'warning/violation', window: 'hour', seed: '004 §3.1' },
  over_capacity: { when: 'batch', severity: 'warning/violation', window: 'hour', seed: '004 §3.3–3.5' },
  invented_temperatures: { when: 'batch', severity: 'warning', window: 'kiosk@hour', seed: '000 §2(2)(1)' },
  clock_skew: { when: 'batch', severity: 'warning', window: 'kiosk@day', seed: 'no seed: the other rules read the kiosk clock' },
  scans_below_admissions: { when: 'batch+sweep', severity: 'warning', window: 'hour (finished)', seed: '000 §2(2)(1)' },
  kiosk_silent: { when: 'sweep', severity: 'warning', window: 'kiosk@hour silence began', seed: '004 §5(4)' },
  ledger_not_kept: { when: 'sweep', severity: 'warning', window: 'business day:ledger, week:staff_tests', seed: '000 §2(2)(2)–(3); 003 §27; 003 test table rows 9–28' },
  staff_health: { when: 'batch+sweep', severity: 'warning/violation', window: 'business day:fever, week:booster', seed: '000 §2(2)(2); 003 §10' },
  // Raised inside the ingest transaction by hub/src/store/records.ts.
  pass_reused: { when: 'ingest', severity: 'warning', window: 'pass#person', seed: '000 §2(2)(1) (scan)' },
  pass_unknown: { when: 'ingest', severity: 'warning', window: 'record:<id>', seed: '000 §2(2)(1) (scan)' },
  slot_over_cap: { when: 'batch', severity: 'warning/violation', window: 'slot', seed: '003 §13; 004 §3.3' },
  admitted_without_booking: { when: 'batch', severity: 'warning', window: 'slot', seed: '003 §13' },
  missing_check: { when: 'batch', severity: 'violation', window: 'hour', seed: '000 §2(2)(1)' },
  no_phone_share: { when: 'batch', severity: 'warning', window: 'hour', seed: '000 §2(2)(1) (scan)' },
  admitted_while_suspended: { when: 'batch', severity: 'violation', window: 'hour', seed: '000 §5(2)' },
};
// Stryker restore all
