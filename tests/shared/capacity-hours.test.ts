import { describe, expect, it } from 'vitest';
import { capacityCap, occupancyLevel } from '../../shared/rules/capacity.js';
import { isOpenAt } from '../../shared/rules/opening-hours.js';
import { requiredChecks } from '../../shared/rules/required-checks.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, Policy, testWindowHours } from '../../shared/schemas/policy.js';

describe('capacityCap', () => {
  it.each([
    ['museum, normal', NORMAL_POLICY, 'museum', 150, 150],
    ['museum, emergency: 50 % (004 §3.3)', EMERGENCY_POLICY, 'museum', 150, 75],
    ['religious venue, emergency: 50 % (004 §3.4)', EMERGENCY_POLICY, 'religious_venue', 81, 40],
    ['supermarket, emergency: uncapped by type', EMERGENCY_POLICY, 'supermarket', 300, 300],
  ] as const)('%s', (_n, policy, type, rated, cap) => {
    expect(capacityCap(policy, { type, ratedCapacity: rated })).toBe(cap);
  });
});

describe('occupancyLevel', () => {
  it('turns amber from 80 % of the cap and full at the cap', () => {
    expect(occupancyLevel(79, 100)).toBe('normal');
    expect(occupancyLevel(80, 100)).toBe('amber');
    expect(occupancyLevel(99, 100)).toBe('amber');
    expect(occupancyLevel(100, 100)).toBe('full');
    expect(occupancyLevel(0, 0)).toBe('full');
  });
});

describe('isOpenAt', () => {
  // Local times in UTC+8.
  const at = (hh: number, mm = 0) => Date.UTC(2026, 10, 23, hh - 8, mm);
  it('is open from open up to, not including, close', () => {
    const h = { open: '09:00', close: '21:00' };
    expect(isOpenAt(h, at(8, 59), 480)).toBe(false);
    expect(isOpenAt(h, at(9, 0), 480)).toBe(true);
    expect(isOpenAt(h, at(20, 59), 480)).toBe(true);
    expect(isOpenAt(h, at(21, 0), 480)).toBe(false);
  });
  it('handles hours that cross midnight', () => {
    const h = { open: '18:00', close: '02:00' };
    expect(isOpenAt(h, at(23, 30), 480)).toBe(true);
    expect(isOpenAt(h, at(25, 30), 480)).toBe(true); // 01:30 next day
    expect(isOpenAt(h, at(26, 0), 480)).toBe(false);
    expect(isOpenAt(h, at(17, 59), 480)).toBe(false);
  });
  it('treats null and equal open/close as always open', () => {
    expect(isOpenAt(null, at(3), 480)).toBe(true);
    expect(isOpenAt({ open: '00:00', close: '00:00' }, at(3), 480)).toBe(true);
  });
});

describe('requiredChecks', () => {
  it('asks the itinerary card at supermarkets in normal times (003 §14, 001 §2(2)1), all five and vaccination in emergency (004 §3.10, §3.11)', () => {
    expect(requiredChecks(NORMAL_POLICY, 'supermarket', undefined)).toEqual(['scan', 'temperature', 'mask', 'healthCode', 'itinerary']);
    expect(requiredChecks(EMERGENCY_POLICY, 'supermarket', undefined)).toEqual(['scan', 'temperature', 'mask', 'healthCode', 'itinerary', 'vaccination']);
  });

  it('asks the door checks always, the test for risky itineraries, the commitment where asked on top or accepted instead, vaccination under three-code', () => {
    expect(requiredChecks(NORMAL_POLICY, 'ktv', 'local')).toEqual(['scan', 'temperature', 'mask', 'healthCode', 'itinerary']);
    expect(requiredChecks(NORMAL_POLICY, 'ktv', 'starred')).toEqual(['scan', 'temperature', 'mask', 'healthCode', 'itinerary', 'testProof']);
    expect(requiredChecks({ ...NORMAL_POLICY, commitmentAccepted: true }, 'ktv', 'starred')).toContain('commitment');
    expect(requiredChecks(EMERGENCY_POLICY, 'hotel', 'starred')).toContain('commitment');
    expect(requiredChecks(EMERGENCY_POLICY, 'station', 'other_province')).toContain('commitment');
    expect(requiredChecks(EMERGENCY_POLICY, 'ktv', 'local')).toContain('vaccination');
  });
});

describe('Policy presets', () => {
  it('are valid policies', () => {
    expect(Policy.parse(NORMAL_POLICY)).toEqual(NORMAL_POLICY);
    expect(Policy.parse(EMERGENCY_POLICY)).toEqual(EMERGENCY_POLICY);
  });
  it('tighten the hotel test window to 24 h in emergency (004 §3.8), 48 h otherwise (000)', () => {
    expect(testWindowHours(NORMAL_POLICY, 'hotel', 'starred')).toBe(48);
    expect(testWindowHours(EMERGENCY_POLICY, 'hotel', 'other_province')).toBe(24);
    expect(testWindowHours(EMERGENCY_POLICY, 'ktv', 'starred')).toBe(48);
    const perCase = { ...NORMAL_POLICY, testWindowHours: { starred: 24, otherProvince: 72, byVenueType: {} } };
    expect(testWindowHours(perCase, 'ktv', 'starred')).toBe(24);
    expect(testWindowHours(perCase, 'ktv', 'other_province')).toBe(72);
  });
});
