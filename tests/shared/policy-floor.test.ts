import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doorHours, looserThan, meetWindows, narrowerWindow, strictest, strictestOf, windowMinutes, FLOOR_FIELDS } from '../../shared/rules/policy-floor.js';
import { DoorCheck } from '../../shared/schemas/checks.js';
import {
  EMERGENCY_POLICY,
  NORMAL_POLICY,
  Policy,
  doorChecks,
  shortenedHours,
  testWindowHours,
  unvaccinatedEffect,
  type HoursWindow,
  type VaccinationEffect,
} from '../../shared/schemas/policy.js';
import { VenueType } from '../../shared/schemas/venue.js';

// A few types keep per-type fields colliding often between the two sides.
const types = fc.constantFrom<VenueType>('hotel', 'ktv', 'museum', 'restaurant', 'station');
const byType = <T>(value: fc.Arbitrary<T>) => fc.dictionary(types, value, { maxKeys: 3 }) as fc.Arbitrary<Partial<Record<VenueType, T>>>;
const checks = fc.uniqueArray(fc.constantFrom(...DoorCheck.options), { minLength: 1, maxLength: 5 });
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const window: fc.Arbitrary<HoursWindow> = fc.record({ open: hhmm, close: hhmm });
const effect = fc.constantFrom<VaccinationEffect>('record', 'warn', 'refuse');
const hours = fc.integer({ min: 1, max: 168 });

const policy: fc.Arbitrary<Policy> = fc
  .record({
    version: fc.integer({ min: 1, max: 1000 }),
    mode: fc.constantFrom('normal' as const, 'emergency' as const),
    feverThresholdC: fc.integer({ min: 360, max: 390 }).map((x) => x / 10),
    doorChecks: fc.record({ default: checks, byVenueType: byType(checks) }),
    testWindowHours: fc.record({ starred: hours, otherProvince: hours, byVenueType: byType(hours) }),
    commitmentAccepted: fc.boolean(),
    testAndCommitmentVenueTypes: fc.uniqueArray(types, { maxLength: 3 }),
    closedVenueTypes: fc.uniqueArray(types, { maxLength: 3 }),
    capPercent: fc.record({ default: fc.integer({ min: 1, max: 100 }), byVenueType: byType(fc.integer({ min: 1, max: 100 })) }),
    threeCodeCheck: fc.boolean(),
    unvaccinated: fc.record({ default: effect, byVenueType: byType(effect) }),
    shortenedHours: fc.record({ default: fc.option(window, { nil: null }), byVenueType: byType(window) }),
    passValidMinutes: fc.integer({ min: 1, max: 20 }),
    contactRetentionDays: fc.integer({ min: 1, max: 365 }),
    bookingGraceMinutes: fc.integer({ min: 0, max: 120 }),
  })
  .map((p) => Policy.parse({ ...p, flags: {} }));

const RANK: Record<VaccinationEffect, number> = { record: 0, warn: 1, refuse: 2 };
const ALL_TYPES = VenueType.options;

/** Whether `m` is at least as strict as `p` at every door of every type. */
function atLeastAsStrict(m: Policy, p: Policy): void {
  if (p.mode === 'emergency') expect(m.mode).toBe('emergency');
  expect(m.feverThresholdC).toBeLessThanOrEqual(p.feverThresholdC);
  expect(m.passValidMinutes).toBeLessThanOrEqual(p.passValidMinutes);
  if (p.threeCodeCheck) expect(m.threeCodeCheck).toBe(true);
  if (!p.commitmentAccepted) expect(m.commitmentAccepted).toBe(false);
  for (const t of p.closedVenueTypes) expect(m.closedVenueTypes).toContain(t);
  for (const t of p.testAndCommitmentVenueTypes) expect(m.testAndCommitmentVenueTypes).toContain(t);
  expect(m.capPercent.default).toBeLessThanOrEqual(p.capPercent.default);
  for (const t of ALL_TYPES) {
    for (const c of doorChecks(p, t)) expect(doorChecks(m, t)).toContain(c);
    for (const c of ['starred', 'other_province'] as const) expect(testWindowHours(m, t, c)).toBeLessThanOrEqual(testWindowHours(p, t, c));
    expect(m.capPercent.byVenueType[t] ?? m.capPercent.default).toBeLessThanOrEqual(p.capPercent.byVenueType[t] ?? p.capPercent.default);
    expect(RANK[unvaccinatedEffect(m, t)]).toBeGreaterThanOrEqual(RANK[unvaccinatedEffect(p, t)]);
    expect(windowMinutes(shortenedHours(m, t))).toBeLessThanOrEqual(windowMinutes(shortenedHours(p, t)));
  }
}

/** The policy without the lower level's tuning, which is the one field set the meet takes from one side. */
const rules = (p: Policy) => ({ ...p, shortenedHours: doorHours(p), contactRetentionDays: 0, bookingGraceMinutes: 0, flags: null });

