import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { closeDb, isBookingCancelled, saveCancelledBookings, type Enrolment } from '../../kiosk/src/db.js';
import { checkPassInput } from '../../kiosk/src/pass-check.js';
import { generatePassKeys, signPass } from '../../shared/rules/pass-signature.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import { cstAt, cstMidnight } from '../support/clock.js';

const MIN = 60_000;
const keys = await generatePassKeys();
/** Venue-local wall time (UTC+8) today, the day the wall clock reads there: the door is given these instants as its clock. */
const TODAY = cstMidnight(0);
const cst = (hh: number, mm = 0) => cstAt(TODAY, hh, mm);
const SLOT = { start: cst(10), end: cst(11) };

const enrolment = {
  kioskId: 'kiosk-1',
  entranceId: 'venue-a-1',
  venue: { id: 'venue-a', type: 'museum', ratedCapacity: 100, openingHours: null, utcOffsetMinutes: 480, booking: { mode: 'required', slotMinutes: 60, slotCap: 5, maxParty: 5, daysAhead: 3 } },
  policy: { ...NORMAL_POLICY, bookingGraceMinutes: 15 },
  passKey: keys.publicKey,
} as unknown as Enrolment;

async function bookingQr() {
  const id = randomUUID();
  const text = await signPass(
    {
      v: 1, id, code: 'ABC234', venue: 'venue-a', entrance: 'venue-a-1', src: 'booking', pv: 1,
      iat: (SLOT.start - 15 * MIN) / 1000, exp: SLOT.end / 1000, slot: [SLOT.start / 1000, SLOT.end / 1000],
      people: [{ h: 'green' as const, i: 'local' as const }],
    },
    keys.privateKey,
  );
  return { id, text };
}

describe('a cancelled booking at the door (docs/bookings.md "Cancels reach the doors")', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('refuses the QR of a booking the hub said was cancelled with booking_cancelled, offline; others still admit', async () => {
    const cancelled = await bookingQr();
    const live = await bookingQr();
    await saveCancelledBookings([{ id: cancelled.id, slotEnd: SLOT.end }], cst(9));
    expect(await checkPassInput(cancelled.text, enrolment, cst(10, 5))).toEqual({ ok: false, reason: 'booking_cancelled' });
    expect(await checkPassInput(live.text, enrolment, cst(10, 5))).toMatchObject({ ok: true, pass: { id: live.id } });
  });

  it('keeps the ids across reloads, merges later pushes, and forgets those whose slot is over', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await saveCancelledBookings([{ id: a, slotEnd: SLOT.end }], cst(9));
    await closeDb(); // a reload: only IndexedDB is left
    await saveCancelledBookings([{ id: b, slotEnd: SLOT.end + 60 * MIN }], cst(9, 30));
    expect([await isBookingCancelled(a), await isBookingCancelled(b)]).toEqual([true, true]);
    await saveCancelledBookings([], SLOT.end);
    expect([await isBookingCancelled(a), await isBookingCancelled(b)]).toEqual([false, true]);
  });
});
