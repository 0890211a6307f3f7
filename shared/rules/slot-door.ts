import type { BookingMode } from '../schemas/booking-settings.js';
import type { ReasonCode } from '../schemas/record.js';
import { bookingAdmission, type Slot } from './slots.js';

/**
 * The slot's word on one person at the door (issue 8; 003 §13 限量、预约、错峰),
 * added to decideEntry's reasons. Pure; the arithmetic is rules/slots.ts.
 *
 * - A person on a booking inside its entry window holds a seat until
 *   `start + grace`; after that the seat was released to walk-ins, so they
 *   come in only while the slot has one left.
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
  now: number;
  graceMinutes: number;
}): ReasonCode[] {
  const { mode, booking, seatsLeft, now, graceMinutes } = args;
  if (booking) {
    const a = bookingAdmission(booking, now, graceMinutes);
    if (!a.ok) return ['booking_outside_slot'];
    if (a.guaranteed) return [];
    return seatsLeft > 0 ? [] : ['slot_full'];
  }
  if (mode === 'required') return ['booking_required'];
  if (mode === 'optional' && seatsLeft <= 0) return ['slot_full'];
  return [];
}
