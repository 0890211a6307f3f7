import { describe, expect, it } from 'vitest';
import { overCapacity } from '../../../shared/rules/flags/index.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import { VENUE, at } from './day.js';

const occupancy = (inside: number) => ({ inside, entrances: [{ kioskId: 'kiosk-1', inside }] });

describe('overCapacity (004 §3.3–3.5)', () => {
  it('stays silent through a clean day, at most the cap inside', () => {
    for (const inside of [0, 120, 399, 400]) expect(overCapacity(VENUE, NORMAL_POLICY, occupancy(inside), ['r'], at(20))).toEqual([]);
  });

  it('warns one above the rated capacity in normal times', () => {
    const flags = overCapacity(VENUE, NORMAL_POLICY, occupancy(401), ['r1', 'r2'], at(20, 15));
    expect(flags).toEqual([
      expect.objectContaining({ rule: 'over_capacity', severity: 'warning', windowKey: '2026-11-23T20', evidence: expect.objectContaining({ inside: 401, cap: 400, recordIds: ['r1', 'r2'] }) }),
    ]);
  });

  it('gives the whole evidence: the count per entrance, the cap and what it was made of', () => {
    const occ = { inside: 402, entrances: [{ kioskId: 'kiosk-1', inside: 250 }, { kioskId: 'kiosk-2', inside: 152 }] };
    expect(overCapacity(VENUE, NORMAL_POLICY, occ, ['r1'], at(20, 15))).toEqual([
      {
        venueId: VENUE.id,
        rule: 'over_capacity',
        severity: 'warning',
        windowKey: '2026-11-23T20',
        evidence: {
          recordIds: ['r1'],
          inside: 402,
          cap: 400,
          ratedCapacity: 400,
          capPercent: 100,
          policyVersion: 1,
          entrances: [{ kioskId: 'kiosk-1', inside: 250 }, { kioskId: 'kiosk-2', inside: 152 }],
        },
      },
    ]);
  });

  it('is a violation above the 50 % cap of an emergency (a museum, 004 §3.3)', () => {
    const museum = { ...VENUE, type: 'museum' as const, ratedCapacity: 150 };
    expect(overCapacity(museum, EMERGENCY_POLICY, occupancy(75), [], at(11))).toEqual([]);
    expect(overCapacity(museum, EMERGENCY_POLICY, occupancy(76), [], at(11))).toEqual([
      expect.objectContaining({ severity: 'violation', evidence: expect.objectContaining({ cap: 75, capPercent: 50 }) }),
    ]);
  });

  it('does not judge a venue without a rated capacity', () => {
    expect(overCapacity({ ...VENUE, ratedCapacity: 0 }, NORMAL_POLICY, occupancy(5), [], at(11))).toEqual([]);
  });
});
