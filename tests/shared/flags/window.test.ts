import { describe, expect, it } from 'vitest';
import { EVIDENCE_IDS_MAX, capIds, dayKey, dayStart, groupBy, hourKey, hourStart, openSince, tally, weekKey, weekStart } from '../../../shared/rules/flags/index.js';

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

  it('starts the venue-local day at local midnight, also in the hours when UTC is still on the day before', () => {
    // 03:00 at the venue (UTC+8) is 19:00 UTC the day before.
    expect(dayStart(at(23, 3), 480)).toBe(at(23, 0));
    expect(dayKey(at(23, 3), 480)).toBe('2026-11-23');
    expect(dayStart(at(23, 0), 480)).toBe(at(23, 0));
    expect(dayStart(at(23, 0) - 1, 480)).toBe(at(22, 0));
    // West of UTC: 22:00 at UTC−5 is 03:00 UTC the next day.
    expect(dayStart(Date.UTC(2026, 10, 24, 3), -300)).toBe(Date.UTC(2026, 10, 23, 5));
  });

  it.each([
    ['the opening minute itself', { open: '09:30', close: '21:15' }, at(23, 9, 30), at(23, 9, 30)],
    ['a minute before it: closed', { open: '09:30', close: '21:15' }, at(23, 9, 29), undefined],
    ['the last minute before closing', { open: '09:30', close: '21:15' }, at(23, 21, 14), at(23, 9, 30)],
    ['the closing minute: closed', { open: '09:30', close: '21:15' }, at(23, 21, 15), undefined],
    ['overnight, the opening minute', { open: '18:30', close: '02:15' }, at(23, 18, 30), at(23, 18, 30)],
    ['overnight, a minute before opening: closed', { open: '18:30', close: '02:15' }, at(23, 18, 29), undefined],
    ['overnight, after midnight: opened the evening before', { open: '18:30', close: '02:15' }, at(24, 2, 14), at(23, 18, 30)],
    ['overnight, the closing minute: closed', { open: '18:30', close: '02:15' }, at(24, 2, 15), undefined],
    ['open round the clock (equal times)', { open: '08:00', close: '08:00' }, at(23, 3), -Infinity],
  ])('openSince: %s', (_name, hours, now, since) => {
    expect(openSince(hours, now, 480)).toBe(since);
  });

  it('finds when the current opening began, across midnight too', () => {
    expect(openSince({ open: '10:00', close: '23:00' }, at(23, 15), 480)).toBe(at(23, 10));
    expect(openSince({ open: '10:00', close: '23:00' }, at(23, 23, 30), 480)).toBeUndefined();
    expect(openSince({ open: '18:00', close: '02:00' }, at(24, 1), 480)).toBe(at(23, 18));
    expect(openSince({ open: '18:00', close: '02:00' }, at(23, 19), 480)).toBe(at(23, 18));
    expect(openSince(null, at(23, 3), 480)).toBe(-Infinity);
  });
});

describe('capIds', () => {
  it('names each record once, in the order found, and at most EVIDENCE_IDS_MAX of them', () => {
    expect(capIds(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
    const many = Array.from({ length: EVIDENCE_IDS_MAX + 10 }, (_, i) => `r${i}`);
    expect(capIds(many)).toEqual(many.slice(0, EVIDENCE_IDS_MAX));
    expect(EVIDENCE_IDS_MAX).toBe(50);
  });
});

describe('groupBy and tally', () => {
  it('groups by key in first-seen order', () => {
    expect([...groupBy(['b1', 'a1', 'b2'], (s) => s[0]!)]).toEqual([['b', ['b1', 'b2']], ['a', ['a1']]]);
  });
  it('counts names', () => {
    expect(tally(['mask', 'temperature', 'mask'])).toEqual({ mask: 2, temperature: 1 });
  });
});
