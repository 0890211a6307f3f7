import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slotOverCap, type HeldBooking, type VenueBooking } from '../../../shared/rules/flags/index.js';
import { slotAt, type Slot } from '../../../shared/rules/slots.js';
import type { HeldEntrance } from '../../../shared/rules/flags/window.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import { OFFSET, VENUE, at, entrance, policyAt } from './day.js';

/**
 * slot_over_cap (003 §13 "控制接待人员上限"; 004 §3.3 50 % in emergency): a
 * museum (rated 100) taking bookings in 60-minute slots of 40 seats.
 */
const MUSEUM = { ...VENUE, id: 'venue-m', type: 'museum' as const, ratedCapacity: 100 };
const BOOKING: VenueBooking = { settings: { mode: 'optional', slotMinutes: 60, slotCap: 40, maxParty: 5, daysAhead: 7 }, since: 0 };
const EMERGENCY: Policy = { ...EMERGENCY_POLICY, version: 2 };
const slot = (hh: number): Slot => slotAt(at(hh), 60, OFFSET);

/** `n` walk-ins admitted a minute apart from hh:mm. */
const walkIns = (n: number, hh: number, mm = 0): HeldEntrance[] => Array.from({ length: n }, (_, i) => entrance(at(hh, mm + i)));

/** A booking of the slot at hh:00 and the booked person admitted at `ms`. */
function bookedArrival(hh: number, ms: number): { booking: HeldBooking; held: HeldEntrance } {
  const booking = { id: randomUUID(), slotStart: slot(hh).start, slotEnd: slot(hh).end };
  const held = entrance(ms, { pass: { id: booking.id, code: 'A1B2', minute: 1, person: 0, people: 1, via: 'qr', src: 'booking' } });
  return { booking, held };
}

const run = (entrances: HeldEntrance[], opts: { booking?: VenueBooking; bookings?: HeldBooking[]; slots?: Slot[]; policy?: (ms: number) => Policy } = {}) =>
  slotOverCap(
    MUSEUM,
    opts.booking ?? BOOKING,
    opts.slots ?? [slot(14)],
    entrances,
    new Map((opts.bookings ?? []).map((b) => [b.id, b])),
    opts.policy ?? policyAt,
  );

