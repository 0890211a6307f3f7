import { describe, expect, it } from 'vitest';
import { decideEntry } from '../../shared/rules/decide-entry.js';
import type { Checks } from '../../shared/schemas/checks.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, type Policy } from '../../shared/schemas/policy.js';
import type { VenueRules, VenueType } from '../../shared/schemas/venue.js';

const green: Checks = {
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
};

// 2026-11-23 14:00 in China Standard Time.
const AFTERNOON = Date.UTC(2026, 10, 23, 6, 0);
const venue = (type: VenueType, openingHours: VenueRules['openingHours'] = null) => ({ type, openingHours, utcOffsetMinutes: 480 });

type Row = {
  rule: string;
  seed: string;
  policy: Policy;
  type?: VenueType;
  hours?: VenueRules['openingHours'];
  checks?: Partial<Checks>;
  decision: 'admit' | 'refuse';
  reasons?: string[];
};

const N = NORMAL_POLICY;
const E = EMERGENCY_POLICY;

// One row per rule of the door, each naming its seed section; normal and emergency presets both.
const rows: Row[] = [
  { rule: 'routine green patron', seed: '000 §2(2)(1)', policy: N, decision: 'admit' },
  { rule: 'routine green patron at a supermarket in emergency', seed: '004 §3', policy: E, type: 'supermarket', decision: 'admit' },
  { rule: 'fever at the threshold', seed: '000 §2(2)(1)', policy: N, checks: { temperature: { outcome: 'measured', celsius: 37.3 } }, decision: 'refuse', reasons: ['fever'] },
  { rule: 'fever at the threshold in emergency', seed: '000 §2(2)(1)', policy: E, type: 'supermarket', checks: { temperature: { outcome: 'measured', celsius: 38.0 } }, decision: 'refuse', reasons: ['fever'] },
  { rule: 'just below the threshold', seed: '000 §2(2)(1)', policy: N, checks: { temperature: { outcome: 'measured', celsius: 37.2 } }, decision: 'admit' },
  { rule: 'mask provided by staff', seed: '001 §2(2)', policy: N, checks: { mask: { outcome: 'provided' } }, decision: 'admit' },
  { rule: 'mask refused', seed: '000 §2(2)(1)', policy: N, checks: { mask: { outcome: 'refused' } }, decision: 'refuse', reasons: ['mask_refused'] },
  { rule: 'yellow code', seed: '000 §2(2)(1)', policy: N, checks: { healthCode: { outcome: 'yellow' } }, decision: 'refuse', reasons: ['health_code_yellow'] },
  { rule: 'red code', seed: '000 §2(2)(1)', policy: E, type: 'library', checks: { healthCode: { outcome: 'red' } }, decision: 'refuse', reasons: ['health_code_red'] },
  { rule: 'high-risk area in 7 days: central quarantine', seed: '003 §30', policy: N, checks: { itinerary: { outcome: 'high_risk' } }, decision: 'refuse', reasons: ['itinerary_high_risk'] },
  { rule: 'medium-risk area in 7 days: home quarantine', seed: '003 §30', policy: N, checks: { itinerary: { outcome: 'medium_risk' } }, decision: 'refuse', reasons: ['itinerary_medium_risk'] },
  { rule: 'starred card, no test', seed: '000 §2(2)(1)', policy: N, checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' } }, decision: 'refuse', reasons: ['no_negative_test'] },
  { rule: 'starred card, no test, a commitment where the street accepts one instead', seed: 'policy choice (docs/policy.md)', policy: { ...N, commitmentAccepted: true }, checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' }, commitment: { outcome: 'not_signed' } }, decision: 'refuse', reasons: ['no_test_or_commitment'] },
  { rule: 'other province in 7 days with a negative test', seed: '000 §2(2)(1)', policy: N, checks: { itinerary: { outcome: 'other_province' }, testProof: { outcome: 'negative' } }, decision: 'admit' },
  { rule: 'starred card at a hotel in emergency: commitment alone is not enough', seed: '004 §3.8', policy: E, type: 'hotel', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }, decision: 'refuse', reasons: ['test_and_commitment_required'] },
  { rule: 'starred card at a hotel in emergency: 24 h test and commitment', seed: '004 §3.8', policy: E, type: 'hotel', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'negative' }, commitment: { outcome: 'signed' } }, decision: 'admit' },
  { rule: 'starred card at a hotel in normal times: a commitment does not replace the test', seed: '000 §2(2)(1)', policy: N, type: 'hotel', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }, decision: 'refuse', reasons: ['no_negative_test'] },
  { rule: 'starred card at a hotel in normal times where the street accepts a commitment instead', seed: 'policy choice (docs/policy.md)', policy: { ...N, commitmentAccepted: true }, type: 'hotel', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }, decision: 'admit' },
  { rule: 'other province at a library in emergency: a signed commitment does not replace the test', seed: '000 §2(2)(1)', policy: E, type: 'library', checks: { itinerary: { outcome: 'other_province' }, testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }, decision: 'refuse', reasons: ['no_negative_test'] },
  { rule: 'starred card at a station in emergency: test and commitment', seed: '004 §3.8', policy: E, type: 'station', checks: { itinerary: { outcome: 'starred' }, testProof: { outcome: 'negative' }, commitment: { outcome: 'not_signed' } }, decision: 'refuse', reasons: ['test_and_commitment_required'] },
  { rule: 'a skipped test does not stand in for one', seed: '000 §2(2)(1)', policy: N, checks: { itinerary: { outcome: 'other_province' }, testProof: { outcome: 'skipped', reason: 'x' } }, decision: 'refuse', reasons: ['no_negative_test'] },
  { rule: 'test and commitment both skipped do not stand in for either', seed: 'policy choice (docs/policy.md)', policy: { ...N, commitmentAccepted: true }, checks: { itinerary: { outcome: 'other_province' }, testProof: { outcome: 'skipped', reason: 'x' }, commitment: { outcome: 'skipped', reason: 'x' } }, decision: 'refuse', reasons: ['no_test_or_commitment'] },
  { rule: 'skipped temperature is recorded, not refused', seed: '000 §3, 004 §5(4)', policy: N, checks: { temperature: { outcome: 'skipped', reason: '测温枪没电' } }, decision: 'admit' },
  { rule: 'patron without a phone showing a paper itinerary', seed: '001 §2(2)', policy: N, checks: { scan: { outcome: 'no_phone', shown: 'paper_itinerary' } }, decision: 'admit' },
  { rule: 'KTV open in normal times', seed: '000 §2(1)', policy: N, type: 'ktv', decision: 'admit' },
  { rule: 'KTV closed in emergency', seed: '004 §3.1', policy: E, type: 'ktv', decision: 'refuse', reasons: ['venue_closed_by_policy'] },
  { rule: 'internet café closed in emergency', seed: '004 §3.1', policy: E, type: 'internet_cafe', decision: 'refuse', reasons: ['venue_closed_by_policy'] },
  { rule: 'foot bath closed in emergency', seed: '004 §3.1', policy: E, type: 'foot_bath', decision: 'refuse', reasons: ['venue_closed_by_policy'] },
  { rule: 'library capped, not closed, in emergency', seed: '004 §3.3', policy: E, type: 'library', decision: 'admit' },
  { rule: 'outside opening hours', seed: 'the registered hours (which 003 §14 lets a street shorten)', policy: N, type: 'library', hours: { open: '09:00', close: '12:00' }, decision: 'refuse', reasons: ['outside_opening_hours'] },
  { rule: 'inside opening hours that cross midnight', seed: 'the registered hours (which 003 §14 lets a street shorten)', policy: N, type: 'bar', hours: { open: '13:00', close: '02:00' }, decision: 'admit' },
  { rule: 'closed venue with a feverish patron gives every reason', seed: '004 §3.1', policy: E, type: 'ktv', checks: { temperature: { outcome: 'measured', celsius: 38.5 } }, decision: 'refuse', reasons: ['venue_closed_by_policy', 'fever'] },
];

