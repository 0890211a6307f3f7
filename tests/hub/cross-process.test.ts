import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { bookingTicket } from '../../hub/src/services/bookings.js';
import { connectedKioskIds } from '../../hub/src/sockets/kiosks.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { DASHBOARD_NAMESPACE, KIOSK_NAMESPACE } from '../../shared/events.js';
import type { BookingsCancelled, VenueSlots } from '../../shared/schemas/booking.js';
import type { Flag } from '../../shared/schemas/flags.js';
import type { KioskView } from '../../shared/schemas/kiosk-admin.js';
import type { PolicyDraft } from '../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY, type Policy } from '../../shared/schemas/policy.js';
import type { VenueOccupancy } from '../../shared/schemas/sync.js';
import { bookingSettings, DAY, GREEN, PASSWORD, SLOT, T0 } from '../support/booking-clock.js';
import { connectDashboard, connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type DashboardClient, type KioskClient } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { testClock } from '../support/policy-street.js';
import { entranceRecord } from '../support/records.js';
import { locationOf, onPostgres, openTestStore } from '../support/store.js';

/**
 * Two hub processes on one PostgreSQL database behave as one hub (docs/architecture.md "Several
 * hub processes"): two real hubs in this process, each with its own store on the same database and
 * its own Fastify on 127.0.0.1, so each has its own socket.io server joined to the other only
 * through @socket.io/postgres-adapter. A kiosk of venue-a on hub A, another door of venue-a and the
 * street admin's dashboard on hub B; what one hub pushes reaches the sockets on the other.
 */

/** Polls until `check` holds; a generous bound, so a slow machine never fails it (no timed assertion). */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Everything a socket hears, by event, in order. */
function ears<S extends { on(event: string, listener: (...args: any[]) => void): unknown }>(socket: S, events: readonly string[]): Map<string, unknown[]> {
  const heard = new Map<string, unknown[]>(events.map((e) => [e, []]));
  for (const e of events) socket.on(e, (payload: unknown) => heard.get(e)!.push(payload));
  return heard;
}

const KIOSK_EVENTS = ['policy:update', 'occupancy:venue', 'slots:venue', 'bookings:cancelled', 'kiosk:revoked', 'venue:secret', 'disconnect'] as const;
const DASHBOARD_EVENTS = ['kiosk:status', 'flag:raised', 'policy:changed'] as const;
const draft = ({ version: _v, ...p }: Policy): PolicyDraft => p;

