import type { CheckName, ItineraryOutcome } from '../schemas/checks.js';
import { doorChecks, type Policy } from '../schemas/policy.js';
import type { VenueType } from '../schemas/venue.js';

/**
 * The checks staff must record for this patron (each may still be recorded as
 * skipped, with a reason). The door checks the policy asks at this venue type; the test
 * once the itinerary calls for it (000 §2(2)(1)); the commitment where it is asked on top of
 * the test (004 §3.8) or where the street lets it stand in for the test (`commitmentAccepted`);
 * vaccination under the three-code check (004 §3.11).
 */
export function requiredChecks(
  policy: Policy,
  venueType: VenueType,
  itinerary: ItineraryOutcome | 'skipped' | undefined,
): CheckName[] {
  const names: CheckName[] = [...doorChecks(policy, venueType)];
  if (names.includes('itinerary') && (itinerary === 'starred' || itinerary === 'other_province')) {
    names.push('testProof');
    if (policy.commitmentAccepted || policy.testAndCommitmentVenueTypes.includes(venueType)) names.push('commitment');
  }
  if (policy.threeCodeCheck) names.push('vaccination');
  return names;
}
