import type { BookingSettings } from '../../shared/schemas/booking.js';

/** Shared fixtures of the booking tests (issue 8): a fixed hub clock and a venue taking hourly bookings. */
export const M = 60_000;
export const H = 60 * M;
export const DAY = 24 * H;
/** 2026-10-01 10:00 at the venue (UTC+8). */
export const T0 = Date.UTC(2026, 9, 1, 2, 0);
/** The 14:00–15:00 slot of that day. */
export const SLOT = T0 + 4 * H;
export const PASSWORD = 'a long enough password';
/** Optional bookings, hourly slots of `slotCap`, parties of up to 4, three days ahead. */
export const bookingSettings = (slotCap: number): BookingSettings => ({ mode: 'optional', slotMinutes: 60, slotCap, maxParty: 4, daysAhead: 3 });
export const GREEN = { healthCode: 'green', itinerary: 'local' } as const;
