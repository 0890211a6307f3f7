import { z } from 'zod';
import { MAX_PARTY } from './common.js';

/**
 * How a venue takes bookings (003 §13 限量、预约、错峰). Apart from
 * booking.ts so the venue profile (enrolment.ts) can carry it without an
 * import cycle through the pass schemas.
 */

/** Off: walk-ins only. Optional: bookings hold seats, walk-ins take what is left. Required: no entry without a booking. */
export const BookingMode = z.enum(['off', 'optional', 'required']);
export type BookingMode = z.infer<typeof BookingMode>;

/**
 * Slot lengths that divide a day, so slots start at the venue's midnight,
 * line up every day and never straddle midnight.
 */
export const SLOT_MINUTES = [15, 20, 30, 60, 90, 120, 180, 240] as const;
export const SlotMinutes = z.literal(SLOT_MINUTES, { error: `a slot lasts ${SLOT_MINUTES.join(', ')} minutes` });
export type SlotMinutes = z.infer<typeof SlotMinutes>;

export const BookingSettings = z.object({
  mode: BookingMode,
  slotMinutes: SlotMinutes,
  /** Seats per slot the venue offers; the policy's cap (rated × %) may hold it lower (rules/slots.ts slotCap). */
  slotCap: z.int().min(1).max(100_000),
  /** People on one booking (a family), at most a pass's party. */
  maxParty: z.int().min(1).max(MAX_PARTY),
  /** How many days ahead a slot can be booked (0: today only). */
  daysAhead: z.int().min(0).max(30),
});
export type BookingSettings = z.infer<typeof BookingSettings>;

/** A venue that has not set anything: no bookings. */
export const NO_BOOKING: BookingSettings = { mode: 'off', slotMinutes: 60, slotCap: 1, maxParty: MAX_PARTY, daysAhead: 7 };

