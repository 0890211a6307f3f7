import { describe, expect, it } from 'vitest';
import { ledgerNotKeptDay, ledgerNotKeptWeek, weekStart, type LedgerWeek } from '../../../shared/rules/flags/index.js';
import { OFFSET, STAFF, THRESHOLDS, VENUE, at, cleanDay } from './day.js';

/** The week of 2026-11-23 (Mon) to 29 (Sun): staff tested Monday and Thursday (003 table row 9: 1周2检). */
function cleanWeek(): LedgerWeek {
  const from = weekStart(at(12), OFFSET);
  return {
    week: at(12),
    from,
    to: from + 7 * 86_400_000,
    onDuty: [...STAFF],
    tests: STAFF.flatMap((staffId) => [
      { recordId: `${staffId}-mon`, staffId, lastTestDate: '2026-11-23' },
      { recordId: `${staffId}-thu`, staffId, lastTestDate: '2026-11-26' },
    ]),
  };
}

describe('ledgerNotKeptDay (000 §2(2)(2)–(3))', () => {
  it('stays silent on a clean day', () => {
    expect(ledgerNotKeptDay(VENUE, cleanDay().ledger, THRESHOLDS)).toEqual([]);
  });

  it('fires when no disinfection was done that day; one done the evening before does not count', () => {
    const day = { ...cleanDay().ledger, disinfections: [{ recordId: 'x', doneAt: at(23, 30, 0, 22) }] };
    expect(ledgerNotKeptDay(VENUE, day, THRESHOLDS)).toEqual([
      expect.objectContaining({ rule: 'ledger_not_kept', severity: 'warning', windowKey: '2026-11-23:disinfection', evidence: expect.objectContaining({ entries: 0, required: 1 }) }),
    ]);
  });

  it.each([
    ['at midnight, the first instant of the day, counts', at(0), 1],
    ['the last second before the next midnight counts', at(23, 59, 59), 1],
    ['one logged at the next midnight is the next day\'s', at(0, 0, 0, 24), 0],
    ['one logged the next morning is the next day\'s', at(9, 30, 0, 24), 0],
    ['a second before this day\'s midnight is the day before\'s', at(23, 59, 59, 22), 0],
  ])('counts only disinfections done within the venue-local day: %s', (_name, doneAt, entries) => {
    const day = { ...cleanDay().ledger, disinfections: [{ recordId: 'x', doneAt }] };
    const flags = ledgerNotKeptDay(VENUE, day, THRESHOLDS);
    if (entries === 1) return expect(flags).toEqual([]);
    expect(flags).toEqual([
      {
        venueId: VENUE.id,
        rule: 'ledger_not_kept',
        severity: 'warning',
        windowKey: '2026-11-23:disinfection',
        evidence: { ledger: 'disinfection', day: '2026-11-23', recordIds: [], entries: 0, required: 1, admissions: 300 },
      },
    ]);
  });

  it('names the disinfections of the day it found when they are too few', () => {
    const day = { ...cleanDay().ledger, disinfections: [{ recordId: 'a', doneAt: at(9) }, { recordId: 'b', doneAt: at(9, 30, 0, 24) }] };
    const [flag] = ledgerNotKeptDay(VENUE, day, { ...THRESHOLDS, disinfectionsPerDay: 2 });
    expect(flag!.evidence).toMatchObject({ recordIds: ['a'], entries: 1, required: 2 });
  });

  it('is satisfied at the threshold and reads it from the policy', () => {
    const day = { ...cleanDay().ledger, disinfections: [{ recordId: 'x', doneAt: at(9) }] };
    expect(ledgerNotKeptDay(VENUE, day, THRESHOLDS)).toEqual([]);
    expect(ledgerNotKeptDay(VENUE, day, { ...THRESHOLDS, disinfectionsPerDay: 2 })).toHaveLength(1);
  });

  it('names the staff on duty without a temperature that day', () => {
    const day = { ...cleanDay().ledger, staffMeasured: ['staff-1'] };
    const flags = ledgerNotKeptDay(VENUE, day, THRESHOLDS);
    expect(flags).toEqual([expect.objectContaining({ windowKey: '2026-11-23:staff_temperature', evidence: expect.objectContaining({ staffIds: ['staff-2', 'staff-3'] }) })]);
  });

  it('names each unmeasured member once, sorted, and counts the staff on duty', () => {
    const day = { ...cleanDay().ledger, onDuty: ['staff-3', 'staff-1', 'staff-3', 'staff-2'], staffMeasured: ['staff-2'] };
    expect(ledgerNotKeptDay(VENUE, day, THRESHOLDS)).toEqual([
      {
        venueId: VENUE.id,
        rule: 'ledger_not_kept',
        severity: 'warning',
        windowKey: '2026-11-23:staff_temperature',
        evidence: { ledger: 'staff_temperature', day: '2026-11-23', recordIds: [], staffIds: ['staff-1', 'staff-3'], onDuty: 3 },
      },
    ]);
  });

  it('does not judge a day the venue admitted nobody', () => {
    expect(ledgerNotKeptDay(VENUE, { ...cleanDay().ledger, admissions: 0, onDuty: [], disinfections: [], staffMeasured: [] }, THRESHOLDS)).toEqual([]);
  });
});

