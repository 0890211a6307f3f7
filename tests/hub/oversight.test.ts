import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { addTotals, weeklyTotals } from '../../hub/src/store/oversight.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';
import type { OversightOverview, RolledUpReport, StreetFigures, StreetRanking } from '../../shared/schemas/oversight.js';
import { cstAt, cstDate, cstMidnight, cstWeek, DAY, HOUR, MIN } from '../support/clock.js';
import { enrolKiosk, hubOptions, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { openTestStore } from '../support/store.js';
import { seedStreetVenue } from '../support/streets.js';

const PASSWORD = 'a long enough password';
const ROUTES = (week: string, date: string) => ['/api/oversight', `/api/oversight/ranking?date=${date}`, `/api/oversight/reports/weekly?week=${week}`, `/api/oversight/reports/weekly.csv?week=${week}`];

/**
 * Oversight of streets over a real hub on 127.0.0.1: two streets of one district (street, street-b)
 * and a street of another district (street-c). The district admin sees its two, the city admin all
 * three, a street admin and an inspector nothing (403).
 */
describe('oversight of streets: the district and the city over their streets', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let now: number;
  /** The deployment's own street (migration 29), in the district with street-b. */
  let own: string;
  const week = () => cstWeek(now);
  const today = () => cstDate(now);

  beforeAll(async () => {
    store = await openTestStore(tmp.dir);
    // The deployment's own district and street (migration 29), then a second street beside it and a district of its own.
    const street = (await store.organisation.streets())[0]!;
    own = street.id;
    const a = await seedStreetVenue(store, { districtId: street.districtId, streetId: street.id, venueId: 'venue-a', name: '甲KTV' });
    const b = await seedStreetVenue(store, { districtId: street.districtId, streetId: 'street-b', venueId: 'venue-b', name: '乙KTV' });
    const c = await seedStreetVenue(store, { districtId: 'district-2', streetId: 'street-c', venueId: 'venue-c', name: '丙KTV' });
    const { kiosk: ka } = await enrolKiosk(store, a);
    await enrolKiosk(store, b);
    const { kiosk: kc } = await enrolKiosk(store, c);
    // The hub's clock: 13:00 today at the venues (UTC+8); the doors' records an hour before, so
    // "today" is one day whatever the wall clock does while the test runs.
    now = cstAt(cstMidnight(0), 13);
    const at = (seq: number) => ({ kioskTime: new Date(now - HOUR + seq).toISOString() });
    await store.records.ingest(
      [
        entranceRecord(ka, 1, at(1)),
        entranceRecord(ka, 2, at(2)),
        entranceRecord(ka, 3, at(3)),
        entranceRecord(ka, 4, { ...at(4), decision: 'refuse', reasons: ['fever'], checks: { temperature: { outcome: 'measured', celsius: 38.2 } } }),
      ],
      // Sent five minutes ago: heard within the policy's 10 minutes (kioskOfflineMinutes), online.
      now - 5 * MIN,
    );
    // Heard last an hour ago: a door in service, offline.
    await store.records.ingest([entranceRecord(kc, 1, at(1)), entranceRecord(kc, 2, at(2))], now - HOUR + 10);
    const flag = (venue: string, rule: string, severity: string, status: string, openedAt: number, deadline: number | null, key: string) =>
      store.sql.run(
        'INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at, status, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [venue, rule, severity, key, '{"recordIds":[]}', openedAt, openedAt, status, deadline],
      );
    await flag('venue-a', 'skipped_check', 'warning', 'open', now, null, 'a1');
    // Opened last week, ordered put right by yesterday, not done: overdue, and on the
    // joint-enforcement list (000 §5 查后不改); not in this week's report.
    await flag('venue-b', 'over_capacity', 'violation', 'rectification_ordered', now - 8 * DAY, now - DAY, 'b1');
    await flag('venue-b', 'ledger_not_kept', 'warning', 'open', now, null, 'b2');
    await flag('venue-c', 'skipped_check', 'warning', 'rectified', now, null, 'c1');
    await store.accounts.create({ name: 'district', role: 'district_admin', districtId: street.districtId, password: PASSWORD }, now);
    await store.accounts.create({ name: 'city', role: 'city_admin', password: PASSWORD }, now);
    await store.accounts.create({ name: 'admin', role: 'street_admin', streetId: street.id, password: PASSWORD }, now);
    await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, now);
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    tmp.remove();
  });

  const signIn = async (name: string) => {
    const s = inspectorSession(url);
    await s.login(name, PASSWORD);
    return s;
  };
  const byId = (o: OversightOverview) => new Map<string, StreetFigures>(o.streets.map((s) => [s.streetId, s]));

  it('shows the district admin its own streets only, each with its figures', async () => {
    const district = await signIn('district');
    const res = await district.get('/api/oversight');
    expect(res.statusCode).toBe(200);
    const o = res.json() as OversightOverview;
    const streets = byId(o);
    expect([...streets.keys()].sort()).toEqual([own, 'street-b'].sort());
    const a = streets.get(own)!;
    expect(a).toMatchObject({ venues: 1, communities: 1, doors: 1, doorsOnline: 1, admissionsToday: 3, admissions7: 3, overdueRectifications: 0, jointEnforcement: 0, ledgersKept: 1 });
    expect(a.openFlags).toEqual([{ rule: 'skipped_check', severity: 'warning', n: 1 }]);
    expect(a.hours.admissions.reduce((x, y) => x + y, 0)).toBe(3);
    expect(a.days.admissions[6]).toBe(3);
    expect(a.days.dates[6]).toBe(today());
    expect(a.hours.flags.reduce((x, y) => x + y, 0)).toBe(1);
    const b = streets.get('street-b')!;
    // Enrolled, never heard: a door, not online.
    expect(b).toMatchObject({ venues: 1, doors: 1, doorsOnline: 0, admissionsToday: 0, scansPerAdmission: null, overdueRectifications: 1, jointEnforcement: 1, ledgersKept: 0 });
    expect(b.openFlags).toEqual([
      { rule: 'over_capacity', severity: 'violation', n: 1 },
      { rule: 'ledger_not_kept', severity: 'warning', n: 1 },
    ]);
    expect(JSON.stringify(o)).not.toContain('street-c');
  });

  it('shows the city admin every street of every district', async () => {
    const city = await signIn('city');
    const o = (await city.get('/api/oversight')).json() as OversightOverview;
    const streets = byId(o);
    expect(streets.size).toBe(3);
    // The rectified flag is not open; its street's two admissions stand; its door was heard an hour ago.
    expect(streets.get('street-c')).toMatchObject({ districtId: 'district-2', admissionsToday: 2, openFlags: [], doors: 1, doorsOnline: 0 });
    const ranking = (await city.get(`/api/oversight/ranking?date=${today()}`)).json() as StreetRanking;
    expect(ranking.rows.map((r) => r.streetId).sort()).toEqual([...streets.keys()].sort());
    expect(ranking.rows.find((r) => r.streetId === 'street-c')).toMatchObject({ venues: 1, admissions: 2, skippedRate: 0 });
  });

  it('answers a street admin and an inspector 403 on every oversight route, and nobody signed in 401', async () => {
    for (const name of ['admin', 'inspector-a']) {
      const s = await signIn(name);
      for (const route of ROUTES(week(), today())) {
        const res = await s.get(route);
        expect(res.statusCode, `${name} ${route}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
        expect(res.body).not.toContain('venue-');
      }
    }
    for (const route of ROUTES(week(), today())) expect((await fetch(`${url}${route}`)).status).toBe(401);
  });

  it('validates every query with zod: a bad week, date or an unknown parameter is 400', async () => {
    const district = await signIn('district');
    for (const route of ['/api/oversight?street=street-c', '/api/oversight/ranking?date=yesterday', '/api/oversight/reports/weekly?week=2026-W99', '/api/oversight/reports/weekly.csv?week=2026-W01&lang=fr']) {
      const res = await district.get(route);
      expect(res.statusCode, route).toBe(400);
      expect(res.json().error.code).toBe('invalid');
    }
  });

  it('rolls the weekly report up from the streets\u2019 own reports: each street the sum of its venues, the total the sum of the streets', async () => {
    const district = await signIn('district');
    const r = (await district.get(`/api/oversight/reports/weekly?week=${week()}`)).json() as RolledUpReport;
    expect(r.streets).toHaveLength(2);
    // Each street's own report: the street report over the whole deployment, cut to that street's venues.
    const whole = await store.dashboard.weeklyReport(week(), WHOLE_CITY);
    for (const s of r.streets) {
      const own = whole.rows.filter((row) => s.rows.some((x) => x.venueId === row.venueId));
      expect(s.rows).toEqual(own);
      expect(s.totals).toEqual(weeklyTotals(own));
    }
    expect(r.totals).toEqual(addTotals(r.streets.map((s) => s.totals)));
    expect(r.totals).toMatchObject({ venues: 2, admissions: 3, refusals: 1 });
    expect(r.totals.flagsByRule).toEqual({ skipped_check: 1, ledger_not_kept: 1 });
    expect(r.streets.flatMap((s) => s.rows.map((x) => x.venueId)).sort()).toEqual(['venue-a', 'venue-b']);
    const city = (await (await signIn('city')).get(`/api/oversight/reports/weekly?week=${week()}`)).json() as RolledUpReport;
    expect(city.totals.admissions).toBe(5);
  });

  it('exports the rolled-up report as CSV: a row per street, then the total', async () => {
    const district = await signIn('district');
    const res = await district.get(`/api/oversight/reports/weekly.csv?week=${week()}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^区,街道,场所数,入场人次/);
    expect(lines).toHaveLength(4);
    const streets = await store.organisation.streets();
    const nameOf = (id: string) => streets.find((s) => s.id === id)!.name;
    expect(lines.some((l) => l.includes(`,${nameOf(own)},1,3,1,`))).toBe(true);
    expect(lines.some((l) => l.includes(`,${nameOf('street-b')},1,0,0,`))).toBe(true);
    expect(lines[3]).toMatch(/^合计,,2,3,1,/);
    const en = await district.get(`/api/oversight/reports/weekly.csv?week=${week()}&lang=en`);
    expect(en.body).toContain('District,Street,Venues,Admissions');
    // Viewing and exporting are audit-logged, as the street's report is.
    const actions = (await store.audit.list({ limit: 50 })).map((e) => e.action);
    expect(actions).toContain('export_rolled_up_csv');
  });
});