describe('strictest, the meet of two levels', () => {
  it('is a valid policy at least as strict as both, at every venue type', () => {
    fc.assert(
      fc.property(policy, policy, (a, b) => {
        const m = Policy.parse(strictest(a, b));
        atLeastAsStrict(m, a);
        atLeastAsStrict(m, b);
        expect(m.version).toBe(Math.max(a.version, b.version));
      }),
    );
  });

  it('is the same whichever side is which in every field a door enforces; the street tuning is the lower level’s', () => {
    fc.assert(
      fc.property(policy, policy, (a, b) => {
        const ab = strictest(a, b);
        const ba = strictest(b, a);
        expect(looserThan(ab, ba)).toEqual([]);
        expect(looserThan(ba, ab)).toEqual([]);
        expect([ab.contactRetentionDays, ab.bookingGraceMinutes, ab.flags]).toEqual([a.contactRetentionDays, a.bookingGraceMinutes, a.flags]);
      }),
    );
  });

  it('is idempotent, and the meet of a meet with either side changes nothing', () => {
    fc.assert(
      fc.property(policy, policy, (a, b) => {
        expect(strictest(a, a)).toEqual(a);
        const m = strictest(a, b);
        expect(rules(strictest(m, b))).toEqual(rules(m));
        expect(rules(strictest(m, a))).toEqual(rules(m));
      }),
    );
  });

  it('is associative over three levels in what a door enforces', () => {
    fc.assert(
      fc.property(policy, policy, policy, (a, b, c) => {
        const left = strictest(strictest(a, b), c);
        const right = strictest(a, strictest(b, c));
        // Hours aside: two windows may overlap in two pieces and one window holds one of them, so the
        // grouping may keep different pieces (and close a type one way and not the other).
        const hoursAside = (fields: string[]) => fields.filter((f) => f !== 'shortenedHours' && f !== 'closedVenueTypes');
        expect(hoursAside(looserThan(left, right))).toEqual([]);
        expect(hoursAside(looserThan(right, left))).toEqual([]);
        // Either grouping is still never looser than any of the three levels, hours included.
        for (const level of [a, b, c]) {
          expect(looserThan(left, level)).toEqual([]);
          expect(looserThan(right, level)).toEqual([]);
        }
      }),
    );
  });

  it('an emergency city over a normal street is the emergency preset with the street’s tuning', () => {
    const street = { ...NORMAL_POLICY, version: 7, contactRetentionDays: 21 };
    const city = { ...EMERGENCY_POLICY, version: 5 };
    const m = strictest(street, city);
    expect(m.mode).toBe('emergency');
    expect(m.closedVenueTypes).toEqual(EMERGENCY_POLICY.closedVenueTypes);
    expect(m.capPercent.byVenueType.museum).toBe(50);
    expect(m.contactRetentionDays).toBe(21);
    expect(m.version).toBe(7);
    expect(looserThan(m, EMERGENCY_POLICY)).toEqual([]);
  });

  it("tightens the ledgers under a city emergency: the emergency's staff tests and disinfections, the street's thresholds kept", () => {
    const street = { ...NORMAL_POLICY, flags: { ...NORMAL_POLICY.flags, repeatViolations: 5, disinfectionsPerDay: 1 } };
    const city = { ...EMERGENCY_POLICY, flags: { ...EMERGENCY_POLICY.flags, disinfectionsPerDay: 2, staffTests: { ...EMERGENCY_POLICY.flags.staffTests, ktv: { every: 'week' as const, times: 3 } } } };
    const m = strictest(street, city);
    expect(m.flags.repeatViolations).toBe(5);
    expect(m.flags.disinfectionsPerDay).toBe(2);
    expect(m.flags.staffTests.ktv).toEqual({ every: 'week', times: 3 });
    // A type only the emergency table lists (schools: a daily 20 % sample) is asked under the meet.
    expect(m.flags.staffTests.school).toEqual(EMERGENCY_POLICY.flags.staffTests.school);
    expect(strictest(city, street).flags.staffTests).toEqual(m.flags.staffTests);
  });

  it("leaves a side's unvaccinated setting out while that side does not ask the three-code check", () => {
    const street = { ...NORMAL_POLICY, threeCodeCheck: false, unvaccinated: { default: 'refuse' as const, byVenueType: {} } };
    const city = { ...NORMAL_POLICY, threeCodeCheck: true, unvaccinated: { default: 'warn' as const, byVenueType: {} } };
    expect(strictest(street, city).unvaccinated).toEqual(city.unvaccinated);
    expect(strictest(city, street).unvaccinated).toEqual(city.unvaccinated);
  });

  it('strictestOf skips levels that never switched and keeps the lowest level’s tuning', () => {
    const street = { ...NORMAL_POLICY, version: 3, bookingGraceMinutes: 5 };
    expect(strictestOf([undefined, undefined])).toBeUndefined();
    expect(strictestOf([undefined, street, undefined])).toBe(street);
    expect(strictestOf([street, EMERGENCY_POLICY])?.bookingGraceMinutes).toBe(5);
  });
});

