import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyResults,
  closeDb,
  getPassUse,
  getVenueSlots,
  hubHoldsThrough,
  pendingBatch,
  saveRecord,
  saveVenueSlots,
  type DoorSlots,
  type Enrolment,
} from '../../kiosk/src/db.js';
import { admissionUpdate, checkPassInput, passUse, type ActivePass } from '../../kiosk/src/pass-check.js';
import { doorSlot, venueClock } from '../../kiosk/src/slot-seats.js';
import { SyncClient } from '../../kiosk/src/sync/sync-client.js';
import { generatePassKeys, signPass } from '../../shared/rules/pass-signature.js';
import { slotReasons } from '../../shared/rules/slot-door.js';
import { slotAt } from '../../shared/rules/slots.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import type { BookingSettings, SlotView } from '../../shared/schemas/booking.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { cstAt, cstMidnight } from '../support/clock.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

const MIN = 60_000;
const CST = 480;
const keys = await generatePassKeys();
/** Venue-local wall time (UTC+8) today, the day the wall clock reads there; SLOT is its 10:00–11:00. */
const TODAY = cstMidnight(0);
const cst = (hh: number, mm = 0) => cstAt(TODAY, hh, mm);
const SLOT = { start: cst(10), end: cst(11) };
const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };

function enrolment(booking: BookingSettings | undefined, grace = 15): Enrolment {
  return {
    kioskId: kiosk.id,
    entranceId: 'venue-a-1',
    venue: { id: 'venue-a', type: 'museum', ratedCapacity: 100, openingHours: null, utcOffsetMinutes: CST, ...(booking ? { booking } : {}) },
    policy: { ...NORMAL_POLICY, bookingGraceMinutes: grace },
    passKey: keys.publicKey,
  } as unknown as Enrolment;
}
const settings = (mode: BookingSettings['mode'], slotCap = 5): BookingSettings => ({ mode, slotMinutes: 60, slotCap, maxParty: 5, daysAhead: 3 });

/** A booking's QR for `slot`, as the hub signs it: valid from start − 15 min until the end. */
async function bookingQr(slot = SLOT, people = 2) {
  const id = randomUUID();
  const text = await signPass(
    {
      v: 1, id, code: 'ABC234', venue: 'venue-a', entrance: 'venue-a-1', src: 'booking', pv: 1,
      iat: (slot.start - 15 * MIN) / 1000, exp: slot.end / 1000, slot: [slot.start / 1000, slot.end / 1000],
      people: Array.from({ length: people }, () => ({ h: 'green' as const, i: 'local' as const })),
    },
    keys.privateKey,
  );
  return { id, text };
}

/** The hub's last push for the venue, as the kiosk stores it. */
function pushed(slot: Partial<SlotView>, heldThrough: number, at = cst(10, 20)): DoorSlots {
  const view = { start: SLOT.start, end: SLOT.end, cap: 5, booked: 0, arrivedBooked: 0, walkIns: 0, seatsLeft: 5, ...slot };
  return { venueId: 'venue-a', mode: 'optional', slots: [view], at, heldThrough };
}

const walkIn = (at: number, over: Partial<EntranceRecord> = {}) =>
  saveRecord((seq) => entranceRecord(kiosk, seq, { kioskTime: toIsoWithOffset(at, CST), ...over }), at);

async function admitOnPass(p: ActivePass, at: number) {
  return saveRecord((seq) => entranceRecord(kiosk, seq, { kioskTime: toIsoWithOffset(at, CST), pass: passUse(p) }), at, admissionUpdate(p, true, at));
}

