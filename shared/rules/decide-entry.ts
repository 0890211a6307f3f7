import type { Checks } from '../schemas/checks.js';
import type { Policy } from '../schemas/policy.js';
import type { ReasonCode } from '../schemas/record.js';

export interface EntryDecision {
  decision: 'admit' | 'refuse';
  reasons: ReasonCode[];
}

/**
 * The decision at the door, from the checks as recorded. Pure: the policy is
 * data passed in. A skipped check is not a refusal by itself (the record keeps
 * it as skipped, and that is what inspectors flag); a check that was done and
 * failed refuses.
 */
export function decideEntry(policy: Policy, checks: Checks): EntryDecision {
  const reasons: ReasonCode[] = [];
  const t = checks.temperature;
  // 体温 ≥ threshold → refused and referred (000 §2(2)(1)).
  if (t.outcome === 'measured' && t.celsius >= policy.feverThresholdC) reasons.push('fever');
  // Refusing a mask refuses entry (000 §2(2)(1), 001 §2(2)).
  if (checks.mask.outcome === 'refused') reasons.push('mask_refused');
  // Yellow or red health code refuses (000 §2(2)(1)).
  if (checks.healthCode.outcome === 'yellow') reasons.push('health_code_yellow');
  if (checks.healthCode.outcome === 'red') reasons.push('health_code_red');
  // High/medium-risk travel in 7 days → quarantine, not entry (003 §30).
  const it = checks.itinerary.outcome;
  if (it === 'high_risk') reasons.push('itinerary_high_risk');
  if (it === 'medium_risk') reasons.push('itinerary_medium_risk');
  // Starred card or another province: negative test, or a signed commitment (000; 004 §3.8).
  if (
    (it === 'starred' || it === 'other_province') &&
    checks.testProof?.outcome !== 'negative' &&
    checks.commitment?.outcome !== 'signed'
  ) {
    reasons.push('no_test_or_commitment');
  }
  return { decision: reasons.length === 0 ? 'admit' : 'refuse', reasons };
}
