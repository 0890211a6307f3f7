import { describe, expect, it } from 'vitest';
import { dayKey, dayStart, hourKey, hourStart, openSince, weekKey, weekStart } from '../../../shared/rules/flags/index.js';

const at = (d: number, hh: number, mm = 0) => Date.UTC(2026, 10, d, hh, mm) - 480 * 60_000;

describe('flag windows (venue-local)', () => {
  it('names hours, days and ISO weeks in local time', () => {
    expect(hourKey(at(23, 14, 59), 480)).toBe('2026-11-23T14');
    expect(dayKey(at(23, 0, 30), 480)).toBe('2026-11-23');
    expect(hourStart(at(23, 14, 59), 480)).toBe(at(23, 14));
    expect(dayStart(at(23, 23, 59), 480)).toBe(at(23, 0));
    expect(weekKey(at(23, 0), 480)).toBe('2026-W48');
    expect(weekKey(at(29, 23, 59), 480)).toBe('2026-W48');
    expect(weekKey(at(30, 0), 480)).toBe('2026-W49');
    expect(weekKey(Date.UTC(2027, 0, 1, 12), 0)).toBe('2026-W53');
    expect(weekKey(Date.UTC(2025, 11, 29, 12), 0)).toBe('2026-W01');
    expect(weekStart(at(26, 15), 480)).toBe(at(23, 0));
    expect(hourStart(Date.UTC(2026, 10, 23, 9, 10), 330)).toBe(Date.UTC(2026, 10, 23, 8, 30));
  });

  it('finds when the current opening began, across midnight too', () => {
    expect(openSince({ open: '10:00', close: '23:00' }, at(23, 15), 480)).toBe(at(23, 10));
    expect(openSince({ open: '10:00', close: '23:00' }, at(23, 23, 30), 480)).toBeUndefined();
    expect(openSince({ open: '18:00', close: '02:00' }, at(24, 1), 480)).toBe(at(23, 18));
    expect(openSince({ open: '18:00', close: '02:00' }, at(23, 19), 480)).toBe(at(23, 18));
    expect(openSince(null, at(23, 3), 480)).toBe(-Infinity);
  });
});
