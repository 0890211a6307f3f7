import type { OpeningHours } from '../schemas/venue.js';

/**
 * A venue's business day: the opening that starts on a calendar day, with the
 * hours around it, so a venue open past midnight (a KTV 18:00–02:00) keeps one
 * day per night. Its ledgers (000 §2(2)(2)–(3)) are judged per business day:
 * the calendar day that holds only the tail of the night before is not a day
 * of its own.
 *
 * A venue that closes by midnight, or never closes, has the calendar day. A
 * venue open past midnight has a day that starts halfway through the hours it
 * is closed (18:00–02:00: at 10:00), so the cleaning after closing and the
 * staff temperatures taken before opening fall in the night they belong to.
 * Pure; times in the venue's local time at its fixed UTC offset.
 */
export interface BusinessDay {
  /** `2026-11-23`: the calendar date its opening starts on. */
  key: string;
  /** Its start and end (ms), 24 hours apart. */
  from: number;
  to: number;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes after local midnight at which the venue's business day starts (0: the calendar day). */
export function businessDayCut(hours: OpeningHours): number {
  if (hours === null) return 0;
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  // Closing at or before opening (not at midnight itself) means the opening runs past midnight.
  if (close === 0 || close >= open) return 0;
  return Math.floor((close + open) / 2);
}

/** The business day holding instant `ms`. */
export function businessDayOf(hours: OpeningHours, ms: number, utcOffsetMinutes: number): BusinessDay {
  const cut = businessDayCut(hours) * MIN;
  const startLocal = Math.floor((ms + utcOffsetMinutes * MIN - cut) / DAY) * DAY;
  const from = startLocal + cut - utcOffsetMinutes * MIN;
  return { key: new Date(startLocal).toISOString().slice(0, 10), from, to: from + DAY };
}

/** The calendar dates (`YYYY-MM-DD`, local) a business day touches: one, or two for a venue open past midnight. */
export function businessDayDates(day: BusinessDay, utcOffsetMinutes: number): string[] {
  const first = new Date(day.from + utcOffsetMinutes * MIN).toISOString().slice(0, 10);
  const last = new Date(day.to - 1 + utcOffsetMinutes * MIN).toISOString().slice(0, 10);
  return first === last ? [first] : [first, last];
}
