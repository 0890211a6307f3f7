import { describe, expect, it } from 'vitest';
import { declaredChecks, passPerson, passVerdict } from '../../shared/rules/pass-verdict.js';
import type { PersonDeclaration } from '../../shared/schemas/pass.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';

const NOW = Date.UTC(2026, 10, 23, 4, 0, 0); // 12:00 in China
const venue = { type: 'restaurant' as const, openingHours: null, utcOffsetMinutes: 480 };
const hotel = { ...venue, type: 'hotel' as const };
const ktv = { ...venue, type: 'ktv' as const };
const green: PersonDeclaration = { healthCode: 'green', itinerary: 'local', vaccination: 'complete' };
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

describe('passPerson / passVerdict', () => {
  it('a green local patron may enter; the scan is the pass itself', () => {
    const p = passPerson(NORMAL_POLICY, 'restaurant', green, false, NOW);
    // Strict: a pass carries no key it has nothing for (no label, no test, no commitment).
    expect(p).toStrictEqual({ h: 'green', i: 'local' });
    expect(declaredChecks(p)).toEqual({ scan: { outcome: 'scanned' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } });
    expect(passVerdict(NORMAL_POLICY, venue, [p], NOW).verdict).toBe('enter');
  });

  it.each([
    ['yellow code refuses (000 §2(2)(1))', { ...green, healthCode: 'yellow' }, false, 'health_code_yellow'],
    ['medium-risk travel refuses (003 §30)', { ...green, itinerary: 'medium_risk' }, true, 'itinerary_medium_risk'],
    ['starred card without a test refuses (000 §2(2)(1))', { ...green, itinerary: 'starred' }, false, 'no_negative_test'],
  ] as const)('%s', (_name, decl, agreed, reason) => {
    const p = passPerson(NORMAL_POLICY, 'ktv', decl as PersonDeclaration, agreed, NOW);
    const v = passVerdict(NORMAL_POLICY, ktv, [p], NOW);
    expect(v.verdict).toBe('refuse');
    expect(v.people[0]!.reasons).toContain(reason);
  });

  it('a starred card with a test inside the 48 h window must show it to staff (000)', () => {
    const p = passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(47) }, false, NOW);
    expect(p.t).toBe('negative');
    expect(passVerdict(NORMAL_POLICY, ktv, [p], NOW)).toMatchObject({ verdict: 'staff', people: [{ decision: 'admit', showTest: true }] });
  });

  it('a test older than the window, or in the future, is no proof', () => {
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(49) }, false, NOW).t).toBe('none');
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(-1) }, false, NOW).t).toBe('none');
  });

  it.each([
    ['a starred card is held to the starred window (24 h)', 'starred', 23, 'negative'],
    ['a starred card past it', 'starred', 25, 'none'],
    ['another province is held to its own window (72 h)', 'other_province', 71, 'negative'],
    ['another province past it', 'other_province', 73, 'none'],
  ] as const)('judges the test against its itinerary case\'s window (000 §2(2)(1)): %s', (_name, itinerary, age, t) => {
    const perCase = { ...NORMAL_POLICY, testWindowHours: { starred: 24, otherProvince: 72, byVenueType: {} } };
    expect(passPerson(perCase, 'ktv', { ...green, itinerary, lastNegativeTestAt: hoursAgo(age) }, false, NOW).t).toBe(t);
  });

  it('a test taken exactly at the window\'s edge, or this very instant, still counts', () => {
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(48) }, false, NOW).t).toBe('negative');
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(0) }, false, NOW).t).toBe('negative');
  });

  it('a starred card without a test date has no proof', () => {
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred' }, false, NOW).t).toBe('none');
  });

  it('asks no test of a local patron, and no commitment where the policy does not take one (000 §2(2)(1): the normal preset)', () => {
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, lastNegativeTestAt: hoursAgo(1) }, true, NOW)).toEqual({ h: 'green', i: 'local' });
    expect(passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(1) }, true, NOW)).toEqual({ h: 'green', i: 'starred', t: 'negative' });
  });

  it('records a commitment not agreed as not signed where the street accepts one, and refuses without a test (000 §2(2)(1))', () => {
    const accepting = { ...NORMAL_POLICY, commitmentAccepted: true };
    const p = passPerson(accepting, 'ktv', { ...green, itinerary: 'other_province' }, false, NOW);
    expect(p).toMatchObject({ t: 'none', c: 'not_signed' });
    expect(declaredChecks(p).commitment).toEqual({ outcome: 'not_signed' });
    expect(passVerdict(accepting, ktv, [p], NOW).people[0]!.reasons).toEqual(['no_test_or_commitment']);
  });

  it('pre-fills every check the pass carries: health code, itinerary, test, commitment and vaccination', () => {
    const p = passPerson(EMERGENCY_POLICY, 'hotel', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(2) }, true, NOW);
    expect(declaredChecks(p)).toStrictEqual({
      scan: { outcome: 'scanned' },
      healthCode: { outcome: 'green' },
      itinerary: { outcome: 'starred' },
      testProof: { outcome: 'negative' },
      commitment: { outcome: 'signed' },
      vaccination: { outcome: 'complete' },
    });
  });

  it('asks staff to see the test when any one person of the party rests on one', () => {
    const people = [green, { ...green, itinerary: 'starred' as const, lastNegativeTestAt: hoursAgo(3) }].map((d) => passPerson(NORMAL_POLICY, 'ktv', d, false, NOW));
    const v = passVerdict(NORMAL_POLICY, ktv, people, NOW);
    expect(v.verdict).toBe('staff');
    expect(v.people.map((p) => p.showTest)).toEqual([false, true]);
  });

  it('a commitment stands in for the test only where the street chose it (no seed lets it: 000 §2(2)(1))', () => {
    const p = passPerson(NORMAL_POLICY, 'ktv', { ...green, itinerary: 'other_province' }, true, NOW);
    expect(p).toStrictEqual({ h: 'green', i: 'other_province', t: 'none' });
    expect(passVerdict(NORMAL_POLICY, ktv, [p], NOW).people[0]!.reasons).toEqual(['no_negative_test']);
    const accepting = { ...NORMAL_POLICY, commitmentAccepted: true };
    const signed = passPerson(accepting, 'ktv', { ...green, itinerary: 'other_province' }, true, NOW);
    expect(signed).toMatchObject({ t: 'none', c: 'signed' });
    expect(passVerdict(accepting, ktv, [signed], NOW).verdict).toBe('enter');
  });

  it('hotels in emergency need a 24 h test and the commitment (004 §3.8), and vaccination is asked (004 §3.11)', () => {
    const p30 = passPerson(EMERGENCY_POLICY, 'hotel', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(30) }, true, NOW);
    expect(p30).toMatchObject({ t: 'none', c: 'signed', v: 'complete' });
    expect(passVerdict(EMERGENCY_POLICY, hotel, [p30], NOW).people[0]!.reasons).toEqual(['test_and_commitment_required']);
    const p20 = passPerson(EMERGENCY_POLICY, 'hotel', { ...green, itinerary: 'starred', lastNegativeTestAt: hoursAgo(20) }, true, NOW);
    expect(passVerdict(EMERGENCY_POLICY, hotel, [p20], NOW).verdict).toBe('staff');
  });

  it('a venue closed by emergency policy refuses everyone (004 §3.1)', () => {
    const p = passPerson(EMERGENCY_POLICY, 'ktv', green, false, NOW);
    expect(passVerdict(EMERGENCY_POLICY, ktv, [p], NOW).people[0]!.reasons).toEqual(['venue_closed_by_policy']);
  });

  it('one refused person refuses the party; each keeps their own reasons', () => {
    const people = [green, { ...green, label: '外婆', healthCode: 'red' as const }].map((d) => passPerson(NORMAL_POLICY, 'restaurant', d, false, NOW));
    const v = passVerdict(NORMAL_POLICY, venue, people, NOW);
    expect(v.verdict).toBe('refuse');
    expect(v.people.map((p) => p.decision)).toEqual(['admit', 'refuse']);
    expect(people[1]!.n).toBe('外婆');
  });
});
