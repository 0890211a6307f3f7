import { describe, expect, it } from 'vitest';
import { businessDayOf } from '../../../shared/rules/business-day.js';
import { ledgerNotKeptDay, ledgerNotKeptWeek, staffTestLookbackMs, weekStart, type FlagVenue, type LedgerDay, type StaffTest } from '../../../shared/rules/flags/index.js';
import { NORMAL_STAFF_TESTS, type StaffTestFrequency } from '../../../shared/schemas/ledgers.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, Policy, type FlagThresholds } from '../../../shared/schemas/policy.js';
import type { VenueType } from '../../../shared/schemas/venue.js';
import { OFFSET, VENUE, at } from './day.js';

/**
 * The ledger frequencies of the presets (docs/policy.md "Ledger frequencies"), one row per venue
 * type and seed row, judged through the real rules: a ledger missing what the row asks is flagged,
 * one keeping it is not.
 */

const STAFF = ['s1', 's2', 's3', 's4', 's5'];
const venueOf = (type: VenueType, over: Partial<FlagVenue> = {}): FlagVenue => ({ ...VENUE, type, ...over });

/** A clean open day, 2026-11-23, at a venue: every staff member measured, `disinfections` done. */
function day(venue: FlagVenue, disinfections = 2, tests: StaffTest[] = []): LedgerDay {
  return {
    day: businessDayOf(venue.openingHours, at(12), OFFSET),
    admissions: 120,
    onDuty: STAFF,
    disinfections: Array.from({ length: disinfections }, (_, i) => ({ recordId: `d${i}`, doneAt: at(9 + i * 4) })),
    staffMeasured: STAFF,
    tests,
  };
}

const test = (staffId: string, lastTestDate: string): StaffTest => ({ recordId: `${staffId}-${lastTestDate}`, staffId, lastTestDate });
/** Tests that keep each frequency on 2026-11-23, the Monday of 2026-W48. */
const KEPT: Record<StaffTestFrequency['every'], StaffTest[]> = {
  week: STAFF.flatMap((s) => [test(s, '2026-11-23'), test(s, '2026-11-26')]),
  days: STAFF.map((s) => test(s, '2026-11-21')),
  daily_sample: [test('s1', '2026-11-23')],
};

/** Every ledger_not_kept staff_tests flag of 2026-11-23 and its week. */
function staffTestFlags(venue: FlagVenue, flags: FlagThresholds, tests: StaffTest[]) {
  const from = weekStart(at(12), OFFSET);
  return [
    ...ledgerNotKeptDay(venue, day(venue, 2, tests), flags),
    ...ledgerNotKeptWeek(venue, { week: at(12), from, to: from + 7 * 86_400_000, onDuty: STAFF, tests }, flags),
  ].filter((f) => f.windowKey.endsWith(':staff_tests'));
}

