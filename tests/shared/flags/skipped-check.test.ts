import { describe, expect, it } from 'vitest';
import { skippedCheck } from '../../../shared/rules/flags/index.js';
import type { Checks } from '../../../shared/schemas/checks.js';
import { NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import { CLEAN_CHECKS, VENUE, at, cleanDay, entrance, policyOf } from './day.js';

/** A street's own policy that asks no itinerary card at restaurants (the presets ask it: 003 §14, 001 §2(2)1). */
const NO_CARD_AT_RESTAURANTS: Policy = {
  ...NORMAL_POLICY,
  doorChecks: { default: NORMAL_POLICY.doorChecks.default, byVenueType: { restaurant: ['scan', 'temperature', 'mask', 'healthCode'] } },
};
const noCardOf = () => NO_CARD_AT_RESTAURANTS;

describe('skippedCheck (000 §2(2)(1): every check of every patron)', () => {
  it('stays silent on a clean day', () => {
    expect(skippedCheck(VENUE, cleanDay().entrances, policyOf)).toEqual([]);
  });

  it.each<[string, Partial<Checks>, string[]]>([
    ['temperature skipped', { temperature: { outcome: 'skipped', reason: '测温枪没电' } }, ['temperature']],
    ['health code skipped', { healthCode: { outcome: 'skipped', reason: '手机没电' } }, ['healthCode']],
    ['scan and mask skipped', { scan: { outcome: 'skipped', reason: '排队' }, mask: { outcome: 'skipped', reason: '排队' } }, ['scan', 'mask']],
  ])('fires on an admission with %s, in its hour, with the evidence', (_n, checks, names) => {
    const day = cleanDay();
    const lapse = entrance(at(14, 25), { checks: { ...CLEAN_CHECKS(36.6), ...checks } });
    const flags = skippedCheck(VENUE, [...day.entrances, lapse], policyOf);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ venueId: VENUE.id, rule: 'skipped_check', severity: 'warning', windowKey: '2026-11-23T14' });
    expect(flags[0]!.evidence).toMatchObject({ recordIds: [lapse.record.id], withSkippedCheck: 1, byCheck: Object.fromEntries(names.map((n) => [n, 1])) });
  });

  it('gives the whole evidence, naming every kiosk and operator once', () => {
    const skip = (celsius: number) => ({ ...CLEAN_CHECKS(celsius), mask: { outcome: 'skipped' as const, reason: '排队' } });
    const a = entrance(at(16, 5), { checks: skip(36.5) }, 'kiosk-1');
    const b = entrance(at(16, 6), { checks: skip(36.6), operatorId: 'staff-2' }, 'kiosk-2');
    const c = entrance(at(16, 7), { checks: { ...skip(36.7), temperature: { outcome: 'skipped', reason: '测温枪没电' } } }, 'kiosk-1');
    const fine = entrance(at(16, 8));
    expect(skippedCheck(VENUE, [a, b, c, fine], policyOf)).toEqual([
      {
        venueId: VENUE.id,
        rule: 'skipped_check',
        severity: 'warning',
        windowKey: '2026-11-23T16',
        evidence: {
          recordIds: [a.record.id, b.record.id, c.record.id],
          admissions: 4,
          withSkippedCheck: 3,
          byCheck: { mask: 3, temperature: 1 },
          kioskIds: ['kiosk-1', 'kiosk-2'],
          operatorIds: ['staff-1', 'staff-2'],
        },
      },
    ]);
  });

  it('judges an admission with no itinerary check recorded where the policy asks none (a street choice at restaurants)', () => {
    const restaurant = { ...VENUE, type: 'restaurant' as const };
    const { itinerary: _itinerary, ...noItinerary } = CLEAN_CHECKS(36.5);
    const lapse = entrance(at(12), { checks: { ...noItinerary, mask: { outcome: 'skipped', reason: 'x' } } });
    expect(skippedCheck(restaurant, [entrance(at(12), { checks: noItinerary }), lapse], noCardOf).map((f) => f.evidence.recordIds)).toEqual([[lapse.record.id]]);
  });

  it('gives one flag per hour, naming every lapse of the hour', () => {
    const lapses = [at(14, 1), at(14, 59), at(15, 0)].map((ms) => entrance(ms, { checks: { ...CLEAN_CHECKS(36.6), mask: { outcome: 'skipped', reason: 'x' } } }));
    const flags = skippedCheck(VENUE, lapses, policyOf);
    expect(flags.map((f) => [f.windowKey, f.evidence.withSkippedCheck])).toEqual([['2026-11-23T14', 2], ['2026-11-23T15', 1]]);
  });

  it('ignores a skip of a check the policy does not ask there, a refusal and an undone admission', () => {
    const restaurant = { ...VENUE, type: 'restaurant' as const };
    const notAsked = entrance(at(12), { checks: { ...CLEAN_CHECKS(36.5), itinerary: { outcome: 'skipped', reason: 'x' } } });
    const refused = entrance(at(12), { decision: 'refuse', reasons: ['health_code_red'], checks: { ...CLEAN_CHECKS(36.5), healthCode: { outcome: 'red' }, mask: { outcome: 'skipped', reason: 'x' } } });
    const undone = { ...entrance(at(12), { checks: { ...CLEAN_CHECKS(36.5), mask: { outcome: 'skipped', reason: 'x' } } }), corrected: true };
    expect(skippedCheck(restaurant, [notAsked, refused, undone], noCardOf)).toEqual([]);
    // The same itinerary skip where the card is asked counts: at a KTV, and at a restaurant under the preset (003 §14).
    expect(skippedCheck(VENUE, [notAsked], noCardOf)).toHaveLength(1);
    expect(skippedCheck(restaurant, [notAsked], policyOf)).toHaveLength(1);
  });
});
