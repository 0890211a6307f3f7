import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { admittedWithoutBooking, type HeldBooking, type VenueBooking } from '../../../shared/rules/flags/index.js';
import { slotAt } from '../../../shared/rules/slots.js';
import type { HeldEntrance } from '../../../shared/rules/flags/window.js';
import { OFFSET, VENUE, at, cleanDay, entrance } from './day.js';

/**
 * admitted_without_booking (003 §13 "落实门票预约制度，确保游客信息可查询可追踪"):
 * a scenic spot that admits by booking only, in 30-minute slots.
 */
const SPOT = { ...VENUE, id: 'venue-s', type: 'scenic_spot' as const, ratedCapacity: 500 };
const REQUIRED: VenueBooking = { settings: { mode: 'required', slotMinutes: 30, slotCap: 100, maxParty: 5, daysAhead: 7 }, since: 0 };

function booked(ms: number, slotAtMs = ms): { booking: HeldBooking; held: HeldEntrance } {
  const s = slotAt(slotAtMs, 30, OFFSET);
  const booking = { id: randomUUID(), slotStart: s.start, slotEnd: s.end };
  return { booking, held: entrance(ms, { pass: { id: booking.id, code: 'B7C9', minute: 3, person: 0, people: 1, via: 'qr', src: 'booking' } }) };
}

/** Judged over the afternoon's 30-minute slots, 13:00–16:00. */
const SLOTS = [13, 13.5, 14, 14.5, 15, 15.5].map((h) => slotAt(at(Math.floor(h), (h % 1) * 60), 30, OFFSET));
const run = (entrances: HeldEntrance[], bookings: HeldBooking[] = [], booking: VenueBooking = REQUIRED, slots = SLOTS) =>
  admittedWithoutBooking(SPOT, booking, slots, entrances, new Map(bookings.map((b) => [b.id, b])));

describe('admittedWithoutBooking', () => {
  it('stays silent when everyone came on a booking', () => {
    const arrivals = [booked(at(14, 5)), booked(at(14, 20)), booked(at(14, 25), at(14, 30))];
    expect(run(arrivals.map((a) => a.held), arrivals.map((a) => a.booking))).toEqual([]);
  });

  it.each([
    ['off: walk-ins only', 'off' as const],
    ['optional: walk-ins take the seats left', 'optional' as const],
  ])('is silent for a venue whose mode is %s', (_name, mode) => {
    expect(run(cleanDay().entrances, [], { ...REQUIRED, settings: { ...REQUIRED.settings, mode } })).toEqual([]);
  });

  it('warns of walk-ins at a required venue, per slot, naming them', () => {
    const ok = booked(at(14, 5));
    const walkIn = entrance(at(14, 10));
    const pass = entrance(at(14, 40), { pass: { code: 'C3D4', minute: 8, person: 0, people: 1, via: 'code', src: 'live' } });
    const flags = run([ok.held, walkIn, pass], [ok.booking]);
    expect(flags.map((f) => [f.windowKey, f.severity, f.evidence.slot, f.evidence.recordIds])).toEqual([
      ['2026-11-23T14:00', 'warning', '14:00–14:30', [walkIn.record.id]],
      ['2026-11-23T14:30', 'warning', '14:30–15:00', [pass.record.id]],
    ]);
    expect(flags[0]!.evidence).toMatchObject({ admissions: 2, withoutBooking: 1, unknownBooking: 0, slotStartAt: at(14), kioskIds: ['kiosk-1'] });
  });

  it('counts an admission on a booking the hub never issued here as without one', () => {
    const forged = booked(at(14, 10));
    const [flag] = run([forged.held], []);
    expect(flag!.evidence).toMatchObject({ withoutBooking: 1, unknownBooking: 1 });
  });

  it('puts a booked party that came early in its own slot, not the one it came in', () => {
    const early = booked(at(14, 20), at(14, 30));
    const walkIn = entrance(at(14, 35));
    const [flag] = run([early.held, walkIn], [early.booking]);
    expect(flag).toMatchObject({ windowKey: '2026-11-23T14:30', evidence: expect.objectContaining({ admissions: 2, withoutBooking: 1 }) });
  });

  it('does not blame walk-ins admitted before the venue switched to required; from the instant of the switch it does', () => {
    const before = entrance(at(13, 59, 59));
    const atSwitch = entrance(at(14));
    const after = entrance(at(14, 1));
    const flags = run([before, atSwitch, after], [], { ...REQUIRED, since: at(14) });
    expect(flags.map((f) => f.evidence.recordIds)).toEqual([[atSwitch.record.id, after.record.id]]);
  });

  it('gives the whole evidence, naming every kiosk and operator once', () => {
    const a = entrance(at(14, 1), {}, 'kiosk-1');
    const b = entrance(at(14, 2), { operatorId: 'staff-2' }, 'kiosk-2');
    const c = entrance(at(14, 3), {}, 'kiosk-1');
    const ok = booked(at(14, 4));
    expect(run([a, b, c, ok.held], [ok.booking])).toEqual([
      {
        venueId: SPOT.id,
        rule: 'admitted_without_booking',
        severity: 'warning',
        windowKey: '2026-11-23T14:00',
        evidence: {
          recordIds: [a.record.id, b.record.id, c.record.id],
          slot: '14:00–14:30',
          slotStartAt: at(14),
          admissions: 4,
          withoutBooking: 3,
          unknownBooking: 0,
          kioskIds: ['kiosk-1', 'kiosk-2'],
          operatorIds: ['staff-1', 'staff-2'],
        },
      },
    ]);
  });

  it('judges only the slots it is given', () => {
    expect(run([entrance(at(14, 10)), entrance(at(14, 40))], [], REQUIRED, [slotAt(at(14, 40), 30, OFFSET)]).map((f) => f.windowKey)).toEqual(['2026-11-23T14:30']);
  });

  it('ignores refusals and undone admissions', () => {
    const refused = entrance(at(14, 10), { decision: 'refuse', reasons: ['health_code_red'] });
    const undone = { ...entrance(at(14, 11)), corrected: true };
    expect(run([refused, undone])).toEqual([]);
  });
});
