import { describe, expect, it } from 'vitest';
import { businessDayOf } from '../../../shared/rules/business-day.js';
import { staffBooster, staffFever, type StaffVaccination } from '../../../shared/rules/flags/index.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import { OFFSET, VENUE, at } from './day.js';

const DAY = businessDayOf(VENUE.openingHours, at(12), OFFSET);

describe('staffFever (000 §2(2)(2) staff health monitoring; 003 §10 禁止有可疑症状人员上岗)', () => {
  it.each([
    ['36.8 °C: nothing', 36.8, ['staff-1'], undefined],
    ['37.2 °C, just under 37.3: nothing', 37.2, ['staff-1'], undefined],
    ['37.3 °C, the threshold itself, and the member worked the door: a violation', 37.3, ['staff-1'], 'violation'],
    ['38.0 °C, and the member did not work the door that day: a warning to follow up', 38.0, ['staff-2'], 'warning'],
  ] as const)('%s', (_name, celsius, onDuty, severity) => {
    const flags = staffFever(VENUE, DAY, [{ recordId: 'r1', staffId: 'staff-1', celsius }], onDuty, NORMAL_POLICY.feverThresholdC);
    if (severity === undefined) return expect(flags).toEqual([]);
    expect(flags).toEqual([
      {
        venueId: VENUE.id,
        rule: 'staff_health',
        severity,
        windowKey: '2026-11-23:fever',
        evidence: { finding: 'fever', day: '2026-11-23', recordIds: ['r1'], staff: [{ staffId: 'staff-1', celsius, onDuty: severity === 'violation' }], thresholdC: 37.3 },
      },
    ]);
  });

  it('is a violation when any feverish member worked the door that day', () => {
    const readings = [
      { recordId: 'a', staffId: 'staff-1', celsius: 37.8 },
      { recordId: 'b', staffId: 'staff-2', celsius: 37.5 },
    ];
    expect(staffFever(VENUE, DAY, readings, ['staff-2'], 37.3)[0]).toMatchObject({ severity: 'violation', evidence: { staff: [{ onDuty: false }, { onDuty: true }] } });
  });

  it('reads the threshold from the policy, and names each member once with the highest reading', () => {
    const readings = [
      { recordId: 'a', staffId: 'staff-2', celsius: 37.0 },
      { recordId: 'b', staffId: 'staff-2', celsius: 37.6 },
      { recordId: 'c', staffId: 'staff-1', celsius: 37.1 },
    ];
    expect(staffFever(VENUE, DAY, readings, [], 37.3)[0]!.evidence).toMatchObject({ recordIds: ['b'], staff: [{ staffId: 'staff-2', celsius: 37.6 }] });
    expect(staffFever(VENUE, DAY, readings, [], 37.0)[0]!.evidence).toMatchObject({
      recordIds: ['a', 'b', 'c'],
      staff: [{ staffId: 'staff-1', celsius: 37.1 }, { staffId: 'staff-2', celsius: 37.6 }],
    });
  });
});

describe('staffBooster (000 §2(2)(2): 是否完成疫苗接种加强免疫)', () => {
  const entry = (staffId: string, vaccination: StaffVaccination['vaccination'], hh: number): StaffVaccination => ({ recordId: `${staffId}-${hh}`, staffId, vaccination, at: at(hh) });
  it.each([
    ['booster: nothing', 'booster', undefined],
    ['complete without booster: flagged', 'complete', 'complete'],
    ['incomplete: flagged', 'incomplete', 'incomplete'],
    ['none: flagged', 'none', 'none'],
  ] as const)('a staff member on duty whose latest entry says %s', (_name, vaccination, listed) => {
    const flags = staffBooster(VENUE, at(12), [entry('staff-1', vaccination, 9)], ['staff-1'], NORMAL_POLICY.flags.staffBoosterRequired);
    if (listed === undefined) return expect(flags).toEqual([]);
    expect(flags).toEqual([
      {
        venueId: VENUE.id,
        rule: 'staff_health',
        severity: 'warning',
        windowKey: '2026-W48:booster',
        evidence: { finding: 'booster', week: '2026-W48', recordIds: ['staff-1-9'], staff: [{ staffId: 'staff-1', vaccination: listed }] },
      },
    ]);
  });

  it('reads the latest entry of each member on duty only, and nothing where the policy asks no booster', () => {
    const entries = [entry('staff-1', 'complete', 9), entry('staff-1', 'booster', 10), entry('staff-2', 'complete', 11), entry('staff-3', 'none', 9)];
    expect(staffBooster(VENUE, at(12), entries, ['staff-1', 'staff-2'], true)[0]!.evidence).toMatchObject({ staff: [{ staffId: 'staff-2', vaccination: 'complete' }] });
    expect(staffBooster(VENUE, at(12), entries, ['staff-1', 'staff-2'], false)).toEqual([]);
    // Read out of order: the latest by time still counts; at one instant, the entry read last (typed over the first).
    const shuffled = [entry('staff-1', 'booster', 10), entry('staff-1', 'complete', 9), entry('staff-2', 'complete', 9), { ...entry('staff-2', 'booster', 9), recordId: 'retyped' }];
    expect(staffBooster(VENUE, at(12), shuffled, ['staff-1', 'staff-2'], true)).toEqual([]);
    // Several members: each once, in order.
    expect(staffBooster(VENUE, at(12), entries, ['staff-3', 'staff-2', 'staff-3'], true)[0]!.evidence).toMatchObject({
      recordIds: ['staff-2-11', 'staff-3-9'],
      staff: [{ staffId: 'staff-2' }, { staffId: 'staff-3' }],
    });
    expect(EMERGENCY_POLICY.flags.staffBoosterRequired).toBe(true);
  });
});
