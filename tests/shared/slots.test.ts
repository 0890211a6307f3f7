import { describe, expect, it } from 'vitest';
import { admissionSlot, bookableUntil, bookingAdmission, overbooked, seatsLeft, slotAt, slotCap, slotGraceMs, slotsOfDay } from '../../shared/rules/slots.js';
import { BookingSettings } from '../../shared/schemas/booking.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { VenueType } from '../../shared/schemas/venue.js';

/** Venue-local wall time (UTC+8) on a day of Nov 2026, as epoch ms. */
const cst = (day: number, hh: number, mm = 0, ss = 0, ms = 0) => Date.UTC(2026, 10, day, hh - 8, mm, ss, ms);
const CST = 480;
const MIN = 60_000;

describe('slotAt', () => {
  it.each([
    ['10:20 in a 60-minute grid', cst(24, 10, 20), 60, cst(24, 10), cst(24, 11)],
    ['the first instant of a slot belongs to it', cst(24, 10), 60, cst(24, 10), cst(24, 11)],
    ['the last instant before midnight: the day\'s last slot ends at midnight', cst(24, 23, 59, 59, 999), 60, cst(24, 23), cst(25, 0)],
    ['midnight starts the next day\'s first slot', cst(25, 0), 60, cst(25, 0), cst(25, 1)],
    ['90-minute slots count from the venue\'s midnight (10:30–12:00)', cst(24, 11, 59), 90, cst(24, 10, 30), cst(24, 12)],
    ['UTC midnight is 08:00 at the venue, not a slot edge for 180-minute slots', Date.UTC(2026, 10, 24), 180, cst(24, 6), cst(24, 9)],
  ])('%s', (_name, t, minutes, start, end) => {
    expect(slotAt(t, minutes, CST)).toEqual({ start, end });
  });
});

describe('slotsOfDay', () => {
  const day = cst(24, 12);
  it('offers the slots wholly inside the opening hours (09:00–21:00, 60 min: 09:00 … 20:00)', () => {
    const slots = slotsOfDay(day, 60, { openingHours: { open: '09:00', close: '21:00' }, utcOffsetMinutes: CST });
    expect(slots).toHaveLength(12);
    expect(slots[0]).toEqual({ start: cst(24, 9), end: cst(24, 10) });
    expect(slots.at(-1)).toEqual({ start: cst(24, 20), end: cst(24, 21) });
  });
  it('does not offer a slot that runs past closing (09:15–21:00 with 90 min: 10:30 first, 19:30 last)', () => {
    const slots = slotsOfDay(day, 90, { openingHours: { open: '09:15', close: '21:00' }, utcOffsetMinutes: CST });
    expect(slots[0]!.start).toBe(cst(24, 10, 30));
    expect(slots.at(-1)).toEqual({ start: cst(24, 19, 30), end: cst(24, 21) });
  });
  it('a venue open past midnight (18:00–02:00) offers 00:00–02:00 and 18:00–24:00 on each day, never across midnight', () => {
    const slots = slotsOfDay(day, 60, { openingHours: { open: '18:00', close: '02:00' }, utcOffsetMinutes: CST });
    expect(slots.map((s) => new Date(s.start + CST * MIN).toISOString().slice(11, 16))).toEqual(['00:00', '01:00', '18:00', '19:00', '20:00', '21:00', '22:00', '23:00']);
    expect(slots.at(-1)!.end).toBe(cst(25, 0));
  });
  it('always open: every slot of the day', () => {
    expect(slotsOfDay(day, 30, { openingHours: null, utcOffsetMinutes: CST })).toHaveLength(48);
  });

  it('offers no slot outside the hours a policy shortens the venue type to (003 §14 缩短营业时间)', () => {
    const policy = { shortenedHours: { default: null, byVenueType: { museum: { open: '10:00', close: '17:00' } } } };
    const hours = { openingHours: { open: '09:00', close: '21:00' }, utcOffsetMinutes: CST };
    const starts = (type: 'museum' | 'library') => slotsOfDay(day, 60, hours, { policy, type }).map((s) => (s.start - cst(24, 0)) / 3_600_000);
    expect(starts('museum')).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(starts('library')).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });
});

