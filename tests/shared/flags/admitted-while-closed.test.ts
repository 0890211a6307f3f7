import { describe, expect, it } from 'vitest';
import { admittedWhileClosed } from '../../../shared/rules/flags/index.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import { VENUE, at, cleanDay, entrance, policyAt, policyOf } from './day.js';

const EMERGENCY: Policy = { ...EMERGENCY_POLICY, version: 2 };
/** The street switched to emergency at 15:00 (004 §3.1 closes KTVs). */
const switchedAt15 = (ms: number): Policy => (ms >= at(15) ? EMERGENCY : NORMAL_POLICY);
const byVersion = (v: number): Policy => (v === 2 ? EMERGENCY : NORMAL_POLICY);

describe('admittedWhileClosed', () => {
  it('stays silent on a clean day', () => {
    expect(admittedWhileClosed(VENUE, cleanDay().entrances, policyOf, policyAt)).toEqual([]);
  });

  it('is a violation to admit under a policy that closes the venue type (004 §3.1)', () => {
    const day = cleanDay().entrances.filter((e) => Date.parse(e.record.kioskTime) < at(15));
    const closed = entrance(at(15, 10), { policyVersion: 2 });
    const flags = admittedWhileClosed(VENUE, [...day, closed], byVersion, switchedAt15);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: 'admitted_while_closed', severity: 'violation', windowKey: '2026-11-23T15' });
    expect(flags[0]!.evidence).toMatchObject({ recordIds: [closed.record.id], closedByPolicy: 1, underOlderPolicy: 0, policyVersions: [2] });
  });

  it('gives the whole evidence: each kind counted, the policy versions, the hours and every kiosk once', () => {
    const own = entrance(at(15, 10), { policyVersion: 2 }, 'kiosk-1');
    const stale = entrance(at(15, 20), { policyVersion: 1 }, 'kiosk-2');
    const again = entrance(at(15, 30), { policyVersion: 2 }, 'kiosk-1');
    expect(admittedWhileClosed(VENUE, [own, stale, again], byVersion, switchedAt15)).toEqual([
      {
        venueId: VENUE.id,
        rule: 'admitted_while_closed',
        severity: 'violation',
        windowKey: '2026-11-23T15',
        evidence: {
          recordIds: [own.record.id, stale.record.id, again.record.id],
          closedByPolicy: 3,
          underOlderPolicy: 1,
          outsideHours: 0,
          policyVersions: [2],
          openingHours: VENUE.openingHours,
          kioskIds: ['kiosk-1', 'kiosk-2'],
        },
      },
    ]);
  });

  it('counts a kiosk that admitted under the older policy after the street switched', () => {
    const stale = entrance(at(15, 0, 1), { policyVersion: 1 });
    const before = entrance(at(14, 59, 59), { policyVersion: 1 });
    const flags = admittedWhileClosed(VENUE, [before, stale], byVersion, switchedAt15);
    expect(flags.map((f) => [f.windowKey, f.severity, f.evidence.underOlderPolicy])).toEqual([['2026-11-23T15', 'violation', 1]]);
  });

  it('warns of admissions outside opening hours; the closing minute is outside, the one before inside', () => {
    const late = entrance(at(23, 0));
    const lastMinute = entrance(at(22, 59));
    const flags = admittedWhileClosed(VENUE, [lastMinute, late], policyOf, policyAt);
    expect(flags).toEqual([
      expect.objectContaining({ severity: 'warning', windowKey: '2026-11-23T23', evidence: expect.objectContaining({ recordIds: [late.record.id], outsideHours: 1, closedByPolicy: 0 }) }),
    ]);
  });

  it('ignores refusals and undone admissions', () => {
    const refused = entrance(at(23, 30), { decision: 'refuse', reasons: ['outside_opening_hours'] });
    const undone = { ...entrance(at(23, 31)), corrected: true };
    expect(admittedWhileClosed(VENUE, [refused, undone], policyOf, policyAt)).toEqual([]);
  });
});