describe.skipIf(!onPostgres)('two hub processes on one PostgreSQL database (skipped on SQLite: one process owns a SQLite file)', () => {
  const clock = testClock(T0);
  const tmp = tempDir();
  let stores: Store[] = [];
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  const sockets: { close(): unknown }[] = [];
  let doorA: { kiosk: KioskIdentity; token: string };
  let doorB: { kiosk: KioskIdentity; token: string };
  let kioskA: KioskClient;
  let kioskB: KioskClient;
  let dashboardB: DashboardClient;
  let heardA: Map<string, unknown[]>;
  let heardB: Map<string, unknown[]>;
  let heardDashboard: Map<string, unknown[]>;
  let adminB: ReturnType<typeof inspectorSession>;

  const hub = async (store: Store): Promise<string> => {
    const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'no-kiosk-build'), now: clock.now }));
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    return `http://127.0.0.1:${address.port}`;
  };

  beforeAll(async () => {
    const first = await openTestStore(tmp.dir);
    stores = [first, await openStore(locationOf(first))];
    const [storeA] = stores as [Store, Store];
    const entranceA = await seedVenue(storeA, 'venue-a', { type: 'museum', ratedCapacity: 100 });
    await storeA.venues.addEntrance({ id: 'venue-a-2', venueId: 'venue-a', name: '侧门' });
    doorA = await enrolKiosk(storeA, entranceA);
    doorB = await enrolKiosk(storeA, 'venue-a-2');
    await storeA.bookings.saveSettings('venue-a', bookingSettings(10), 'seed', T0 - DAY);
    await storeA.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, clock.now());
    urls.push(await hub(stores[0]!), await hub(stores[1]!));
    // Each process hears of the other by its heartbeats on every namespace.
    for (const app of apps) {
      for (const ns of [KIOSK_NAMESPACE, DASHBOARD_NAMESPACE]) await until(async () => (await app.io.of(ns).adapter.serverCount()) === 2, `hub processes to hear of each other on ${ns}`);
    }
    adminB = inspectorSession(urls[1]!);
    await adminB.login('admin', PASSWORD);
    dashboardB = await connectDashboard(urls[1]!, `vc_session=${adminB.cookies().vc_session ?? ''}`, (s) => (heardDashboard = ears(s, DASHBOARD_EVENTS)));
    kioskA = await connectKiosk(urls[0]!, doorA.token, (s) => (heardA = ears(s, KIOSK_EVENTS)));
    kioskB = await connectKiosk(urls[1]!, doorB.token, (s) => (heardB = ears(s, KIOSK_EVENTS)));
    sockets.push(dashboardB, kioskA, kioskB);
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const app of apps) await app.close();
    for (const store of stores) await store.close();
    tmp.remove();
  });

  it("counts A's kiosk as connected on B: the admin's kiosk list, the policy desk, and the flag sweep's set", async () => {
    const list = (await adminB.get('/api/kiosks')).json() as { items: KioskView[] };
    expect(Object.fromEntries(list.items.map((k) => [k.id, k.connected]))).toEqual({ [doorA.kiosk.id]: true, [doorB.kiosk.id]: true });
    const desk = (await adminB.get('/api/policy')).json() as { communities: { id: string; connected: number }[] };
    expect(desk.communities).toEqual([expect.objectContaining({ id: 'c-venue-a', connected: 2 })]);
    // What the flag sweep (run by whichever process holds its lease) counts as connected.
    expect(await connectedKioskIds(apps[1]!.io)).toEqual(new Set([doorA.kiosk.id, doorB.kiosk.id]));
    // The kiosk's own view, as B's dashboard heard it when A's kiosk connected.
    await until(() => heardDashboard.get('kiosk:status')!.some((v) => (v as KioskView).id === doorA.kiosk.id && (v as KioskView).connected), "A's kiosk view on B's dashboard");
  });

  it("a batch through A: B's door hears the venue's new occupancy and slot counts, B's dashboard the flag it raised", async () => {
    const skipped = entranceRecord(doorA.kiosk, 1, {
      kioskTime: new Date(clock.now()).toISOString(),
      checks: { scan: { outcome: 'scanned' }, temperature: { outcome: 'skipped', reason: '测温枪没电' }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } },
    });
    const res = await kioskA.emitWithAck('records:push', { records: [skipped] });
    expect(res).toMatchObject({ ok: true, data: { results: [{ status: 'accepted' }] } });

    const inside = (o: VenueOccupancy) => Object.fromEntries(o.entrances.map((e) => [e.kioskId, e.inside]));
    await until(() => heardB.get('occupancy:venue')!.some((o) => inside(o as VenueOccupancy)[doorA.kiosk.id] === 1), "the occupancy on B's door");
    expect(inside(heardB.get('occupancy:venue')!.at(-1) as VenueOccupancy)).toEqual({ [doorA.kiosk.id]: 1, [doorB.kiosk.id]: 0 });
    // The walk-in counted in the current slot, at the other door too.
    await until(() => heardB.get('slots:venue')!.some((s) => (s as VenueSlots).slots[0]?.walkIns === 1), "the slot counts on B's door");
    await until(() => heardDashboard.get('flag:raised')!.length > 0, "the flag on B's dashboard");
    expect(heardDashboard.get('flag:raised')).toEqual([expect.objectContaining({ venueId: 'venue-a', rule: 'skipped_check', evidence: expect.objectContaining({ recordIds: [skipped.id] }) })]);
    expect((heardDashboard.get('flag:raised')![0] as Flag).communityId).toBe('c-venue-a');
  });

  it("a booking cancelled through B reaches A's door", async () => {
    const booked = await fetch(`${urls[1]}/api/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ venueId: 'venue-a', slotStart: SLOT, ticket: await bookingTicket(stores[1]!, 'venue-a', clock.now()), people: [GREEN], commitment: false }),
    });
    expect(booked.status).toBe(201);
    const { id } = (await booked.json()) as { id: string };
    expect((await fetch(`${urls[1]}/api/bookings/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    await until(() => heardA.get('bookings:cancelled')!.some((m) => (m as BookingsCancelled).bookings.some((b) => b.id === id)), "the cancel on A's door");
  });

  it("a policy switch through B reaches A's kiosk, and its acknowledgement shows on B's dashboard", async () => {
    const res = await adminB.post('/api/policy/switch', { policy: draft(EMERGENCY_POLICY), communityId: null, reason: '区防控指挥部通知' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'switched', version: { version: 2, mode: 'emergency' }, kiosks: 2, connected: 2 });
    await until(() => heardA.get('policy:update')!.some((p) => (p as Policy).version === 2), "the switch on A's kiosk");
    await until(() => heardB.get('policy:update')!.some((p) => (p as Policy).version === 2), "the switch on B's kiosk");
    await until(() => heardDashboard.get('policy:changed')!.length > 0, "the switch on B's dashboard");

    expect(await kioskA.emitWithAck('policy:ack', { version: 2 })).toEqual({ ok: true, data: { version: 2 } });
    await until(
      () => heardDashboard.get('kiosk:status')!.some((v) => (v as KioskView).id === doorA.kiosk.id && (v as KioskView).policyVersionAcked === 2),
      "A's kiosk's acknowledgement on B's dashboard",
    );
  });

  it("a revoke through B cuts A's kiosk, told why; B's door gets the rotated pass-code secret", async () => {
    const secretsBefore = heardB.get('venue:secret')!.length;
    const res = await adminB.post(`/api/kiosks/${doorA.kiosk.id}/revoke`, { reason: 'stolen' });
    expect(res.statusCode, res.body).toBe(200);
    await until(() => heardA.get('disconnect')!.length > 0, "A's kiosk cut");
    expect(heardA.get('kiosk:revoked')).toEqual([{ reason: 'stolen' }]);
    expect(heardA.get('disconnect')).toEqual(['io server disconnect']);
    // Its view, read after the cut, asks A too: no socket of it is left there.
    expect(res.json()).toMatchObject({ id: doorA.kiosk.id, state: 'revoked', connected: false });
    await until(() => heardB.get('venue:secret')!.length > secretsBefore, "the new secret on B's door");
    expect(kioskB.connected).toBe(true);
    expect(await connectedKioskIds(apps[0]!.io)).toEqual(new Set([doorB.kiosk.id]));
  });
});
