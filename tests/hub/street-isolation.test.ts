import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubApp } from '../../hub/src/app.js';
import { errorServerOptions } from '../../hub/src/errors.js';
import type { Store } from '../../hub/src/store/index.js';
import type { Flag } from '../../shared/schemas/flags.js';
import type { KioskView } from '../../shared/schemas/kiosk-admin.js';
import type { PolicyDraft } from '../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import { cstDate, cstWeek } from '../support/clock.js';
import { connectDashboard, connectKiosk, hubOptions, tempDir, type DashboardClient, type KioskClient } from '../support/hub.js';
import { inspectorSession, type Answer } from '../support/inspector.js';
import { openTestStore } from '../support/store.js';
import { seedTwoStreets, type SeededStreet, type TwoStreets } from '../support/two-streets.js';

/**
 * Streets as tenants (docs/architecture.md "Streets as tenants"; docs/security.md "Access by
 * role"): two streets of one district in one deployment. Street B's admin and inspector, calling
 * every route the hub registers with street A's ids and queries, get 403 or 404, or a 200 that
 * holds nothing of A; no socket event of A reaches B's dashboards; no CSV of B holds a row of A.
 * The district's and the city's admins see both streets and may not act in a street's place.
 */

const PASSWORD = 'street isolation password';
const draft = ({ version: _v, ...p }: typeof EMERGENCY_POLICY): PolicyDraft => p;

type Session = ReturnType<typeof inspectorSession>;
type Who = 'admin' | 'inspector';

/** A pending switch of street A's community, set up before the probes (the cancel probe names it). */
let aScheduleId = 0;
let aCancelledId = 0;
const tracingBody = (a: SeededStreet) => ({ visits: [{ venueId: a.venueId, from: Date.now() - 3_600_000, to: Date.now() }], reason: '越权流调查询' });

/** One call of the isolation table: made as street B's admin and inspector, naming street A's things. */
interface Probe {
  method: 'GET' | 'POST';
  /** The path, with A's ids and queries. */
  path: (a: SeededStreet) => string;
  body?: (a: SeededStreet) => unknown;
  /** When a call is answered 200 for one of B's roles, its body must hold nothing of A (always checked). */
}

