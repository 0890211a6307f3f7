import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { bookingTicket } from '../../hub/src/services/bookings.js';
import { evaluateBatch } from '../../hub/src/services/flags.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import type { BookingsCancelled } from '../../shared/schemas/booking.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type KioskClient } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { bookingSettings, M, H, DAY, T0, SLOT, PASSWORD, GREEN } from '../support/booking-clock.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

const SETTINGS = bookingSettings(10);

describe('cancelled bookings reach the doors (docs/bookings.md "Cancels reach the doors")', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let now = T0;
  let kiosk: KioskIdentity;
  let kioskToken: string;
  let seq = 0;
  let socket: KioskClient | undefined;

  beforeEach(async () => {
    now = T0;
    seq = 0;
    store = await openTestStore(tmp.dir);
    const entranceId = await seedVenue(store, 'venue-a', { type: 'museum', ratedCapacity: 100 });
    const enrolled = await enrolKiosk(store, entranceId);
    kiosk = enrolled.kiosk;
    kioskToken = enrolled.token;
    await store.bookings.saveSettings('venue-a', SETTINGS, 'seed', T0 - DAY);
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, T0);
    await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, T0);
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now }));
  });
  afterEach(async () => {
    socket?.close();
    socket = undefined;
    await app.close();
    await store.close();
  });

  async function book(over: Record<string, unknown> = {}): Promise<string> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/bookings',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ venueId: 'venue-a', slotStart: SLOT, ticket: await bookingTicket(store, 'venue-a', now), people: [GREEN], commitment: false, ...over }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }
  const cancel = (id: string) => app.inject({ method: 'POST', url: `/api/bookings/${id}/cancel` });
  async function admit(at: number, bookingId: string) {
    const b = (await store.bookings.get(bookingId))!;
    const record = entranceRecord({ id: kiosk.id, venueId: 'venue-a' }, ++seq, {
      kioskTime: new Date(at).toISOString(),
      pass: { id: b.id, code: b.code, minute: b.codeMinute, person: 0, people: b.people, via: 'qr', src: 'booking' },
    });
    expect(await store.records.ingest([record], at)).toEqual([{ status: 'accepted' }]);
    return record;
  }
  async function listen(): Promise<string> {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    return `http://127.0.0.1:${address.port}`;
  }
  /** A kiosk socket collecting every 'bookings:cancelled'; `until` resolves once one names `id`. */
  async function door(url: string) {
    const seen: BookingsCancelled[] = [];
    const waiters: { id: string; resolve: () => void }[] = [];
    const s = await connectKiosk(url, kioskToken, (c) =>
      c.on('bookings:cancelled', (msg) => {
        seen.push(msg);
        for (const w of [...waiters]) if (msg.bookings.some((b) => b.id === w.id)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      }),
    );
    const until = (id: string) =>
      seen.some((m) => m.bookings.some((b) => b.id === id)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ id, resolve }));
    return { s, seen, until };
  }

  describe('the patron\'s cancel', () => {
    it('is refused from the slot\'s start less the grace, when the QR already opens the door (409 on slotStart)', async () => {
      const id = await book();
      const late = await book();
      now = SLOT - 16 * M;
      expect((await cancel(id)).statusCode).toBe(200);
      now = SLOT - 15 * M; // the policy's grace is 15 minutes: entry opens now
      const res = await cancel(late);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'conflict', field: 'slotStart' });
      expect((await store.bookings.get(late))!.cancelledAt).toBeNull();
    });

    it('is pushed to the venue\'s connected kiosks, and a kiosk connecting later gets the ids of slots not yet over', async () => {
      const url = await listen();
      const first = await door(url);
      socket = first.s;
      const id = await book();
      const kept = await book();
      now = T0 + M;
      const told = first.until(id);
      expect((await cancel(id)).statusCode).toBe(200);
      await told;
      expect(first.seen.find((m) => m.bookings.some((b) => b.id === id))).toEqual({ venueId: 'venue-a', bookings: [{ id, slotEnd: SLOT + H }] });
      first.s.close();

      const second = await door(url);
      socket = second.s;
      await second.until(id);
      const all = second.seen.flatMap((m) => m.bookings.map((b) => b.id));
      expect(all).toContain(id);
      expect(all).not.toContain(kept);
      second.s.close();

      // Once the slot is over its QR no longer admits anyway: nothing to tell.
      now = SLOT + H;
      const third = await door(url);
      socket = third.s;
      const otherId = await book({ slotStart: SLOT + 2 * H });
      const toldOther = third.until(otherId);
      expect((await cancel(otherId)).statusCode).toBe(200);
      await toldOther;
      expect(third.seen.flatMap((m) => m.bookings.map((b) => b.id))).not.toContain(id);
    });

    it('drops the contact number at once', async () => {
      const id = await book({ phone: '13912345678' });
      expect((await store.bookings.get(id))!.contact).not.toBeNull();
      expect((await cancel(id)).statusCode).toBe(200);
      expect((await store.bookings.get(id))!.contact).toBeNull();
    });
  });

  describe('POST /api/bookings/:id/admin-cancel', () => {
    it('lets the street admin cancel after entry opened, audited, pushed, and the booking page says the street office cancelled it; an inspector gets 403', async () => {
      const url = await listen();
      const d = await door(url);
      socket = d.s;
      const id = await book({ phone: '13912345678' });
      const admitted = await book({ phone: '13812345678', people: [GREEN, GREEN] });
      const unused = await book();
      now = SLOT + 5 * M;
      await admit(SLOT + 2 * M, admitted);

      const inspector = inspectorSession(app);
      await inspector.login('inspector-a', PASSWORD);
      expect((await inspector.post(`/api/bookings/${id}/admin-cancel`, { reason: 'emergency cap' })).statusCode).toBe(403);
      const admin = inspectorSession(app);
      await admin.login('admin', PASSWORD);
      expect((await admin.post(`/api/bookings/${id}/admin-cancel`, { reason: 'emergency cap' }, false)).statusCode).toBe(403);
      expect((await admin.post(`/api/bookings/${id}/admin-cancel`, {})).json().error).toMatchObject({ code: 'invalid', field: 'reason' });
      expect((await store.bookings.get(id))!.cancelledAt).toBeNull();

      const told = d.until(id);
      const res = await admin.post(`/api/bookings/${id}/admin-cancel`, { reason: 'emergency cap' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ id, cancelledAt: now });
      await told;
      expect(await store.bookings.get(id)).toMatchObject({ cancelledAt: now, cancelledBy: 'street_office', contact: null });
      const audit = await admin.get('/api/audit');
      expect(audit.body).toContain('booking_cancel');
      expect(audit.body).toContain('emergency cap');

      // Someone came in on this one: its number is tracing data and stays.
      expect((await admin.post(`/api/bookings/${admitted}/admin-cancel`, { reason: 'emergency cap' })).statusCode).toBe(200);
      expect((await store.bookings.get(admitted))!.contact).not.toBeNull();

      const page = await app.inject({ method: 'GET', url: `/booking/${id}` });
      expect(page.body).toContain('此预约已由街道办取消');
      const en = await app.inject({ method: 'GET', url: `/booking/${id}?lang=en` });
      expect(en.body).toContain('The street office cancelled this booking');
      const own = await book({ slotStart: SLOT + H });
      expect((await cancel(own)).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: `/booking/${own}` })).body).not.toContain('街道办取消');

      now = SLOT + H; // unused's slot is over: nothing left to cancel
      const over = await admin.post(`/api/bookings/${unused}/admin-cancel`, { reason: 'late' });
      expect(over.statusCode).toBe(409);
      expect(over.json().error).toMatchObject({ code: 'conflict', field: 'slotEnd' });
    });
  });

  describe('flags', () => {
    it('an admission on a cancelled booking at a venue admitting by booking only raises admitted_without_booking', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, mode: 'required' }, 'admin', T0 - DAY);
      const id = await book();
      const live = await book();
      now = T0 + M;
      expect((await cancel(id)).statusCode).toBe(200);
      now = SLOT + 5 * M;
      const onLive = await admit(SLOT + 1 * M, live);
      const onCancelled = await admit(SLOT + 2 * M, id);
      await evaluateBatch(store, kiosk, [onLive, onCancelled], now);
      const flags = await store.flags.list({ ...WHOLE_CITY, venueId: 'venue-a' });
      const raised = flags.filter((f) => f.rule === 'admitted_without_booking');
      expect(raised).toHaveLength(1);
      expect(raised[0]!.evidence).toMatchObject({ recordIds: [onCancelled.id], withoutBooking: 1 });
    });
  });
});
