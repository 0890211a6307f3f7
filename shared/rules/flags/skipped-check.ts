import type { RaisedFlag } from '../../schemas/flags.js';
import { emptySkipped, foldSkipped, idsOf, names, sortedCounts, type SkippedFacts } from './window-facts.js';
import { groupBy, hourKey, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance, type PolicyOf } from './window.js';

/**
 * `skipped_check` — admissions with a required check recorded as skipped
 * (000 §2(2)(1) asks every check of every patron, and 000 §2(2) has the
 * inspectors check that each was done). Severity `warning`: the kiosk recorded
 * the skip honestly with the reason staff gave, so it is a lapse to look at,
 * not yet proof of a risk let in (that is `admitted_despite_risk`).
 *
 * Only checks the record's own policy asked at this venue type count
 * (requiredChecks): a check not asked is absent, never skipped. Refusals do
 * not count: nobody got in.
 *
 * Per batch, over each venue-local hour the batch touches; the hub passes
 * every entrance record of that hour, so the evidence covers the hour.
 * Window: the hour (`2026-11-23T14`).
 */
export function skippedCheck(venue: FlagVenue, entrances: readonly HeldEntrance[], policyOf: PolicyOf): RaisedFlag[] {
  const byHour = groupBy(standingAdmissions(entrances), (e) => hourKey(kioskTimeMs(e), venue.utcOffsetMinutes));
  return [...byHour].flatMap(([windowKey, admissions]) => judgeSkipped(venue, windowKey, foldSkipped(emptySkipped(), venue, admissions, policyOf)));
}

/** The rule over one hour's running figures (window-facts.ts). */
export function judgeSkipped(venue: FlagVenue, windowKey: string, f: SkippedFacts): RaisedFlag[] {
  if (f.lapses === 0) return [];
  return [
    {
      venueId: venue.id,
      rule: 'skipped_check',
      severity: 'warning',
      windowKey,
      evidence: {
        recordIds: idsOf(f.ids),
        admissions: f.admissions,
        withSkippedCheck: f.lapses,
        byCheck: sortedCounts(f.byCheck),
        kioskIds: names(f.kiosks),
        operatorIds: names(f.operators),
      },
    },
  ];
}
