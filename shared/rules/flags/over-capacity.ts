import type { RaisedFlag } from '../../schemas/flags.js';
import type { Policy } from '../../schemas/policy.js';
import { capacityCap } from '../capacity.js';
import { capIds, hourKey, type FlagVenue } from './window.js';

/**
 * `over_capacity` — more people inside than the cap (at the cap staff must
 * hold patrons outside; cap = rated capacity × the policy's percentage, 004
 * §3.3–3.5 "不超过核定人数的50%"). At the cap is allowed; one above
 * is not. A venue with no rated capacity (0) is not judged.
 *
 * Severity `violation` under an emergency policy (the 50 % limits of 004 §3
 * are orders), `warning` in normal times (the rated capacity).
 *
 * Per batch that admits people: the hub counts the venue's occupancy as it
 * already does for the kiosks (records since each door's last close-out).
 * Window: the venue-local hour of the count.
 */
export function overCapacity(
  venue: FlagVenue,
  policy: Policy,
  occupancy: { inside: number; entrances: readonly { kioskId: string; inside: number }[] },
  admittedIds: readonly string[],
  at: number,
): RaisedFlag[] {
  if (venue.ratedCapacity === 0) return [];
  const cap = capacityCap(policy, venue);
  if (occupancy.inside <= cap) return [];
  return [
    {
      venueId: venue.id,
      rule: 'over_capacity',
      severity: policy.mode === 'emergency' ? 'violation' : 'warning',
      windowKey: hourKey(at, venue.utcOffsetMinutes),
      evidence: {
        // The admissions of the batch that found the venue over its cap.
        recordIds: capIds(admittedIds),
        inside: occupancy.inside,
        cap,
        ratedCapacity: venue.ratedCapacity,
        capPercent: policy.capPercent.byVenueType[venue.type] ?? policy.capPercent.default,
        policyVersion: policy.version,
        entrances: occupancy.entrances.map((e) => ({ kioskId: e.kioskId, inside: e.inside })),
      },
    },
  ];
}
