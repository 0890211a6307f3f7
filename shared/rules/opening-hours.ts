import type { OpeningHours } from '../schemas/venue.js';

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls within the venue's opening hours, in the venue's local time. */
export function isOpenAt(hours: OpeningHours, now: number, utcOffsetMinutes: number): boolean {
  if (hours === null) return true;
  const local = new Date(now + utcOffsetMinutes * 60_000);
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  if (open === close) return true; // "00:00–00:00": round the clock
  return open < close ? m >= open && m < close : m >= open || m < close;
}