describe('a booking QR at the door (offline)', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it.each([
    ['an hour early: refused with the time it may enter (slot start less the grace)', cst(9), { ok: false, reason: 'booking_early', at: cst(9, 45) }],
    ['one millisecond before start − grace: still early', cst(9, 45) - 1, { ok: false, reason: 'booking_early', at: cst(9, 45) }],
    ['at the slot end: its slot is over, said with when it ended', cst(11), { ok: false, reason: 'booking_late', at: cst(11) }],
  ])('%s', async (_name, now, expected) => {
    const { text } = await bookingQr();
    expect(await checkPassInput(text, enrolment(settings('required')), now)).toEqual(expected);
  });

  it('the refusal is worded in the venue\'s time, as the patron\'s booking page states it', () => {
    expect(venueClock(cst(9, 45), CST)).toBe('09:45');
    expect(venueClock(cst(11), CST)).toBe('11:00');
  });

  it('within its window it pre-fills like a pass, person by person, and its people are marked with the slot', async () => {
    const { id, text } = await bookingQr(SLOT, 2);
    const first = await checkPassInput(text, enrolment(settings('required')), cst(9, 45));
    expect(first).toMatchObject({ ok: true, pass: { id, code: 'ABC234', people: 2, next: 0, via: 'qr', src: 'booking', slot: SLOT, persons: [{ h: 'green' }, { h: 'green' }] } });
    if (!first.ok) return;
    const stored = await admitOnPass(first.pass, cst(9, 50));
    expect(stored?.record).toMatchObject({ pass: { id, code: 'ABC234', person: 0, people: 2, via: 'qr', src: 'booking' } });
    expect(await getPassUse(first.pass.key)).toMatchObject({ admitted: [0], slot: SLOT.start });
    expect(await checkPassInput(text, enrolment(settings('required')), cst(10, 30))).toMatchObject({ ok: true, pass: { next: 1 } });
  });

  it('the door\'s policy grace decides, not the one signed into the QR: a grace widened to 30 admits at 09:31', async () => {
    const { text } = await bookingQr();
    expect(await checkPassInput(text, enrolment(settings('required'), 30), cst(9, 31))).toMatchObject({ ok: true });
    expect(await checkPassInput(text, enrolment(settings('required'), 5), cst(9, 50))).toEqual({ ok: false, reason: 'booking_early', at: cst(9, 55) });
  });

  it('a booking for another venue, or altered, is refused like a pass', async () => {
    const { text } = await bookingQr();
    const other = { ...enrolment(settings('required')), venue: { ...enrolment(settings('required')).venue, id: 'venue-b' } } as Enrolment;
    expect(await checkPassInput(text, other, cst(10))).toEqual({ ok: false, reason: 'other_venue' });
    expect(await checkPassInput(`${text.slice(0, -3)}AAA`, enrolment(settings('required')), cst(10))).toEqual({ ok: false, reason: 'tampered' });
  });
});