describe('staff test frequency per venue type (003, table of test frequencies)', () => {
  const TWICE_A_WEEK = { every: 'week', times: 2 } as const;
  const EVERY_5_DAYS = { every: 'days', days: 5 } as const;
  const DAILY_20 = { every: 'daily_sample', percent: 20 } as const;
  it.each([
    ['row 9: KTV', NORMAL_POLICY, 'ktv', TWICE_A_WEEK],
    ['row 9: bars', NORMAL_POLICY, 'bar', TWICE_A_WEEK],
    ['row 9: internet cafés', NORMAL_POLICY, 'internet_cafe', TWICE_A_WEEK],
    ['row 9: foot bath', NORMAL_POLICY, 'foot_bath', TWICE_A_WEEK],
    ['row 9: hotels', NORMAL_POLICY, 'hotel', TWICE_A_WEEK],
    ['row 9: restaurants', NORMAL_POLICY, 'restaurant', TWICE_A_WEEK],
    ['row 9 "等" and 000 §2(2)(2): arcades', NORMAL_POLICY, 'arcade', TWICE_A_WEEK],
    ['row 13: malls', NORMAL_POLICY, 'shopping_mall', TWICE_A_WEEK],
    ['row 13: supermarkets', NORMAL_POLICY, 'supermarket', TWICE_A_WEEK],
    ['row 13: markets', NORMAL_POLICY, 'farmers_market', TWICE_A_WEEK],
    ['row 14: clinics', NORMAL_POLICY, 'clinic', TWICE_A_WEEK],
    ['row 17: scenic spots', NORMAL_POLICY, 'scenic_spot', EVERY_5_DAYS],
    ['row 17: theatres and cinemas', NORMAL_POLICY, 'cinema_theatre', EVERY_5_DAYS],
    ['row 18: pharmacies', NORMAL_POLICY, 'pharmacy', EVERY_5_DAYS],
    ['row 9: barbers (理发店等服务人员)', NORMAL_POLICY, 'barber', TWICE_A_WEEK],
    ['row 12: stations (动车站、汽车站、客运码头等从业人员)', NORMAL_POLICY, 'station', TWICE_A_WEEK],
    ['rows 23–28 apply after a local case only: schools in normal times', NORMAL_POLICY, 'school', undefined],
    ['rows 23–28 apply after a local case only: training centres in normal times', NORMAL_POLICY, 'training_centre', undefined],
    ['rows 23–28 apply after a local case only: care homes in normal times', NORMAL_POLICY, 'elderly_care', undefined],
    ['row 23, after a local case: schools', EMERGENCY_POLICY, 'school', DAILY_20],
    ['row 23, after a local case: training centres', EMERGENCY_POLICY, 'training_centre', DAILY_20],
    ['row 24, after a local case: care homes', EMERGENCY_POLICY, 'elderly_care', DAILY_20],
    ['row 28, after a local case: construction sites', EMERGENCY_POLICY, 'construction_site', DAILY_20],
    ['rows 9 and 17 stay after a local case: KTV', EMERGENCY_POLICY, 'ktv', TWICE_A_WEEK],
    ['rows 9 and 17 stay after a local case: cinemas', EMERGENCY_POLICY, 'cinema_theatre', EVERY_5_DAYS],
    ['no row: museums', NORMAL_POLICY, 'museum', undefined],
    ['no row: offices', EMERGENCY_POLICY, 'enterprise_office', undefined],
  ] as const)('%s', (_row, policy, type, frequency) => {
    expect(policy.flags.staffTests[type]).toEqual(frequency);
    const venue = venueOf(type);
    if (frequency === undefined) return expect(staffTestFlags(venue, policy.flags, [])).toEqual([]);
    expect(staffTestFlags(venue, policy.flags, [])).toMatchObject([{ rule: 'ledger_not_kept', severity: 'warning', evidence: { ledger: 'staff_tests' } }]);
    expect(staffTestFlags(venue, policy.flags, KEPT[frequency.every])).toEqual([]);
  });
});

