import type { Policy } from '../schemas/policy.js';
import type { VenueRules, VenueType } from '../schemas/venue.js';
import { capacityCap } from './capacity.js';
import { dayStart } from './flags/window.js';
import { isOpenAt, isOpenUnder } from './opening-hours.js';

/**
 * Slot arithmetic for reservations and staggered entry (003 §13 "限量、预约、
 * 错峰"). Pure: times are epoch ms, the venue's UTC offset is data,
 * the policy is passed in.
 *
 * A slot is an entry window of `slotMinutes` counted from the venue's local
 * midnight (slot lengths divide a day: schemas/booking.ts), so slots line up
 * every day and a slot never straddles midnight.
 *
 * At the door, with the policy's grace period g — held to the slot's length
 * (slotGraceMs), so a held seat never outlives its slot and early entry
 * reaches back at most one slot, never into the one before that:
 * - a booking admits from `start − g` until the slot's `end` (staggered entry:
 *   the slot is when the party comes in, not how long it stays);
 * - earlier, it is told the time it may enter; after `end`, that its slot is over;
 * - seats held by bookings nobody used by `start + g` are released to walk-ins.
 *   A booking that comes after that has lost its guarantee and is let in only
 *   while the slot still has a seat, like a walk-in.
 */

export interface Slot {
  start: number;
  end: number;
}

const MINUTE_MS = 60_000;

/** The slot holding instant `t`. */
export function slotAt(t: number, slotMinutes: number, utcOffsetMinutes: number): Slot {
  const day = dayStart(t, utcOffsetMinutes);
  const len = slotMinutes * MINUTE_MS;
  const start = day + Math.floor((t - day) / len) * len;
  return { start, end: start + len };
}

/**
 * The slots of the venue-local day holding `dayAt` in which the venue is open
 * the whole time (a slot that starts before opening or runs past closing is not
 * offered). A venue open past midnight offers its after-midnight slots on the
 * day they fall on.
 */
export function slotsOfDay(
  dayAt: number,
  slotMinutes: number,
  venue: Pick<VenueRules, 'openingHours' | 'utcOffsetMinutes'>,
  /** The policy and the venue's type, when the policy may shorten its hours (003 §14): rules/opening-hours.ts. */
  shortening?: { policy: Pick<Policy, 'shortenedHours'>; type: VenueType },
): Slot[] {
  const day = dayStart(dayAt, venue.utcOffsetMinutes);
  const len = slotMinutes * MINUTE_MS;
  const open = (t: number) =>
    shortening ? isOpenUnder(shortening.policy, { ...venue, type: shortening.type }, t) : isOpenAt(venue.openingHours, t, venue.utcOffsetMinutes);
  const out: Slot[] = [];
  for (let start = day; start < day + 24 * 60 * MINUTE_MS; start += len) {
    if (open(start) && open(start + len - 1)) {
      out.push({ start, end: start + len });
    }
  }
  return out;
}

/**
 * Seats a slot may hold under a policy: the venue's own per-slot number, never
 * above the policy's cap for the venue (rated capacity × the policy's %, 004
 * §3.3: 50 % for scenic spots, theatres… in emergency), and none while the
 * policy closes the venue type (004 §3.1).
 */
export function slotCap(
  settings: { slotCap: number },
  policy: Policy,
  venue: Pick<VenueRules, 'type' | 'ratedCapacity'>,
): number {
  if (policy.closedVenueTypes.includes(venue.type)) return 0;
  return Math.min(settings.slotCap, capacityCap(policy, venue));
}

/**
 * The grace period for `slot` in ms: the policy's, held to the slot's length.
 * A grace longer than the slot would let a booking be made, and its seats be
 * held, after the slot ended (and let people in two slots early).
 */
export function slotGraceMs(slot: Slot, graceMinutes: number): number {
  return Math.min(graceMinutes * MINUTE_MS, slot.end - slot.start);
}

/**
 * The last instant a slot's seats are held for its bookings, and so the last
 * instant it may be booked: `min(start + grace, end)`. The hub's booking
 * check and the booking page both read it.
 */
export function bookableUntil(slot: Slot, graceMinutes: number): number {
  return slot.start + slotGraceMs(slot, graceMinutes);
}

/**
 * The slot start an admission counts in (one rule for the hub's counts, the
 * slot_over_cap flag and the door): a booked party in its booking's slot while
 * the booking is live (it may come in up to the grace before that slot and
 * still holds a seat of it, not of the slot before); anyone else — a walk-in,
 * a pass, a cancelled booking (pass `booking` undefined) — in the slot the
 * admission fell in.
 */
export function admissionSlot(at: number, booking: Slot | undefined, slotMinutes: number, utcOffsetMinutes: number): number {
  return booking ? booking.start : slotAt(at, slotMinutes, utcOffsetMinutes).start;
}

export type BookingAdmission =
  | { ok: true; guaranteed: boolean }
  | { ok: false; reason: 'early'; from: number }
  | { ok: false; reason: 'late'; endedAt: number };

/**
 * Whether a booking for `slot` may come in at `now`. `guaranteed` is false once
 * its held seats were released (after `start + grace`): the door then lets it
 * in only if the slot has a seat left (seatsLeft).
 */
export function bookingAdmission(slot: Slot, now: number, graceMinutes: number): BookingAdmission {
  const grace = slotGraceMs(slot, graceMinutes);
  if (now < slot.start - grace) return { ok: false, reason: 'early', from: slot.start - grace };
  if (now >= slot.end) return { ok: false, reason: 'late', endedAt: slot.end };
  return { ok: true, guaranteed: now <= slot.start + grace };
}

/** What the door knows of one slot: people booked, booked people who came, walk-ins admitted. */
export interface SlotCount {
  booked: number;
  arrivedBooked: number;
  walkIns: number;
}

/**
 * Seats left in a slot at `now` for someone without a held seat (a walk-in, or
 * a booking past its guarantee). Until `start + grace` every booked seat is
 * held; after it, only those used. Never negative.
 */
export function seatsLeft(slot: Slot, count: SlotCount, cap: number, now: number, graceMinutes: number): number {
  const held = now <= bookableUntil(slot, graceMinutes) ? Math.max(count.booked, count.arrivedBooked) : count.arrivedBooked;
  return Math.max(0, cap - held - count.walkIns);
}

/**
 * Bookings beyond a slot's cap, last booked first, after the cap shrank (the
 * street switched to emergency): the admin must move or cancel these. Seats go
 * to bookings in the order they were made; one that no longer fits is over.
 */
export function overbooked<B extends { people: number; bookedAt: number }>(bookings: readonly B[], cap: number): B[] {
  const ordered = [...bookings].sort((a, b) => a.bookedAt - b.bookedAt);
  const over: B[] = [];
  let seats = 0;
  for (const b of ordered) {
    // A later, smaller party that still fits keeps its seats.
    if (seats + b.people > cap) over.push(b);
    else seats += b.people;
  }
  return over.reverse();
}
