import { dayKey, weekKey } from '../../shared/rules/flags/window.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';

/**
 * Calendar instants for tests, built from the wall clock rather than from a calendar date that
 * will pass. A test that judges "the day", "the hour" or "the week" says in which zone: the venues
 * of the test street keep China Standard Time (UTC+8, `utcOffsetMinutes: 480`), as the seeds' cities do.
 *
 * Days start at the zone's midnight, so a test anchored on one of these never straddles a day or an
 * ISO week boundary by accident, whatever the hour the suite runs at (`npm run test:clock` runs it
 * under libfaketime at 23:59:40, 00:00:20, month ends, 29 February and a Monday 00:05).
 */
export const CST = 480;
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Local midnight (UTC+8) of the day `days` after the day the wall clock reads there. */
export function cstMidnight(days = 0, from = Date.now()): number {
  const local = from + CST * MIN;
  return local - (((local % DAY) + DAY) % DAY) - CST * MIN + days * DAY;
}

/** Local midnight (UTC+8) of the Monday that starts the ISO week `weeks` after the wall clock's week. */
export function cstMonday(weeks = 0, from = Date.now()): number {
  const today = cstMidnight(0, from);
  const weekday = (new Date(today + CST * MIN).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return today - weekday * DAY + weeks * 7 * DAY;
}

/** Venue-local wall time `hh:mm:ss` (UTC+8) on the day that starts at `midnight`, as epoch ms. */
export const cstAt = (midnight: number, hh: number, mm = 0, ss = 0): number => midnight + hh * HOUR + mm * MIN + ss * 1000;

/** The venue-local date (UTC+8) of an instant, `YYYY-MM-DD`, as the hub's day queries take it. */
export const cstDate = (ms: number): string => dayKey(ms, CST);

/** The ISO week (UTC+8) of an instant, `YYYY-Www`, as the weekly report takes it. */
export const cstWeek = (ms: number): string => weekKey(ms, CST);

/** An instant as a kiosk writes it: local time at the door with its offset (…+08:00). */
export const cstIso = (ms: number): string => toIsoWithOffset(ms, CST);