describe('every 5 days (003 table rows 17, 18: 5天1检)', () => {
  const cinema = venueOf('cinema_theatre');
  const flags = NORMAL_POLICY.flags;
  it.each([
    ['tested that day', '2026-11-23', false],
    ['last tested 4 days before: the test still covers the day', '2026-11-19', false],
    ['last tested 5 days before: a new test was due that day', '2026-11-18', true],
    ['a test after the day says nothing about it', '2026-11-24', true],
  ])('a staff member %s', (_name, date, flagged) => {
    const tests = [...STAFF.filter((s) => s !== 's3').map((s) => test(s, '2026-11-22')), test('s3', date)];
    const got = ledgerNotKeptDay(cinema, day(cinema, 2, tests), flags).filter((f) => f.windowKey === '2026-11-23:staff_tests');
    if (!flagged) return expect(got).toEqual([]);
    expect(got).toEqual([
      {
        venueId: cinema.id,
        rule: 'ledger_not_kept',
        severity: 'warning',
        windowKey: '2026-11-23:staff_tests',
        evidence: {
          ledger: 'staff_tests',
          day: '2026-11-23',
          frequency: { every: 'days', days: 5 },
          recordIds: date > '2026-11-23' ? [] : [`s3-${date}`],
          staff: [{ staffId: 's3', lastTestDate: date > '2026-11-23' ? null : date }],
        },
      },
    ]);
  });

  it('reads the latest test of each staff member, whatever order the entries come in, and names those with none', () => {
    const tests = [test('s1', '2026-11-10'), test('s1', '2026-11-20'), test('s2', '2026-11-21'), test('s2', '2026-11-01'), ...['s3', 's4'].map((s) => test(s, '2026-11-21'))];
    const [flag] = ledgerNotKeptDay(cinema, day(cinema, 2, tests), flags).filter((f) => f.windowKey.endsWith(':staff_tests'));
    expect(flag!.evidence).toMatchObject({ staff: [{ staffId: 's5', lastTestDate: null }] });
  });

  it('names the staff short of a test in order, each once, with the entry of their last test (the first of a date read)', () => {
    const tests = [test('s1', '2026-11-21'), test('s2', '2026-11-21'), test('s4', '2026-11-10'), { ...test('s4', '2026-11-10'), recordId: 'again' }];
    const d = { ...day(cinema, 2, tests), onDuty: ['s5', 's4', 's1', 's5', 's2'] };
    const [flag] = ledgerNotKeptDay(cinema, d, flags).filter((f) => f.windowKey.endsWith(':staff_tests'));
    expect(flag!.evidence).toMatchObject({ recordIds: ['s4-2026-11-10'], staff: [{ staffId: 's4', lastTestDate: '2026-11-10' }, { staffId: 's5', lastTestDate: null }] });
  });

  it.each([
    ['every 5 days: entries read from 5 days before the day', { every: 'days', days: 5 }, 5 * 86_400_000],
    ['every 7 days: from 7 days before', { every: 'days', days: 7 }, 7 * 86_400_000],
    ['twice a week: judged per week, nothing before the day', { every: 'week', times: 2 }, 0],
    ['daily sample: that day only', { every: 'daily_sample', percent: 20 }, 0],
    ['no frequency', undefined, 0],
  ] as const)('staffTestLookbackMs, %s', (_name, frequency, ms) => {
    expect(staffTestLookbackMs(frequency)).toBe(ms);
  });
});

describe('daily sample of at least 20 % (003 table rows 23–28, 003 §10, §11: 每日抽检20%)', () => {
  const school = venueOf('school');
  const flags = EMERGENCY_POLICY.flags;
  it.each([
    ['5 staff seen, none tested', 5, 0, 1],
    ['5 staff seen, 1 tested: 20 %', 5, 1, undefined],
    ['6 staff seen, 1 tested: 17 %, 2 needed (rounded up)', 6, 1, 2],
    ['10 staff seen, 2 tested', 10, 2, undefined],
  ])('%s', (_name, seen, tested, required) => {
    const staff = Array.from({ length: seen }, (_, i) => `t${i}`);
    const d = { ...day(school, 2, staff.slice(0, tested).map((s) => test(s, '2026-11-23'))), onDuty: staff.slice(0, 2), staffMeasured: staff };
    const got = ledgerNotKeptDay(school, d, flags).filter((f) => f.windowKey === '2026-11-23:staff_tests');
    if (required === undefined) return expect(got).toEqual([]);
    expect(got).toMatchObject([{ evidence: { frequency: { every: 'daily_sample', percent: 20 }, staff: seen, tested, required } }]);
  });

  it('counts only tests dated that day, each staff member once', () => {
    const tests = [test('s1', '2026-11-22'), test('s2', '2026-11-23'), { ...test('s2', '2026-11-23'), recordId: 'again' }];
    const d = { ...day(school, 2, tests), onDuty: Array.from({ length: 10 }, (_, i) => `s${i + 1}`) };
    expect(ledgerNotKeptDay(school, d, flags).filter((f) => f.windowKey.endsWith(':staff_tests'))).toMatchObject([{ evidence: { recordIds: ['s2-2026-11-23', 'again'], tested: 1, required: 2 } }]);
  });
});

