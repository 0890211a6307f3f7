import type { BookingSettings } from '../../schemas/booking-settings.js';
import type { RaisedFlag } from '../../schemas/flags.js';
import { admissionSlot, slotCap, type Slot } from '../slots.js';
import { capIds, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance, type PolicyAt } from './window.js';

/**
 * What the booking rules (003 §13 "限量、预约、错峰") read besides the
 * records: the venue's booking settings and since when they hold, and the
 * bookings the hub issued at the venue that the records name.
 */
export interface VenueBooking {
  settings: BookingSettings;
  /** When the settings were last saved: admissions before it were made under settings the hub no longer has. */
  since: number;
}

/** A booking the hub issued at this venue, as the rules see it: the slot it holds seats in. */
export interface HeldBooking {
  id: string;
  slotStart: number;
  slotEnd: number;
}

/** The venue's bookings named by the records, by id; a booking id missing here is not the venue's (pass_unknown). */
export type BookingsById = ReadonlyMap<string, HeldBooking>;

/** One standing admission placed in the slot it counts against, with the booking it came on, if any. */
export interface SlotAdmission {
  entrance: HeldEntrance;
  at: number;
  slotStart: number;
  booking: HeldBooking | undefined;
}

/**
 * Places each standing admission in its slot: one that came on a booking the
 * hub issued here counts in its booking's slot (the booked party may come in
 * up to the grace period before its slot starts: it still holds a seat of that
 * slot, not of the one before); anyone else in the slot their admission fell in
 * (rules/slots.ts admissionSlot, the rule the hub's counts and the door use).
 */
export function slotAdmissions(entrances: readonly HeldEntrance[], slotMinutes: number, utcOffsetMinutes: number, bookings: BookingsById): SlotAdmission[] {
  return standingAdmissions(entrances).map((entrance) => {
    const at = kioskTimeMs(entrance);
    const pass = entrance.record.pass;
    const booking = pass?.src === 'booking' && pass.id !== undefined ? bookings.get(pass.id) : undefined;
    const slot = booking ? { start: booking.slotStart, end: booking.slotEnd } : undefined;
    return { entrance, at, slotStart: admissionSlot(at, slot, slotMinutes, utcOffsetMinutes), booking };
  });
}

/** `2026-11-23T14:30`: the venue-local start of a slot, the window a booking flag is kept by. */
export const slotKey = (start: number, utcOffsetMinutes: number): string => new Date(start + utcOffsetMinutes * 60_000).toISOString().slice(0, 16);

/** `14:30–15:30`: a slot as the venue's clock shows it (the date is in the window key). */
export function slotText(slot: Slot, utcOffsetMinutes: number): string {
  const hhmm = (ms: number) => new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(11, 16);
  const end = hhmm(slot.end);
  return `${hhmm(slot.start)}–${end === '00:00' ? '24:00' : end}`;
}

/**
 * `slot_over_cap` — a slot admitted more people than its cap (003 §13 "控制
 * 接待人员上限"; the cap is the venue's per-slot number held to the policy's
 * cap, 004 §3.3 in emergency: rules/slots.ts slotCap).
 *
 * Admissions are counted in kiosk-time order and each is judged against the
 * cap of the policy the street had in force when it was made, so a slot that
 * filled before a switch to emergency is not blamed for the switch, while
 * every admission after it beyond the new cap is. Booked people count in their
 * booking's slot, walk-ins in the slot they came in (slotAdmissions). At the
 * cap is allowed; one above is not.
 *
 * Not judged here: a venue taking no bookings (mode off: no slots), and
 * admissions under a cap of 0 — a policy that closes the venue type
 * (admitted_while_closed) or a venue without a rated capacity (as
 * over_capacity). Admissions before the settings were last saved are counted
 * but not blamed: the hub no longer knows the slots they were made under.
 *
 * Severity `violation` when an admission beyond the cap was made under an
 * emergency policy (its 50 % caps are orders, 004 §3.3), `warning` otherwise.
 *
 * Per batch, over the slots the batch's admissions fall in; the hub passes
 * every entrance record that can count in those slots (from the earliest
 * slot's start less the grace period to the last slot's end). Window: the slot.
 */
export function slotOverCap(
  venue: FlagVenue,
  booking: VenueBooking,
  slots: readonly Slot[],
  entrances: readonly HeldEntrance[],
  bookings: BookingsById,
  policyAt: PolicyAt,
): RaisedFlag[] {
  const { settings } = booking;
  if (settings.mode === 'off') return [];
  const bySlot = new Map<number, SlotAdmission[]>();
  for (const a of slotAdmissions(entrances, settings.slotMinutes, venue.utcOffsetMinutes, bookings)) {
    const list = bySlot.get(a.slotStart);
    if (list) list.push(a);
    else bySlot.set(a.slotStart, [a]);
  }
  const flags: RaisedFlag[] = [];
  for (const slot of slots) {
    // Stryker disable next-line ArrayDeclaration: one admission is never beyond a cap above 0, so a one-element stand-in for an empty slot raises nothing either.
    const admitted = (bySlot.get(slot.start) ?? []).sort((a, b) => a.at - b.at || a.entrance.record.seq - b.entrance.record.seq);
    const over = admitted.flatMap((a, i) => {
      const policy = policyAt(a.at);
      const cap = slotCap(settings, policy, venue);
      return cap > 0 && i + 1 > cap && a.at >= booking.since ? [{ a, cap, policy }] : [];
    });
    if (over.length === 0) continue;
    const arrivedBooked = admitted.filter((a) => a.booking).length;
    flags.push({
      venueId: venue.id,
      rule: 'slot_over_cap',
      severity: over.some((o) => o.policy.mode === 'emergency') ? 'violation' : 'warning',
      windowKey: slotKey(slot.start, venue.utcOffsetMinutes),
      evidence: {
        // The admissions beyond the cap, in the order they came.
        recordIds: capIds(over.map((o) => o.a.entrance.record.id)),
        slot: slotText(slot, venue.utcOffsetMinutes),
        slotStartAt: slot.start,
        admissions: admitted.length,
        arrivedBooked,
        walkIns: admitted.length - arrivedBooked,
        overCap: over.length,
        // The cap the last admission beyond it was held to; the policies it was under.
        cap: over.at(-1)!.cap,
        slotCap: settings.slotCap,
        policyVersions: [...new Set(over.map((o) => o.policy.version))],
        kioskIds: [...new Set(over.map((o) => o.a.entrance.record.kioskId))],
      },
    });
  }
  return flags;
}