describe('slotCap under the policy', () => {
  const venue = (type: VenueType, ratedCapacity: number) => ({ type, ratedCapacity });
  it.each([
    ['normal: the venue\'s own slot number when under the rated capacity (003 §13)', NORMAL_POLICY, venue('scenic_spot', 1000), 800, 800],
    ['normal: never above the rated capacity', NORMAL_POLICY, venue('cinema_theatre', 300), 500, 300],
    ['emergency: 50 % of the rated capacity at scenic spots (004 §3.3)', EMERGENCY_POLICY, venue('scenic_spot', 1000), 800, 500],
    ['emergency: 50 % at libraries, rounded down (004 §3.3)', EMERGENCY_POLICY, venue('library', 151), 200, 75],
    ['emergency: the venue\'s own number when already lower', EMERGENCY_POLICY, venue('museum', 1000), 100, 100],
    ['emergency: a closed venue type offers no seats (004 §3.1)', EMERGENCY_POLICY, venue('ktv', 120), 60, 0],
  ])('%s', (_name, policy, v, own, expected) => {
    expect(slotCap({ slotCap: own }, policy, v)).toBe(expected);
  });
});

describe('bookingAdmission: grace boundaries (slot 10:00–11:00, grace 15 min)', () => {
  const slot = { start: cst(24, 10), end: cst(24, 11) };
  it.each([
    ['an hour early: told it may enter from 09:45', cst(24, 9), { ok: false, reason: 'early', from: cst(24, 9, 45) }],
    ['a millisecond before the grace opens', cst(24, 9, 44, 59, 999), { ok: false, reason: 'early', from: cst(24, 9, 45) }],
    ['at the start of the grace', cst(24, 9, 45), { ok: true, guaranteed: true }],
    ['at the slot start', cst(24, 10), { ok: true, guaranteed: true }],
    ['at the end of the grace after the start: seats still held', cst(24, 10, 15), { ok: true, guaranteed: true }],
    ['just after: admitted only if a seat is left', cst(24, 10, 15, 0, 1), { ok: true, guaranteed: false }],
    ['the last instant of the slot', cst(24, 10, 59, 59, 999), { ok: true, guaranteed: false }],
    ['at the slot end: over', cst(24, 11), { ok: false, reason: 'late', endedAt: cst(24, 11) }],
  ])('%s', (_name, now, expected) => {
    expect(bookingAdmission(slot, now, 15)).toEqual(expected);
  });
  it('no grace: from the slot start, seats held only at the start', () => {
    expect(bookingAdmission(slot, cst(24, 9, 59), 0)).toEqual({ ok: false, reason: 'early', from: cst(24, 10) });
    expect(bookingAdmission(slot, cst(24, 10), 0)).toEqual({ ok: true, guaranteed: true });
    expect(bookingAdmission(slot, cst(24, 10, 0, 0, 1), 0)).toEqual({ ok: true, guaranteed: false });
  });
  it('the grace is policy: a slot at midnight admits from 23:45 the day before', () => {
    const midnight = { start: cst(25, 0), end: cst(25, 1) };
    expect(bookingAdmission(midnight, cst(24, 23, 45), NORMAL_POLICY.bookingGraceMinutes)).toEqual({ ok: true, guaranteed: true });
    expect(bookingAdmission(midnight, cst(24, 23, 44), NORMAL_POLICY.bookingGraceMinutes)).toMatchObject({ ok: false, reason: 'early' });
  });
});

describe('a grace longer than the slot is held to the slot, so a held seat never outlives it', () => {
  // 15-minute slot 14:00–14:15 under a 30-minute grace.
  const S = { start: cst(24, 14), end: cst(24, 14, 15) };
  it.each([
    ['bookable until the slot ends, not until 14:30', bookableUntil(S, 30), S.end],
    ['a grace inside the slot still closes at start + grace', bookableUntil(S, 10), cst(24, 14, 10)],
    ['a grace of exactly the slot length closes at the end', bookableUntil(S, 15), S.end],
    ['the grace is the slot length at most', slotGraceMs(S, 30), 15 * MIN],
    ['no grace', slotGraceMs(S, 0), 0],
  ])('%s', (_name, got, want) => expect(got).toBe(want));

  it.each<[string, number, ReturnType<typeof bookingAdmission>]>([
    ['early entry reaches back one slot at most (13:45), not 30 minutes', cst(24, 13, 45), { ok: true, guaranteed: true }],
    ['before that it is early, told 13:45', cst(24, 13, 44, 59, 999), { ok: false, reason: 'early', from: cst(24, 13, 45) }],
    ['at 14:25 the slot is over, though start + grace is 14:30', cst(24, 14, 25), { ok: false, reason: 'late', endedAt: S.end }],
  ])('bookingAdmission: %s', (_name, now, want) => expect(bookingAdmission(S, now, 30)).toEqual(want));

  it('seatsLeft: a held seat never outlives its slot', () => {
    const count = { booked: 4, arrivedBooked: 1, walkIns: 0 };
    expect(seatsLeft(S, count, 5, cst(24, 14, 14), 30)).toBe(1);
    // Past the slot's end nothing is held (the grace would have said 14:30).
    expect(seatsLeft(S, count, 5, cst(24, 14, 20), 30)).toBe(4);
  });
});