describe('slotOverCap', () => {
  it.each([
    ['at the cap is allowed (40 of 40, 003 §13)', 40, []],
    ['one above the cap is a warning in normal times', 41, [{ severity: 'warning', overCap: 1 }]],
    ['ten above: the ten last admitted are the evidence', 50, [{ severity: 'warning', overCap: 10 }]],
  ])('%s', (_name, n, expected) => {
    const flags = run(walkIns(n, 14));
    expect(flags.map((f) => ({ severity: f.severity, overCap: f.evidence.overCap }))).toEqual(expected);
  });

  it('names the slot, the counts and the admissions beyond the cap', () => {
    const held = walkIns(42, 14, 0);
    const [flag] = run(held);
    expect(flag).toMatchObject({ venueId: 'venue-m', rule: 'slot_over_cap', windowKey: '2026-11-23T14:00' });
    expect(flag!.evidence).toMatchObject({
      slot: '14:00–15:00',
      slotStartAt: at(14),
      admissions: 42,
      arrivedBooked: 0,
      walkIns: 42,
      overCap: 2,
      cap: 40,
      slotCap: 40,
      policyVersions: [1],
      recordIds: [held[40]!.record.id, held[41]!.record.id],
    });
  });

  it('holds the venue\'s number to the policy\'s cap: 50 % in emergency is 50 of 100, a violation above it (004 §3.3)', () => {
    const big: VenueBooking = { ...BOOKING, settings: { ...BOOKING.settings, slotCap: 80 } };
    expect(run(walkIns(50, 14), { booking: big, policy: () => EMERGENCY })).toEqual([]);
    const [flag] = run(walkIns(51, 14), { booking: big, policy: () => EMERGENCY });
    expect(flag).toMatchObject({ severity: 'violation', evidence: expect.objectContaining({ cap: 50, slotCap: 80, overCap: 1, policyVersions: [2] }) });
  });

  it('judges each admission by the policy in force when it was made: a slot full before a switch is not blamed for it', () => {
    const big: VenueBooking = { ...BOOKING, settings: { ...BOOKING.settings, slotCap: 80 } };
    const switchedAt1430 = (ms: number) => (ms >= at(14, 30) ? EMERGENCY : NORMAL_POLICY);
    // 60 in by 14:29 under the normal cap (80); nobody after the switch.
    expect(run(walkIns(30, 14, 0).concat(walkIns(30, 14, 0)), { booking: big, policy: switchedAt1430 })).toEqual([]);
    // One more at 14:31 is the 61st under a cap of 50.
    const late = entrance(at(14, 31));
    const [flag] = run([...walkIns(30, 14, 0), ...walkIns(30, 14, 0), late], { booking: big, policy: switchedAt1430 });
    expect(flag).toMatchObject({ severity: 'violation', evidence: expect.objectContaining({ overCap: 1, cap: 50, recordIds: [late.record.id] }) });
  });

  it('counts admissions in the order they were made, whatever order the hub read them in', () => {
    // Created latest first, so their sequence numbers run against the clock too.
    const late = [entrance(at(14, 50)), entrance(at(14, 45))];
    const early = walkIns(40, 14, 0);
    const [flag] = run([...late, ...early.reverse()]);
    expect(flag!.evidence).toMatchObject({ overCap: 2, recordIds: [late[1]!.record.id, late[0]!.record.id] });
  });

  it('orders admissions made at the same instant by their sequence number', () => {
    const same = Array.from({ length: 41 }, () => entrance(at(14, 30)));
    const [flag] = run([...same].reverse());
    expect(flag!.evidence).toMatchObject({ overCap: 1, recordIds: [same[40]!.record.id] });
  });

  it('blames admissions from the instant the settings were saved', () => {
    const held = walkIns(42, 14);
    const [flag] = run(held, { booking: { ...BOOKING, since: Date.parse(held[41]!.record.kioskTime) } });
    expect(flag!.evidence).toMatchObject({ overCap: 1, recordIds: [held[41]!.record.id] });
  });

  it('is a violation when any admission beyond the cap was made under an emergency policy (004 §3.3)', () => {
    // Rated 60: the normal cap is the venue's 40, the emergency one 30.
    const small = { ...MUSEUM, ratedCapacity: 60 };
    const switchedAt1445 = (ms: number) => (ms >= at(14, 45) ? EMERGENCY : NORMAL_POLICY);
    const held = [...walkIns(41, 14, 0), entrance(at(14, 50))];
    const [flag] = slotOverCap(small, BOOKING, [slot(14)], held, new Map(), switchedAt1445);
    expect(flag).toMatchObject({ severity: 'violation', evidence: expect.objectContaining({ overCap: 2, cap: 30, policyVersions: [1, 2] }) });
  });

  it('names every kiosk of the admissions beyond the cap once', () => {
    const held = [...walkIns(40, 14, 0), entrance(at(14, 41), {}, 'kiosk-2'), entrance(at(14, 42), {}, 'kiosk-1'), entrance(at(14, 43), {}, 'kiosk-2')];
    const [flag] = run(held);
    expect(flag!.evidence.kioskIds).toEqual(['kiosk-2', 'kiosk-1']);
  });

  it('counts a booked party in its booking\'s slot even when it came in the grace period before it', () => {
    // 40 walk-ins filled 13:00–14:00; a booking for 14:00 came in at 13:50: not the 13:00 slot's 41st.
    const early = bookedArrival(14, at(13, 50));
    const flags = run([...walkIns(40, 13), early.held], { slots: [slot(13), slot(14)], bookings: [early.booking] });
    expect(flags).toEqual([]);
    // 40 in the 14:00 slot plus that booking is 41 there.
    const [flag] = run([...walkIns(40, 14, 5), early.held], { slots: [slot(14)], bookings: [early.booking] });
    expect(flag!.evidence).toMatchObject({ admissions: 41, arrivedBooked: 1, walkIns: 40, overCap: 1 });
  });

  it('a booking the hub never issued here is counted where it came in, like a walk-in', () => {
    const forged = bookedArrival(15, at(14, 59));
    const [flag] = run([...walkIns(40, 14), forged.held], { bookings: [] });
    expect(flag!.evidence).toMatchObject({ admissions: 41, arrivedBooked: 0, recordIds: [forged.held.record.id] });
  });

  it('judges only the slots it is given', () => {
    expect(run(walkIns(45, 15), { slots: [slot(14)] })).toEqual([]);
  });

  it.each([
    ['a venue taking no bookings has no slots', { booking: { ...BOOKING, settings: { ...BOOKING.settings, mode: 'off' as const } } }],
    ['a policy closing the venue type is admitted_while_closed\'s (004 §3.1)', { policy: () => ({ ...EMERGENCY, closedVenueTypes: ['museum' as const] }) }],
    ['admissions before the settings were saved are counted, not blamed', { booking: { ...BOOKING, since: at(15) } }],
  ])('silent: %s', (_name, opts) => {
    expect(run(walkIns(45, 14), opts)).toEqual([]);
  });

  it('ignores refusals and undone admissions', () => {
    const refused = Array.from({ length: 5 }, () => entrance(at(14, 50), { decision: 'refuse', reasons: ['fever'] }));
    const undone = Array.from({ length: 5 }, () => ({ ...entrance(at(14, 51)), corrected: true }));
    expect(run([...walkIns(40, 14), ...refused, ...undone])).toEqual([]);
  });

  it('a venue without a rated capacity is not judged (as over_capacity)', () => {
    expect(slotOverCap({ ...MUSEUM, ratedCapacity: 0 }, BOOKING, [slot(14)], walkIns(45, 14), new Map(), policyAt)).toEqual([]);
  });

  it('keeps slots apart at midnight: 23:00–24:00 and the next day\'s 00:00–01:00 are two windows', () => {
    const allDay = { ...MUSEUM, openingHours: null };
    const night = walkIns(41, 23, 0);
    const next = Array.from({ length: 41 }, (_, i) => entrance(at(0, i, 0, 24)));
    const flags = slotOverCap(allDay, BOOKING, [slot(23), slotAt(at(0, 0, 0, 24), 60, OFFSET)], [...night, ...next], new Map(), policyAt);
    expect(flags.map((f) => [f.windowKey, f.evidence.slot, f.evidence.overCap])).toEqual([
      ['2026-11-23T23:00', '23:00–24:00', 1],
      ['2026-11-24T00:00', '00:00–01:00', 1],
    ]);
  });
});