describe('disinfections per day by venue type (000 §2(2)(3); 003 §27)', () => {
  it.each([
    ['003 §27 after a local case: malls', EMERGENCY_POLICY, 'shopping_mall', 2],
    ['003 §27 after a local case: supermarkets', EMERGENCY_POLICY, 'supermarket', 2],
    ['003 §27 after a local case: hotels', EMERGENCY_POLICY, 'hotel', 2],
    ['003 §27 after a local case: markets', EMERGENCY_POLICY, 'farmers_market', 2],
    ['003 §27 after a local case: schools', EMERGENCY_POLICY, 'school', 2],
    ['003 §27 after a local case: transport (stations)', EMERGENCY_POLICY, 'station', 2],
    ['003 §27 names schools, not training centres: once a day', EMERGENCY_POLICY, 'training_centre', 1],
    ['003 §27 after a local case: office buildings', EMERGENCY_POLICY, 'enterprise_office', 2],
    ['003 §27 after a local case: construction sites', EMERGENCY_POLICY, 'construction_site', 2],
    ['003 §27 after a local case: care homes', EMERGENCY_POLICY, 'elderly_care', 2],
    ['003 §27 does not list KTV: once a day after a local case too', EMERGENCY_POLICY, 'ktv', 1],
    ['000 §2(2)(3) in normal times: malls once a day', NORMAL_POLICY, 'shopping_mall', 1],
    ['000 §2(2)(3) in normal times: care homes once a day', NORMAL_POLICY, 'elderly_care', 1],
  ] as const)('%s', (_row, policy, type, required) => {
    const venue = venueOf(type);
    const disinfection = (n: number) => ledgerNotKeptDay(venue, day(venue, n, KEPT.week), policy.flags).filter((f) => f.windowKey === '2026-11-23:disinfection');
    expect(disinfection(required - 1)).toMatchObject([{ evidence: { entries: required - 1, required } }]);
    expect(disinfection(required)).toEqual([]);
  });
});

describe('ledgers per business day (a venue open past midnight)', () => {
  const night = venueOf('ktv', { openingHours: { open: '18:00', close: '02:00' } });
  it('judges the night of the 23rd as one day, counting the cleaning after closing at 02:30 on the 24th', () => {
    const d: LedgerDay = { ...day(night, 0), day: businessDayOf(night.openingHours, at(1, 0, 0, 24), OFFSET), disinfections: [{ recordId: 'after-close', doneAt: at(2, 30, 0, 24) }] };
    expect(d.day.key).toBe('2026-11-23');
    expect(ledgerNotKeptDay(night, d, NORMAL_POLICY.flags)).toEqual([]);
  });

  it('does not count for the night a disinfection done once the next business day began', () => {
    const d: LedgerDay = { ...day(night, 0), day: businessDayOf(night.openingHours, at(20), OFFSET), disinfections: [{ recordId: 'next', doneAt: at(11, 0, 0, 24) }] };
    expect(ledgerNotKeptDay(night, d, NORMAL_POLICY.flags)).toMatchObject([{ windowKey: '2026-11-23:disinfection', evidence: { entries: 0 } }]);
  });
});

describe('a policy stored before the ledger frequencies were data', () => {
  it('still parses, with the normal table, no per-type disinfections and boosters asked', () => {
    const { staffTests: _t, disinfectionsByVenueType: _d, staffBoosterRequired: _b, ...rest } = NORMAL_POLICY.flags;
    const stored = { ...NORMAL_POLICY, version: 7, flags: { ...rest, staffTestsPerWeek: 2, staffTestVenueTypes: ['ktv', 'hotel'] } };
    const parsed = Policy.parse(JSON.parse(JSON.stringify(stored)));
    expect(parsed.flags.staffTests).toEqual(NORMAL_STAFF_TESTS);
    expect(parsed.flags.disinfectionsByVenueType).toEqual({});
    expect(parsed.flags.staffBoosterRequired).toBe(true);
    expect(parsed.flags).not.toHaveProperty('staffTestsPerWeek');
  });

  it('refuses a frequency out of range, naming its field', () => {
    const bad = Policy.safeParse({ ...NORMAL_POLICY, flags: { ...NORMAL_POLICY.flags, staffTests: { ktv: { every: 'days', days: 0 } } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['flags', 'staffTests', 'ktv', 'days']);
  });
});
