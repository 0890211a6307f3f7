import { z } from 'zod';
import { BookingMode } from './booking-settings.js';
import { Id, ShortText, Uuid } from './common.js';
import { ContactPhone, MAX_PARTY, PersonDeclaration } from './pass.js';

export { BookingMode, BookingSettings, NO_BOOKING, SLOT_MINUTES, SlotMinutes } from './booking-settings.js';

/**
 * Reservations and staggered entry (限量、预约、错峰, 003 §13): a
 * booking request, the hub's answer, and slots as the hub counts them. The
 * venue's settings are in booking-settings.ts; the slot arithmetic in
 * shared/rules/slots.ts.
 */

/**
 * POST /api/bookings: a party books seats in one slot of a venue, declaring as
 * for a pass — the hub judges each person with the door's rules and
 * answers with a signed pass for the slot's entry window (PassPayload, src
 * 'booking'), which kiosks verify offline. `ticket` is the hub-signed ticket
 * of the booking page it served (hub/src/services/form-ticket.ts).
 */
export const BookingRequest = z.strictObject({
  venueId: Id,
  /** The slot's start, epoch ms, as the booking page listed it. */
  slotStart: z.int().min(0),
  ticket: z.string().min(1).max(100),
  people: z.array(PersonDeclaration).min(1).max(MAX_PARTY),
  commitment: z.boolean(),
  phone: ContactPhone.optional(),
});
export type BookingRequest = z.infer<typeof BookingRequest>;

/** 201 answer: where the booking's page (its QR, cancel) is. A full slot is 409 `conflict` on `slotStart`. */
export const BookingIssued = z.object({ id: Uuid, url: z.string() });
export type BookingIssued = z.infer<typeof BookingIssued>;

/**
 * One slot as the hub counts it: seats under the policy in force, people
 * booked (not cancelled), booked people admitted, people admitted without a
 * booking, and seats left for someone without a held seat now (rules/slots.ts seatsLeft).
 */
export const SlotView = z.object({
  start: z.int(),
  end: z.int(),
  cap: z.int().min(0),
  booked: z.int().min(0),
  arrivedBooked: z.int().min(0),
  walkIns: z.int().min(0),
  seatsLeft: z.int().min(0),
});
export type SlotView = z.infer<typeof SlotView>;

/** `slots:venue` (hub → kiosks of the venue): the slots from the current one to the venue's midnight, after every booking, cancel and synced batch. */
export const VenueSlots = z.object({ venueId: Id, mode: BookingMode, slots: z.array(SlotView), at: z.int() });
export type VenueSlots = z.infer<typeof VenueSlots>;

/**
 * `bookings:cancelled` (hub → kiosks of the venue): bookings cancelled, by the
 * patron or the street office, whose slots are not over — after each cancel,
 * and all of them on connect. A door refuses their QR ('booking_cancelled'):
 * the signed pass stays valid offline, so the door must hear of the cancel.
 * `slotEnd` (epoch ms) tells the kiosk when it may forget the id.
 */
export const BookingsCancelled = z.object({
  venueId: Id,
  bookings: z.array(z.object({ id: Uuid, slotEnd: z.int() })),
});
export type BookingsCancelled = z.infer<typeof BookingsCancelled>;

/** POST /api/bookings/:id/admin-cancel (street admin): why the street office cancels it, for the audit log. */
export const AdminCancelRequest = z.strictObject({ reason: ShortText });
export type AdminCancelRequest = z.infer<typeof AdminCancelRequest>;
