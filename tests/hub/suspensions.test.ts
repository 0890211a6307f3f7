import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import type { StreetOverview } from '../../shared/schemas/dashboard.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import type { VenueSuspensions } from '../../shared/schemas/suspension.js';
import { cstAt, cstDate, cstIso, cstMidnight, DAY, MIN } from '../support/clock.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type KioskClient, seedAccounts } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { testClock, type TestClock } from '../support/policy-street.js';
import { entranceRecord } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * 停业整顿 (000 §5(2)) through a real hub on 127.0.0.1 over a real SQLite file: inspectors order and
 * lift a venue's suspension over HTTP (scoped to their community, CSRF, audited), connected kiosks
 * hear it on their socket at once and kiosks that connect later on connect, and admissions pushed
 * while it holds raise admitted_while_suspended.
 */

const PASSWORD = 'a long enough password';
// The hub's clock, which the test moves: the venue's today never turns over between a test's steps.
let clock: TestClock;
const today = () => cstDate(clock.now());
const inDays = (n: number) => cstDate(clock.now() + n * DAY);

const until = async <T>(read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('suspension orders on a running hub', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let doorA: { kiosk: KioskIdentity; token: string };
  const sockets: KioskClient[] = [];

  beforeEach(async () => {
    // 14:30 venue time (UTC+8) today: hours from the venue day's edges.
    clock = testClock(cstAt(cstMidnight(0), 14, 30));
    store = await openTestStore(tmp.dir);
    doorA = await enrolKiosk(store, await seedVenue(store, 'venue-a'));
    await enrolKiosk(store, await seedVenue(store, 'venue-b'));
    await seedAccounts(store, PASSWORD, clock.now());
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: clock.now }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await app.close();
    await store.close();
  });

  async function signIn(name: string) {
    const s = inspectorSession(url);
    await s.login(name, PASSWORD);
    return s;
  }

  /** Venue a's kiosk, as the app is: it keeps every list of orders the hub sends. */
  async function kioskA() {
    const heard: VenueSuspensions[] = [];
    const socket = await connectKiosk(url, doorA.token, (s) => s.on('suspensions:venue', (l) => heard.push(l)));
    sockets.push(socket);
    await until(() => heard.length, (n) => n > 0); // the list on connect
    return { socket, heard };
  }

  async function push(socket: KioskClient, ...records: SyncRecord[]) {
    const res = await socket.emitWithAck('records:push', { records });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
  }

  it('pushes the order to the connected kiosk at once, audits it and shows the venue suspended on the street overview', async () => {
    const { heard } = await kioskA();
    expect(heard).toEqual([{ venueId: 'venue-a', suspensions: [] }]);
    const inspector = await signIn('inspector-a');
    const res = await inspector.post('/api/venues/venue-a/suspensions', { from: today(), to: inDays(2), reason: '屡查屡犯：未扫码未测温' });
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({ venueId: 'venue-a', from: today(), to: inDays(2), orderedBy: 'inspector-a', liftedAt: null });

    await until(() => heard.length, (n) => n === 2);
    expect(heard[1]).toEqual({
      venueId: 'venue-a',
      suspensions: [{ id: order.id, venueId: 'venue-a', from: today(), to: inDays(2), startsAt: order.startsAt, endsAt: order.endsAt, reason: '屡查屡犯：未扫码未测温' }],
    });
    expect(order.startsAt).toBeLessThanOrEqual(clock.now());
    expect(order.orderedAt).toBe(clock.now());
    expect(order.endsAt - order.startsAt).toBe(3 * DAY);

    const audit = await store.audit.list({ limit: 10 });
    expect(audit.find((e) => e.action === 'suspension_order')).toMatchObject({ accountName: 'inspector-a', target: String(order.id), detail: { venueId: 'venue-a', from: today(), to: inDays(2) } });

    const overview = (await (await signIn('admin')).get('/api/street')).json() as StreetOverview;
    const venues = overview.communities.flatMap((c) => c.venues);
    expect(venues.find((v) => v.id === 'venue-a')).toMatchObject({ status: 'suspended', suspension: { id: order.id, to: inDays(2), reason: '屡查屡犯：未扫码未测温' } });
    expect(venues.find((v) => v.id === 'venue-b')).not.toHaveProperty('suspension');
    expect(venues.find((v) => v.id === 'venue-b')!.status).not.toBe('suspended');
  });

  it('keeps inspectors to their own community, and refuses a bad order naming the field', async () => {
    const b = await signIn('inspector-b');
    expect((await b.post('/api/venues/venue-a/suspensions', { from: today(), to: today(), reason: '整改' })).statusCode).toBe(403);
    expect((await b.get('/api/venues/venue-a/suspensions')).statusCode).toBe(403);
    expect((await b.post('/api/venues/nowhere/suspensions', { from: today(), to: today(), reason: '整改' })).statusCode).toBe(404);
    const bad = await b.post('/api/venues/venue-b/suspensions', { from: inDays(1), to: today(), reason: '整改' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid', field: expect.stringMatching(/to$/) });
    // Without the CSRF token nothing is ordered.
    expect((await b.post('/api/venues/venue-b/suspensions', { from: today(), to: today(), reason: '整改' }, false)).statusCode).toBe(403);

    const a = await signIn('inspector-a');
    const order = (await a.post('/api/venues/venue-a/suspensions', { from: today(), to: today(), reason: '整改' })).json();
    expect((await b.post(`/api/suspensions/${order.id}/lift`, { note: '不是我的社区' })).statusCode).toBe(403);
    expect((await store.suspensions.get(order.id))!.liftedAt).toBeNull();
    expect((await store.audit.list({ limit: 20 })).filter((e) => e.action.startsWith('suspension_')).map((e) => e.action)).toEqual(['suspension_order']);
  });

  it('raises admitted_while_suspended for admissions pushed while it holds, and nothing for the refusals or the admissions before it was ordered', async () => {
    const { socket } = await kioskA();
    const inspector = await signIn('inspector-a');
    // Ordered at 14:30 for today: the day began at midnight, but the door was told at 14:30.
    const order = (await inspector.post('/api/venues/venue-a/suspensions', { from: today(), to: today(), reason: '责令停业整顿' })).json();
    expect(order.startsAt).toBeLessThan(order.orderedAt);
    const k = doorA.kiosk;
    // Admissions after the order, all in the venue-local hour 14:00–15:00.
    const inHour = (seq: number) => ({ kioskTime: cstIso(clock.now() + seq * 1000) });
    // Admitted in good faith before anyone ordered the suspension: this morning, and in the order's own hour.
    const morning = entranceRecord(k, 1, { kioskTime: cstIso(cstAt(cstMidnight(0, clock.now()), 9)) });
    const beforeOrder = entranceRecord(k, 2, { kioskTime: cstIso(clock.now() - 10 * MIN) });
    const refused = entranceRecord(k, 3, { decision: 'refuse', reasons: ['venue_suspended'], ...inHour(3) });
    const admitted = entranceRecord(k, 4, inHour(4));
    await push(socket, morning, beforeOrder, refused, admitted);
    const flags = await until(() => store.flags.list(WHOLE_CITY), (f) => f.some((x) => x.rule === 'admitted_while_suspended'));
    expect(flags.filter((f) => f.rule === 'admitted_while_suspended')).toHaveLength(1);
    const flag = flags.find((f) => f.rule === 'admitted_while_suspended')!;
    expect(flag).toMatchObject({ venueId: 'venue-a', severity: 'violation', status: 'open' });
    expect(flag.evidence).toMatchObject({ recordIds: [admitted.id], count: 1, suspensions: [{ id: order.id, from: today(), to: today(), reason: '责令停业整顿', liftedAt: null }], kioskIds: [k.id] });

    // A second admission in the same hour: the same flag, counted from the whole hour.
    const again = entranceRecord(k, 5, inHour(5));
    await push(socket, again);
    await until(() => store.flags.get(flag.id), (f) => (f?.evidence.count as number) === 2);
    expect((await store.flags.get(flag.id))!.evidence.recordIds).toEqual([admitted.id, again.id]);
  });

  it('audits lifting it early, tells the kiosk at once, and admissions after the lift raise nothing', async () => {
    const { socket, heard } = await kioskA();
    const inspector = await signIn('inspector-a');
    const order = (await inspector.post('/api/venues/venue-a/suspensions', { from: today(), to: inDays(6), reason: '责令停业整顿' })).json();
    await until(() => heard.length, (n) => n === 2);

    // Without a note the lift is refused at its field.
    const noNote = await inspector.post(`/api/suspensions/${order.id}/lift`, { note: ' ' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().error.field).toMatch(/note$/);

    const lifted = await inspector.post(`/api/suspensions/${order.id}/lift`, { note: '复查合格，准予恢复营业' });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({ id: order.id, liftedBy: 'inspector-a', liftNote: '复查合格，准予恢复营业', liftedAt: expect.any(Number) });
    await until(() => heard.length, (n) => n === 3);
    expect(heard[2]).toEqual({ venueId: 'venue-a', suspensions: [] });
    const audit = (await store.audit.list({ limit: 20 })).filter((e) => e.action.startsWith('suspension_'));
    expect(audit.map((e) => [e.action, e.accountName, e.target])).toEqual([
      ['suspension_lift', 'inspector-a', String(order.id)],
      ['suspension_order', 'inspector-a', String(order.id)],
    ]);
    expect(audit[0]!.detail).toMatchObject({ venueId: 'venue-a', note: '复查合格，准予恢复营业' });

    // Lifting twice is a conflict; the list keeps the order with its lift.
    expect((await inspector.post(`/api/suspensions/${order.id}/lift`, { note: '再次解除' })).statusCode).toBe(409);
    expect((await inspector.get('/api/venues/venue-a/suspensions')).json().items).toEqual([expect.objectContaining({ id: order.id, liftNote: '复查合格，准予恢复营业' })]);

    // An admission after the lift, beside one with a skipped check: the batch's flags are stored
    // together, so once skipped_check is there, an admitted_while_suspended would be too.
    clock.advance(10 * MIN);
    const skipped = entranceRecord(doorA.kiosk, 2, { kioskTime: cstIso(clock.now()), checks: { scan: { outcome: 'scanned' }, temperature: { outcome: 'skipped', reason: '测温枪没电' }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } } });
    await push(socket, entranceRecord(doorA.kiosk, 1, { kioskTime: cstIso(clock.now() - 1000) }), skipped);
    const flags = await until(() => store.flags.list(WHOLE_CITY), (f) => f.some((x) => x.rule === 'skipped_check'));
    expect(flags.map((f) => f.rule)).toEqual(['skipped_check']);
  });

  it('refuses an order whose first day is before the venue\'s today, naming from; today and later are taken', async () => {
    const inspector = await signIn('inspector-a');
    const past = await inspector.post('/api/venues/venue-a/suspensions', { from: inDays(-1), to: inDays(1), reason: '补录昨日起的整顿' });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toEqual({ error: { code: 'invalid', field: 'from', message: expect.stringContaining(today()) } });
    expect(await store.suspensions.list('venue-a')).toEqual([]);
    expect((await store.audit.list({ limit: 20 })).filter((e) => e.action.startsWith('suspension_'))).toEqual([]);
    expect((await inspector.post('/api/venues/venue-a/suspensions', { from: inDays(1), to: inDays(2), reason: '明日起整顿' })).statusCode).toBe(201);

    // The venue's today, not the hub's UTC date: at 00:30 venue time (16:30 UTC the day before) the
    // venue's today is already the new day, and the UTC date is its yesterday.
    clock.set(cstAt(cstMidnight(0), 0, 30));
    const utcDate = new Date(clock.now()).toISOString().slice(0, 10);
    expect(utcDate).toBe(inDays(-1));
    expect((await inspector.post('/api/venues/venue-a/suspensions', { from: utcDate, to: today(), reason: '整改' })).json().error.field).toBe('from');
    expect((await inspector.post('/api/venues/venue-a/suspensions', { from: today(), to: today(), reason: '整改' })).statusCode).toBe(201);
  });

  it('tells a kiosk that connects later of an order given while it was away, and of its lift', async () => {
    const inspector = await signIn('admin');
    const order = (await inspector.post('/api/venues/venue-a/suspensions', { from: today(), to: inDays(1), reason: '停业整顿' })).json();
    const first = await kioskA();
    expect(first.heard[0]!.suspensions.map((s) => s.id)).toEqual([order.id]);
    first.socket.close();
    await inspector.post(`/api/suspensions/${order.id}/lift`, { note: '提前解除' });
    const second = await kioskA();
    expect(second.heard[0]).toEqual({ venueId: 'venue-a', suspensions: [] });
  });
});
