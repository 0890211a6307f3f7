import { describe, expect, it } from 'vitest';
import { businessDayCut, businessDayDates, businessDayOf } from '../../shared/rules/business-day.js';
import type { OpeningHours } from '../../shared/schemas/venue.js';

/** Local time UTC+8 on 2026-11-`day`, as ms. */
const OFFSET = 480;
const at = (hh: number, mm = 0, day = 23) => Date.UTC(2026, 10, day, hh, mm) - OFFSET * 60_000;
const NIGHT: OpeningHours = { open: '18:00', close: '02:00' };
const DAYTIME: OpeningHours = { open: '10:00', close: '23:00' };

describe('businessDayOf (ledgers per business day, 000 §2(2)(2)–(3))', () => {
  it.each([
    // A venue open past midnight: one business day per night, starting halfway through its closed hours (10:00).
    ['18:00–02:00: the opening at 18:00 is the day it starts on', NIGHT, at(18), '2026-11-23'],
    ['18:00–02:00: the tail after midnight belongs to the night before', NIGHT, at(1, 30, 24), '2026-11-23'],
    ['18:00–02:00: cleaning after closing belongs to the night before', NIGHT, at(2, 30, 24), '2026-11-23'],
    ['18:00–02:00: the last minute before the cut is the night before', NIGHT, at(9, 59, 24), '2026-11-23'],
    ['18:00–02:00: from the cut, the next night\'s preparations', NIGHT, at(10, 0, 24), '2026-11-24'],
    ['18:00–02:00: staff temperatures before opening are that night\'s', NIGHT, at(17, 30, 24), '2026-11-24'],
    // Venues that close by midnight, or never close, keep the calendar day.
    ['10:00–23:00: the calendar day', DAYTIME, at(0, 0, 24), '2026-11-24'],
    ['10:00–23:00: the last minute of the calendar day', DAYTIME, at(23, 59), '2026-11-23'],
    ['18:00–00:00 closes at midnight: the calendar day', { open: '18:00', close: '00:00' }, at(23, 59), '2026-11-23'],
    ['18:00–00:00 closes at midnight: the next morning is the next day', { open: '18:00', close: '00:00' }, at(8, 0, 24), '2026-11-24'],
    ['18:30–02:30: the cut is halfway, at 10:30', { open: '18:30', close: '02:30' }, at(10, 20, 24), '2026-11-23'],
    ['18:30–02:30: from 10:30, the next night', { open: '18:30', close: '02:30' }, at(10, 30, 24), '2026-11-24'],
    ['08:00–08:00, round the clock: the calendar day', { open: '08:00', close: '08:00' }, at(1, 0, 24), '2026-11-24'],
    ['always open (null): the calendar day', null, at(1, 0, 24), '2026-11-24'],
    ['00:00–00:00, round the clock: the calendar day', { open: '00:00', close: '00:00' }, at(1, 0, 24), '2026-11-24'],
  ])('%s', (_name, hours, ms, key) => {
    const day = businessDayOf(hours, ms, OFFSET);
    expect(day.key).toBe(key);
    expect(day.to - day.from).toBe(86_400_000);
    expect(ms >= day.from && ms < day.to).toBe(true);
  });

  it('starts a night venue\'s day at its cut, and the calendar day otherwise', () => {
    expect(businessDayCut(NIGHT)).toBe(10 * 60);
    expect(businessDayOf(NIGHT, at(20), OFFSET).from).toBe(at(10));
    expect(businessDayCut(DAYTIME)).toBe(0);
    expect(businessDayOf(DAYTIME, at(20), OFFSET).from).toBe(at(0));
  });

  it('names the calendar dates a business day touches', () => {
    expect(businessDayDates(businessDayOf(NIGHT, at(20), OFFSET), OFFSET)).toEqual(['2026-11-23', '2026-11-24']);
    expect(businessDayDates(businessDayOf(DAYTIME, at(20), OFFSET), OFFSET)).toEqual(['2026-11-23']);
    // West of UTC, a local day ends on the next UTC date: still one local date.
    const west = businessDayOf(DAYTIME, Date.UTC(2026, 10, 23, 20), -300);
    expect(west.key).toBe('2026-11-23');
    expect(businessDayDates(west, -300)).toEqual(['2026-11-23']);
  });
});
