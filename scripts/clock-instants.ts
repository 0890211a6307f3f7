/**
 * The instants `npm run test:clock` starts the suite's clock at: each one chosen to break date
 * logic that assumes "today" never changes under it, that a day is the machine's UTC day, or that
 * a month, a year or a week boundary is far away. The venues of the test street keep China
 * Standard Time (UTC+8), so the boundaries are taken there.
 *
 * Pure: every instant is a function of `now`, so the list moves with the calendar (the leap day
 * is the one fixed date: the next 29 February from the day this was written).
 */
export interface ClockInstant {
  name: string;
  /** What it is meant to break. */
  why: string;
  /** The instant the faked clock starts at, epoch ms. */
  at: number;
  /** The process time zone (TZ) for the run; the machine's own where absent. */
  tz?: string;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const CST = 8 * 60 * MIN;

/** Midnight in UTC+8 of the day that holds `ms`, as epoch ms. */
function cstMidnight(ms: number): number {
  return Math.floor((ms + CST) / DAY) * DAY - CST;
}

/** The first instant after `now` at UTC+8 wall time `hh:mm:ss`. */
function nextCst(now: number, hh: number, mm: number, ss: number): number {
  const today = cstMidnight(now) + ((hh * 60 + mm) * 60 + ss) * 1000;
  return today > now ? today : today + DAY;
}

/**
 * 23:59:40 UTC+8 on the last day of the month that holds `now` in UTC+8 (of the next month once
 * that has passed): the month ends 20 s into the run, while the first tests are loading.
 */
function monthEnd(now: number): number {
  const local = new Date(now + CST);
  for (let m = 1; ; m++) {
    const at = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + m, 1) - CST - 20_000;
    if (at > now) return at;
  }
}

/** The next Sunday 23:59:40 in UTC+8 after `now`: the day and the ISO week end 20 s into the run. */
function nextSunday235940(now: number): number {
  let at = nextCst(now, 23, 59, 40);
  while (new Date(at + CST).getUTCDay() !== 0) at += DAY;
  return at;
}

/** The next Monday 00:05 in UTC+8 after `now`. */
function nextMonday0005(now: number): number {
  let at = nextCst(now, 0, 5, 0);
  while (new Date(at + CST).getUTCDay() !== 1) at += DAY;
  return at;
}

/** 29 February 12:00 UTC+8 of the next leap year from `now` (2028 from 2026). */
function nextLeapDay(now: number): number {
  let year = new Date(now + CST).getUTCFullYear();
  for (;;) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const at = Date.UTC(year, 1, 29, 12) - CST;
    if (leap && at > now) return at;
    year++;
  }
}

export function clockInstants(now: number): ClockInstant[] {
  return [
    // Hubs and tablets in China keep Asia/Shanghai: two runs take that zone, the others the machine's.
    { name: 'before-midnight', why: '23:59:40 UTC+8: the venue day ends 20 s into the run', at: nextCst(now, 23, 59, 40), tz: 'Asia/Shanghai' },
    { name: 'after-midnight', why: '00:00:20 UTC+8: a new venue day that is still the previous UTC day', at: nextCst(now, 0, 0, 20) },
    { name: 'month-end', why: 'the month (UTC+8) ends 20 s into the run', at: monthEnd(now) },
    { name: 'leap-day', why: '29 February: a year back or ahead has no such day', at: nextLeapDay(now) },
    { name: 'sunday-night', why: 'Sunday 23:59:40 UTC+8: the day and the ISO week end 20 s into the run', at: nextSunday235940(now), tz: 'Asia/Shanghai' },
    { name: 'monday-0005', why: 'Monday 00:05 UTC+8: a new ISO week, still Sunday in UTC', at: nextMonday0005(now) },
    { name: 'year-ahead', why: 'a year from now: fixed dates in tests have passed', at: now + 365 * DAY },
  ];
}

/** The one instant CI runs at: drawn from the list by the day of the year, so each day tries another. */
export function instantOfTheDay(now: number): ClockInstant {
  const list = clockInstants(now);
  const local = new Date(now + CST);
  const dayOfYear = Math.floor((Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - Date.UTC(local.getUTCFullYear(), 0, 1)) / DAY) + 1;
  return list[dayOfYear % list.length]!;
}
