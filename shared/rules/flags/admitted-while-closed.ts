import type { RaisedFlag } from '../../schemas/flags.js';
import { isOpenAt } from '../opening-hours.js';
import { capIds, groupBy, hourKey, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance, type PolicyAt, type PolicyOf } from './window.js';

/**
 * `admitted_while_closed` — admissions while the venue may not admit anyone:
 * its type closed by the policy (004 §3.1 in emergency), or outside its own
 * opening hours (the hours the street office registers, which the street may
 * shorten, 003 §14 缩短营业时间).
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
  const flags: RaisedFlag[] = [];
  for (const [windowKey, admissions] of byHour) {
    const judged = admissions.map((e) => {
      const at = kioskTimeMs(e);
      const inForce = policyAt(at);
      const ownClosed = policyOf(e.record.policyVersion).closedVenueTypes.includes(venue.type);
      const streetClosed = inForce.closedVenueTypes.includes(venue.type);
      return {
        record: e.record,
        closedByPolicy: ownClosed || streetClosed,
        underOlderPolicy: streetClosed && !ownClosed,
        policyVersion: inForce.version,
        outsideHours: !isOpenAt(venue.openingHours, at, venue.utcOffsetMinutes),
      };
    });
    const closed = judged.filter((j) => j.closedByPolicy || j.outsideHours);
    if (closed.length === 0) continue;
    const byPolicy = closed.filter((j) => j.closedByPolicy);
    flags.push({
      venueId: venue.id,
      rule: 'admitted_while_closed',
      severity: byPolicy.length > 0 ? 'violation' : 'warning',
      windowKey,
      evidence: {
        recordIds: capIds(closed.map((j) => j.record.id)),
        closedByPolicy: byPolicy.length,
        underOlderPolicy: closed.filter((j) => j.underOlderPolicy).length,
        outsideHours: closed.filter((j) => j.outsideHours).length,
        policyVersions: [...new Set(byPolicy.map((j) => j.policyVersion))],
        openingHours: venue.openingHours,
        kioskIds: [...new Set(closed.map((j) => j.record.kioskId))],
      },
    });
  }
  return flags;
}
