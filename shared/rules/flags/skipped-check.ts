import { skippedChecks } from '../../schemas/checks.js';
import type { RaisedFlag } from '../../schemas/flags.js';
import { requiredChecks } from '../required-checks.js';
import { capIds, groupBy, hourKey, kioskTimeMs, standingAdmissions, tally, type FlagVenue, type HeldEntrance, type PolicyOf } from './window.js';

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
  const flags: RaisedFlag[] = [];
  for (const [windowKey, admissions] of byHour) {
    const lapses = admissions.flatMap((e) => {
      const { record } = e;
      const asked = requiredChecks(policyOf(record.policyVersion), venue.type, record.checks.itinerary?.outcome);
      const skipped = skippedChecks(record.checks).filter((name) => asked.includes(name));
      return skipped.length > 0 ? [{ record, skipped }] : [];
    });
    if (lapses.length === 0) continue;
    flags.push({
      venueId: venue.id,
      rule: 'skipped_check',
      severity: 'warning',
      windowKey,
      evidence: {
        recordIds: capIds(lapses.map((l) => l.record.id)),
        admissions: admissions.length,
        withSkippedCheck: lapses.length,
        byCheck: tally(lapses.flatMap((l) => l.skipped)),
        kioskIds: [...new Set(lapses.map((l) => l.record.kioskId))],
        operatorIds: [...new Set(lapses.map((l) => l.record.operatorId))],
      },
    });
  }
  return flags;
}