describe('the door\'s slot count (offline)', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('no slot where the venue takes no bookings (never set, or off)', async () => {
    expect(await doorSlot(enrolment(undefined), undefined, cst(10, 30))).toBeUndefined();
    expect(await doorSlot(enrolment(settings('off')), pushed({ booked: 3 }, 0), cst(10, 30))).toBeUndefined();
  });

  it('adds to the hub\'s figures only what this door admitted after them, so nothing is counted twice', async () => {
    const e = enrolment(settings('optional', 6));
    // Seq 1, 2 reached the hub before its push: its walk-in figure of 3 holds them (and one from another door).
    await walkIn(cst(10, 5));
    await walkIn(cst(10, 6));
    const hub = pushed({ booked: 0, walkIns: 3 }, 2);
    expect((await doorSlot(e, hub, cst(10, 30)))!.count).toEqual({ booked: 0, arrivedBooked: 0, walkIns: 3 });
    // Offline since: two more admitted here, one refused (refusals hold no seat).
    await walkIn(cst(10, 21));
    await walkIn(cst(10, 22));
    await walkIn(cst(10, 23), { decision: 'refuse', reasons: ['fever'] });
    const ds = await doorSlot(e, hub, cst(10, 30));
    expect(ds).toMatchObject({ mode: 'optional', slot: SLOT, cap: 6, count: { walkIns: 5 }, seatsLeft: 1, asOf: cst(10, 20) });
  });

  it('an undo counts: of an admission the hub holds, and of one it does not', async () => {
    const e = enrolment(settings('optional', 6));
    const held = await walkIn(cst(10, 5)); // seq 1, in the hub's figure
    const hub = pushed({ walkIns: 1 }, 1);
    const mine = await walkIn(cst(10, 21)); // seq 2, not
    const undo = (id: string, at: number) =>
      saveRecord((seq) => ({ ...entranceRecord(kiosk, seq), type: 'correction', correctsId: id, reason: 'undo at the door', kioskTime: toIsoWithOffset(at, CST) }) as never, at);
    expect((await doorSlot(e, hub, cst(10, 30)))!.count.walkIns).toBe(2);
    await undo(mine.id, cst(10, 22));
    expect((await doorSlot(e, hub, cst(10, 30)))!.count.walkIns).toBe(1);
    await undo(held.id, cst(10, 23));
    expect((await doorSlot(e, hub, cst(10, 30)))!.count.walkIns).toBe(0);
  });

  it('a booking\'s people count as arrived in their booking\'s slot, also when they came in its grace before it', async () => {
    const e = enrolment(settings('optional', 6));
    const now = await checkPassInput((await bookingQr(SLOT, 1)).text, e, cst(9, 50));
    const next = { start: SLOT.end, end: SLOT.end + 60 * MIN };
    const early = await checkPassInput((await bookingQr(next, 1)).text, e, cst(10, 50));
    if (!now.ok || !early.ok) throw new Error('bookings refused');
    await admitOnPass(now.pass, cst(9, 50)); // before 10:00, for the 10:00 slot
    await admitOnPass(early.pass, cst(10, 50)); // in the 10:00 slot, for the 11:00 one
    const ds = await doorSlot(e, pushed({ booked: 3 }, 0), cst(10, 10));
    expect(ds!.count).toEqual({ booked: 3, arrivedBooked: 1, walkIns: 0 });
    // Until 10:15 the two booked people who have not come hold their seats.
    expect(ds!.seatsLeft).toBe(6 - 3);
    // From 10:15 their seats go back to walk-ins: only the one who came holds one.
    expect((await doorSlot(e, pushed({ booked: 3 }, 0), cst(10, 16)))!.seatsLeft).toBe(6 - 1);
  });

  it('without the hub\'s figure for this slot it counts this door alone, and says there is none', async () => {
    const e = enrolment(settings('optional', 6));
    await walkIn(cst(10, 5));
    const stale: DoorSlots = { ...pushed({}, 1), slots: [{ start: cst(8), end: cst(9), cap: 5, booked: 0, arrivedBooked: 0, walkIns: 4, seatsLeft: 1 }] };
    expect(await doorSlot(e, stale, cst(10, 30))).toMatchObject({ count: { booked: 0, walkIns: 1 }, seatsLeft: 5, asOf: undefined });
  });

  it('the cap follows the policy the door enforces (004 §3.3: 50 % in emergency) and the venue\'s own number', async () => {
    const e = enrolment(settings('optional', 80));
    expect((await doorSlot(e, undefined, cst(10, 30)))!.cap).toBe(80);
    const emergency = { ...e, policy: EMERGENCY_POLICY } as Enrolment;
    expect((await doorSlot(emergency, undefined, cst(10, 30)))!.cap).toBe(50);
  });

  it('the hub\'s last figures survive a reload (IndexedDB)', async () => {
    await saveVenueSlots(pushed({ booked: 4 }, 7));
    await closeDb();
    expect(await getVenueSlots()).toEqual(pushed({ booked: 4 }, 7));
  });

  it('knows how far the hub holds its records: up to the oldest still pending', async () => {
    expect(await hubHoldsThrough()).toBe(0);
    for (let i = 0; i < 4; i++) await walkIn(cst(10, i));
    expect(await hubHoldsThrough()).toBe(0);
    const batch = await pendingBatch(2);
    await applyResults(batch, [{ index: 0, status: 'accepted', id: batch[0]!.id }, { index: 1, status: 'duplicate', id: batch[1]!.id }], cst(10, 5));
    expect(await hubHoldsThrough()).toBe(2);
    const rest = await pendingBatch(10);
    await applyResults(rest, [{ index: 0, status: 'rejected', error: { code: 'invalid', message: 'x' } }, { index: 1, status: 'accepted', id: rest[1]!.id }], cst(10, 6));
    expect(await hubHoldsThrough()).toBe(4);
  });
});