describe('decideEntry', () => {
  it.each(rows)('$rule ($seed, $policy.mode) → $decision', ({ policy, type, hours, checks, decision, reasons }) => {
    expect(decideEntry(policy, venue(type ?? 'shopping_mall', hours ?? null), { ...green, ...checks }, AFTERNOON)).toEqual({
      decision,
      reasons: reasons ?? [],
    });
  });

  it('decides on the checks recorded: an absent check is judged by the missing-check rule, not at the door', () => {
    const { itinerary: _itinerary, ...noItinerary } = green;
    expect(decideEntry(N, venue('supermarket'), noItinerary, AFTERNOON)).toEqual({ decision: 'admit', reasons: [] });
    expect(decideEntry(N, venue('supermarket'), {}, AFTERNOON)).toEqual({ decision: 'admit', reasons: [] });
  });

  it('a starred card with neither test nor commitment recorded refuses, as with both recorded as missing (000 §2(2)(1))', () => {
    const starred = { ...green, itinerary: { outcome: 'starred' as const } };
    expect(decideEntry(N, venue('museum'), starred, AFTERNOON).reasons).toEqual(['no_negative_test']);
    expect(decideEntry({ ...N, commitmentAccepted: true }, venue('museum'), starred, AFTERNOON).reasons).toEqual(['no_test_or_commitment']);
    expect(decideEntry(E, venue('hotel'), starred, AFTERNOON).reasons).toEqual(['test_and_commitment_required']);
  });

  it('reads the fever threshold from the policy, not a constant', () => {
    const at37 = { ...green, temperature: { outcome: 'measured' as const, celsius: 37.0 } };
    expect(decideEntry(N, venue('museum'), at37, AFTERNOON).decision).toBe('admit');
    expect(decideEntry({ ...N, feverThresholdC: 37.0 }, venue('museum'), at37, AFTERNOON).decision).toBe('refuse');
  });

  it('accepts a commitment instead of the test only where the street policy does (000 §2(2)(1); docs/policy.md)', () => {
    const committed = { ...green, itinerary: { outcome: 'starred' as const }, commitment: { outcome: 'signed' as const } };
    expect(decideEntry(N, venue('museum'), committed, AFTERNOON).reasons).toEqual(['no_negative_test']);
    expect(decideEntry({ ...N, commitmentAccepted: true }, venue('museum'), committed, AFTERNOON).decision).toBe('admit');
  });
});
