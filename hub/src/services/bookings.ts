import { createHmac, randomUUID } from 'node:crypto';
import { dayStart } from '../../../shared/rules/flags/window.js';
import { signPass } from '../../../shared/rules/pass-signature.js';
import { bookableUntil, seatsLeft, slotAt, slotCap, slotGraceMs, slotsOfDay, type Slot } from '../../../shared/rules/slots.js';
import type { BookingRequest, BookingSettings, SlotView, VenueSlots } from '../../../shared/schemas/booking.js';
import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { HttpError } from '../errors.js';
import type { HubKeys } from '../keys.js';
import type { OverbookedSlot, StoredBooking } from '../store/bookings.js';
import type { Store } from '../store/index.js';
import type { Scope } from '../store/scope.js';
import { encryptContact } from './contact-cipher.js';
import { checkFormTicket, formTicket } from './form-ticket.js';
import { judgeParty, takePassCode } from './passes.js';

/**
 * Reservations and staggered entry (限量、预约、错峰, 003 §13): the
 * slots a venue offers with their seats, and bookings. A booking is a signed
 * pass (src 'booking') valid for its slot's entry window, so a door verifies
 * it offline like any pass; the arithmetic is shared/rules/slots.ts.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Live bookings (not cancelled, slot not over) one contact number may hold at
 * one venue on one venue-local day, so one script cannot take every seat with
 * made-up parties: enough for a
 * household's morning and afternoon, not for a script taking every seat.
 */
export const MAX_BOOKINGS_PER_PHONE = 2;

/**
 * The number as the per-number cap knows it: an HMAC under the hub's contact
 * key of the normalised number (shared/schemas/pass.ts ContactPhone), so the
 * database alone neither reveals nor lets anyone test a guessed number.
 */
export function phoneKey(phone: string, contactKey: string): string {
  return createHmac('sha256', Buffer.from(contactKey, 'base64')).update(`booking-phone:${phone}`).digest('base64url');
}

/** What every slot answer is computed from: the venue, its settings, the policy in force for it, and the seats a slot holds under that policy. */
export interface BookingContext {
  venue: VenueProfile;
  settings: BookingSettings;
  policy: Policy;
  /** rules/slots.ts slotCap: the venue's number, never above the policy's cap; 0 while the policy closes the venue type. */
  cap: number;
}

export async function bookingContext(store: Store, venueId: string): Promise<BookingContext | undefined> {
  const venue = await store.venues.profile(venueId);
  if (!venue) return undefined;
  const settings = await store.bookings.settings(venueId);
  const policy = await store.policies.activeForVenue(venueId);
  return { venue, settings, policy, cap: slotCap(settings, policy, venue) };
}

async function contextOrThrow(store: Store, venueId: string): Promise<BookingContext> {
  const ctx = await bookingContext(store, venueId);
  if (!ctx) throw new HttpError(404, 'not_found', `no venue "${venueId}" in this street`, 'venueId');
  return ctx;
}

/** The slots as the hub counts them now, in one read of the counts. */
async function views(store: Store, ctx: BookingContext, slots: readonly Slot[], now: number): Promise<SlotView[]> {
  if (slots.length === 0) return [];
  const counts = await store.bookings.slotCounts(ctx.venue.id, slots[0]!.start, slots.at(-1)!.end, ctx.settings.slotMinutes);
  return slots.map((slot) => {
    const count = counts.get(slot.start) ?? { booked: 0, arrivedBooked: 0, walkIns: 0 };
    return { ...slot, cap: ctx.cap, ...count, seatsLeft: seatsLeft(slot, count, ctx.cap, now, ctx.policy.bookingGraceMinutes) };
  });
}

/**
 * `slots:venue` for the venue's kiosks: every slot from the one holding `now`
 * to the venue's midnight, and the next day's first when `now` is in the day's
 * last (early entry reaches one slot ahead), counted now — at most 96 rows
 * (15-minute slots). A door cut off for hours then still knows the seats
 * booked in the slot it is in, rather than assuming nobody booked. A venue
 * taking no bookings has no slots.
 */
export async function venueSlots(store: Store, venueId: string, now: number): Promise<VenueSlots> {
  const ctx = await contextOrThrow(store, venueId);
  const { mode, slotMinutes } = ctx.settings;
  if (mode === 'off') return { venueId, mode, slots: [], at: now };
  const current = slotAt(now, slotMinutes, ctx.venue.utcOffsetMinutes);
  const midnight = dayStart(now, ctx.venue.utcOffsetMinutes) + DAY_MS;
  const len = slotMinutes * MINUTE_MS;
  const slots: Slot[] = [];
  for (let start = current.start; start < midnight || slots.length < 2; start += len) slots.push({ start, end: start + len });
  return { venueId, mode, slots: await views(store, ctx, slots, now), at: now };
}

/**
 * The slots the venue offers on the venue-local day holding `dayAt` (inside
 * its opening hours as the policy in force shortens them, rules/slots.ts slotsOfDay), counted at `now` — pass the
 * hub's clock: seats of a slot past its grace are counted as released. A
 * venue taking no bookings offers none.
 */