describe('who the slot lets in at the door (per mode)', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  /** The slot's reasons for a person, as the entrance screen asks them at the decision. */
  async function reasons(e: Enrolment, hub: DoorSlots | undefined, now: number, booking?: ActivePass) {
    const ds = await doorSlot(e, hub, now);
    const bs = booking?.slot ? await doorSlot(e, hub, now, booking.slot) : undefined;
    const inSlot = bs ? { admitted: bs.count.arrivedBooked + bs.count.walkIns, cap: bs.cap } : undefined;
    return slotReasons({ mode: ds?.mode ?? 'off', booking: booking?.slot, seatsLeft: ds?.seatsLeft ?? Infinity, now, graceMinutes: e.policy.bookingGraceMinutes, ...(inSlot ? { inSlot } : {}) });
  }

  it('a cap lowered since booking (emergency): a guaranteed booking comes in only while arrivals + walk-ins are under the new cap', async () => {
    // 80 per slot, booked full; emergency halves the venue to 50 (004 §3.3).
    const e = { ...enrolment(settings('required', 80)), policy: EMERGENCY_POLICY } as Enrolment;
    const b = await checkPassInput((await bookingQr(SLOT, 1)).text, e, cst(10, 5));
    if (!b.ok) throw new Error('refused');
    expect(await reasons(e, pushed({ booked: 80, arrivedBooked: 49 }, 0), cst(10, 5), b.pass)).toEqual([]);
    expect(await reasons(e, pushed({ booked: 80, arrivedBooked: 50 }, 0), cst(10, 5), b.pass)).toEqual(['slot_full']);
  });

  it('a party come early for the next slot is held to the next slot\'s figures, not the current one\'s', async () => {
    const e = { ...enrolment(settings('required', 80)), policy: EMERGENCY_POLICY } as Enrolment;
    const next = { start: SLOT.end, end: SLOT.end + 60 * MIN };
    const b = await checkPassInput((await bookingQr(next, 1)).text, e, cst(10, 50));
    if (!b.ok) throw new Error('refused');
    const hub = (nextArrived: number): DoorSlots => ({
      ...pushed({ booked: 80, arrivedBooked: 50 }, 0),
      slots: [
        { start: SLOT.start, end: SLOT.end, cap: 50, booked: 80, arrivedBooked: 50, walkIns: 0, seatsLeft: 0 },
        { start: next.start, end: next.end, cap: 50, booked: 80, arrivedBooked: nextArrived, walkIns: 0, seatsLeft: 0 },
      ],
    });
    expect(await reasons(e, hub(10), cst(10, 50), b.pass)).toEqual([]);
    expect(await reasons(e, hub(50), cst(10, 50), b.pass)).toEqual(['slot_full']);
  });

  it('required: a walk-in is refused even with seats; a booking within its grace comes in even when full', async () => {
    const e = enrolment(settings('required', 2));
    const full = pushed({ booked: 2 }, 0);
    expect(await reasons(e, pushed({}, 0), cst(10, 5))).toEqual(['booking_required']);
    const b = await checkPassInput((await bookingQr(SLOT, 1)).text, e, cst(10, 5));
    if (!b.ok) throw new Error('refused');
    expect(await reasons(e, full, cst(10, 5), b.pass)).toEqual([]);
  });

  it('a booking past start + grace lost its guarantee: in while a seat is left, refused as full once the walk-ins took them', async () => {
    const e = enrolment(settings('optional', 3));
    const b = await checkPassInput((await bookingQr(SLOT, 1)).text, e, cst(10, 20));
    if (!b.ok) throw new Error('refused');
    expect(await reasons(e, pushed({ booked: 1, walkIns: 2 }, 0), cst(10, 20), b.pass)).toEqual([]);
    await walkIn(cst(10, 21));
    expect(await reasons(e, pushed({ booked: 1, walkIns: 2 }, 0), cst(10, 22), b.pass)).toEqual(['slot_full']);
  });

  it('optional: walk-ins come in while the slot has seats, this door\'s own admissions counted as it goes', async () => {
    const e = enrolment(settings('optional', 3));
    const hub = pushed({ booked: 1, walkIns: 1 }, 0);
    // 10:05: the booked seat is held; one left for walk-ins.
    expect(await reasons(e, hub, cst(10, 5))).toEqual([]);
    await walkIn(cst(10, 5));
    expect(await reasons(e, hub, cst(10, 6))).toEqual(['slot_full']);
    // 10:16: the booking did not come; its seat went back.
    expect(await reasons(e, hub, cst(10, 16))).toEqual([]);
  });

  it('off: the slot says nothing about walk-ins', async () => {
    expect(await reasons(enrolment(settings('off', 1)), pushed({ walkIns: 9 }, 0), cst(10, 30))).toEqual([]);
  });
});

