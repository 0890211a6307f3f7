import type { Checks } from '../schemas/checks.js';
import type { Policy } from '../schemas/policy.js';
import type { ReasonCode } from '../schemas/record.js';
import type { VenueRules } from '../schemas/venue.js';
import { isOpenAt } from './opening-hours.js';
import { suspensionAt, type SuspensionWindow } from './suspension.js';

export interface EntryDecision {
  decision: 'admit' | 'refuse';
  reasons: ReasonCode[];
}

/**
 * The decision at the door, from the policy, the venue, the checks as
 * recorded and the time. Pure. A skipped check is not a refusal by itself (the
 * record keeps it as skipped, which is what inspectors flag); a check that was
 * done and failed refuses, and so does a venue that may not admit anyone now:
 * closed by the policy, outside its hours, or under an inspector's
 * suspension order (`suspensions`, the venue's orders as the door last heard them).
 */
export function decideEntry(
  policy: Policy,
  venue: Pick<VenueRules, 'type' | 'openingHours' | 'utcOffsetMinutes'>,
  checks: Checks,
  now: number,
  suspensions: readonly SuspensionWindow[] = [],
): EntryDecision {
  const reasons: ReasonCode[] = [];
  // 停业整顿: an inspector suspended this one venue (000 §5(2)); nobody is admitted until it ends or is lifted.
  if (suspensionAt(suspensions, now)) reasons.push('venue_suspended');
  // Emergency closes whole venue types (004 §3.1).
  if (policy.closedVenueTypes.includes(venue.type)) reasons.push('venue_closed_by_policy');
  // Outside the opening hours the street office registers (which the street may shorten, 003 §14 缩短营业时间).
  if (!isOpenAt(venue.openingHours, now, venue.utcOffsetMinutes)) reasons.push('outside_opening_hours');
  const t = checks.temperature;
  // 体温 ≥ threshold → refused and referred (000 §2(2)(1)).
  if (t?.outcome === 'measured' && t.celsius >= policy.feverThresholdC) reasons.push('fever');
  // Refusing a mask refuses entry (000 §2(2)(1), 001 §2(2)).
  if (checks.mask?.outcome === 'refused') reasons.push('mask_refused');
  // Yellow or red health code refuses (000 §2(2)(1)).
  if (checks.healthCode?.outcome === 'yellow') reasons.push('health_code_yellow');
  if (checks.healthCode?.outcome === 'red') reasons.push('health_code_red');
  // High/medium-risk travel in 7 days → quarantine, not entry (003 §30).
  const it = checks.itinerary?.outcome;
  if (it === 'high_risk') reasons.push('itinerary_high_risk');
  if (it === 'medium_risk') reasons.push('itinerary_medium_risk');
  // Starred card or another province: a negative test within the window, or, where the
  // policy accepts it, a signed commitment (000 §2(2)(1); 004 §3.8). At some venue types in
  // emergency (hotels, 004 §3.8) both.
  if (it === 'starred' || it === 'other_province') {
    const tested = checks.testProof?.outcome === 'negative';
    const signed = checks.commitment?.outcome === 'signed';
    if (policy.testAndCommitmentVenueTypes.includes(venue.type)) {
      if (!tested || !signed) reasons.push('test_and_commitment_required');
    } else if (!tested && !(policy.commitmentAccepted && signed)) {
      reasons.push('no_test_or_commitment');
    }
  }
  return { decision: reasons.length === 0 ? 'admit' : 'refuse', reasons };
}
