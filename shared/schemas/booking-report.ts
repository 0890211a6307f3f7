import { z } from 'zod';
import { Id } from './common.js';

/**
 * What inspectors read of bookings (docs/inspectors-guide.md): bookings that no
 * longer fit their slot after caps shrank (GET /api/bookings/overbooked, the
 * street admin's). A venue's slots for a day are SlotView[] (booking.ts),
 * asked with DayQuery (dashboard.ts).
 */

/** One booking beyond its slot's cap: enough for the admin to find it and call the party (the contact stays sealed). */
export const OverbookedBooking = z.object({
  id: z.uuid(),
  code: z.string(),
  people: z.int().min(1),
  bookedAt: z.int(),
});
export type OverbookedBooking = z.infer<typeof OverbookedBooking>;

/** A slot not yet over whose bookings exceed the seats it holds now. */
export const OverbookedSlotView = z.object({
  venueId: Id,
  venueName: z.string(),
  communityId: Id,
  /** The venue's clock, to show the slot as its door does. */
  utcOffsetMinutes: z.int(),
  slotStart: z.int(),
  slotEnd: z.int(),
  /** Seats the slot holds now (rules/slots.ts slotCap under the policy in force for the venue). */
  cap: z.int().min(0),
  /** People booked in the slot (not cancelled), those over included. */
  booked: z.int().min(0),
  /** The bookings that no longer fit, last booked first (rules/slots.ts overbooked). */
  bookings: z.array(OverbookedBooking).min(1),
});
export type OverbookedSlotView = z.infer<typeof OverbookedSlotView>;

export const OverbookedReport = z.object({
  /** When the hub counted. */
  at: z.int(),
  /** Bookings over, across the slots. */
  bookings: z.int().min(0),
  people: z.int().min(0),
  slots: z.array(OverbookedSlotView),
});
export type OverbookedReport = z.infer<typeof OverbookedReport>;