describe('admissionSlot: the one rule for which slot an admission counts in (the hub\'s counts, slot_over_cap and the door)', () => {
  const S = { start: cst(24, 10), end: cst(24, 11) };
  it.each<[string, number, typeof S | undefined, number]>([
    ['a booked party that came early counts in its booking\'s slot', cst(24, 9, 50), S, S.start],
    ['a booked party late in its slot counts in it', cst(24, 10, 59), S, S.start],
    ['a walk-in counts in the slot of its admission time', cst(24, 9, 50), undefined, cst(24, 9)],
    ['a party on a cancelled booking (no live booking) counts as a walk-in, by its time', cst(24, 10, 30), undefined, S.start],
  ])('%s', (_name, at, booking, want) => expect(admissionSlot(at, booking, 60, CST)).toBe(want));
});

describe('seatsLeft: no-shows released after the grace', () => {
  const slot = { start: cst(24, 10), end: cst(24, 11) };
  it.each([
    ['before the grace ends, every booked seat is held', cst(24, 10, 10), { booked: 40, arrivedBooked: 10, walkIns: 5 }, 50, 5],
    ['at the last instant of the grace, every booked seat is still held', cst(24, 10, 15), { booked: 40, arrivedBooked: 10, walkIns: 5 }, 50, 5],
    ['a millisecond after it, only the seats used are held', cst(24, 10, 15, 0, 1), { booked: 40, arrivedBooked: 10, walkIns: 5 }, 50, 35],
    ['after it, only the seats used are held', cst(24, 10, 16), { booked: 40, arrivedBooked: 10, walkIns: 5 }, 50, 35],
    ['never negative when walk-ins filled it', cst(24, 10, 16), { booked: 40, arrivedBooked: 30, walkIns: 25 }, 50, 0],
    ['a cap lowered under the bookings leaves no seat', cst(24, 10), { booked: 40, arrivedBooked: 0, walkIns: 0 }, 25, 0],
  ])('%s', (_name, now, count, cap, expected) => {
    expect(seatsLeft(slot, count, cap, now, 15)).toBe(expected);
  });
});

describe('across a policy change: the cap shrinks under open bookings', () => {
  it('lists the bookings that no longer fit, last booked first; earlier ones keep their seats', () => {
    const venue = { type: 'scenic_spot' as const, ratedCapacity: 100 };
    const settings = BookingSettings.parse({ mode: 'required', slotMinutes: 60, slotCap: 100, maxParty: 6, daysAhead: 7 });
    const bookings = [
      { id: 'a', people: 30, bookedAt: 1 },
      { id: 'b', people: 15, bookedAt: 2 },
      { id: 'c', people: 6, bookedAt: 3 },
      { id: 'd', people: 4, bookedAt: 4 },
      { id: 'e', people: 20, bookedAt: 5 },
    ];
    expect(overbooked(bookings, slotCap(settings, NORMAL_POLICY, venue))).toEqual([]);
    // Emergency: 50 seats. a+b = 45; c (6) would make 51: over; d (4) still fits (49); e over.
    expect(overbooked(bookings, slotCap(settings, EMERGENCY_POLICY, venue)).map((b) => b.id)).toEqual(['e', 'c']);
  });

  it('a booking that fills the lowered cap exactly still fits', () => {
    // 30 + 15 + 5 = 50 seats under the emergency cap of 50 (004 §3.3): nobody over.
    const bookings = [
      { id: 'a', people: 30, bookedAt: 1 },
      { id: 'b', people: 15, bookedAt: 2 },
      { id: 'c', people: 5, bookedAt: 3 },
    ];
    expect(overbooked(bookings, 50)).toEqual([]);
    expect(overbooked(bookings, 49).map((b) => b.id)).toEqual(['c']);
  });

  it('gives seats in the order the bookings were made, whatever order they are listed in', () => {
    // Listed newest first: the 20 booked last is over, not the 30 booked first.
    const bookings = [
      { id: 'late', people: 20, bookedAt: 9 },
      { id: 'mid', people: 15, bookedAt: 5 },
      { id: 'first', people: 30, bookedAt: 1 },
    ];
    expect(overbooked(bookings, 50).map((b) => b.id)).toEqual(['late']);
    expect(bookings.map((b) => b.id)).toEqual(['late', 'mid', 'first']);
  });
});

describe('BookingSettings', () => {
  it('refuses a slot length that does not divide the day, naming the field', () => {
    const r = BookingSettings.safeParse({ mode: 'optional', slotMinutes: 45, slotCap: 10, maxParty: 4, daysAhead: 7 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['slotMinutes']);
  });
});
