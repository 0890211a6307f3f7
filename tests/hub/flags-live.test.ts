import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHub } from '../../hub/src/app.js';
import { sweep } from '../../hub/src/services/flags.js';
import { dayStart, hourKey, hourStart, weekStart } from '../../shared/rules/flags/index.js';
import { FlagTransitionError } from '../../hub/src/store/flags.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { DASHBOARD_NAMESPACE, type HubToDashboardEvents } from '../../shared/events.js';
import type { AccountView } from '../../shared/schemas/account.js';
import type { Flag, RaisedFlag } from '../../shared/schemas/flags.js';
import { FlagThresholds } from '../../shared/schemas/policy.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import { CST, cstAt, cstMidnight, cstMonday, DAY } from '../support/clock.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type KioskClient } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * Flags evaluated live (docs/inspectors-guide.md): a real hub on 127.0.0.1 over a real SQLite
 * file, kiosks pushing over socket.io, dashboards listening on /dashboard with
 * a session cookie; and the flag repository's life of a flag.
 */

type DashboardClient = Socket<HubToDashboardEvents>;
const THRESHOLDS = FlagThresholds.parse({});

interface Street {
  app: FastifyInstance;
  store: Store;
  url: string;
  dbFile: string;
  doors: Record<'a' | 'b', { kiosk: KioskIdentity; token: string }>;
  accounts: Record<'street' | 'inspectorA' | 'inspectorB', AccountView>;
  close(): Promise<void>;
}

