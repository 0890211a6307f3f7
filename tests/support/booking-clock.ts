import type { BookingSettings } from '../../shared/schemas/booking.js';
import { cstAt, cstMidnight } from './clock.js';

/** Shared fixtures of the booking tests (003 §13 限量、预约、错峰): the hub clock's start and a venue taking hourly bookings. */
export const M = 60_000;
export const H = 60 * M;
export const DAY = 24 * H;
/**
 * 10:00 at the venue (UTC+8) on the day the wall clock reads there when the suite loads: the hub's
 * clock starts here and the tests move it. Days and slots are judged in UTC+8 from this anchor, so
 * "today", "tomorrow" and "three days ahead" hold whatever the date and hour of the run.
 */
export const T0 = cstAt(cstMidnight(0), 10);
/** The 14:00–15:00 slot of that day. */
export const SLOT = T0 + 4 * H;
export const PASSWORD = 'a long enough password';
/** Optional bookings, hourly slots of `slotCap`, parties of up to 4, three days ahead. */
export const bookingSettings = (slotCap: number): BookingSettings => ({ mode: 'optional', slotMinutes: 60, slotCap, maxParty: 4, daysAhead: 3 });
export const GREEN = { healthCode: 'green', itinerary: 'local' } as const;