describe('looserThan, the floor a lower level may not go under', () => {
  it('names nothing for a policy at least as strict as the floor, and every field it loosens otherwise', () => {
    fc.assert(
      fc.property(policy, policy, (p, floor) => {
        expect(looserThan(strictest(p, floor), floor)).toEqual([]);
        const fields = looserThan(p, floor);
        for (const f of fields) expect(FLOOR_FIELDS).toContain(f);
        // Fixing exactly the fields named makes the policy acceptable.
        const m = strictest(p, floor);
        const fixed = { ...p, ...Object.fromEntries(fields.map((f) => [f, m[f]])) } as Policy;
        expect(looserThan(fixed, floor)).toEqual([]);
      }),
    );
  });

  it('names the fields a normal street loosens under an emergency city', () => {
    expect(looserThan(NORMAL_POLICY, EMERGENCY_POLICY)).toEqual([
      'mode',
      'testWindowHours',
      'testAndCommitmentVenueTypes',
      'closedVenueTypes',
      'capPercent',
      'threeCodeCheck',
      'unvaccinated',
    ]);
    expect(looserThan({ ...EMERGENCY_POLICY, feverThresholdC: 37 }, EMERGENCY_POLICY)).toEqual([]);
    expect(looserThan({ ...EMERGENCY_POLICY, passValidMinutes: 15 }, { ...EMERGENCY_POLICY, passValidMinutes: 5 })).toEqual(['passValidMinutes']);
  });

  it('a type set to the default’s value on one side is no loosening', () => {
    const floor = { ...NORMAL_POLICY, capPercent: { default: 100, byVenueType: { museum: 100 } } };
    expect(looserThan(NORMAL_POLICY, floor)).toEqual([]);
  });
});

describe('narrowerWindow', () => {
  it('keeps the window admitting fewer minutes, the same either way round', () => {
    expect(narrowerWindow(null, { open: '08:00', close: '20:00' })).toEqual({ open: '08:00', close: '20:00' });
    expect(narrowerWindow({ open: '22:00', close: '02:00' }, { open: '08:00', close: '20:00' })).toEqual({ open: '22:00', close: '02:00' });
    fc.assert(
      fc.property(window, window, (a, b) => {
        expect(narrowerWindow(a, b)).toEqual(narrowerWindow(b, a));
      }),
    );
  });

  it('meets two windows in their overlap, the longer piece of two, and closed when they share no minute', () => {
    expect(meetWindows({ open: '08:00', close: '20:00' }, { open: '10:00', close: '22:00' })).toEqual({ open: '10:00', close: '20:00' });
    expect(meetWindows({ open: '20:00', close: '03:00' }, { open: '22:00', close: '02:00' })).toEqual({ open: '22:00', close: '02:00' });
    // 06:00–02:00 and 00:00–08:00 share 00:00–02:00 and 06:00–08:00: one window holds one of them.
    expect(meetWindows({ open: '06:00', close: '02:00' }, { open: '00:00', close: '08:00' })).toEqual({ open: '00:00', close: '02:00' });
    expect(meetWindows({ open: '08:00', close: '20:00' }, { open: '22:00', close: '02:00' })).toBe('closed');
    expect(meetWindows(null, { open: '08:00', close: '20:00' })).toEqual({ open: '08:00', close: '20:00' });
    // Every minute the meet admits, both sides admit.
    const admits = (w: { open: string; close: string } | null, m: number) => {
      if (w === null) return true;
      const [o, c] = [w.open, w.close].map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
      return o === c || (o! < c! ? m >= o! && m < c! : m >= o! || m < c!);
    };
    fc.assert(
      fc.property(window, window, (a, b) => {
        const m = meetWindows(a, b);
        for (let minute = 0; minute < 24 * 60; minute += 5) {
          const inMeet = m === 'closed' ? false : admits(m, minute);
          if (inMeet) expect(admits(a, minute) && admits(b, minute)).toBe(true);
        }
      }),
    );
  });

  it('refuses a street whose hours only the city forbids: the city 08:00–20:00, the street 22:00–02:00', () => {
    const city = { ...EMERGENCY_POLICY, shortenedHours: { default: { open: '08:00', close: '20:00' }, byVenueType: {} } };
    const street = { ...EMERGENCY_POLICY, shortenedHours: { default: { open: '22:00', close: '02:00' }, byVenueType: {} } };
    expect(looserThan(street, city)).toContain('shortenedHours');
    // In force under both, no type may admit at any hour: every type is closed.
    expect(strictest(street, city).closedVenueTypes.length).toBe(ALL_TYPES.length);
  });
});