/** Two venues in two communities, a kiosk each, a street admin and one inspector per community. */
async function startStreet(now?: () => number): Promise<Street> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  const dbFile = store.location;
  const doors = {
    a: await enrolKiosk(store, await seedVenue(store, 'venue-a')),
    b: await enrolKiosk(store, await seedVenue(store, 'venue-b')),
  };
  const accounts = {
    street: await store.accounts.create({ name: 'street', role: 'street_admin', communityId: null, password: 'street-password-1' }, Date.now()),
    inspectorA: await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: 'inspector-password-a' }, Date.now()),
    inspectorB: await store.accounts.create({ name: 'inspector-b', role: 'community_inspector', communityId: 'c-venue-b', password: 'inspector-password-b' }, Date.now()),
  };
  // The test's session cookies: `session=<account name>`; anything else is nobody.
  const byCookie = new Map(Object.values(accounts).map((a) => [`session=${a.name}`, a]));
  const app = await buildHub(
    await hubOptions(store, { kioskDist: join(tmp.dir, 'no-kiosk-build'), authenticateDashboard: async (cookie) => (cookie ? byCookie.get(cookie) : undefined), ...(now ? { now } : {}) }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    app,
    store,
    url: `http://127.0.0.1:${address.port}`,
    dbFile,
    doors,
    accounts,
    async close() {
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}

/** A dashboard socket with the cookie, hearing every flag; rejects with the hub's refusal. */
function connectDashboard(url: string, cookie: string | undefined): Promise<{ socket: DashboardClient; heard: Flag[] }> {
  const socket: DashboardClient = io(`${url}${DASHBOARD_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    autoConnect: false,
    extraHeaders: cookie ? { cookie } : {},
  });
  const heard: Flag[] = [];
  socket.on('flag:raised', (f) => heard.push(f));
  socket.connect();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, heard }));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A patron admitted now with the temperature check skipped. */
const skipped = (kiosk: KioskIdentity, seq: number) =>
  entranceRecord(kiosk, seq, {
    kioskTime: new Date().toISOString(),
    checks: { scan: { outcome: 'scanned' }, temperature: { outcome: 'skipped', reason: '测温枪没电' }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } },
  });

describe('flags raised live', () => {
  let street: Street;
  const sockets: { close(): unknown }[] = [];

  beforeEach(async () => {
    street = await startStreet();
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await street.close();
  });

  async function push(door: 'a' | 'b', ...records: SyncRecord[]) {
    const kiosk: KioskClient = await connectKiosk(street.url, street.doors[door].token);
    sockets.push(kiosk);
    const res = await kiosk.emitWithAck('records:push', { records });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
  }

  async function dashboard(cookie: string | undefined) {
    const d = await connectDashboard(street.url, cookie);
    sockets.push(d.socket);
    return d;
  }

  it('stores a skipped check with its evidence and pushes it to the street and its community only', async () => {
    const [admin, inspectorA, inspectorB] = [await dashboard('session=street'), await dashboard('session=inspector-a'), await dashboard('session=inspector-b')];
    const a = street.doors.a.kiosk;
    const records = [skipped(a, 1), entranceRecord(a, 2, { kioskTime: new Date().toISOString() })];
    await push('a', ...records);

    await until(() => admin.heard.length > 0 && inspectorA.heard.length > 0);
    const rows = await street.store.sql.all<{ evidence: string }>('SELECT venue_id, rule, severity, status, evidence, updated_at FROM flags');
    expect(rows).toMatchObject([{ venue_id: 'venue-a', rule: 'skipped_check', severity: 'warning', status: 'open', updated_at: expect.any(Number) }]);
    expect(JSON.parse(rows[0]!.evidence)).toMatchObject({ recordIds: [records[0]!.id], admissions: 2, withSkippedCheck: 1, byCheck: { temperature: 1 } });
    expect(admin.heard).toEqual([expect.objectContaining({ venueId: 'venue-a', rule: 'skipped_check', communityId: 'c-venue-a', venueName: '测试KTV' })]);
    expect(inspectorA.heard.map((f) => f.id)).toEqual(admin.heard.map((f) => f.id));

    // Venue b's flag reaches inspector b: by then venue a's would have too, had it been sent.
    await push('b', skipped(street.doors.b.kiosk, 1));
    await until(() => inspectorB.heard.length > 0);
    expect(inspectorB.heard.map((f) => f.venueId)).toEqual(['venue-b']);
    await until(() => admin.heard.length === 2);
    expect(inspectorA.heard.map((f) => f.venueId)).toEqual(['venue-a']);
  });

  it('keeps one flag per hour as more lapses arrive, with every record in the evidence', async () => {
    const admin = await dashboard('session=street');
    const a = street.doors.a.kiosk;
    const [first, second] = [skipped(a, 1), skipped(a, 2)];
    await push('a', first);
    await until(() => admin.heard.length === 1);
    await push('a', second);
    await until(() => admin.heard.length === 2);
    expect(admin.heard[1]!.id).toBe(admin.heard[0]!.id);
    expect(admin.heard[1]!.evidence).toMatchObject({ recordIds: [first.id, second.id], withSkippedCheck: 2 });
    expect(await street.store.flags.list(WHOLE_CITY)).toHaveLength(1);
  });

  it('pushes an admission despite fever as a violation', async () => {
    const admin = await dashboard('session=street');
    const a = street.doors.a.kiosk;
    await push('a', entranceRecord(a, 1, { kioskTime: new Date().toISOString(), checks: { scan: { outcome: 'scanned' }, temperature: { outcome: 'measured', celsius: 38.2 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } } }));
    await until(() => admin.heard.length === 1);
    expect(admin.heard[0]).toMatchObject({ rule: 'admitted_despite_risk', severity: 'violation', evidence: { byReason: { fever: 1 } } });
  });

  it('refuses a dashboard without a session', async () => {
    await expect(connectDashboard(street.url, undefined)).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    await expect(connectDashboard(street.url, 'session=nobody')).rejects.toMatchObject({ data: { code: 'unauthorized' } });
  });

  it('raises kiosk_silent from the sweep once the venue has been open an hour without a record', async () => {
    const now = Date.now();
    expect(await sweep(street.store, now + 30 * 60_000)).toEqual([]);
    const flags = await sweep(street.store, now + 61 * 60_000);
    expect(flags.map((f) => [f.venueId, f.rule, f.evidence.kioskId])).toEqual([
      ['venue-a', 'kiosk_silent', street.doors.a.kiosk.id],
      ['venue-b', 'kiosk_silent', street.doors.b.kiosk.id],
    ].sort());
    // The same silence a minute later changes nothing.
    expect(await sweep(street.store, now + 62 * 60_000)).toEqual([]);
  });
  it('judges a finished hour, day and week from the stored records (scans, ledgers)', async () => {
    // The hub's clock at 14:05 on the Wednesday of this week (venue time, UTC+8): "the hour before
    // this one" is never yesterday (run just after midnight, the batch would judge the whole day at
    // once), and the day's end is not a week's end (on a Sunday the day sweep judges the week too).
    const now = cstAt(cstMonday(0) + 2 * DAY, 14, 5);
    await street.close();
    street = await startStreet(() => now);
    const a = street.doors.a.kiosk;
    // Twelve admissions in the hour before this one, no pass scanned, no ledger kept.
    const t0 = hourStart(now, 480) - 30 * 60_000;
    await push('a', ...Array.from({ length: 12 }, (_, i) => entranceRecord(a, i + 1, { kioskTime: new Date(t0 + i * 1000).toISOString() })));
    // The hour was over when they arrived, so the batch judged it; the sweep finds nothing new.
    await expect.poll(() => street.store.sql.get("SELECT 1 AS one FROM flags WHERE rule = 'scans_below_admissions'"), { timeout: 5000 }).toBeDefined();
    // (Only the rules this test is about: socket.io dates the connection by the wall clock, not the
    // hub's injected one, so the clock-skew rule sees hours between them.)
    const raised = (await street.store.flags.list({ ...WHOLE_CITY, venueId: 'venue-a' })).filter((f) => f.rule !== 'clock_skew');
    expect(raised).toMatchObject([{ rule: 'scans_below_admissions', evidence: { admissions: 12, scans: 0 } }]);
    expect((await sweep(street.store, t0 + 31 * 60_000)).filter((f) => f.rule === 'scans_below_admissions')).toEqual([]);
    const day = await sweep(street.store, dayStart(t0, 480) + 86_400_000 + 60_000);
    expect(day.filter((f) => f.rule === 'ledger_not_kept').map((f) => f.windowKey.split(':')[1])).toEqual(['disinfection', 'staff_temperature']);
    const week = await sweep(street.store, weekStart(t0, 480) + 7 * 86_400_000 + 60_000);
    expect(week.filter((f) => f.rule === 'ledger_not_kept').map((f) => f.evidence)).toMatchObject([{ ledger: 'staff_tests', staff: [{ staffId: 'staff-1', tests: 0 }] }]);
  });
});

describe('FlagRepository', () => {
  let street: Street;
  beforeEach(async () => {
    street = await startStreet();
  });
  afterEach(async () => {
    await street.close();
  });

  const raised = (venueId: string, windowKey: string, over: Partial<RaisedFlag> = {}): RaisedFlag => ({
    venueId,
    rule: 'admitted_while_closed',
    severity: 'violation',
    windowKey,
    evidence: { recordIds: [`${windowKey}-r1`], closedByPolicy: 1 },
    ...over,
  });

  it('opens one flag per venue, rule and window, merging evidence and returning only what changed', async () => {
    const flags = street.store.flags;
    // An hour window as the rules key it: 14:00 today, venue-local (UTC+8).
    const hour = hourKey(cstAt(cstMidnight(0), 14), CST);
    const [opened] = await flags.raise([raised('venue-a', hour)], 1000);
    expect(opened).toMatchObject({ status: 'open', openedAt: 1000, updatedAt: 1000, communityId: 'c-venue-a' });
    expect(await flags.raise([raised('venue-a', hour)], 2000)).toEqual([]);
    const [merged] = await flags.raise([raised('venue-a', hour, { evidence: { recordIds: ['r2'], closedByPolicy: 2 } })], 3000);
    expect(merged).toMatchObject({ id: opened!.id, openedAt: 1000, updatedAt: 3000, evidence: { recordIds: [`${hour}-r1`, 'r2'], closedByPolicy: 2 } });
    // A warning never lowers a violation.
    expect((await flags.raise([raised('venue-a', hour, { severity: 'warning', evidence: { recordIds: ['r3'] } })], 4000))[0]).toMatchObject({ severity: 'violation' });
  });

  it('lists newest first within a community, by status, venue and change', async () => {
    const flags = street.store.flags;
    await flags.raise([raised('venue-a', 'h1')], 1000);
    await flags.raise([raised('venue-b', 'h1')], 2000);
    await flags.raise([raised('venue-a', 'h2')], 3000);
    expect((await flags.list(WHOLE_CITY)).map((f) => [f.venueId, f.windowKey])).toEqual([['venue-a', 'h2'], ['venue-b', 'h1'], ['venue-a', 'h1']]);
    expect((await flags.list({ ...WHOLE_CITY, communityId: 'c-venue-b' })).map((f) => f.venueId)).toEqual(['venue-b']);
    expect(await flags.list({ ...WHOLE_CITY, since: 2500 })).toHaveLength(1);
    expect(await flags.list({ ...WHOLE_CITY, status: ['acknowledged'] })).toEqual([]);
    expect(await flags.list({ ...WHOLE_CITY, venueId: 'venue-a', limit: 1 })).toHaveLength(1);
  });

  it('takes a flag from open to rectified, recording each action, and refuses what its status does not allow', async () => {
    const flags = street.store.flags;
    const inspector = street.accounts.inspectorA.id;
    const [flag] = await flags.raise([raised('venue-a', 'h1')], Date.now());
    const id = flag!.id;
    const t = Date.now();
    expect(await flags.act(id, { action: 'acknowledge' }, inspector, t + 1)).toMatchObject({ status: 'acknowledged', updatedAt: t + 1 });
    await expect(flags.act(id, { action: 'acknowledge' }, inspector, t + 2)).rejects.toThrow(FlagTransitionError);
    await expect(flags.act(id, { action: 'mark_rectified', visitedAt: new Date(t).toISOString(), note: '复查' }, inspector, t + 2)).rejects.toThrow(/acknowledged/);
    await expect(flags.act(id, { action: 'order_rectification', deadline: '2020-01-01', note: '限期整改' }, inspector, t + 2)).rejects.toThrow(/passed/);

    const deadline = new Date(t + 3 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const ordered = await flags.act(id, { action: 'order_rectification', deadline, note: '限期整改' }, inspector, t + 3);
    // The end of that date at the venue (UTC+8).
    expect(ordered).toMatchObject({ status: 'rectification_ordered', note: '限期整改', deadline: Date.parse(`${deadline}T23:59:59.999+08:00`) });
    const visited = new Date(t + 4).toISOString();
    expect(await flags.act(id, { action: 'mark_rectified', visitedAt: visited, note: '已整改' }, inspector, t + 5)).toMatchObject({ status: 'rectified', note: '已整改' });
    await expect(flags.act(id, { action: 'escalate', note: 'x' }, inspector, t + 6)).rejects.toThrow(FlagTransitionError);

    expect(await flags.history(id)).toEqual([
      expect.objectContaining({ action: 'acknowledge', at: t + 1, accountId: inspector }),
      expect.objectContaining({ action: 'order_rectification', at: t + 3, deadline: ordered.deadline, note: '限期整改' }),
      expect.objectContaining({ action: 'mark_rectified', at: t + 5, visitedAt: Date.parse(visited), note: '已整改' }),
    ]);
    // A rectified flag is left alone when its window is raised again.
    expect(await flags.raise([raised('venue-a', 'h1', { evidence: { recordIds: ['late'] } })], t + 7)).toEqual([]);
  });

  it('escalates straight from open', async () => {
    const [flag] = await street.store.flags.raise([raised('venue-a', 'h1')], Date.now());
    expect(await street.store.flags.act(flag!.id, { action: 'escalate', note: '关停场所仍在营业' }, street.accounts.street.id, Date.now())).toMatchObject({ status: 'escalated' });
  });

  it('lists repeat offenders and missed deadlines for joint enforcement (000 §5 屡查屡犯、查后不改)', async () => {
    const flags = street.store.flags;
    const day = 86_400_000;
    const now = Date.now();
    // venue-a: three violations within 30 days; one older does not count.
    await flags.raise([raised('venue-a', 'old')], now - 40 * day);
    await flags.raise([raised('venue-a', 'h1'), raised('venue-a', 'h2')], now - 5 * day);
    await flags.raise([raised('venue-a', 'h3', { rule: 'skipped_check', severity: 'warning' })], now - day);
    expect(await flags.jointEnforcement(WHOLE_CITY, now, THRESHOLDS)).toEqual([]);
    await flags.raise([raised('venue-a', 'h4')], now - day);
    // venue-b: a rectification ordered and not done by its deadline.
    const [b] = await flags.raise([raised('venue-b', 'h1', { rule: 'skipped_check', severity: 'warning' })], now);
    const deadline = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
    const ordered = await flags.act(b!.id, { action: 'order_rectification', deadline, note: '限期整改' }, street.accounts.inspectorB.id, now);
    const later = ordered.deadline! + 1;

    expect(await flags.jointEnforcement(WHOLE_CITY, later, THRESHOLDS)).toEqual([
      { venueId: 'venue-a', venueName: '测试KTV', communityId: 'c-venue-a', communityName: '测试社区', violations: 3, missedDeadlines: 0 },
      { venueId: 'venue-b', venueName: '测试KTV', communityId: 'c-venue-b', communityName: '测试社区', violations: 0, missedDeadlines: 1 },
    ]);
    expect(await flags.jointEnforcement({ ...WHOLE_CITY, communityId: 'c-venue-b' }, later, THRESHOLDS)).toMatchObject([{ venueId: 'venue-b' }]);
    // Before the deadline there is nothing to hold against venue-b.
    expect(await flags.jointEnforcement({ ...WHOLE_CITY, communityId: 'c-venue-b' }, ordered.deadline! - 1, THRESHOLDS)).toEqual([]);
  });
});
