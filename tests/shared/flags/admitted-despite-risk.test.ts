import { describe, expect, it } from 'vitest';
import { admittedDespiteRisk } from '../../../shared/rules/flags/index.js';
import type { Checks } from '../../../shared/schemas/checks.js';
import { EMERGENCY_POLICY } from '../../../shared/schemas/policy.js';
import { CLEAN_CHECKS, VENUE, at, cleanDay, entrance, policyOf } from './day.js';

describe('admittedDespiteRisk', () => {
  it('stays silent on a clean day', () => {
    expect(admittedDespiteRisk(VENUE, cleanDay().entrances, policyOf)).toEqual([]);
  });

  it.each<[string, Partial<Checks>, string | undefined]>([
    ['fever at the threshold, 37.3 °C (000 §2(2)(1))', { temperature: { outcome: 'measured', celsius: 37.3 } }, 'fever'],
    ['37.2 °C, just below it', { temperature: { outcome: 'measured', celsius: 37.2 } }, undefined],
    ['red health code (000 §2(2)(1))', { healthCode: { outcome: 'red' } }, 'health_code_red'],
    ['yellow health code', { healthCode: { outcome: 'yellow' } }, 'health_code_yellow'],
    ['high-risk travel (003 §30)', { itinerary: { outcome: 'high_risk' } }, 'itinerary_high_risk'],
    ['medium-risk travel (003 §30)', { itinerary: { outcome: 'medium_risk' } }, 'itinerary_medium_risk'],
    ['starred card without a test (000 §2(2)(1))', { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' } }, 'no_negative_test'],
    ['starred card with a signed commitment but no test: no seed lets it stand in (000 §2(2)(1))', { itinerary: { outcome: 'starred' }, testProof: { outcome: 'none' }, commitment: { outcome: 'signed' } }, 'no_negative_test'],
    ['starred card with a negative test', { itinerary: { outcome: 'starred' }, testProof: { outcome: 'negative' } }, undefined],
    ['mask refused', { mask: { outcome: 'refused' } }, 'mask_refused'],
  ])('%s', (_n, checks, reason) => {
    const risky = entrance(at(19, 40), { checks: { ...CLEAN_CHECKS(36.5), ...checks } });
    const flags = admittedDespiteRisk(VENUE, [...cleanDay().entrances, risky], policyOf);
    if (reason === undefined) return expect(flags).toEqual([]);
    expect(flags).toEqual([
      {
        venueId: VENUE.id,
        rule: 'admitted_despite_risk',
        severity: 'violation',
        windowKey: '2026-11-23T19',
        evidence: { recordIds: [risky.record.id], count: 1, byReason: { [reason]: 1 }, kioskIds: ['kiosk-1'], operatorIds: ['staff-1'] },
      },
    ]);
  });

  it('leaves an admission into a venue the policy closes to admitted_while_closed (004 §3.1)', () => {
    const closed = entrance(at(15));
    expect(admittedDespiteRisk(VENUE, [closed], () => EMERGENCY_POLICY)).toEqual([]);
    // Its personal reasons still count: a fever there is flagged as a fever alone.
    const fever = entrance(at(15, 5), { checks: CLEAN_CHECKS(38.0) });
    expect(admittedDespiteRisk(VENUE, [closed, fever], () => EMERGENCY_POLICY).map((f) => f.evidence.byReason)).toEqual([{ fever: 1 }]);
  });

  it('names every kiosk and operator once, and counts every reason', () => {
    const a = entrance(at(19, 5), { checks: { ...CLEAN_CHECKS(38.0), healthCode: { outcome: 'red' } } }, 'kiosk-1');
    const b = entrance(at(19, 10), { operatorId: 'staff-2', checks: CLEAN_CHECKS(37.5) }, 'kiosk-2');
    const c = entrance(at(19, 15), { checks: { ...CLEAN_CHECKS(36.5), mask: { outcome: 'refused' } } }, 'kiosk-1');
    expect(admittedDespiteRisk(VENUE, [a, b, c], policyOf)).toEqual([
      {
        venueId: VENUE.id,
        rule: 'admitted_despite_risk',
        severity: 'violation',
        windowKey: '2026-11-23T19',
        evidence: {
          recordIds: [a.record.id, b.record.id, c.record.id],
          count: 3,
          byReason: { fever: 2, health_code_red: 1, mask_refused: 1 },
          kioskIds: ['kiosk-1', 'kiosk-2'],
          operatorIds: ['staff-1', 'staff-2'],
        },
      },
    ]);
  });

  it('leaves refused patrons and venue closures to the other rules', () => {
    const refused = entrance(at(19), { decision: 'refuse', reasons: ['fever'], checks: CLEAN_CHECKS(38.1) });
    const afterHours = entrance(at(23, 30));
    expect(admittedDespiteRisk(VENUE, [refused, afterHours], policyOf)).toEqual([]);
  });
});
