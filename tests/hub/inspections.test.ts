import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import type { WeeklyReport } from '../../shared/schemas/dashboard.js';
import { INSPECTION_ITEMS, type Inspection, type InspectionChecks } from '../../shared/schemas/inspection.js';
import { cstDate, cstWeek, DAY, HOUR } from '../support/clock.js';
import { hubOptions, seedVenue, seedAccounts, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { testClock, type TestClock } from '../support/policy-street.js';

/**
 * The on-site inspection (000 §3 "逐一过滤", the inspection ledger) through a real hub on 127.0.0.1
 * over a real SQLite file: an inspector files the checklist of 000 §2(2) for a venue of their
 * community, the hub stamps its own time and the account, the venue's list shows it, the weekly
 * report counts it, and a rectification it saw done is closed by it.
 */

const PASSWORD = 'a long enough password';

/** Every point passed but the ones given. */
const checklist = (overrides: Partial<InspectionChecks> = {}): InspectionChecks => ({
  ...(Object.fromEntries(INSPECTION_ITEMS.map((i) => [i, { result: 'pass' }])) as InspectionChecks),
  ...overrides,
});

describe('POST /api/venues/:id/inspections', () => {
  const tmp = tempDir();
  let clock: TestClock;
  let store: Store;
  let app: FastifyInstance;
  let url: string;

  beforeEach(async () => {
    clock = testClock();
    store = await openTestStore(tmp.dir);
    await seedVenue(store, 'venue-a');
    await seedVenue(store, 'venue-b');
    await seedAccounts(store, PASSWORD, clock.now());
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: clock.now }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function signIn(name: string) {
    const s = inspectorSession(url);
    await s.login(name, PASSWORD);
    return s;
  }

  it('stores the checklist with the hub time and the signed-in inspector, lists it on the venue and audits it', async () => {
    const a = await signIn('inspector-a');
    const res = await a.post('/api/venues/venue-a/inspections', {
      items: checklist({ one_metre_line: { result: 'fail', note: '门口无一米线' }, staff_tests: { result: 'not_applicable' }, ledgers_kept: { result: 'fail' } }),
      note: '现场检查',
    });
    expect(res.statusCode).toBe(201);
    const made = res.json() as Inspection;
    expect(made).toMatchObject({ venueId: 'venue-a', at: clock.now(), inspectorName: 'inspector-a', note: '现场检查', closed: [] });
    // Failed points in checklist order, whatever order they were sent in.
    expect(made.failed).toEqual(['one_metre_line', 'ledgers_kept']);
    expect(made.items.one_metre_line).toEqual({ result: 'fail', note: '门口无一米线' });

    clock.advance(HOUR);
    expect((await a.post('/api/venues/venue-a/inspections', { items: checklist() })).statusCode).toBe(201);
    const list = (await a.get('/api/venues/venue-a/inspections')).json() as { items: Inspection[] };
    expect(list.items.map((i) => [i.at, i.failed.length])).toEqual([
      [clock.now(), 0],
      [clock.now() - HOUR, 2],
    ]);

    const audit = await store.audit.list({ limit: 10 });
    expect(audit.find((e) => e.action === 'inspection' && e.target === String(made.id))).toMatchObject({
      accountName: 'inspector-a',
      detail: { venueId: 'venue-a', failed: ['one_metre_line', 'ledgers_kept'], closed: [] },
    });
  });

  it('keeps an inspector to the venues of their community (403 before the body is read), and needs the CSRF token', async () => {
    const b = await signIn('inspector-b');
    // Not theirs: 403 even with a body that would not validate.
    expect((await b.post('/api/venues/venue-a/inspections', { items: { nonsense: true } })).statusCode).toBe(403);
    expect((await b.post('/api/venues/venue-a/inspections', { items: checklist() })).statusCode).toBe(403);
    expect((await b.get('/api/venues/venue-a/inspections')).statusCode).toBe(403);
    expect((await b.post('/api/venues/nowhere/inspections', { items: checklist() })).statusCode).toBe(404);
    expect((await b.post('/api/venues/venue-b/inspections', { items: checklist() }, false)).statusCode).toBe(403);
    expect((await b.post('/api/venues/venue-b/inspections', { items: checklist() })).statusCode).toBe(201);
    // The street admin sees every venue's.
    const admin = await signIn('admin');
    expect(((await admin.get('/api/venues/venue-b/inspections')).json() as { items: Inspection[] }).items).toHaveLength(1);
    expect(await store.inspections.list('venue-a', 10)).toEqual([]);
  });

  it('refuses an invalid checklist naming the field', async () => {
    const a = await signIn('inspector-a');
    const wrong = await a.post('/api/venues/venue-a/inspections', { items: checklist({ entrance_mask: { result: 'maybe' as 'pass' } }) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: 'invalid', field: 'items.entrance_mask.result' });

    const { named_officers: _left, ...missing } = checklist();
    const gap = await a.post('/api/venues/venue-a/inspections', { items: missing });
    expect(gap.statusCode).toBe(400);
    expect(gap.json().error).toMatchObject({ field: 'items.named_officers' });

    const blank = await a.post('/api/venues/venue-a/inspections', { items: checklist({ notices_posted: { result: 'fail', note: '  ' } }) });
    expect(blank.json().error).toMatchObject({ field: 'items.notices_posted.note' });
    expect(await store.inspections.list('venue-a', 10)).toEqual([]);
  });

  it('closes a rectification it saw done, naming itself on the flag, and refuses one that is not waiting', async () => {
    const a = await signIn('inspector-a');
    const [flag] = await store.flags.raise([{ venueId: 'venue-a', rule: 'skipped_check', severity: 'violation', windowKey: 'w1', evidence: {} }], clock.now());
    const [other] = await store.flags.raise([{ venueId: 'venue-a', rule: 'skipped_check', severity: 'violation', windowKey: 'w2', evidence: {} }], clock.now());
    const [elsewhere] = await store.flags.raise([{ venueId: 'venue-b', rule: 'skipped_check', severity: 'violation', windowKey: 'w1', evidence: {} }], clock.now());
    const ordered = await a.post(`/api/flags/${flag!.id}/actions`, { action: 'order_rectification', deadline: cstDate(clock.now() + 3 * DAY), note: '三日内整改' });
    expect(ordered.statusCode).toBe(200);
    clock.advance(HOUR);

    // The other flag was never ordered; venue b's is not this venue's: nothing is stored.
    const notWaiting = await a.post('/api/venues/venue-a/inspections', { items: checklist(), closes: [flag!.id, other!.id] });
    expect(notWaiting.statusCode).toBe(409);
    expect(notWaiting.json().error).toMatchObject({ code: 'conflict', field: 'closes.1' });
    const admin = await signIn('admin');
    const notHere = await admin.post('/api/venues/venue-a/inspections', { items: checklist(), closes: [elsewhere!.id] });
    expect(notHere.json().error).toMatchObject({ field: 'closes.0' });
    expect(await store.inspections.list('venue-a', 10)).toEqual([]);
    expect((await store.flags.get(flag!.id))!.status).toBe('rectification_ordered');

    const res = await a.post('/api/venues/venue-a/inspections', { items: checklist(), closes: [flag!.id] });
    expect(res.statusCode).toBe(201);
    const made = res.json() as Inspection;
    expect(made.closed).toEqual([flag!.id]);
    expect((await store.flags.get(flag!.id))!.status).toBe('rectified');
    const history = await store.flags.history(flag!.id);
    expect(history.at(-1)).toMatchObject({ action: 'mark_rectified', accountName: 'inspector-a', visitedAt: clock.now(), inspectionId: made.id });

    // Closed once: a second inspection cannot close it again.
    const again = await a.post('/api/venues/venue-a/inspections', { items: checklist(), closes: [flag!.id] });
    expect(again.statusCode).toBe(409);
  });

  it('stores a form sent again after a lost reply once, answering the inspection already stored', async () => {
    const a = await signIn('inspector-a');
    const clientId = randomUUID();
    const first = await a.post('/api/venues/venue-a/inspections', { clientId, items: checklist({ one_metre_line: { result: 'fail' } }) });
    expect(first.statusCode).toBe(201);
    clock.advance(60_000);
    const again = await a.post('/api/venues/venue-a/inspections', { clientId, items: checklist({ one_metre_line: { result: 'fail' } }) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await store.inspections.list('venue-a', 10)).toHaveLength(1);
    expect((await store.audit.list({ limit: 50 })).filter((e) => e.action === 'inspection')).toHaveLength(1);
    // The same id for another venue is refused, naming it, and stores nothing.
    const admin = await signIn('admin');
    const elsewhere = await admin.post('/api/venues/venue-b/inspections', { clientId, items: checklist() });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json().error).toMatchObject({ code: 'conflict', field: 'clientId' });
    expect(await store.inspections.list('venue-b', 10)).toEqual([]);
    // Not a UUID: refused at its field.
    const bad = await a.post('/api/venues/venue-a/inspections', { clientId: 'again', items: checklist() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toMatch(/clientId$/);
  });

  it('counts the week: inspections, venues inspected, failed points, in the report and its CSV', async () => {
    const a = await signIn('inspector-a');
    const [flag] = await store.flags.raise([{ venueId: 'venue-a', rule: 'skipped_check', severity: 'violation', windowKey: 'w1', evidence: {} }], clock.now());
    await a.post(`/api/flags/${flag!.id}/actions`, { action: 'order_rectification', deadline: cstDate(clock.now() + 3 * DAY), note: '整改' });
    clock.advance(HOUR);
    await a.post('/api/venues/venue-a/inspections', { items: checklist({ entrance_scan: { result: 'fail' }, one_metre_line: { result: 'fail' } }) });
    clock.advance(HOUR);
    // Closing the rectification through the inspection counts once: as the inspection.
    await a.post('/api/venues/venue-a/inspections', { items: checklist({ notices_posted: { result: 'fail' } }), closes: [flag!.id] });
    const week = cstWeek(clock.now());

    const admin = await signIn('admin');
    const report = (await admin.get(`/api/reports/weekly?week=${week}`)).json() as WeeklyReport;
    const row = (id: string) => report.rows.find((r) => r.venueId === id)!;
    expect(row('venue-a')).toMatchObject({ inspections: 2, inspectionItemsFailed: 3, rectificationsClosed: 1, rectificationsOpen: 0 });
    expect(row('venue-b')).toMatchObject({ inspections: 0, inspectionItemsFailed: 0 });
    expect(report.rows.filter((r) => r.inspections > 0)).toHaveLength(1);

    // The CSV as an English reader downloads it: the points failed right after the inspections.
    const csv = (await admin.get(`/api/reports/weekly.csv?week=${week}&lang=en`)).body.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = csv[0]!.split(',');
    const col = header.indexOf('Inspection points failed');
    expect(col).toBe(header.indexOf('On-site inspections') + 1);
    const venueA = csv.find((l) => l.split(',').includes('测试KTV') && l.split(',')[col] === '3');
    expect(venueA?.split(',')[header.indexOf('On-site inspections')]).toBe('2');

    // The week before counts none of them.
    const before = (await admin.get(`/api/reports/weekly?week=${cstWeek(clock.now() - 7 * DAY)}`)).json() as WeeklyReport;
    expect(before.rows.every((r) => r.inspections === 0 && r.inspectionItemsFailed === 0)).toBe(true);
  });
});