describe('ledgerNotKeptWeek (003 table row 9: staff tests twice a week)', () => {
  it('stays silent on a clean week', () => {
    expect(ledgerNotKeptWeek(VENUE, cleanWeek(), THRESHOLDS)).toEqual([]);
  });

  it('fires for staff tested once, counting a date only once and only within the week', () => {
    const w = cleanWeek();
    const tests = [
      ...w.tests.filter((t) => t.staffId !== 'staff-2'),
      { recordId: 'a', staffId: 'staff-2', lastTestDate: '2026-11-24' },
      { recordId: 'b', staffId: 'staff-2', lastTestDate: '2026-11-24' },
      { recordId: 'c', staffId: 'staff-2', lastTestDate: '2026-11-22' },
    ];
    const flags = ledgerNotKeptWeek(VENUE, { ...w, tests }, THRESHOLDS);
    expect(flags).toEqual([
      expect.objectContaining({ rule: 'ledger_not_kept', windowKey: '2026-W48:staff_tests', evidence: expect.objectContaining({ staff: [{ staffId: 'staff-2', tests: 1 }], required: 2 }) }),
    ]);
  });

  it.each([
    ['Monday, the first day of the week, counts', '2026-11-23', 0],
    ['Sunday, the last day of the week, counts', '2026-11-29', 0],
    ['the Sunday before is last week\'s', '2026-11-22', 1],
    ['the Monday after is next week\'s', '2026-11-30', 1],
  ])('counts only test dates within the venue-local week: %s', (_name, date, short) => {
    const w = cleanWeek();
    const tests = [
      ...w.tests.filter((t) => t.staffId !== 'staff-2'),
      { recordId: 'wed', staffId: 'staff-2', lastTestDate: '2026-11-25' },
      { recordId: 'x', staffId: 'staff-2', lastTestDate: date },
    ];
    const flags = ledgerNotKeptWeek(VENUE, { ...w, tests }, THRESHOLDS);
    if (short === 0) return expect(flags).toEqual([]);
    expect(flags).toEqual([
      {
        venueId: VENUE.id,
        rule: 'ledger_not_kept',
        severity: 'warning',
        windowKey: '2026-W48:staff_tests',
        evidence: {
          ledger: 'staff_tests',
          week: '2026-W48',
          // The entries within the week, in the order read.
          recordIds: ['staff-1-mon', 'staff-1-thu', 'staff-3-mon', 'staff-3-thu', 'wed'],
          staff: [{ staffId: 'staff-2', tests: 1 }],
          required: 2,
        },
      },
    ]);
  });

  it('lists the staff short of tests in order, a member with none at 0, each once', () => {
    const w = cleanWeek();
    const tests = w.tests.filter((t) => t.staffId === 'staff-2');
    const flags = ledgerNotKeptWeek(VENUE, { ...w, onDuty: ['staff-3', 'staff-1', 'staff-2', 'staff-3'], tests }, THRESHOLDS);
    expect(flags[0]!.evidence).toMatchObject({ staff: [{ staffId: 'staff-1', tests: 0 }, { staffId: 'staff-3', tests: 0 }], recordIds: ['staff-2-mon', 'staff-2-thu'] });
  });

  it('asks nothing where the policy sets no frequency for the type, and what it sets where it does', () => {
    expect(ledgerNotKeptWeek(VENUE, { ...cleanWeek(), tests: [] }, { ...THRESHOLDS, staffTests: {} })).toEqual([]);
    const once = ledgerNotKeptWeek(VENUE, { ...cleanWeek(), tests: [] }, { ...THRESHOLDS, staffTests: { ktv: { every: 'week', times: 1 } } });
    expect(once).toMatchObject([{ evidence: { required: 1 } }]);
  });

  it('leaves frequencies judged per day to the day (a KTV set to every 5 days)', () => {
    expect(ledgerNotKeptWeek(VENUE, { ...cleanWeek(), tests: [] }, { ...THRESHOLDS, staffTests: { ktv: { every: 'days', days: 5 } } })).toEqual([]);
  });

  it('does not ask it of venue types outside the list (a museum)', () => {
    expect(ledgerNotKeptWeek({ ...VENUE, type: 'museum' }, { ...cleanWeek(), tests: [] }, THRESHOLDS)).toEqual([]);
  });
});