export async function slotsForDay(store: Store, venueId: string, dayAt: number, now: number = dayAt): Promise<SlotView[]> {
  const ctx = await contextOrThrow(store, venueId);
  if (ctx.settings.mode === 'off') return [];
  return views(store, ctx, slotsOfDay(dayAt, ctx.settings.slotMinutes, ctx.venue, { policy: ctx.policy, type: ctx.venue.type }), now);
}

/**
 * Bookings of slots not yet over that no longer fit their slot's cap under the
 * policy in force now and the venue's own number (after a switch to emergency
 * or a lowered per-slot cap), last booked first per slot: the street admin
 * moves or cancels these.
 */
export async function overbookedSlots(store: Store, now: number, where?: string | Scope): Promise<OverbookedSlot[]> {
  // `where`: a venue id (its booking settings screen), or a scope (store/scope.ts): the venues an account covers.
  return store.bookings.overbooked(now, async (id) => (await bookingContext(store, id))?.cap ?? 0, where);
}

/** The booking page's ticket subject: apart from any venue code, so a pass form's ticket never books. */
const ticketSubject = (venueId: string) => `booking:${venueId}`;

/**
 * The ticket the booking page carries (services/form-ticket.ts): signed with
 * the venue's hub-only secret when the page is served, checked by
 * POST /api/bookings within FORM_TICKET_MS. 404 for an unknown venue.
 */
export async function bookingTicket(store: Store, venueId: string, now: number): Promise<string> {
  const secret = await store.venues.posterSecret(venueId);
  if (!secret) throw new HttpError(404, 'not_found', `no venue "${venueId}" in this street`, 'venueId');
  return formTicket(secret, ticketSubject(venueId), now);
}

/** Whether a slot start is one the venue offers for booking at `now`; the refusal names `slotStart`. */
function checkSlot(ctx: BookingContext, slotStart: number, now: number): Slot {
  const { settings, venue, policy } = ctx;
  const slot = slotsOfDay(slotStart, settings.slotMinutes, venue, { policy, type: venue.type }).find((s) => s.start === slotStart);
  if (!slot) {
    throw new HttpError(400, 'invalid', `no ${settings.slotMinutes}-minute slot of this venue starts then (slots start on the venue's clock, inside its opening hours)`, 'slotStart');
  }
  // Bookable while its seats would still be held at the door (rules/slots.ts bookableUntil).
  const closesAt = bookableUntil(slot, policy.bookingGraceMinutes);
  if (now > closesAt) throw new HttpError(400, 'invalid', `this slot has begun; booking it closed at ${new Date(closesAt).toISOString()}`, 'slotStart');
  const daysOut = Math.round((dayStart(slot.start, venue.utcOffsetMinutes) - dayStart(now, venue.utcOffsetMinutes)) / DAY_MS);
  if (daysOut > settings.daysAhead) {
    const when = settings.daysAhead === 0 ? 'today only' : `at most ${settings.daysAhead} days ahead`;
    throw new HttpError(400, 'invalid', `this venue takes bookings ${when}`, 'slotStart');
  }
  return slot;
}

/**
 * Books seats: the slot must be one the venue offers, not begun past
 * its grace, within `daysAhead`, the party within `maxParty`; each person is
 * judged with the door's rules under the venue's policy as at the slot's start
 * (when the party comes; the door judges again); the answer is a signed pass
 * valid from start − grace to the slot's end, the contact number sealed. The
 * seats are taken atomically (store.bookings.book): a full slot is 409
 * `conflict` on `slotStart`, saying how many seats are left.
 */
