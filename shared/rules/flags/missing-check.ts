import type { RaisedFlag } from '../../schemas/flags.js';
import { emptyMissing, foldMissing, idsOf, names, sortedCounts, type MissingFacts } from './window-facts.js';
import { groupBy, hourKey, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance, type PolicyAt, type PolicyOf } from './window.js';

/**
 * `missing_check` — admissions that do not record at all a check the policy
 * required at this venue type (000 §2(2)(1) asks every check of every patron:
 * 扫码、测温、戴口罩、查验健康码和行程卡). A kiosk records a check done, or
 * skipped with the reason staff gave (`skipped_check`); a required check that
 * is simply absent comes from a tampered or broken kiosk, which hides the skip
 * itself, so the severity is `violation` (but see "Severity" below).
 *
 * Required means asked by the policy in force at the admission (the street's
 * activation history, `policyAt`) or by the version the record names
 * (`policyOf`), with the follow-up questions the recorded answers call for
 * (requiredChecks: the test after a starred or other-province itinerary, the
 * vaccination under the three-code check). `underOlderPolicy` counts those
 * owed only under the policy in force: the kiosk applied an older version
 * (offline through a switch, or claiming one), which the inspector weighs.
 * Refusals do not count: nobody got in.
 *
 * Severity: `violation` when an admission lacks a check the version it was
 * made under asked for. When every lapse of the hour is owed only under a
 * newer policy, the door did what the policy it had said (a switch reaches
 * each tablet only when it is next heard), so the hour is a `warning` for the
 * inspector to weigh, not a
 * violation: a stricter switch (004 §3.10–3.11) does not turn every door still
 * on the old version into a violator. The stored flag keeps the higher
 * severity once an hour has had a real lapse (store/flags.ts).
 *
 * Per batch, over each venue-local hour the batch touches, from the hour's
 * running figures. Window: the hour.
 */
export function missingCheck(venue: FlagVenue, entrances: readonly HeldEntrance[], policyOf: PolicyOf, policyAt: PolicyAt): RaisedFlag[] {
  const byHour = groupBy(standingAdmissions(entrances), (e) => hourKey(kioskTimeMs(e), venue.utcOffsetMinutes));
  return [...byHour].flatMap(([windowKey, admissions]) => judgeMissing(venue, windowKey, foldMissing(emptyMissing(), venue, admissions, policyOf, policyAt)));
}

/** The rule over one hour's running figures (window-facts.ts). */
export function judgeMissing(venue: FlagVenue, windowKey: string, f: MissingFacts): RaisedFlag[] {
  if (f.count === 0) return [];
  return [
    {
      venueId: venue.id,
      rule: 'missing_check',
      severity: f.count > f.underOlderPolicy ? 'violation' : 'warning',
      windowKey,
      evidence: {
        recordIds: idsOf(f.ids),
        withMissingCheck: f.count,
        underOlderPolicy: f.underOlderPolicy,
        byCheck: sortedCounts(f.byCheck),
        kioskIds: names(f.kiosks),
        operatorIds: names(f.operators),
      },
    },
  ];
}
