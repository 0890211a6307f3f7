import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { HubKeys } from '../../hub/src/keys.js';
import { decryptContact } from '../../hub/src/services/contact-cipher.js';
import { bookingTicket, overbookedSlots, slotsForDay, venueSlots } from '../../hub/src/services/bookings.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { verifyPass } from '../../shared/rules/pass-signature.js';
import type { BookingSettings, VenueSlots } from '../../shared/schemas/booking.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import type { VenueProfile } from '../../shared/schemas/enrolment.js';
import type { CorrectionRecord } from '../../shared/schemas/record.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type KioskClient, seedAccounts } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord, recordBase } from '../support/records.js';
import { bookingSettings, M, H, DAY, T0, SLOT, PASSWORD, GREEN } from '../support/booking-clock.js';
import { draftOf } from '../../hub/src/services/venue-csv.js';

const SETTINGS = bookingSettings(10);

describe('bookings (003 §13 限量、预约、错峰)', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let keys: HubKeys;
  let now = T0;
  let kioskId: string;
  let kioskToken: string;
  let seq = 0;

  beforeEach(async () => {
    now = T0;
    seq = 0;
    store = await openTestStore(tmp.dir);
    const entranceId = await seedVenue(store, 'venue-a', { type: 'museum', ratedCapacity: 100 });
    await seedVenue(store, 'venue-b', { type: 'museum', ratedCapacity: 100 });
    const enrolled = await enrolKiosk(store, entranceId);
    kioskId = enrolled.kiosk.id;
    kioskToken = enrolled.token;
    await store.bookings.saveSettings('venue-a', SETTINGS, 'seed', T0 - DAY);
    await seedAccounts(store, PASSWORD, T0);
    const opts = await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now });
    keys = opts.keys;
    app = await buildHub(opts);
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function book(over: Record<string, unknown> = {}, venueId = 'venue-a') {
    return app.inject({
      method: 'POST',
      url: '/api/bookings',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ venueId, slotStart: SLOT, ticket: await bookingTicket(store, venueId, now), people: [GREEN], commitment: false, ...over }),
    });
  }
  const party = (n: number) => Array.from({ length: n }, () => GREEN);
  /** The venue's door admits person `person` of a booking, or a walk-in when no booking is named, at `at`. */
  async function admit(at: number, booking?: { id: string; person?: number }) {
    const b = booking && (await store.bookings.get(booking.id));
    const record = entranceRecord({ id: kioskId, venueId: 'venue-a' }, ++seq, {
      kioskTime: new Date(at).toISOString(),
      ...(booking
        ? { pass: { id: booking.id, code: b?.code ?? 'AAAAAA', minute: b?.codeMinute ?? 0, person: booking.person ?? 0, people: b?.people ?? 1, via: 'qr', src: 'booking' } }
        : {}),
    });
    expect(await store.records.ingest([record], at)).toEqual([{ status: 'accepted' }]);
    return record.id;
  }

  describe('POST /api/bookings', () => {
    it('books seats: a signed pass for the slot, valid from the start less the grace to the end, the number sealed', async () => {
      const res = await book({ people: [GREEN, { ...GREEN, label: '外婆' }], phone: '+86 139 1234 5678' });
      expect(res.statusCode, res.body).toBe(201);
      const { id, url } = res.json();
      expect(url).toBe(`/booking/${id}`);
      const stored = (await store.bookings.get(id))!;
      expect(stored).toMatchObject({ venueId: 'venue-a', slotStart: SLOT, slotEnd: SLOT + H, people: 2, bookedAt: T0, cancelledAt: null, verdict: 'enter' });
      expect(stored.party.map((p) => p.n)).toEqual([undefined, '外婆']);
      expect(decryptContact(stored.contact!, keys.contactKey)).toBe('13912345678');

      const checked = await verifyPass(stored.signed, keys.passSigning.publicKey, 'venue-a', SLOT);
      expect(checked.ok).toBe(true);
      expect(checked.pass).toMatchObject({
        id,
        code: stored.code,
        venue: 'venue-a',
        entrance: 'venue-a-1',
        src: 'booking',
        iat: (SLOT - 15 * M) / 1000,
        exp: (SLOT + H) / 1000,
        slot: [SLOT / 1000, (SLOT + H) / 1000],
        pv: 1,
      });
      // An hour early the door's own check already refuses it (the kiosk says when it may enter).
      expect(await verifyPass(stored.signed, keys.passSigning.publicKey, 'venue-a', SLOT - H)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
    });

    it('numbers a booking from the venue\'s pass codes: a pass and a booking never share a code', async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const res = await book();
        codes.add((await store.bookings.get(res.json().id))!.code);
      }
      const n = await store.passes.nextNumber('venue-a', Math.floor(now / M));
      expect(n).toBe(5);
      expect(codes.size).toBe(5);
    });

    it.each([
      ['a start no slot has', { slotStart: SLOT + M }, 400, 'slotStart', /no 60-minute slot/],
      ['a slot begun past its grace', { slotStart: T0 - H }, 400, 'slotStart', /has begun/],
      ['a slot beyond daysAhead', { slotStart: SLOT + 4 * DAY }, 400, 'slotStart', /at most 3 days ahead/],
      ['a party above maxParty', { people: party(5) }, 400, 'people', /at most 4 people/],
      ['a forged ticket', { ticket: '1759284000000.AAAAAAAAAAAAAAAAAAAAAA' }, 400, 'ticket', /not served by this hub/],
      ['an unknown field', { seats: 3 }, 400, '', /seats/],
      ['a phone that is not a mobile number', { phone: '12345' }, 400, 'phone', /11-digit/],
    ])('refuses %s, naming the field', async (_what, over, status, field, message) => {
      const res = await book(over);
      expect(res.statusCode, res.body).toBe(status);
      const { error } = res.json();
      expect(error.code).toBe('invalid');
      if (field) expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
      expect(await store.bookings.count()).toBe(0);
    });

    it('caps live bookings per number, venue and day (keyed by a hash of the normalised number)', async () => {
      const phone = '13912345678';
      const first = await book({ phone });
      expect(first.statusCode, first.body).toBe(201);
      // The same number however typed: the hub keys the normalised one.
      expect((await book({ phone: '+86 139-1234-5678', slotStart: SLOT + H })).statusCode).toBe(201);
      const third = await book({ phone, slotStart: SLOT + 2 * H });
      expect(third.statusCode, third.body).toBe(409);
      expect(third.json().error).toMatchObject({ code: 'conflict', field: 'phone', message: expect.stringMatching(/already holds 2 bookings.*at most 2/) });
      expect(await store.bookings.count()).toBe(2);
      // Another number, no number, and the same number on another day are not held back.
      expect((await book({ phone: '13800000000', slotStart: SLOT + 2 * H })).statusCode).toBe(201);
      expect((await book({ slotStart: SLOT + 2 * H })).statusCode).toBe(201);
      expect((await book({ phone, slotStart: SLOT + DAY })).statusCode).toBe(201);
      // A cancelled booking no longer counts ...
      expect((await app.inject({ method: 'POST', url: `/api/bookings/${first.json().id}/cancel` })).statusCode).toBe(200);
      const again = await book({ phone, slotStart: SLOT + 2 * H });
      expect(again.statusCode, again.body).toBe(201);
      expect((await book({ phone, slotStart: SLOT + 3 * H })).json().error.field).toBe('phone');
      // ... nor does one whose slot is over.
      now = SLOT + 2 * H;
      expect((await book({ phone, slotStart: SLOT + 3 * H })).statusCode).toBe(201);
    });

    it('still books the slot now begun, within its grace; today only when daysAhead is 0', async () => {
      now = SLOT + 15 * M;
      expect((await book()).statusCode).toBe(201);
      now = SLOT + 15 * M + 1;
      expect((await book()).json().error.field).toBe('slotStart');
      now = T0;
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, daysAhead: 0 }, 'admin', T0);
      expect((await book()).statusCode).toBe(201);
      const res = await book({ slotStart: SLOT + DAY });
      expect(res.json().error).toMatchObject({ field: 'slotStart', message: expect.stringMatching(/today only/) });
    });

    it('offers only slots inside the opening hours', async () => {
      await store.venues.save(
        [{ kind: 'update', id: 'venue-a', draft: { ...draftOf((await store.venues.get('venue-a'))!), openingHours: { open: '09:00', close: '14:30' } } }],
        T0,
      );
      expect((await book({ slotStart: T0 + 3 * H })).statusCode).toBe(201); // 13:00–14:00
      const late = await book({ slotStart: SLOT }); // 14:00–15:00 runs past closing
      expect(late.statusCode).toBe(400);
      expect(late.json().error.field).toBe('slotStart');
      expect(slotsOfDayStarts(await slotsForDay(store, 'venue-a', T0, T0))).toEqual([9, 10, 11, 12, 13]);
    });

    it('refuses a venue taking no bookings, an unknown venue, and an expired form', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, mode: 'off' }, 'admin', T0);
      const off = await book();
      expect(off.statusCode).toBe(409);
      expect(off.json().error).toMatchObject({ code: 'conflict', field: 'venueId', message: 'this venue takes no bookings' });
      const never = await book({}, 'venue-b');
      expect(never.json().error).toMatchObject({ code: 'conflict', field: 'venueId' });
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/bookings',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ venueId: 'nowhere', slotStart: SLOT, ticket: 'x', people: [GREEN], commitment: false }),
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.field).toBe('venueId');

      await store.bookings.saveSettings('venue-a', SETTINGS, 'admin', T0);
      const ticket = await bookingTicket(store, 'venue-a', now);
      now = T0 + 16 * M;
      const expired = await book({ ticket });
      expect(expired.statusCode).toBe(410);
      expect(expired.json().error).toMatchObject({ code: 'expired', field: 'ticket' });
    });

    it('answers a full slot 409 conflict on slotStart with the seats left, and never books past the cap', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 5 }, 'admin', T0);
      expect((await book({ people: party(3) })).statusCode).toBe(201);
      const three = await book({ people: party(3) });
      expect(three.statusCode).toBe(409);
      expect(three.json().error).toEqual({ code: 'conflict', field: 'slotStart', message: 'this slot is full for 3: only 2 seats are left' });
      expect((await book({ people: party(2) })).statusCode).toBe(201);
      const one = await book();
      expect(one.json().error.message).toBe('this slot is full for 1: no seats are left');
      // Another slot is untouched.
      expect((await book({ slotStart: SLOT + H })).statusCode).toBe(201);
      expect(await store.bookings.count()).toBe(3);
    });

    it('holds a slot to the policy\'s cap: emergency halves a museum, and a closed venue type offers no seats', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 80 }, 'admin', T0);
      const { version: _v, ...emergency } = EMERGENCY_POLICY;
      await store.policies.activate(emergency, T0, { communityId: 'c-venue-a' });
      expect((await book({ people: party(4), slotStart: SLOT })).statusCode).toBe(201);
      const [current] = (await venueSlots(store, 'venue-a', SLOT - 30 * M)).slots.filter((s) => s.start === SLOT);
      expect(current).toMatchObject({ cap: 50, booked: 4, seatsLeft: 46 });

      await store.policies.activate({ ...emergency, closedVenueTypes: ['museum'] }, T0, { communityId: 'c-venue-a' });
      const closed = await book();
      expect(closed.statusCode).toBe(409);
      expect(closed.json().error).toMatchObject({ field: 'policy', message: expect.stringMatching(/closed under the policy/) });
    });

    it('counts people admitted in the slot without a booking against its seats', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 3 }, 'admin', T0);
      now = SLOT + 5 * M;
      await admit(SLOT + M);
      await admit(SLOT + 2 * M);
      expect((await book({ people: party(2) })).json().error.message).toBe('this slot is full for 2: only 1 seat is left');
      expect((await book()).statusCode).toBe(201);
    });
  });

  describe('POST /api/bookings/:id/cancel', () => {
    const cancel = (id: string) => app.inject({ method: 'POST', url: `/api/bookings/${id}/cancel` });

    it('frees the seats, and a second cancel answers the first', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 2 }, 'admin', T0);
      const { id } = (await book({ people: party(2) })).json();
      expect((await book()).statusCode).toBe(409);
      now = T0 + M;
      const first = await cancel(id);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toEqual({ id, cancelledAt: T0 + M });
      now = T0 + 2 * M;
      expect((await cancel(id)).json()).toEqual({ id, cancelledAt: T0 + M });
      expect((await book({ people: party(2) })).statusCode).toBe(201);
    });

    it('refuses a slot already begun, a booking used at the door, and an unknown id', async () => {
      const { id } = (await book()).json();
      const used = (await book()).json().id as string;
      await admit(SLOT - 5 * M, { id: used });
      now = SLOT - M;
      const usedRes = await cancel(used);
      expect(usedRes.statusCode).toBe(409);
      expect(usedRes.json().error).toMatchObject({ code: 'conflict', field: 'admitted', message: 'this booking was already used at the door' });
      now = SLOT;
      const begun = await cancel(id);
      expect(begun.statusCode).toBe(409);
      expect(begun.json().error).toMatchObject({ code: 'conflict', field: 'slotStart', message: expect.stringMatching(/begun slot cannot be cancelled/) });
      expect((await store.bookings.get(id))!.cancelledAt).toBeNull();
      const unknown = await cancel('00000000-0000-4000-8000-000000000000');
      expect(unknown.statusCode).toBe(404);
      expect((await cancel('not-a-uuid')).json().error).toMatchObject({ code: 'invalid', field: 'id' });
    });
  });

  describe('slots:venue to the venue\'s kiosks', () => {
    let socket: KioskClient | undefined;
    afterEach(() => socket?.close());

    it('pushes the current and next slot after a booking and after a cancel', async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (typeof address !== 'object' || !address) throw new Error('no address');
      const seen: VenueSlots[] = [];
      const waiters: { pred: (s: VenueSlots) => boolean; resolve: (s: VenueSlots) => void }[] = [];
      socket = await connectKiosk(`http://127.0.0.1:${address.port}`, kioskToken, (s) =>
        s.on('slots:venue', (slots) => {
          seen.push(slots);
          for (const w of waiters.splice(0)) (w.pred(slots) ? w.resolve : (x: VenueSlots) => void waiters.push(w))(slots);
        }),
      );
      const next = (pred: (s: VenueSlots) => boolean) => new Promise<VenueSlots>((resolve) => waiters.push({ pred, resolve }));
      const bookedIn = (s: VenueSlots) => s.slots.find((x) => x.start === SLOT)?.booked;

      now = SLOT - 30 * M; // the current slot is 13:00–14:00, the next the booked one
      const afterBooking = next((s) => bookedIn(s) === 3);
      const { id } = (await book({ people: party(3) })).json();
      const pushed = await afterBooking;
      // The rest of the day's slots follow (services/bookings.ts venueSlots); these two are the ones booked around.
      expect({ ...pushed, slots: pushed.slots.slice(0, 2) }).toEqual({
        venueId: 'venue-a',
        mode: 'optional',
        at: SLOT - 30 * M,
        slots: [
          { start: SLOT - H, end: SLOT, cap: 10, booked: 0, arrivedBooked: 0, walkIns: 0, seatsLeft: 10 },
          { start: SLOT, end: SLOT + H, cap: 10, booked: 3, arrivedBooked: 0, walkIns: 0, seatsLeft: 7 },
        ],
      });
      expect((pushed.slots.at(-1)!.end + 480 * M) % (24 * H)).toBe(0); // up to the venue's midnight (UTC+8)
      const afterCancel = next((s) => bookedIn(s) === 0);
      await app.inject({ method: 'POST', url: `/api/bookings/${id}/cancel` });
      expect((await afterCancel).slots[1]).toMatchObject({ booked: 0, seatsLeft: 10 });
    });
  });

  describe('slot counts', () => {
    it('counts booked, booked people who came (each once), and walk-ins, and releases no-shows\' seats after the grace', async () => {
      const a = (await book({ people: party(3) })).json().id as string;
      (await book({ people: party(2) })).json();
      const c = (await book({ people: party(1) })).json().id as string;
      await admit(SLOT - 10 * M, { id: a, person: 0 });
      await admit(SLOT - 10 * M, { id: a, person: 1 });
      await admit(SLOT - 9 * M, { id: a, person: 1 }); // the same person again: one arrival
      await admit(SLOT + 5 * M); // a walk-in in the slot
      await admit(SLOT - 5 * M); // a walk-in of the slot before
      const walkInUndone = await admit(SLOT + 6 * M);
      const correction: CorrectionRecord = { ...recordBase({ id: kioskId, venueId: 'venue-a' }, ++seq), kioskTime: new Date(SLOT + 6 * M + 30_000).toISOString(), type: 'correction', correctsId: walkInUndone, reason: '误录' };
      expect(await store.records.ingest([correction], SLOT + 7 * M)).toEqual([{ status: 'accepted' }]);
      // A cancelled booking's seat is free; someone let in on it anyway is a walk-in.
      now = T0 + M;
      await app.inject({ method: 'POST', url: `/api/bookings/${c}/cancel` });
      await admit(SLOT + 8 * M, { id: c });

      const inGrace = await slotsForDay(store, 'venue-a', SLOT, SLOT + 10 * M);
      expect(inGrace.find((s) => s.start === SLOT)).toEqual({ start: SLOT, end: SLOT + H, cap: 10, booked: 5, arrivedBooked: 2, walkIns: 2, seatsLeft: 3 });
      expect(inGrace.find((s) => s.start === SLOT - H)).toMatchObject({ booked: 0, walkIns: 1 });
      expect(inGrace).toHaveLength(24);
      const afterGrace = await slotsForDay(store, 'venue-a', SLOT, SLOT + 16 * M);
      expect(afterGrace.find((s) => s.start === SLOT)).toMatchObject({ booked: 5, arrivedBooked: 2, walkIns: 2, seatsLeft: 6 });
    });

    it('names no slots at a venue taking no bookings', async () => {
      expect(await slotsForDay(store, 'venue-b', T0, T0)).toEqual([]);
      expect(await venueSlots(store, 'venue-b', T0)).toEqual({ venueId: 'venue-b', mode: 'off', slots: [], at: T0 });
    });

    it('lists bookings over a cap that shrank, last booked first', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 80 }, 'admin', T0);
      const ids: string[] = [];
      for (let i = 0; i < 14; i++) {
        now = T0 + i * M;
        ids.push((await book({ people: party(4) })).json().id);
      }
      now = T0 + H;
      const { version: _v, ...emergency } = EMERGENCY_POLICY;
      await store.policies.activate({ ...emergency, capPercent: { default: 100, byVenueType: { museum: 50 } } }, now);
      const over = await overbookedSlots(store, now);
      // 50 seats: twelve parties of 4 fit (48), the last two do not.
      expect(over).toHaveLength(1);
      expect(over[0]!.venueId).toBe('venue-a');
      expect(over[0]!.slotStart).toBe(SLOT);
      expect(over[0]!.bookings.map((b) => b.id)).toEqual([ids[13], ids[12]]);
      // Slots already over are not listed.
      expect(await overbookedSlots(store, SLOT + H)).toEqual([]);
    });
  });

  describe('GET and POST /api/venues/:id/booking', () => {
    it('gives the booking link on the hub\'s PUBLIC_URL when set (the printed QR), as the enrolment link', async () => {
      const publicHub = await buildHub({ ...(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now })), publicUrl: 'https://hub.example.cn' });
      try {
        const own = inspectorSession(publicHub);
        await own.login('inspector-a', PASSWORD);
        expect((await own.get('/api/venues/venue-a/booking')).json()).toMatchObject({
          bookingPath: '/book/venue-a',
          bookingUrl: 'https://hub.example.cn/book/venue-a',
        });
      } finally {
        await publicHub.close();
      }
    });

    it('lets only a signed-in account of the venue\'s community read, and only the street admin save with the CSRF token', async () => {
      expect((await app.inject('/api/venues/venue-a/booking')).statusCode).toBe(401);
      const other = inspectorSession(app);
      await other.login('inspector-b', PASSWORD);
      expect((await other.get('/api/venues/venue-a/booking')).statusCode).toBe(403);
      const own = inspectorSession(app);
      await own.login('inspector-a', PASSWORD);
      const read = await own.get('/api/venues/venue-a/booking');
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual({
        venueId: 'venue-a',
        settings: SETTINGS,
        saved: true,
        updatedAt: T0 - DAY,
        updatedBy: 'seed',
        policyVersion: 1,
        policyCap: 100,
        slotCap: 10,
        capped: false,
        overbooked: 0,
        bookingPath: '/book/venue-a',
        bookingUrl: 'http://localhost:80/book/venue-a',
      });
      const save = await own.post('/api/venues/venue-a/booking', { ...SETTINGS, slotCap: 20 });
      expect(save.statusCode).toBe(403);
      const admin = inspectorSession(app);
      await admin.login('admin', PASSWORD);
      expect((await admin.post('/api/venues/venue-a/booking', SETTINGS, false)).statusCode).toBe(403);
      expect((await admin.get('/api/venues/nowhere/booking')).json().error).toMatchObject({ code: 'not_found', field: 'id' });
      expect((await store.bookings.settings('venue-a')).slotCap).toBe(10);
    });

    it('saves, accepts a slot cap above the policy\'s but says the slots offer the lower, audits, and pushes the profile to the venue\'s kiosks', async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (typeof address !== 'object' || !address) throw new Error('no address');
      let resolveProfile: (p: VenueProfile) => void = () => {};
      const profile = new Promise<VenueProfile>((r) => (resolveProfile = r));
      const socket = await connectKiosk(`http://127.0.0.1:${address.port}`, kioskToken, (s) =>
        s.on('venue:profile', (p) => {
          if (p.booking?.mode === 'required') resolveProfile(p);
        }),
      );
      try {
        const admin = inspectorSession(app);
        await admin.login('admin', PASSWORD);
        now = T0 + M;
        const next: BookingSettings = { mode: 'required', slotMinutes: 30, slotCap: 150, maxParty: 6, daysAhead: 7 };
        const res = await admin.post('/api/venues/venue-a/booking', next);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ settings: next, saved: true, updatedAt: T0 + M, updatedBy: 'admin', policyCap: 100, slotCap: 100, capped: true });
        expect((await profile).booking).toEqual(next);
        expect((await store.venues.profile('venue-a'))!.booking).toEqual(next);
        expect((await store.venues.profile('venue-b'))!.booking).toBeUndefined();
        const [entry] = (await store.audit.list({ limit: 5 })).filter((a) => a.action === 'booking_settings');
        expect(entry).toMatchObject({ accountName: 'admin', target: 'venue-a', detail: { from: SETTINGS, to: next, slotCap: 100, policyCap: 100 } });
      } finally {
        socket.close();
      }
    });

    it('names the field of a bad setting, and keeps the slot length while bookings of slots to come use it', async () => {
      const admin = inspectorSession(app);
      await admin.login('admin', PASSWORD);
      const bad = await admin.post('/api/venues/venue-a/booking', { ...SETTINGS, slotMinutes: 25 });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'invalid', field: 'slotMinutes' });
      expect((await admin.post('/api/venues/venue-a/booking', { ...SETTINGS, maxParty: 7 })).json().error.field).toBe('maxParty');

      const { id } = (await book()).json();
      const clash = await admin.post('/api/venues/venue-a/booking', { ...SETTINGS, slotMinutes: 30 });
      expect(clash.statusCode).toBe(409);
      expect(clash.json().error).toMatchObject({ code: 'conflict', field: 'slotMinutes', message: expect.stringMatching(/^1 bookings/) });
      // The same length with a lower cap is fine, and says how many bookings no longer fit.
      await book({ people: party(3) });
      const lower = await admin.post('/api/venues/venue-a/booking', { ...SETTINGS, slotCap: 2 });
      expect(lower.json()).toMatchObject({ slotCap: 2, overbooked: 1 });
      await app.inject({ method: 'POST', url: `/api/bookings/${id}/cancel` });
      await app.inject({ method: 'POST', url: `/api/bookings/${(await store.bookings.future('venue-a', now))[0]!.id}/cancel` });
      expect((await admin.post('/api/venues/venue-a/booking', { ...SETTINGS, slotMinutes: 30 })).statusCode).toBe(200);
    });
  });
});

/** Slot starts as venue-local hours (UTC+8). */
function slotsOfDayStarts(slots: readonly { start: number }[]): number[] {
  return slots.map((s) => new Date(s.start + 8 * H).getUTCHours());
}
