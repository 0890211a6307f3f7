import type { RaisedFlag } from '../../schemas/flags.js';
import type { Slot } from '../slots.js';
import { capIds, type FlagVenue, type HeldEntrance } from './window.js';
import { slotAdmissions, slotKey, slotText, type BookingsById, type VenueBooking } from './slot-over-cap.js';

/**
 * `admitted_without_booking` — a venue that takes visitors by booking only
 * (mode 'required') let someone in without one (003 §13 "落实门票预约制度，
 * 确保游客信息可查询可追踪": a walk-in is a visitor the booking record cannot
 * trace). An admission on a booking the hub never issued at this venue counts
 * too (`unknownBooking`; the ingest raised pass_unknown for the record itself).
 *
 * Only admissions made since the venue's settings were last saved are judged:
 * the hub does not keep earlier settings, and a venue that has just switched
 * to 'required' is not blamed for the walk-ins it admitted before. A kiosk that
 * kept admitting walk-ins offline after the switch is blamed: the venue was
 * told, and the record shows it.
 *
 * Severity `warning`: it is a lapse of the booking system, the checks were
 * still done (the other rules judge those). Per batch, over the slots its
 * admissions fall in; as for slot_over_cap the hub passes every record that
 * can count in them. Window: the slot (`2026-11-23T14:00`).
 */
export function admittedWithoutBooking(
  venue: FlagVenue,
  booking: VenueBooking,
  slots: readonly Slot[],
  entrances: readonly HeldEntrance[],
  bookings: BookingsById,
): RaisedFlag[] {
  const { settings } = booking;
  if (settings.mode !== 'required') return [];
  const placed = slotAdmissions(entrances, settings.slotMinutes, venue.utcOffsetMinutes, bookings);
  const flags: RaisedFlag[] = [];
  for (const slot of slots) {
    const admitted = placed.filter((a) => a.slotStart === slot.start);
    const without = admitted.filter((a) => !a.booking && a.at >= booking.since);
    if (without.length === 0) continue;
    flags.push({
      venueId: venue.id,
      rule: 'admitted_without_booking',
      severity: 'warning',
      windowKey: slotKey(slot.start, venue.utcOffsetMinutes),
      evidence: {
        recordIds: capIds(without.map((a) => a.entrance.record.id)),
        slot: slotText(slot, venue.utcOffsetMinutes),
        slotStartAt: slot.start,
        admissions: admitted.length,
        withoutBooking: without.length,
        unknownBooking: without.filter((a) => a.entrance.record.pass?.src === 'booking').length,
        kioskIds: [...new Set(without.map((a) => a.entrance.record.kioskId))],
        operatorIds: [...new Set(without.map((a) => a.entrance.record.operatorId))],
      },
    });
  }
  return flags;
}