export async function issueBooking(store: Store, keys: HubKeys, req: BookingRequest, now: number): Promise<StoredBooking> {
  const ctx = await contextOrThrow(store, req.venueId);
  const { venue, settings, policy, cap } = ctx;
  const ticketSecret = await store.venues.posterSecret(venue.id);
  const codeSecret = await store.venues.codeSecret(venue.id);
  if (!ticketSecret || !codeSecret) throw new HttpError(404, 'not_found', `no venue "${req.venueId}" in this street`, 'venueId');
  const ticket = await checkFormTicket(ticketSecret, ticketSubject(venue.id), req.ticket, now);
  if (ticket === 'forged') throw new HttpError(400, 'invalid', 'this form was not served by this hub for this venue', 'ticket');
  if (ticket === 'expired') throw new HttpError(410, 'expired', 'this form has expired; open the booking page again', 'ticket');
  if (settings.mode === 'off') throw new HttpError(409, 'conflict', 'this venue takes no bookings', 'venueId');
  const entrance = venue.entrances[0];
  if (!entrance) throw new HttpError(409, 'conflict', 'this venue has no entrance to book', 'venueId');
  if (req.people.length > settings.maxParty) {
    throw new HttpError(400, 'invalid', `at most ${settings.maxParty} people on one booking at this venue`, 'people');
  }
  const slot = checkSlot(ctx, req.slotStart, now);
  // Its own field: the page says the venue is closed, not that the slot just filled.
  if (cap === 0) throw new HttpError(409, 'conflict', 'this venue is closed under the policy in force: no seats in any slot', 'policy');

  // A slot already full is said before a code is numbered and a pass signed; the count that decides is book()'s.
  const taken = await store.bookings.seatsTaken(venue.id, slot);
  if (taken + req.people.length > cap) throw full(req.people.length, Math.max(0, cap - taken));

  const { people: party, verdict } = judgeParty(policy, venue, req.people, req.commitment, Math.max(now, slot.start));
  const { code, minute, n } = await takePassCode(store, venue.id, codeSecret, now, party.length);
  const id = randomUUID();
  const toSec = (ms: number) => Math.floor(ms / 1000);
  const iat = toSec(slot.start - slotGraceMs(slot, policy.bookingGraceMinutes));
  const exp = toSec(slot.end);
  const signed = await signPass(
    { v: 1, id, code, venue: venue.id, entrance: entrance.id, src: 'booking', iat, exp, slot: [toSec(slot.start), exp], pv: policy.version, people: party },
    keys.passSigning.privateKey,
  );
  const result = await store.bookings.book(
    {
      id,
      venueId: venue.id,
      slotStart: slot.start,
      slotEnd: slot.end,
      people: party.length,
      party,
      code,
      codeMinute: minute,
      codeNumber: n,
      bookedAt: now,
      policyVersion: policy.version,
      verdict,
      signed,
      contact: req.phone ? encryptContact(req.phone, keys.contactKey) : null,
    },
    cap,
    req.phone
      ? {
          key: phoneKey(req.phone, keys.contactKey),
          from: dayStart(slot.start, venue.utcOffsetMinutes),
          to: dayStart(slot.start, venue.utcOffsetMinutes) + DAY_MS,
          now,
          max: MAX_BOOKINGS_PER_PHONE,
        }
      : undefined,
  );
  if (!result.ok && result.reason === 'phone') {
    throw new HttpError(
      409,
      'conflict',
      `this number already holds ${result.live} bookings at this venue that day (at most ${MAX_BOOKINGS_PER_PHONE}); cancel one to book another`,
      'phone',
    );
  }
  if (!result.ok) throw full(party.length, result.seatsLeft);
  return result.booking;
}

function full(people: number, seatsLeft: number): HttpError {
  const left = seatsLeft === 0 ? 'no seats are left' : `only ${seatsLeft} ${seatsLeft === 1 ? 'seat is' : 'seats are'} left`;
  return new HttpError(409, 'conflict', `this slot is full for ${people}: ${left}`, 'slotStart');
}

/**
 * Cancels a booking from its own page: frees its seats. Cancelling
 * twice answers the booking as cancelled the first time. From the slot's
 * start − grace the QR already opens the door (an offline door may have
 * admitted on it), so the seats cannot be sold again: 409 `conflict` on
 * `slotStart`. A booking already used at the door: 409 `conflict` on
 * `admitted`. Each refusal its own field, so the page words it. 404 for an
 * unknown id. The kiosks are told by the caller ('bookings:cancelled').
 */
export async function cancelBooking(store: Store, id: string, now: number): Promise<StoredBooking> {
  const booking = await store.bookings.get(id);
  if (!booking) throw new HttpError(404, 'not_found', 'no such booking', 'id');
  if (booking.cancelledAt !== null) return booking;
  // Used at a door is the more telling refusal (a door admits only inside the entry window anyway).
  if ((await store.bookings.admitted(id)) > 0) throw new HttpError(409, 'conflict', 'this booking was already used at the door', 'admitted');
  const policy = await store.policies.activeForVenue(booking.venueId);
  // The door's entry window opens at start − grace under the policy in force (kiosk pass-check judgeTime).
  const opensAt = booking.slotStart - policy.bookingGraceMinutes * MINUTE_MS;
  if (now >= opensAt) {
    throw new HttpError(
      409,
      'conflict',
      `entry on this booking opened at ${new Date(opensAt).toISOString()} (the slot's start less the grace), so its slot counts as begun: a begun slot cannot be cancelled`,
      'slotStart',
    );
  }
  return (await store.bookings.cancel(id, now))!;
}

/**
 * The street office cancels a booking (for slots overbooked after the
 * policy lowered the cap), also once its entry window has opened, until
 * its slot is over (409 `conflict` on `slotEnd` after). People already admitted on
 * it stay admitted; the rest are refused at the door. The caller audits it
 * and tells the kiosks. Cancelling twice answers the first cancel.
 */
export async function adminCancelBooking(store: Store, id: string, now: number): Promise<{ booking: StoredBooking; admitted: number; already: boolean }> {
  const booking = await store.bookings.get(id);
  if (!booking) throw new HttpError(404, 'not_found', 'no such booking', 'id');
  const admitted = await store.bookings.admitted(id);
  if (booking.cancelledAt !== null) return { booking, admitted, already: true };
  if (now >= booking.slotEnd) throw new HttpError(409, 'conflict', `the slot ended at ${new Date(booking.slotEnd).toISOString()}; nothing is left to cancel`, 'slotEnd');
  return { booking: (await store.bookings.cancel(id, now, 'street_office'))!, admitted, already: false };
}
