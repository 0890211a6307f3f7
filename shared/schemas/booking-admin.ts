import { z } from 'zod';
import { BookingSettings } from './booking-settings.js';
import { Id } from './common.js';

/**
 * A venue's booking settings as the dashboard reads and saves them
 * (GET / POST /api/venues/:id/booking). The POST body is
 * BookingSettings itself.
 */

/** `cancelled`: the booking's own page cancelled it (POST /api/bookings/:id/cancel). */
export const BookingCancelled = z.object({ id: z.uuid(), cancelledAt: z.int() });
export type BookingCancelled = z.infer<typeof BookingCancelled>;

export const VenueBooking = z.object({
  venueId: Id,
  settings: BookingSettings,
  /** False while the venue never saved any: `settings` is then NO_BOOKING. */
  saved: z.boolean(),
  updatedAt: z.int().nullable(),
  updatedBy: z.string().nullable(),
  /** The policy in force for the venue (its community's or the street's). */
  policyVersion: z.int().min(1),
  /** Seats the policy allows the venue (rated capacity × the policy's %; 0 while it closes the venue type). */
  policyCap: z.int().min(0),
  /** Seats a slot really offers: the lower of `settings.slotCap` and `policyCap` (shared/rules/slots.ts slotCap). */
  slotCap: z.int().min(0),
  /** True when `settings.slotCap` is above the policy's cap: accepted, but slots offer `slotCap`. */
  capped: z.boolean(),
  /** Bookings of slots not yet over that no longer fit their slot's cap (GET /api/bookings/overbooked lists them). */
  overbooked: z.int().min(0),
  /** The venue's shareable booking page. */
  bookingPath: z.string(),
  /** The same page as a full address for the printed QR: on the hub's PUBLIC_URL when set (as the enrolment link), else the address the request came to. */
  bookingUrl: z.string(),
});
export type VenueBooking = z.infer<typeof VenueBooking>;
