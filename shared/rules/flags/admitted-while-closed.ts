import type { RaisedFlag } from '../../schemas/flags.js';
import { emptyClosed, foldClosed, idsOf, names, type ClosedFacts } from './window-facts.js';
import { groupBy, hourKey, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance, type PolicyAt, type PolicyOf } from './window.js';

/**
 * `admitted_while_closed` — admissions while the venue may not admit anyone:
 * its type closed by the policy (004 §3.1 in emergency), or outside its own
 * opening hours (the hours the street office registers, as the policy of the
 * record or the one in force shortens them, 003 §14 缩短营业时间: rules/opening-hours.ts).
 *
 * Closed by policy is judged both by the policy the record names and by the
 * one the street had in force at the admission (a kiosk kept offline through
 * the switch still let people into a closed venue; `underOlderPolicy` counts
 * those so the inspector can tell). Severity `violation` when any admission
 * was closed by policy (004 §3.1 暂时关停 closes the venue outright, and 004
 * §5(3) has a venue that refuses the measures punished); `warning` for
 * admissions only outside the venue's own hours.
 *
 * Per batch, over each venue-local hour the batch touches. Window: the hour.
 */
export function admittedWhileClosed(
  venue: FlagVenue,
  entrances: readonly HeldEntrance[],
  policyOf: PolicyOf,
  policyAt: PolicyAt,
): RaisedFlag[] {
  const byHour = groupBy(standingAdmissions(entrances), (e) => hourKey(kioskTimeMs(e), venue.utcOffsetMinutes));
  return [...byHour].flatMap(([windowKey, admissions]) => judgeClosed(venue, windowKey, foldClosed(emptyClosed(), venue, admissions, policyOf, policyAt)));
}

/** The rule over one hour's running figures (window-facts.ts). */
export function judgeClosed(venue: FlagVenue, windowKey: string, f: ClosedFacts): RaisedFlag[] {
  if (f.count === 0) return [];
  return [
    {
      venueId: venue.id,
      rule: 'admitted_while_closed',
      severity: f.closedByPolicy > 0 ? 'violation' : 'warning',
      windowKey,
      evidence: {
        recordIds: idsOf(f.ids),
        closedByPolicy: f.closedByPolicy,
        underOlderPolicy: f.underOlderPolicy,
        outsideHours: f.outsideHours,
        policyVersions: Object.keys(f.policyVersions).map(Number).sort((a, b) => a - b),
        openingHours: venue.openingHours,
        kioskIds: names(f.kiosks),
      },
    },
  ];
}
