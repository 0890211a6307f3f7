import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { bookingTicket } from '../../hub/src/services/bookings.js';
import type { Store } from '../../hub/src/store/index.js';
import { locationOf, onPostgres, openTestStore } from '../support/store.js';
import { slotAt } from '../../shared/rules/slots.js';
import type { BookingSettings } from '../../shared/schemas/booking.js';
import { hubOptions, readDb, seedVenue, tempDir } from '../support/hub.js';
import { freePort, postBooking, spawnHub, type HubProcess } from '../support/hub-process.js';

const H = 60 * 60_000;
const SETTINGS: BookingSettings = { mode: 'required', slotMinutes: 60, slotCap: 50, maxParty: 6, daysAhead: 7 };

/**
 * No overbooking under load (003 §13 限量): 200 phones booking the 50 seats of one slot at once get
 * exactly 50 bookings, and every other one a clear "full" answer. Real HTTP
 * on 127.0.0.1; each request from its own address (X-Forwarded-For through a
 * trusted proxy, TRUST_PROXY), as 200 phones are, so the per-address rate
 * limit does not answer in the hub's place.
 */
describe('POST /api/bookings under contention', () => {
  const tmp = tempDir();
  let dataDir: string;
  let dbFile: string;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let spawned: HubProcess | undefined;
  /** A slot starting within the next two hours, on the wall clock (a spawned hub keeps the real time). */
  let slotStart: number;

  beforeEach(async () => {
    dataDir = join(tmp.dir, `data-${Math.random()}`);
    mkdirSync(dataDir, { recursive: true });
    store = await openTestStore(dataDir);
    dbFile = locationOf(store);
    await seedVenue(store, 'venue-a', { type: 'museum', ratedCapacity: 500 });
    await store.bookings.saveSettings('venue-a', SETTINGS, 'seed', Date.now());
    slotStart = slotAt(Date.now() + H, 60, 480).end;
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }), { trustProxy: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterEach(async () => {
    await spawned?.stop();
    spawned = undefined;
    await app.close();
    await store.close();
  });

  const book = (base: string, phone: number, people: number, ticket: string) => postBooking(base, phone, { venueId: 'venue-a', slotStart, ticket, people });

  const stored = async () =>
    (await store.sql.get("SELECT count(*) AS bookings, coalesce(sum(people), 0) AS people FROM bookings WHERE venue_id = 'venue-a' AND cancelled_at IS NULL")) as { bookings: number; people: number };

  it('200 simultaneous bookings of one person for 50 seats: exactly 50 booked, 150 told the slot is full', async () => {
    const ticket = await bookingTicket(store, 'venue-a', Date.now());
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => book(url, i, 1, ticket)));

    const won = outcomes.filter((o) => o.status === 201);
    const lost = outcomes.filter((o) => o.status !== 201);
    expect(won).toHaveLength(50);
    expect(new Set(won.map((o) => o.body.id)).size).toBe(50);
    expect(lost).toHaveLength(150);
    for (const o of lost) {
      expect(o.status).toBe(409);
      expect(o.body.error).toEqual({ code: 'conflict', field: 'slotStart', message: 'this slot is full for 1: no seats are left' });
    }
    expect(await stored()).toEqual({ bookings: 50, people: 50 });
  });

  it('parties of mixed sizes never take more than the cap, and every refused party was larger than the seats left', async () => {
    await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 37 }, 'seed', Date.now());
    const ticket = await bookingTicket(store, 'venue-a', Date.now());
    const outcomes = await Promise.all(Array.from({ length: 120 }, (_, i) => book(url, i, 1 + ((i * 7) % 6), ticket)));

    const booked = outcomes.filter((o) => o.status === 201).reduce((n, o) => n + o.people, 0);
    expect(booked).toBeLessThanOrEqual(37);
    expect((await stored()).people).toBe(booked);
    const refused = outcomes.filter((o) => o.status !== 201);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o.status).toBe(409);
      expect(o.body.error).toMatchObject({ code: 'conflict', field: 'slotStart' });
      // Seats only ever get taken here: refused then means refused now.
      expect(o.people).toBeGreaterThan(37 - booked);
    }
  });

  it('a cancelled booking\'s seat goes to the next phone, once', async () => {
    await store.bookings.saveSettings('venue-a', { ...SETTINGS, slotCap: 3 }, 'seed', Date.now());
    const ticket = await bookingTicket(store, 'venue-a', Date.now());
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => book(url, i, 1, ticket)));
    const id = first.find((o) => o.status === 201)!.body.id!;
    expect((await stored()).people).toBe(3);

    const cancelled = await fetch(`${url}/api/bookings/${id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => book(url, 100 + i, 1, ticket)));
    expect(again.filter((o) => o.status === 201)).toHaveLength(1);
    expect(await stored()).toEqual({ bookings: 3, people: 3 });
  });

  it('two hub processes on one database file never overbook between them', async () => {
    // A second hub, as server.ts runs it, on the same file: the seats are counted under SQLite's write lock, not in memory.
    spawned = await spawnHub(dataDir, await freePort(), { TRUST_PROXY: 'true', ...(onPostgres ? { DATABASE_URL: dbFile } : {}) });
    const ticket = await bookingTicket(store, 'venue-a', Date.now());
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => book(i % 2 ? url : spawned!.url, i, 1, ticket)));

    const won = outcomes.filter((o) => o.status === 201);
    expect(won).toHaveLength(50);
    // Neither process answered anything but "booked" or "full".
    for (const o of outcomes.filter((x) => x.status !== 201)) expect(o.body.error).toMatchObject({ code: 'conflict', field: 'slotStart' });
    expect(await stored()).toEqual({ bookings: 50, people: 50 });
  }, 60_000);
});
