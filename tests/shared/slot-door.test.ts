import { describe, expect, it } from 'vitest';
import { slotCapLowered, slotReasons } from '../../shared/rules/slot-door.js';
import type { BookingMode } from '../../shared/schemas/booking-settings.js';
import type { ReasonCode } from '../../shared/schemas/record.js';

/** Venue-local wall time (UTC+8) on 24 Nov 2026, as epoch ms. */
const cst = (hh: number, mm = 0) => Date.UTC(2026, 10, 24, hh - 8, mm);
const SLOT = { start: cst(10), end: cst(11) };
const GRACE = 15;

describe('slotReasons (003 §13 限量、预约、错峰)', () => {
  it.each<[string, BookingMode, boolean, number, number, ReasonCode[]]>([
    // Bookings: the seat is held from start − grace until start + grace.
    ['a booking at the first instant of its entry window (start − grace) holds its seat', 'required', true, cst(9, 45), 0, []],
    ['a booking inside the grace after its start still holds its seat, even with no seat left', 'optional', true, cst(10, 15), 0, []],
    ['a booking after start + grace lost its guarantee: in while a seat is left', 'required', true, cst(10, 16), 1, []],
    ['a booking after start + grace with no seat left is refused as full', 'required', true, cst(10, 16), 0, ['slot_full']],
    ['a booking whose window closed while staff checked it counts for nothing', 'optional', true, cst(11), 5, ['booking_outside_slot']],
    ['a booking before its window counts for nothing', 'optional', true, cst(9, 44), 5, ['booking_outside_slot']],
    ['a booking at a venue that since turned bookings off still holds its seat', 'off', true, cst(10), 0, []],
    // Walk-ins.
    ['a walk-in at a venue that admits by booking only is refused, seats or not', 'required', false, cst(10, 30), 20, ['booking_required']],
    ['a walk-in at an optional venue while the slot has a seat', 'optional', false, cst(10, 30), 1, []],
    ['a walk-in at an optional venue when the slot is full', 'optional', false, cst(10, 30), 0, ['slot_full']],
    ['a walk-in where bookings are off: the slot says nothing', 'off', false, cst(10, 30), 0, []],
  ])('%s', (_name, mode, booked, now, seatsLeft, expected) => {
    expect(slotReasons({ mode, booking: booked ? SLOT : undefined, seatsLeft, now, graceMinutes: GRACE })).toEqual(expected);
  });

  it.each<[string, number, { admitted: number; cap: number } | undefined, ReasonCode[]]>([
    // The cap was lowered (emergency, 004 §3.3) after the seats were booked.
    ['a guaranteed booking while the slot is under the lowered cap is admitted', cst(10, 5), { admitted: 4, cap: 5 }, []],
    ['a guaranteed booking when arrivals + walk-ins reach the lowered cap is refused as full', cst(10, 5), { admitted: 5, cap: 5 }, ['slot_full']],
    ['beyond the lowered cap (admitted before the switch) it is refused too', cst(9, 50), { admitted: 8, cap: 5 }, ['slot_full']],
    ['a cap of 0 (the policy closed the venue type) admits no booking', cst(10), { admitted: 0, cap: 0 }, ['slot_full']],
    ['no figure for the slot: the held seat is honoured', cst(10, 5), undefined, []],
  ])('lowered cap: %s', (_name, now, inSlot, expected) => {
    expect(slotReasons({ mode: 'required', booking: SLOT, seatsLeft: 0, now, graceMinutes: GRACE, ...(inSlot ? { inSlot } : {}) })).toEqual(expected);
    expect(slotCapLowered(inSlot)).toBe(expected.length > 0);
  });

  it('a grace of zero: the booking is guaranteed only at its start instant', () => {
    const at = (now: number, seatsLeft: number) => slotReasons({ mode: 'required', booking: SLOT, seatsLeft, now, graceMinutes: 0 });
    expect(at(cst(10), 0)).toEqual([]);
    expect(at(cst(10) + 1, 0)).toEqual(['slot_full']);
    expect(at(cst(10) - 1, 9)).toEqual(['booking_outside_slot']);
  });
});