/** Every route with street data, by its registered method and URL: each probe is called as B's admin and inspector. */
const ISOLATION: Record<string, Probe[]> = {
  'GET /api/street': [{ method: 'GET', path: () => '/api/street' }],
  'GET /api/street/trends': [{ method: 'GET', path: () => '/api/street/trends' }],
  'GET /api/street/security': [{ method: 'GET', path: () => '/api/street/security' }],
  'POST /api/street/security': [{ method: 'POST', path: () => '/api/street/security', body: () => ({ tracingRequiresTotp: true }) }],
  'GET /api/venues/:id': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}` }],
  'GET /api/venues/:id/records': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/records` }],
  'GET /api/venues/:id/day': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/day?date=${cstDate(Date.now())}` }],
  'GET /api/venues/:id/slots': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/slots?date=${cstDate(Date.now())}` }],
  'GET /api/venues/:id/ledgers': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/ledgers?from=0&to=${Date.now()}` }],
  'GET /api/venues/:id/booking': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/booking` }],
  'POST /api/venues/:id/booking': [
    { method: 'POST', path: (a) => `/api/venues/${a.venueId}/booking`, body: () => ({ mode: 'off', slotMinutes: 60, slotCap: 10, maxParty: 4, daysAhead: 3 }) },
  ],
  'GET /api/venues/:id/inspections': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/inspections` }],
  'POST /api/venues/:id/inspections': [{ method: 'POST', path: (a) => `/api/venues/${a.venueId}/inspections`, body: () => ({ items: {} }) }],
  'GET /api/venues/:id/suspensions': [{ method: 'GET', path: (a) => `/api/venues/${a.venueId}/suspensions` }],
  'POST /api/venues/:id/suspensions': [
    { method: 'POST', path: (a) => `/api/venues/${a.venueId}/suspensions`, body: () => ({ from: cstDate(Date.now()), to: cstDate(Date.now()), reason: '越权' }) },
  ],
  'POST /api/suspensions/:id/lift': [{ method: 'POST', path: (a) => `/api/suspensions/${a.suspensionId}/lift`, body: () => ({ note: '越权' }) }],
  'GET /api/flags': [
    { method: 'GET', path: () => '/api/flags' },
    { method: 'GET', path: (a) => `/api/flags?venueId=${a.venueId}` },
  ],
  'GET /api/flags/:id': [{ method: 'GET', path: (a) => `/api/flags/${a.flagId}` }],
  'POST /api/flags/:id/actions': [{ method: 'POST', path: (a) => `/api/flags/${a.flagId}/actions`, body: () => ({ action: 'acknowledge' }) }],
  'GET /api/joint-enforcement': [{ method: 'GET', path: () => '/api/joint-enforcement' }],
  'GET /api/ranking': [{ method: 'GET', path: () => `/api/ranking?date=${cstDate(Date.now())}` }],
  'GET /api/reports/weekly': [{ method: 'GET', path: () => `/api/reports/weekly?week=${cstWeek(Date.now())}` }],
  'GET /api/reports/weekly.csv': [{ method: 'GET', path: () => `/api/reports/weekly.csv?week=${cstWeek(Date.now())}` }],
  'GET /api/audit': [{ method: 'GET', path: () => '/api/audit' }],
  'GET /api/bookings/overbooked': [{ method: 'GET', path: () => '/api/bookings/overbooked' }],
  'POST /api/bookings/:id/admin-cancel': [{ method: 'POST', path: (a) => `/api/bookings/${a.bookingId}/admin-cancel`, body: () => ({ reason: '越权' }) }],
  'GET /api/kiosks': [
    { method: 'GET', path: () => '/api/kiosks' },
    { method: 'GET', path: (a) => `/api/kiosks?venueId=${a.venueId}` },
    { method: 'GET', path: (a) => `/api/kiosks?communityId=${a.communityId}` },
  ],
  'POST /api/entrances/:id/enrolment-codes': [{ method: 'POST', path: (a) => `/api/entrances/${a.entranceId}/enrolment-codes`, body: () => ({}) }],
  'POST /api/kiosks/:id/revoke': [{ method: 'POST', path: (a) => `/api/kiosks/${a.kiosk.id}/revoke`, body: () => ({ reason: '越权' }) }],
  'GET /api/registry/communities': [{ method: 'GET', path: () => '/api/registry/communities' }],
  'POST /api/registry/communities': [{ method: 'POST', path: () => '/api/registry/communities', body: () => ({ name: '乙街道新社区' }) }],
  'POST /api/registry/communities/:id': [{ method: 'POST', path: (a) => `/api/registry/communities/${a.communityId}`, body: () => ({ name: '越权改名' }) }],
  'GET /api/registry/venues': [
    { method: 'GET', path: () => '/api/registry/venues' },
    { method: 'GET', path: (a) => `/api/registry/venues?communityId=${a.communityId}` },
  ],
  'GET /api/registry/venues/:id': [{ method: 'GET', path: (a) => `/api/registry/venues/${a.venueId}` }],
  'POST /api/registry/venues': [
    {
      method: 'POST',
      path: () => '/api/registry/venues',
      body: (a) => ({
        communityId: a.communityId,
        name: '越权场所',
        type: 'ktv',
        address: '越权路1号',
        ratedCapacity: 10,
        openingHours: null,
        officers: {},
        entrances: [{ name: '正门' }],
      }),
    },
  ],
  'POST /api/registry/venues/:id': [{ method: 'POST', path: (a) => `/api/registry/venues/${a.venueId}`, body: () => ({}) }],
  'POST /api/registry/venues/:id/staff': [{ method: 'POST', path: (a) => `/api/registry/venues/${a.venueId}/staff`, body: () => ({}) }],
  'POST /api/registry/venues/:id/staff/:staffId': [{ method: 'POST', path: (a) => `/api/registry/venues/${a.venueId}/staff/${a.staffId}`, body: () => ({ active: false }) }],
  'POST /api/registry/import': [{ method: 'POST', path: (a) => `/api/registry/import?communityId=${a.communityId}&dryRun=true`, body: () => ({}) }],
  'GET /api/registry/export.csv': [
    { method: 'GET', path: () => '/api/registry/export.csv' },
    { method: 'GET', path: (a) => `/api/registry/export.csv?communityId=${a.communityId}` },
  ],
  // The policy desk: B switching or cancelling for A's community, and what B reads of the levels.
  'GET /api/policy': [{ method: 'GET', path: () => '/api/policy' }],
  'GET /api/policy/history': [{ method: 'GET', path: () => '/api/policy/history' }],
  'GET /api/policy/level': [{ method: 'GET', path: () => '/api/policy/level' }],
  'GET /api/policy/rollup': [{ method: 'GET', path: () => '/api/policy/rollup' }],
  'POST /api/policy/switch': [
    { method: 'POST', path: () => '/api/policy/switch', body: (a) => ({ policy: draft(EMERGENCY_POLICY), communityId: a.communityId, reason: '越权切换' }) },
  ],
  'POST /api/policy/schedules/:id/cancel': [
    { method: 'POST', path: () => `/api/policy/schedules/${aScheduleId}/cancel`, body: () => ({ reason: '越权' }) },
    // One already cancelled: B is not told it exists, let alone its state.
    { method: 'POST', path: () => `/api/policy/schedules/${aCancelledId}/cancel`, body: () => ({ reason: '越权' }) },
  ],
  // Tracing: B naming A's venue is refused before anything is read.
  'POST /api/tracing': [{ method: 'POST', path: () => '/api/tracing', body: (a) => tracingBody(a) }],
  'POST /api/tracing/export.csv': [{ method: 'POST', path: () => '/api/tracing/export.csv', body: (a) => tracingBody(a) }],
  // Above a street: the registry of streets and the oversight screens.
  'GET /api/organisation': [{ method: 'GET', path: () => '/api/organisation' }],
  'POST /api/organisation/import': [{ method: 'POST', path: () => '/api/organisation/import?dryRun=1', body: () => ({}) }],
  'POST /api/organisation/communities/:id/move': [
    { method: 'POST', path: (a) => `/api/organisation/communities/${a.communityId}/move`, body: (a) => ({ streetId: a.streetId }) },
  ],
  'GET /api/oversight': [{ method: 'GET', path: () => '/api/oversight' }],
  'GET /api/oversight/ranking': [{ method: 'GET', path: () => '/api/oversight/ranking' }],
  'GET /api/oversight/reports/weekly': [{ method: 'GET', path: () => `/api/oversight/reports/weekly?week=${cstWeek(Date.now())}` }],
  'GET /api/oversight/reports/weekly.csv': [{ method: 'GET', path: () => `/api/oversight/reports/weekly.csv?week=${cstWeek(Date.now())}` }],
};

/**
 * Routes that are not a street's data, each with why: they answer the same to every account, or
 * only about the caller itself, or to a kiosk or patron holding its own secret.
 */
const NOT_STREET_DATA: Record<string, string> = {
  'GET /api/health': 'liveness: no data',
  'GET /metrics': 'counters of the process, behind the metrics token',
  'GET /api/auth/csrf': "the caller's CSRF token",
  'GET /api/auth/me': "the caller's own account",
  'POST /api/auth/login': 'logging in',
  'POST /api/auth/logout': 'logging out',
  'POST /api/auth/password': "the caller's own password",
  'POST /api/auth/totp/enrol': "the caller's own second factor",
  'POST /api/auth/totp/confirm': "the caller's own second factor",
  'GET /dashboard': 'the dashboard app (static)',
  'GET /dashboard/': 'the dashboard app (static)',
  'GET /dashboard/*': 'the dashboard app (static)',
  'GET /kiosk/*': 'the kiosk app (static)',
  'GET /favicon.ico': 'an icon',
  'GET /favicon.svg': 'an icon',
  // Registered when the pages are built (hub/ui/dist): the patron pages' and dashboard's scripts.
  'GET /': 'the landing page (static)',
  'GET /ui/*': "the pages' scripts and styles (static)",
  'POST /api/kiosks/enrol': 'a tablet spending its one-time code: it gets its own venue only',
  'GET /v/:token': "the patron page of a poster's signed venue code",
  'GET /posters/:token': "a venue's printable poster, by its signed token (the street office prints it)",
  'POST /api/passes': 'a patron asking for a pass with the form ticket of a venue code',
  'POST /api/passes/:id/left': "a patron's own pass",
  'GET /pass/:id': "a patron's own pass page",
  'GET /book/:venueId': "a venue's public booking page",
  'POST /api/bookings': 'a patron booking with the booking page ticket',
  'GET /booking/:id': "a patron's own booking page",
  'POST /api/bookings/:id/cancel': "a patron cancelling their own booking by its secret id",
};

/** What of a street must never be in an answer or event for the other: its venue, community, kiosk and entrance by id and name. */
const markers = (s: SeededStreet): string[] => [s.venueId, s.venueName, s.communityId, s.communityName, s.kiosk.id, s.entranceId];
const leaked = (text: string, s: SeededStreet): string[] => markers(s).filter((m) => text.includes(m));

describe('streets as tenants: nothing of one street reaches another', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let two: TwoStreets;
  const routes = new Set<string>();
  const browsers = new Map<string, Session>();
  const as = async (name: string): Promise<Session> => {
    let b = browsers.get(name);
    if (!b) {
      b = inspectorSession(url);
      await b.login(name, PASSWORD);
      browsers.set(name, b);
    }
    return b;
  };
  const call = (s: Session, p: Probe, a: SeededStreet): Promise<Answer> => (p.method === 'GET' ? s.get(p.path(a)) : s.post(p.path(a), p.body?.(a) ?? {}));

  beforeAll(async () => {
    tmp = tempDir();
    store = await openTestStore(tmp.dir);
    two = await seedTwoStreets(store, PASSWORD, Date.now());
    aCancelledId = (await store.policies.schedule(draft(EMERGENCY_POLICY), Date.now() + 86_400_000, Date.now(), { communityId: two.s1.communityId, by: two.s1.admin })).id;
    await store.policies.cancelSchedule(aCancelledId, Date.now());
    aScheduleId = (await store.policies.schedule(draft(EMERGENCY_POLICY), Date.now() + 86_400_000, Date.now(), { communityId: two.s1.communityId, by: two.s1.admin })).id;
    // Built as buildHub builds it, with every route the app registers collected on the way.
    app = Fastify({ logger: false, ...errorServerOptions });
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') routes.add(`${m} ${r.url}`);
    });
    await app.register(hubApp, await hubOptions(store));
    await app.ready();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    tmp?.remove();
  });

  it('knows every route the hub registers: each is in the isolation table or said not to be street data', () => {
    const classified = new Set([...Object.keys(ISOLATION), ...Object.keys(NOT_STREET_DATA)]);
    expect([...routes].filter((r) => !classified.has(r)).sort()).toEqual([]);
    // And no street-data entry names a route that is not there (a renamed route must be classified
    // again). Static routes may be absent (some are registered only when the pages are built).
    expect(Object.keys(ISOLATION).filter((r) => !routes.has(r)).sort()).toEqual([]);
  });

  it("answers street B's admin and inspector 403, 404 or nothing of street A on every route with street data", async () => {
    const outcomes: string[] = [];
    for (const [route, probes] of Object.entries(ISOLATION)) {
      for (const who of ['admin', 'inspector'] as Who[]) {
        const session = await as(two.s2[who]);
        for (const p of probes) {
          const res = await call(session, p, two.s1);
          const at = `${route} as B's ${who}: ${p.method} ${p.path(two.s1)} → ${res.statusCode}`;
          if (res.statusCode === 200 || res.statusCode === 201) {
            const found = leaked(res.body, two.s1);
            if (found.length > 0) outcomes.push(`${at} holds ${found.join(', ')}`);
          } else if (res.statusCode !== 403 && res.statusCode !== 404) {
            outcomes.push(`${at}: neither 403/404 nor 200`);
          }
        }
      }
    }
    expect(outcomes).toEqual([]);
  });

  it("changes nothing of street A by any of B's calls: A's flag, suspension, kiosk and registry are as they were", async () => {
    expect((await store.flags.get(two.s1.flagId))!.status).toBe('open');
    expect((await store.suspensions.get(two.s1.suspensionId))!.liftedAt).toBeNull();
    expect(await store.kiosks.isActive(two.s1.kiosk.id)).toBe(true);
    expect((await store.bookings.get(two.s1.bookingId))!.cancelledAt).toBeNull();
    expect((await store.venues.communities({ districtId: null, streetId: two.s1.streetId, communityId: null })).map((c) => c.name)).toEqual([two.s1.communityName]);
    expect((await store.venues.get(two.s1.venueId))!.staff.every((s) => s.active)).toBe(true);
    // Nor its policy: no switch made, its pending one still pending, its community still its own.
    expect((await store.policies.activeFor(two.s1.communityId)).mode).toBe('normal');
    expect((await store.policies.pendingSchedules()).map((s) => s.id)).toContain(aScheduleId);
    expect((await store.organisation.placeOfCommunity(two.s1.communityId))?.streetId).toBe(two.s1.streetId);
  });

  it("shows street A's own admin its data on the same routes, and street B's admin only B's", async () => {
    const a = await as(two.s1.admin);
    const b = await as(two.s2.admin);
    for (const path of ['/api/street', '/api/flags', '/api/kiosks', '/api/registry/venues', `/api/reports/weekly.csv?week=${cstWeek(Date.now())}`, '/api/registry/export.csv', '/api/audit']) {
      const [mine, theirs] = [await a.get(path), await b.get(path)];
      expect([path, mine.statusCode, leaked(mine.body, two.s1).length > 0]).toEqual([path, 200, true]);
      expect([path, theirs.statusCode, leaked(theirs.body, two.s1), leaked(theirs.body, two.s2).length > 0]).toEqual([path, 200, [], true]);
    }
  });

  it("gives the district's and the city's admins both streets to read, and no street's own acts", async () => {
    for (const name of [two.districtAdmin, two.cityAdmin]) {
      const s = await as(name);
      for (const path of ['/api/street', '/api/flags', '/api/kiosks', '/api/registry/venues', `/api/reports/weekly.csv?week=${cstWeek(Date.now())}`, '/api/audit', `/api/venues/${two.s1.venueId}`]) {
        const res = await s.get(path);
        expect([name, path, res.statusCode]).toEqual([name, path, 200]);
        if (!path.startsWith('/api/venues/')) expect([name, path, leaked(res.body, two.s1).length > 0, leaked(res.body, two.s2).length > 0]).toEqual([name, path, true, true]);
      }
      // A street's own acts stay with that street.
      const acts: [string, unknown][] = [
        [`/api/flags/${two.s1.flagId}/actions`, { action: 'acknowledge' }],
        [`/api/venues/${two.s1.venueId}/suspensions`, { from: cstDate(Date.now()), to: cstDate(Date.now()), reason: '代办' }],
        [`/api/suspensions/${two.s1.suspensionId}/lift`, { note: '代办' }],
        [`/api/kiosks/${two.s1.kiosk.id}/revoke`, { reason: '代办' }],
        [`/api/entrances/${two.s1.entranceId}/enrolment-codes`, {}],
        [`/api/registry/venues/${two.s1.venueId}/staff`, { name: '代办', role: '门岗', pin: '4321' }],
        [`/api/venues/${two.s1.venueId}/booking`, { mode: 'off', slotMinutes: 60, slotCap: 10, maxParty: 4, daysAhead: 3 }],
        [`/api/bookings/${two.s1.bookingId}/admin-cancel`, { reason: '代办' }],
        ['/api/street/security', { tracingRequiresTotp: true }],
      ];
      for (const [path, body] of acts) expect([name, path, (await s.post(path, body)).statusCode]).toEqual([name, path, 403]);
    }
  });

  it("keeps the audit log per street: B's admin reads B's entries only, the district both streets' and its own, and the chain still verifies", async () => {
    const items = async (name: string) => (await (await as(name)).get('/api/audit?limit=500')).json().items as { streetId: string | null; districtId: string | null }[];
    const b = await items(two.s2.admin);
    expect(b.length).toBeGreaterThan(0);
    expect(b.every((e) => e.streetId === two.s2.streetId)).toBe(true);
    const d = await items(two.districtAdmin);
    expect(new Set(d.map((e) => e.streetId))).toEqual(new Set([two.s1.streetId, two.s2.streetId, null]));
    expect(d.filter((e) => e.streetId === null).every((e) => e.districtId === two.districtId)).toBe(true);
    // An entry written without naming its place (routes of other screens) is the acting account's street's.
    const aAdmin = (await store.accounts.verify(two.s1.admin, PASSWORD))!;
    await store.audit.record({ at: Date.now(), accountId: aAdmin.id, accountName: aAdmin.name, action: 'policy_switch', target: 'placeless-act' });
    const targets = async (streetId: string) => (await store.audit.list({ limit: 5, scope: { districtId: null, streetId, communityId: null } })).map((e) => e.target);
    expect(await targets(two.s1.streetId)).toContain('placeless-act');
    expect(await targets(two.s2.streetId)).not.toContain('placeless-act');
    const { verifyAuditChain } = await import('../../hub/src/store/audit.js');
    expect(await verifyAuditChain(store.sql)).toMatchObject({ ok: true });
    // The street is part of what the chain holds: moving an entry to the other street breaks it there.
    const moved = (await store.sql.get<{ id: number }>('SELECT max(id) AS id FROM audit_log WHERE street_id = ?', [two.s1.streetId]))!.id;
    await store.sql.run('UPDATE audit_log SET street_id = ? WHERE id = ?', [two.s2.streetId, moved]);
    expect(await verifyAuditChain(store.sql)).toMatchObject({ ok: false, broken: { id: moved } });
    await store.sql.run('UPDATE audit_log SET street_id = ? WHERE id = ?', [two.s1.streetId, moved]);
    expect(await verifyAuditChain(store.sql)).toMatchObject({ ok: true });
  });

  it("judges each street's venues in the district's weekly report by that street's own thresholds", async () => {
    // At the instant the seeded violations were opened, so all of them fall in one week whatever the hour the suite runs.
    const at = (await store.flags.get(two.s1.flagId))!.openedAt;
    // Street A counts two violations as a repeat offence; street B keeps the normal three.
    await store.policies.activate({ ...draft(EMERGENCY_POLICY), flags: { ...EMERGENCY_POLICY.flags, repeatViolations: 2 } }, at, { communityId: null, streetId: two.s1.streetId });
    for (const s of [two.s1, two.s2]) await store.flags.raise([{ venueId: s.venueId, rule: 'skipped_check', severity: 'violation', windowKey: 'weekly-second', evidence: { recordIds: [] } }], at);
    const report = await store.dashboard.weeklyReport(cstWeek(at), { districtId: two.districtId, streetId: null, communityId: null });
    expect(report.rows.map((r) => [r.venueId, r.repeatOffender])).toEqual([
      [two.s1.venueId, true],
      [two.s2.venueId, false],
    ]);
    // The district's joint-enforcement list measures each street by its own thresholds too.
    const joint = (await (await as(two.districtAdmin)).get('/api/joint-enforcement')).json() as { items: { venueId: string; violations: number }[] };
    expect(joint.items.filter((i) => i.violations > 0).map((i) => i.venueId)).toEqual([two.s1.venueId]);
  });

  describe('sockets', () => {
    const open: { close(): void }[] = [];
    afterAll(() => open.forEach((s) => s.close()));

    /** A dashboard of `name`, keeping every flag, kiosk view and policy notice it hears. */
    async function watch(name: string) {
      const cookie = `vc_session=${(await as(name)).cookies().vc_session}`;
      const heard: { event: string; text: string }[] = [];
      const waiting: { test: (e: { event: string; text: string }) => boolean; resolve: () => void }[] = [];
      const keep = (event: string) => (payload: unknown) => {
        const e = { event, text: JSON.stringify(payload) };
        heard.push(e);
        for (const w of waiting.filter((w) => w.test(e))) waiting.splice(waiting.indexOf(w), 1), w.resolve();
      };
      const socket: DashboardClient = await connectDashboard(url, cookie, (s) => {
        s.on('flag:raised', keep('flag:raised') as (f: Flag) => void);
        s.on('kiosk:status', keep('kiosk:status') as (k: KioskView) => void);
        s.on('policy:changed', keep('policy:changed'));
      });
      open.push(socket);
      return {
        heard,
        /** Resolves once an event of this kind naming `text` has been heard. */
        until: (event: string, text: string) =>
          heard.some((e) => e.event === event && e.text.includes(text))
            ? Promise.resolve()
            : new Promise<void>((resolve) => waiting.push({ test: (e) => e.event === event && e.text.includes(text), resolve })),
      };
    }

    it("sends street A's flags, kiosk views and policy notices to A's, the district's and the city's dashboards, never to B's", async () => {
      const aAdmin = await watch(two.s1.admin);
      const bAdmin = await watch(two.s2.admin);
      const bInspector = await watch(two.s2.inspector);
      const district = await watch(two.districtAdmin);
      const city = await watch(two.cityAdmin);
      const aboveA = [aAdmin, district, city];

      // A flag of A changes (its admin acknowledges it): pushed to the rooms above A's community.
      expect((await (await as(two.s1.admin)).post(`/api/flags/${two.s1.flagId}/actions`, { action: 'acknowledge' })).statusCode).toBe(200);
      await Promise.all(aboveA.map((d) => d.until('flag:raised', two.s1.venueId)));
      // A's kiosk connects: its view goes to the admins above A's street.
      const kiosk: KioskClient = await connectKiosk(url, two.s1.token);
      open.push(kiosk);
      await Promise.all(aboveA.map((d) => d.until('kiosk:status', two.s1.kiosk.id)));
      // A's admin switches A's community to the emergency policy: the notice goes to A's admins above it.
      const switched = await (await as(two.s1.admin)).post('/api/policy/switch', { policy: draft(EMERGENCY_POLICY), communityId: two.s1.communityId, reason: '城东社区出现病例' });
      expect(switched.statusCode).toBe(200);
      await Promise.all(aboveA.map((d) => d.until('policy:changed', two.s1.communityId)));

      // Then B's own: a flag of B acknowledged and B's kiosk connecting. Each socket hears its events
      // in the order they were sent, so once B's dashboards have B's, anything of A sent before is in.
      expect((await (await as(two.s2.admin)).post(`/api/flags/${two.s2.flagId}/actions`, { action: 'acknowledge' })).statusCode).toBe(200);
      await Promise.all([bAdmin, bInspector, district, city].map((d) => d.until('flag:raised', two.s2.venueId)));
      const kioskB: KioskClient = await connectKiosk(url, two.s2.token);
      open.push(kioskB);
      await Promise.all([bAdmin, district, city].map((d) => d.until('kiosk:status', two.s2.kiosk.id)));

      for (const d of [bAdmin, bInspector]) expect(d.heard.filter((e) => leaked(e.text, two.s1).length > 0)).toEqual([]);
      // The inspector hears its community's flags only; kiosk views and policy notices are the admins'.
      expect(bInspector.heard.map((e) => e.event)).toEqual(['flag:raised']);
      for (const d of [district, city]) expect(['flag:raised', 'kiosk:status'].every((ev) => d.heard.some((e) => e.event === ev && leaked(e.text, two.s2).length > 0))).toBe(true);
      // A's admin never heard B's.
      expect(aAdmin.heard.filter((e) => leaked(e.text, two.s2).length > 0)).toEqual([]);
    });
  });
});
