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

  it('does not judge a day the venue admitted nobody', () => {
    expect(ledgerNotKeptDay(VENUE, { day: at(12), admissions: 0, onDuty: [], disinfections: [], staffMeasured: [] }, THRESHOLDS)).toEqual([]);
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

  it('does not ask it of venue types outside the list (a museum)', () => {
    expect(ledgerNotKeptWeek({ ...VENUE, type: 'museum' }, { ...cleanWeek(), tests: [] }, THRESHOLDS)).toEqual([]);
  });
});
