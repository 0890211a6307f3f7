import { describe, expect, it } from 'vitest';
import { missingCheck, type PolicyAt, type PolicyOf } from '../../../shared/rules/flags/index.js';
import type { Checks } from '../../../shared/schemas/checks.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import { CLEAN_CHECKS, VENUE, at, cleanDay, entrance, policyAt, policyOf } from './day.js';

const without = (checks: Checks, ...names: (keyof Checks)[]): Checks =>
  Object.fromEntries(Object.entries(checks).filter(([k]) => !names.includes(k as keyof Checks))) as Checks;

// The three-code check (004 §3.11) switched on at 15:00 as version 2: from then on the vaccination is asked too.
const THREE_CODE: Policy = { ...NORMAL_POLICY, version: 2, threeCodeCheck: true };
const SWITCH = at(15, 0);
const of2: PolicyOf = (v) => (v === 2 ? THREE_CODE : NORMAL_POLICY);
const at2: PolicyAt = (ms) => (ms >= SWITCH ? THREE_CODE : NORMAL_POLICY);

describe('missingCheck (000 §2(2)(1): every check of every patron, each recorded done or skipped)', () => {
  it('stays silent on a clean day', () => {
    expect(missingCheck(VENUE, cleanDay().entrances, policyOf, policyAt)).toEqual([]);
  });

  it.each<[string, string, Partial<Parameters<typeof entrance>[1]>, (keyof Checks)[] | undefined, { of?: PolicyOf; at?: PolicyAt; ms?: number; type?: typeof VENUE.type; older?: number }]>([
    ['000 §2(2)(1) 扫码', 'no checks recorded at all', { checks: {} }, ['healthCode', 'itinerary', 'mask', 'scan', 'temperature'], {}],
    ['000 §2(2)(1) 测温', 'temperature absent', { checks: without(CLEAN_CHECKS(36.5), 'temperature') }, ['temperature'], {}],
    ['000 §2(2)(1) 查验行程卡', 'itinerary absent at a KTV', { checks: without(CLEAN_CHECKS(36.5), 'itinerary') }, ['itinerary'], {}],
    ['003 §14 (查验健康码和行程卡 at restaurants too, normal preset)', 'itinerary absent at a restaurant', { checks: without(CLEAN_CHECKS(36.5), 'itinerary') }, ['itinerary'], { type: 'restaurant' }],
    ['004 §3.10 (every entrance checks the itinerary in emergency)', 'itinerary absent at a restaurant in emergency (the vaccination answered, 004 §3.11)', { checks: without({ ...CLEAN_CHECKS(36.5), vaccination: { outcome: 'complete' } }, 'itinerary') }, ['itinerary'], { type: 'restaurant', of: () => EMERGENCY_POLICY, at: () => EMERGENCY_POLICY }],
    ['000 §2(2)(1) 48小时核酸检测阴性证明', 'starred card without the test answer', { checks: { ...CLEAN_CHECKS(36.5), itinerary: { outcome: 'starred' }, commitment: { outcome: 'signed' } } }, ['testProof'], {}],
    ['000 §2(2)(1)', 'a skipped check is recorded, not missing', { checks: { ...CLEAN_CHECKS(36.5), mask: { outcome: 'skipped', reason: '排队' } } }, undefined, {}],
    ['004 §3.11 三码联查', 'vaccination absent under the three-code check the record names', { policyVersion: 2, checks: CLEAN_CHECKS(36.5) }, ['vaccination'], { of: of2, at: at2, ms: at(16, 0) }],
    ['004 §3.11 三码联查', 'vaccination absent, the kiosk still on the older version after the switch', { policyVersion: 1, checks: CLEAN_CHECKS(36.5) }, ['vaccination'], { of: of2, at: at2, ms: at(16, 0), older: 1 }],
    ['004 §3.11 三码联查', 'vaccination absent before the switch, under the older version', { policyVersion: 1, checks: CLEAN_CHECKS(36.5) }, undefined, { of: of2, at: at2, ms: at(14, 0) }],
  ])('%s: %s', (_seed, _name, over, missing, o) => {
    const venue = { ...VENUE, type: o.type ?? VENUE.type };
    const ms = o.ms ?? at(14, 25);
    const lapse = entrance(ms, over);
    const clean = entrance(ms, { checks: { ...CLEAN_CHECKS(36.5), vaccination: { outcome: 'complete' } } });
    const flags = missingCheck(venue, [clean, lapse], o.of ?? policyOf, o.at ?? policyAt);
    if (!missing) {
      expect(flags).toEqual([]);
      return;
    }
    expect(flags).toEqual([
      {
        venueId: VENUE.id,
        rule: 'missing_check',
        // A lapse owed only under a newer policy than the record's: the door did what its policy said.
        severity: o.older ? 'warning' : 'violation',
        windowKey: new Date(ms + 8 * 3_600_000).toISOString().slice(0, 13),
        evidence: {
          recordIds: [lapse.record.id],
          withMissingCheck: 1,
          underOlderPolicy: o.older ?? 0,
          byCheck: Object.fromEntries(missing.map((n) => [n, 1])),
          kioskIds: ['kiosk-1'],
          operatorIds: ['staff-1'],
        },
      },
    ]);
  });

  describe('across a switch to a stricter policy (004 §3.10–3.11: emergency asks the itinerary and the vaccination at a restaurant)', () => {
    // A restaurant under the normal preset (version 1) until 15:00, then the street switches to emergency (version 3).
    const EMERGENCY: Policy = { ...EMERGENCY_POLICY, version: 3 };
    const ofSwitch: PolicyOf = (v) => (v === 3 ? EMERGENCY : NORMAL_POLICY);
    const atSwitch: PolicyAt = (ms) => (ms >= SWITCH ? EMERGENCY : NORMAL_POLICY);
    const restaurant = { ...VENUE, type: 'restaurant' as const };
    // What the normal preset asks at a restaurant, done in full: no vaccination (the three-code check is emergency's).
    const normalDone: Checks = CLEAN_CHECKS(36.5);
    const emergencyDone: Checks = { ...CLEAN_CHECKS(36.5), vaccination: { outcome: 'complete' } };

    it('a kiosk not yet on the new version, doing all its version asks: a warning naming the lapses under the newer policy, not a violation', () => {
      const offline = [entrance(at(15, 5), { policyVersion: 1, checks: normalDone }), entrance(at(15, 20), { policyVersion: 1, checks: normalDone }, 'kiosk-2')];
      const onNew = entrance(at(15, 30), { policyVersion: 3, checks: emergencyDone });
      const flags = missingCheck(restaurant, [...offline, onNew], ofSwitch, atSwitch);
      expect(flags).toEqual([
        expect.objectContaining({
          rule: 'missing_check',
          severity: 'warning',
          windowKey: '2026-11-23T15',
          evidence: expect.objectContaining({ recordIds: offline.map((e) => e.record.id), withMissingCheck: 2, underOlderPolicy: 2, byCheck: { vaccination: 2 }, kioskIds: ['kiosk-1', 'kiosk-2'] }),
        }),
      ]);
    });

    it('the same hour with a lapse under the record\'s own version is still a violation', () => {
      const offline = entrance(at(15, 5), { policyVersion: 1, checks: normalDone });
      const tampered = entrance(at(15, 10), { policyVersion: 3, checks: without(emergencyDone, 'vaccination') });
      const flags = missingCheck(restaurant, [offline, tampered], ofSwitch, atSwitch);
      expect(flags.map((f) => [f.severity, f.evidence.withMissingCheck, f.evidence.underOlderPolicy])).toEqual([['violation', 2, 1]]);
    });

    it('before the switch the kiosk on the old version owes nothing', () => {
      expect(missingCheck(restaurant, [entrance(at(14, 50), { policyVersion: 1, checks: normalDone })], ofSwitch, atSwitch)).toEqual([]);
    });
  });

  it('ignores a refusal and an undone admission missing checks: nobody got in', () => {
    const refused = entrance(at(12), { decision: 'refuse', reasons: ['health_code_red'], checks: { healthCode: { outcome: 'red' } } });
    const undone = { ...entrance(at(12), { checks: {} }), corrected: true };
    expect(missingCheck(VENUE, [refused, undone], policyOf, policyAt)).toEqual([]);
  });

  it('gives one flag per hour, counting each admission once however many checks it lacks', () => {
    const flags = missingCheck(VENUE, [entrance(at(14, 1), { checks: {} }), entrance(at(14, 59), { checks: {} }), entrance(at(15, 0), { checks: without(CLEAN_CHECKS(36.5), 'mask') })], policyOf, policyAt);
    expect(flags.map((f) => [f.windowKey, f.evidence.withMissingCheck, (f.evidence.byCheck as Record<string, number>).mask])).toEqual([
      ['2026-11-23T14', 2, 2],
      ['2026-11-23T15', 1, 1],
    ]);
  });
});
