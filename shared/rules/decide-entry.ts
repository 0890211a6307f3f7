import type { Checks } from '../schemas/checks.js';
import { unvaccinatedEffect, type Policy } from '../schemas/policy.js';
import type { ReasonCode } from '../schemas/record.js';
import type { VenueRules } from '../schemas/venue.js';
import { isOpenUnder } from './opening-hours.js';

/** What the door tells staff about a patron it admits; never stored as a reason. */
export type EntryWarning = 'unvaccinated';
import { suspensionAt, type SuspensionWindow } from './suspension.js';

export interface EntryDecision {
  decision: 'admit' | 'refuse';
  reasons: ReasonCode[];
  /** Present only when there is something to tell staff (a policy that warns about an unvaccinated patron, 004 §3.11). */
  warnings?: EntryWarning[];
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
  const warnings: EntryWarning[] = [];
  // Emergency closes whole venue types (004 §3.1).
  if (policy.closedVenueTypes.includes(venue.type)) reasons.push('venue_closed_by_policy');
  // Outside the opening hours the street office registers, or the shorter ones the policy sets (003 §14 缩短营业时间).
  if (!isOpenUnder(policy, venue, now)) reasons.push('outside_opening_hours');
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
  // Starred card or another province: a negative test within the window (000 §2(2)(1)); at
  // stations and hotels in emergency the test and then a signed commitment (004 §3.8). A
  // commitment stands in for the test only where the street's policy says so.
  if (it === 'starred' || it === 'other_province') {
    const tested = checks.testProof?.outcome === 'negative';
    const signed = checks.commitment?.outcome === 'signed';
    if (policy.testAndCommitmentVenueTypes.includes(venue.type)) {
      if (!tested || !signed) reasons.push('test_and_commitment_required');
    } else if (policy.commitmentAccepted) {
      if (!tested && !signed) reasons.push('no_test_or_commitment');
    } else if (!tested) reasons.push('no_negative_test');
  }
  // Three-code check (004 §3.11): what "not vaccinated" does is the policy's, per venue type.
  if (checks.vaccination?.outcome === 'none') {
    const effect = unvaccinatedEffect(policy, venue.type);
    if (effect === 'refuse') reasons.push('unvaccinated');
    else if (effect === 'warn') warnings.push('unvaccinated');
  }
  const decision = reasons.length === 0 ? 'admit' : 'refuse';
  return decision === 'admit' && warnings.length > 0 ? { decision, reasons, warnings } : { decision, reasons };
}
