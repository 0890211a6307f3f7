import type { BookingMode } from '../schemas/booking-settings.js';
import type { ReasonCode } from '../schemas/record.js';
import { bookingAdmission, type Slot } from './slots.js';

/**
 * The slot's word on one person at the door (003 §13 限量、预约、错峰),
 * added to decideEntry's reasons. Pure; the arithmetic is rules/slots.ts.
 *
 * - A person on a booking inside its entry window holds a seat until
 *   `start + grace` — while the slot is under the cap in force (a cap lowered
 *   since the booking no longer admits it past the new cap: 'slot_full', and
 *   the door says the cap was lowered, slotCapLowered); after that the seat
 *   was released to walk-ins, so they come in only while the slot has one left.
 * - A booking outside its window (it turned while staff were checking) counts
 *   for nothing: refused, and told why.
 * - Without a booking: refused where the venue admits by booking only; where
 *   bookings are optional, admitted only while the current slot has a seat.
 *
 * `seatsLeft` is for someone without a held seat now (rules/slots.ts seatsLeft).
 */
export function slotReasons(args: {
  mode: BookingMode;
  /** The slot of the booking the person came on, if they came on one. */
  booking: Slot | undefined;
  seatsLeft: number;
  /**
   * People already in the booking's slot (arrived on bookings + walk-ins) and
   * its cap under the policy the door enforces now. A held seat is a promise
   * of the cap the booking was made under: when the street lowered the cap
   * (emergency, 004 §3.3), it holds only while the slot is under the new cap.
   * Omitted: no figure for the booking's slot (no check beyond the grace).
   */
  inSlot?: { admitted: number; cap: number };
  now: number;
  graceMinutes: number;
}): ReasonCode[] {
  const { mode, booking, seatsLeft, now, graceMinutes, inSlot } = args;
  if (booking) {
    const a = bookingAdmission(booking, now, graceMinutes);
    if (!a.ok) return ['booking_outside_slot'];
    if (a.guaranteed) return slotCapLowered(inSlot) ? ['slot_full'] : [];
    return seatsLeft > 0 ? [] : ['slot_full'];
  }
  if (mode === 'required') return ['booking_required'];
  if (mode === 'optional' && seatsLeft <= 0) return ['slot_full'];
  return [];
}

/**
 * Whether a guaranteed booking meets a slot already at the cap in force: only
 * possible when the cap was lowered after the seats were booked (bookings never
 * exceed the cap they were made under), so the door words the refusal so.
 */
export function slotCapLowered(inSlot: { admitted: number; cap: number } | undefined): boolean {
  return inSlot !== undefined && inSlot.admitted >= inSlot.cap;
}