describe('slot figures from a real hub, offline and back, never counting the door twice', () => {
  let hub: TestHub;
  let client: SyncClient | undefined;
  const slot = slotAt(Date.now(), 60, CST);
  const T = slot.start + 30 * MIN;
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    hub = await startTestHub({ now: () => T });
    await hub.store.bookings.saveSettings(hub.kiosk.venueId, settings('optional', 6), 'admin', T - 24 * 60 * MIN);
  });
  afterEach(async () => {
    client?.stop();
    await hub.close();
  });

  /** A kiosk's sync client storing each push as kiosk-app does; resolves the pushes as they come. */
  function connect() {
    const pushes: DoorSlots[] = [];
    const c = new SyncClient(hub.token, {
      url: hub.url,
      onSlots: (s, heldThrough) => {
        const stored = { ...s, heldThrough };
        pushes.push(stored);
        void saveVenueSlots(stored);
      },
    });
    c.start();
    return { c, pushes };
  }

  it('two admitted online, two offline, back online: the door counts four each time', async () => {
    const profile = await hub.store.venues.profile(hub.kiosk.venueId);
    const e = { ...enrolment(settings('optional', 6)), kioskId: hub.kiosk.id, venue: profile! } as Enrolment;
    const admit = (minutesIn: number) =>
      saveRecord((seq) => entranceRecord(hub.kiosk, seq, { kioskTime: toIsoWithOffset(slot.start + minutesIn * MIN, CST) }), slot.start + minutesIn * MIN);
    await admit(5);
    await admit(6);
    let s = connect();
    client = s.c;
    await expect.poll(() => s.pushes.at(-1)?.heldThrough).toBe(2);
    expect(s.pushes.at(-1)!.slots[0]).toMatchObject({ start: slot.start, walkIns: 2 });
    await expect.poll(async () => (await getVenueSlots())?.heldThrough).toBe(2);
    expect((await doorSlot(e, await getVenueSlots(), T))!.count.walkIns).toBe(2);

    client.stop();
    await admit(21);
    await admit(22);
    // Offline: the hub's 2 and this door's 2 since.
    expect((await doorSlot(e, await getVenueSlots(), T))!.count.walkIns).toBe(4);

    s = connect();
    client = s.c;
    await expect.poll(() => s.pushes.at(-1)?.heldThrough).toBe(4);
    expect(s.pushes.at(-1)!.slots[0]).toMatchObject({ walkIns: 4 });
    // Every push on the way (on connect: the hub's 2 with this door's 2 not yet sent; after the batch: 4) counts four.
    for (const p of s.pushes) expect((await doorSlot(e, p, T))!.count.walkIns).toBe(4);
  });
});
