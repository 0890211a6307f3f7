import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { cstDate, cstWeek, DAY } from '../support/clock.js';
import { FlagRule } from '../../shared/schemas/flags.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord, recordBase } from '../support/records.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';

const PASSWORD = 'a long enough password';
/** Today and this week at the venues (UTC+8), by the wall clock the hub runs on. */
const today = () => cstDate(Date.now());
const thisWeek = () => cstWeek(Date.now());
const SQLI = ["' OR 1=1 --", '1; DROP TABLE entrance_records; --', "venue-a' UNION SELECT * FROM accounts --", '%27%20OR%201=1'];

describe('inspectors API against the running hub: scope, CSRF, hostile filters', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let flagId: number;
  let url: string;
  let kiosk: KioskIdentity;
  let kioskA: KioskIdentity;

  beforeEach(async () => {
    store = await openTestStore(tmp.dir);
    const a = await seedVenue(store, 'venue-a');
    await seedVenue(store, 'venue-b');
    ({ kiosk } = await enrolKiosk(store, a));
    kioskA = kiosk;
    await store.records.ingest(
      [entranceRecord(kiosk, 1), entranceRecord(kiosk, 2, { checks: { scan: { outcome: 'skipped', reason: '<script>alert(1)</script>' } } })],
      Date.now(),
    );
    await store.sql.run("UPDATE venues SET name = '<script>alert(1)</script>' WHERE id = 'venue-a'");
    flagId = (await store.sql.get<{ id: number }>(
      "INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at) VALUES ('venue-a', 'skipped_check', 'warning', 'w1', '{\"recordIds\":[]}', ?, ?) RETURNING id",
      [Date.now(), Date.now()],
    ))!.id;
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    await store.accounts.create({ name: 'inspector-b', role: 'community_inspector', communityId: 'c-venue-b', password: PASSWORD }, Date.now());
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }));
    // Real HTTP on 127.0.0.1, as a browser (or an attacker) reaches it.
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  it('sets the session cookie httpOnly, SameSite=Strict and rate-limits password guessing over HTTP', async () => {
    const csrf = await fetch(`${url}/api/auth/csrf`);
    const jar = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { token } = (await csrf.json()) as { token: string };
    const login = (password: string) =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar, 'x-csrf-token': token },
        body: JSON.stringify({ name: 'admin', password }),
      });
    const ok = await login(PASSWORD);
    expect(ok.status).toBe(200);
    const session = ok.headers.getSetCookie().find((c) => c.startsWith('vc_session='))!;
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    expect(session).toMatch(/; Path=\//i);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(`wrong-${i}`)).status);
    // Five wrong passwords free for the account, then its growing wait; the address's 10 in any case
    // (docs/security.md "Rate limits"; tests/hub/login-guessing.test.ts has each on its own).
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses[9]).toBe(429);
  });

  it('needs a session for every inspectors route', async () => {
    for (const path of ['/api/street', '/api/venues/venue-a', '/api/venues/venue-a/records', '/api/flags', `/api/flags/${flagId}`, `/api/ranking?date=${today()}`, `/api/reports/weekly?week=${thisWeek()}`, `/api/reports/weekly.csv?week=${thisWeek()}`, '/api/joint-enforcement', '/api/audit']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    }
  });

  it("gives a community inspector 403 and no data for another community's venue and flag", async () => {
    const s = inspectorSession(url);
    await s.login('inspector-b', PASSWORD);
    for (const path of ['/api/venues/venue-a', '/api/venues/venue-a/records', `/api/venues/venue-a/day?date=${today()}`, '/api/venues/venue-a/ledgers?from=0&to=1', '/api/flags?venueId=venue-a', `/api/flags/${flagId}`]) {
      const res = await s.get(path);
      expect(res.statusCode, path).toBe(403);
      expect(res.body).not.toContain('<script>');
    }
    const action = await s.post(`/api/flags/${flagId}/actions`, { action: 'acknowledge' });
    expect(action.statusCode).toBe(403);
    const street = (await s.get('/api/street')).json() as { communities: { id: string }[] };
    expect(street.communities.map((c) => c.id)).toEqual(['c-venue-b']);
    expect(((await s.get('/api/flags')).json() as { items: unknown[] }).items).toEqual([]);
    expect((await s.get('/api/audit')).statusCode).toBe(403);
  });

  it('answers the ledger page with the rows it can read and names those kept under an older schema, never a 500', async () => {
    const now = Date.now();
    const check = { ...recordBase(kioskA, 3), kioskTime: new Date(now - 2 * 60_000).toISOString(), type: 'venue_check' as const, oneMetreLine: true, noticesPosted: true };
    const old = { ...recordBase(kioskA, 4), kioskTime: new Date(now - 60_000).toISOString(), type: 'staff_temperature' as const, staffId: 'venue-a-staff-1', celsius: 36.4 };
    await store.records.ingest([check, old], now);
    // As a file from before offsets like +23:59 were refused holds it.
    const badTime = old.kioskTime.replace('Z', '+23:59');
    await store.sql.run('UPDATE kiosk_records SET kiosk_time = ? WHERE id = ?', [badTime, old.id]);
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    const res = await s.get(`/api/venues/venue-a/ledgers?from=${now - DAY}&to=${now + DAY}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: { id: string }[]; unreadable: { id: string; type: string; kioskTime: string }[] };
    expect(body.items.map((i) => i.id)).toEqual([check.id]);
    expect(body.unreadable).toEqual([{ id: old.id, type: 'staff_temperature', kioskTime: badTime }]);
  });

  it('refuses a flag action without the CSRF token; with it the action is done and audit-logged', async () => {
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    expect((await s.post(`/api/flags/${flagId}/actions`, { action: 'acknowledge' }, false)).statusCode).toBe(403);
    const note = '<script>alert(1)</script> 整改';
    // A deadline a week ahead: the hub refuses one that has passed.
    const deadline = cstDate(Date.now() + 7 * DAY);
    const ordered = await s.post(`/api/flags/${flagId}/actions`, { action: 'order_rectification', deadline, note });
    expect(ordered.statusCode).toBe(200);
    expect(ordered.headers['content-type']).toContain('application/json');
    expect(ordered.json()).toMatchObject({ id: flagId, status: 'rectification_ordered', note });
    const audit = ((await s.get('/api/audit')).json() as { items: { action: string }[] }).items.map((e) => e.action);
    expect(audit).toContain('flag_action');
  });

  it('withdraws a false flag with a reason, after which no action applies', async () => {
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    expect((await s.post(`/api/flags/${flagId}/actions`, { action: 'withdraw' })).json().error.field).toBe('note');
    const res = await s.post(`/api/flags/${flagId}/actions`, { action: 'withdraw', note: '24小时营业，夜间无客属正常' });
    expect(res.json()).toMatchObject({ status: 'withdrawn', note: '24小时营业，夜间无客属正常' });
    const again = await s.post(`/api/flags/${flagId}/actions`, { action: 'acknowledge' });
    expect(again.statusCode).toBe(409);
    expect(((await s.get(`/api/flags/${flagId}`)).json() as { history: { action: string; accountName: string }[] }).history).toMatchObject([
      { action: 'withdraw', accountName: 'admin' },
    ]);
  });

  it('keeps SQL-injection strings in every filter inert', async () => {
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    const records = async () => (await store.sql.get<{ n: number }>('SELECT count(*) AS n FROM entrance_records'))!.n;
    const before = await records();
    for (const bad of SQLI) {
      const q = encodeURIComponent(bad);
      for (const path of [
        `/api/venues/venue-a/records?outcome=${q}`,
        `/api/venues/venue-a/records?check=${q}`,
        `/api/venues/venue-a/records?from=${q}`,
        `/api/venues/venue-a/records?skipped=${q}`,
        `/api/venues/venue-a/records?page=${q}`,
        `/api/venues/${q}/records`,
        `/api/venues/venue-a/day?date=${q}`,
        `/api/ranking?date=${q}`,
        `/api/reports/weekly?week=${q}`,
        `/api/flags?status=${q}`,
        `/api/flags?venueId=${q}`,
      ]) {
        const res = await s.get(path);
        expect([400, 404], `${path} → ${res.statusCode}`).toContain(res.statusCode);
      }
    }
    expect(await records()).toBe(before);
    expect(await store.accounts.count()).toBe(2);
  });

  it('gives a flag with the names behind its ids and which of its records the door undid', async () => {
    const [kept, undone] = [entranceRecord(kiosk, 3), entranceRecord(kiosk, 4)];
    await store.records.ingest([kept, undone, { ...recordBase(kiosk, 5), type: 'correction', correctsId: undone.id, reason: '误操作' }], Date.now());
    const evidence = { recordIds: [kept.id, undone.id], kioskIds: [kiosk.id], operatorIds: ['venue-a-staff-2'] };
    const { id } = (await store.sql.get<{ id: number }>(
      "INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at) VALUES ('venue-a', 'skipped_check', 'warning', 'w2', ?, ?, ?) RETURNING id",
      [JSON.stringify(evidence), Date.now(), Date.now()],
    ))!;
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    const body = (await s.get(`/api/flags/${id}`)).json() as { names: unknown; undone: string[] };
    expect(body.undone).toEqual([undone.id]);
    expect(body.names).toEqual({ kiosks: { [kiosk.id]: { entrance: '正门', n: 1, of: 1 } }, staff: { 'venue-a-staff-1': '王芳', 'venue-a-staff-2': '李强' } });
  });

  it('returns markup from venue names and skip reasons as JSON strings, never as a page', async () => {
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    const res = await s.get('/api/venues/venue-a/records');
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.json().items.some((r: { checks: { scan?: { reason?: string } } }) => r.checks.scan?.reason === '<script>alert(1)</script>')).toBe(true);
    const street = await s.get('/api/street');
    expect(street.headers['content-type']).toContain('application/json');
  });

  it('exports the weekly report as CSV with formula cells neutralised, and logs the export', async () => {
    await store.sql.run("UPDATE venues SET name = '=HYPERLINK(\"http://x\")' WHERE id = 'venue-a'");
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    const res = await s.get(`/api/reports/weekly.csv?week=${thisWeek()}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body).not.toMatch(/(^|,)=HYPERLINK/m);
    const audit = ((await s.get('/api/audit')).json() as { items: { action: string }[] }).items.map((e) => e.action);
    expect(audit).toContain('export_weekly_csv');
  });

  it('heads the weekly CSV in the reader\'s language, with a column per flag rule every week', async () => {
    const s = inspectorSession(url);
    await s.login('admin', PASSWORD);
    const heads = async (query: string) => (await s.get(`/api/reports/weekly.csv?week=${thisWeek()}${query}`)).body.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    const zh = await heads('');
    expect(zh.slice(0, 5)).toEqual(['社区', '场所', '入场人次', '拒绝人次', '跳过检查比例']);
    expect(zh).toContain('核验项被跳过');
    expect(zh.at(-1)).toBe('屡查屡犯');
    const en = await heads('&lang=en');
    expect(en.slice(0, 2)).toEqual(['Community', 'Venue']);
    expect(en).toContain('Check skipped');
    // Every rule has its column whether or not it fired: this week (a flag) and a week with none;
    // then inspections, their failed points, rectifications open and closed, repeat offender.
    expect(zh).toHaveLength(5 + FlagRule.options.length + 5);
    expect(zh.slice(-5)).toEqual(['现场检查次数', '检查不合格项', '整改中', '本周整改完成', '屡查屡犯']);
    const empty = (await s.get(`/api/reports/weekly.csv?week=2001-W02`)).body.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    expect(empty).toEqual(zh);
    expect((await s.get(`/api/reports/weekly.csv?week=${thisWeek()}&lang=fr`)).statusCode).toBe(400);
  });
});
