import { describe, expect, it } from 'vitest';
import { decideEntry } from '../../shared/rules/decide-entry.js';
import type { Checks } from '../../shared/schemas/checks.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';

const green: Checks = {
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
};

describe('decideEntry', () => {
  // One row per rule, with the seed section it comes from (DOMAIN.md).
  const rows: { rule: string; seed: string; checks: Partial<Checks>; decision: 'admit' | 'refuse'; reasons: string[] }[] = [
    { rule: 'routine green patron', seed: '000 §2(2)(1)', checks: {}, decision: 'admit', reasons: [] },
    { rule: 'fever at the threshold', seed: '000 §2(2)(1)', checks: { temperature: { outcome: 'measured', celsius: 37.3 } }, decision: 'refuse', reasons: ['fever'] },
    { rule: 'just below the threshold', seed: '000 §2(2)(1)', checks: { temperature: { outcome: 'measured', celsius: 37.2 } }, decision: 'admit', reasons: [] },
    { rule: 'mask provided by staff', seed: '001 §2(2)', checks: { mask: { outcome: 'provided' } }, decision: 'admit', reasons: [] },
    { rule: 'mask refused', seed: '001 §2(2)', checks: { mask: { outcome: 'refused' } }, decision: 'refuse', reasons: ['mask_refused'] },
    { rule: 'yellow code', seed: '000 §2(2)(1)', checks: { healthCode: { outcome: 'yellow' } }, decision: 'refuse', reasons: ['health_code_yellow'] },
    { rule: 'red code', seed: '000 §2(2)(1)', checks: { healthCode: { outcome: 'red' } }, decision: 'refuse', reasons: ['health_code_red'] },
    { rule: 'high-risk area in 7 days', seed: '003 §30', checks: { itinerary: { outcome: 'high_risk' } }, decision: 'refuse', reasons: ['itinerary_high_risk'] },
    { rule: 'medium-risk area in 7 days', seed: '003 §30', checks: { itinerary: { outcome: 'medium_risk' } }, decision: 'refuse', reasons: ['itinerary_medium_risk'] },
    { rule: 'starred card, no test, no commitment', seed: '000 §2(2)(1)', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' }, commitment: { outcome: 'not_signed' } }, decision: 'refuse', reasons: ['no_test_or_commitment'] },
    { rule: 'starred card with a negative test', seed: '000 §2(2)(1)', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'negative' } }, decision: 'admit', reasons: [] },
    { rule: 'other province with a signed commitment', seed: '004 §3.8', checks: { itinerary: { outcome: 'other_province' }, testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }, decision: 'admit', reasons: [] },
    { rule: 'other province, test skipped, commitment skipped', seed: '004 §3.8', checks: { itinerary: { outcome: 'other_province' }, testProof: { outcome: 'skipped', reason: 'x' }, commitment: { outcome: 'skipped', reason: 'x' } }, decision: 'refuse', reasons: ['no_test_or_commitment'] },
    { rule: 'skipped temperature is not a refusal by itself (it is recorded as skipped)', seed: 'DOMAIN.md "skipped"', checks: { temperature: { outcome: 'skipped', reason: '测温枪没电' } }, decision: 'admit', reasons: [] },
    { rule: 'several failures give every reason', seed: '000 §2(2)(1)', checks: { temperature: { outcome: 'measured', celsius: 38.5 }, healthCode: { outcome: 'red' } }, decision: 'refuse', reasons: ['fever', 'health_code_red'] },
  ];

  it.each(rows)('$rule ($seed) → $decision', ({ checks, decision, reasons }) => {
    expect(decideEntry(NORMAL_POLICY, { ...green, ...checks })).toEqual({ decision, reasons });
  });

  it('reads the fever threshold from the policy, not a constant', () => {
    const strict = { ...NORMAL_POLICY, feverThresholdC: 37.0 };
    const at37 = { ...green, temperature: { outcome: 'measured' as const, celsius: 37.0 } };
    expect(decideEntry(NORMAL_POLICY, at37).decision).toBe('admit');
    expect(decideEntry(strict, at37).decision).toBe('refuse');
  });
});
