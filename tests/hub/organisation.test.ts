import { WHOLE_CITY } from '../../hub/src/store/scope.js';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { createAggregates } from '../../hub/src/store/aggregates.js';
import type { Store } from '../../hub/src/store/index.js';
import { createRuleContext } from '../../hub/src/store/rule-context.js';
import type { Policy } from '../../shared/schemas/policy.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { CommunityMoveResult, OrgImportReport, OrgTree } from '../../shared/schemas/organisation.js';
import { HOUR, MIN } from '../support/clock.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type KioskClient } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { openTestStore } from '../support/store.js';
import { seedSecondStreet } from '../support/streets.js';

const PASSWORD = 'a long enough password';
const NOW = Math.floor(Date.now() / MIN) * MIN;
type Session = ReturnType<typeof inspectorSession>;

/** The streets and communities an account's registry shows: street → community ids. */
function picture(tree: OrgTree): Record<string, string[]> {
  return Object.fromEntries(tree.districts.flatMap((d) => d.streets.map((s) => [s.id, s.communities.map((c) => c.id).sort()])));
}

/** Each street's day figures as stored (zero rows left out), by street, day and shard. */
async function streetDays(store: Store): Promise<string[]> {
  const rows = await store.sql.all<{ street_id: string; start: number; shard: number; admissions: number; no_phone: number }>(
    'SELECT street_id, start, shard, admissions, no_phone FROM street_days WHERE admissions <> 0 OR no_phone <> 0 ORDER BY street_id, start, shard',
  );
  return rows.map((r) => `${r.street_id}|${r.start}|${r.shard}|${r.admissions}|${r.no_phone}`);
}

/**
 * The registry at scale (docs/district-guide.md): a district's streets and communities imported
 * from a sheet, a street's venue list imported into one of them, and a community moved between
 * streets with its venues, kiosks, records, flags and history. Two districts; a real hub on 127.0.0.1.
 */
describe('organisation registry', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let kiosk: KioskClient | undefined;
  let kioskToken: string;

  // One login per account (the login route limits tries per address).
  const sessions = new Map<string, Session>();
  async function session(name: string): Promise<Session> {
    if (!sessions.has(name)) {
      const s = inspectorSession(url);
      await s.login(name, PASSWORD);
      sessions.set(name, s);
    }
    return sessions.get(name)!;
  }

  async function upload(s: Session, path: string, text: string): Promise<{ status: number; body: any }> {
    const token = (await s.get('/api/auth/csrf')).json().token as string;
    const cookie = Object.entries(s.cookies())
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'text/csv', cookie, 'x-csrf-token': token }, body: text });
    return { status: res.status, body: await res.json() };
  }

  beforeAll(async () => {
    store = await openTestStore(tmp.dir);
    const entranceA = await seedVenue(store, 'venue-a');
    await seedVenue(store, 'venue-b');
    await seedSecondStreet(store);
    // Another district, which the district admin of 'district' does not cover.
    await seedSecondStreet(store, { streetId: 'street-9', streetName: '远方街道', districtId: 'district-9', districtName: '远区', venueId: 'venue-far' });
    const enrolled = await enrolKiosk(store, entranceA);
    kioskToken = enrolled.token;
    // Admissions at venue-a: today, yesterday and two days ago, one of them undone; and at venue-b.
    const a = [NOW - 2 * HOUR, NOW - 26 * HOUR, NOW - 50 * HOUR, NOW - 51 * HOUR].map((ms, i) =>
      entranceRecord(enrolled.kiosk, i + 1, { kioskTime: new Date(ms).toISOString() }),
    );
    await store.records.ingest(a, NOW);
    await store.records.ingest([{ type: 'correction', id: `${a[3]!.id}-undo`, venueId: 'venue-a', kioskId: enrolled.kiosk.id, seq: 5, kioskTime: new Date(NOW - 50 * HOUR).toISOString(), operatorId: 'staff-1', correctsId: a[3]!.id, reason: '误操作' }], NOW);
    const b = (await enrolKiosk(store, 'venue-b-1')).kiosk;
    await store.records.ingest([entranceRecord(b, 1, { kioskTime: new Date(NOW - 3 * HOUR).toISOString() })], NOW);
    await store.flags.raise([{ venueId: 'venue-a', rule: 'skipped_check', severity: 'violation', windowKey: 'w1', evidence: {} }], NOW);
    // The other street is in an emergency; the first is not.
    await store.policies.activate({ ...EMERGENCY_POLICY }, NOW - HOUR, { communityId: null, streetId: 'street-2', by: 'admin-2', note: '疫情' });

    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, streetId: 'street', password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'admin-2', role: 'street_admin', communityId: null, streetId: 'street-2', password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'district', role: 'district_admin', communityId: null, districtId: 'district', password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'city', role: 'city_admin', communityId: null, password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, NOW);

    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => NOW }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    kiosk?.close();
    await app?.close();
    await store?.close();
    tmp.remove();
  });

  it('shows each admin the streets and communities it covers', async () => {
    const city = (await (await session('city')).get('/api/organisation')).json() as OrgTree;
    expect(city.districts.map((d) => [d.id, d.name])).toEqual([
      ['district', '本区'],
      ['district-9', '远区'],
    ]);
    // What hangs off each community, counted once: its venues, kiosks in service, inspectors.
    expect(city.districts[0]!.streets[0]!.communities[0]).toEqual({ id: 'c-venue-a', name: '测试社区', venues: [{ id: 'venue-a', name: '测试KTV' }], kiosks: 1, inspectors: 1 });
    expect(picture(city)).toEqual({
      street: ['c-venue-a', 'c-venue-b'],
      'street-2': ['c-venue-z'],
      'street-9': ['c-venue-far'],
    });
    expect(picture((await (await session('district')).get('/api/organisation')).json())).toEqual({ street: ['c-venue-a', 'c-venue-b'], 'street-2': ['c-venue-z'] });
    expect(picture((await (await session('admin-2')).get('/api/organisation')).json())).toEqual({ 'street-2': ['c-venue-z'] });
    expect((await (await session('inspector-a')).get('/api/organisation')).statusCode).toBe(403);
  });

  it('imports a district sheet: a bad row is refused naming its line and column, the good rows are kept, and each street takes its venue list', async () => {
    const district = await session('district');
    const sheet = [
      '区编号,区名称,街道编号,街道名称,社区编号,社区名称',
      'district,本区,street-3,新华街道,c-xh-1,新华一社区',
      'district,本区,street-3,新华街道,c-xh-2,新华二社区',
      'district,本区,street-4,光明街道,,',
      'district,本区,street 5,坏编号街道,c-bad,坏社区',
      'district-9,远区,street-9,远方街道,c-far-2,远方二社区',
      'district,本区,street-3,新华街道,c-venue-z,抢来的社区',
    ].join('\n');

    // The city is in emergency: a community the sheet brings in enforces it from its first door.
    await store.policies.activate({ ...EMERGENCY_POLICY }, NOW, { communityId: null, city: true, by: 'city' });
    const dry = await upload(district, '/api/organisation/import?dryRun=1', sheet);
    expect(dry.status).toBe(200);
    expect((await store.organisation.street('street-3'))).toBeUndefined();

    const res = await upload(district, '/api/organisation/import', sheet);
    expect(res.status).toBe(200);
    const report = res.body as OrgImportReport;
    expect((await store.policies.activeFor('c-xh-1')).mode).toBe('emergency');
    expect((await store.sql.get<{ n: number }>("SELECT count(*) AS n FROM community_policy WHERE community_id IN ('c-xh-1', 'c-xh-2') AND version > 1"))?.n).toBe(2);
    // Lifted again (the normal preset is the floor then: it loosens nothing the streets set themselves).
    await store.policies.activate({ ...NORMAL_POLICY }, NOW, { communityId: null, city: true, by: 'city' });
    expect(report).toEqual({ ...dry.body, dryRun: false });
    expect(report.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [5, '街道编号', 'invalid'],
      [6, 'districtId', 'other_district'],
      [7, 'communityId', 'community_elsewhere'],
    ]);
    expect(report.rows.map((r) => [r.line, r.streetId, r.street, r.communityId, r.community])).toEqual([
      [2, 'street-3', 'create', 'c-xh-1', 'create'],
      [3, 'street-3', 'unchanged', 'c-xh-2', 'create'],
      [4, 'street-4', 'create', null, null],
    ]);
    expect(picture((await district.get('/api/organisation')).json())).toEqual({
      street: ['c-venue-a', 'c-venue-b'],
      'street-2': ['c-venue-z'],
      'street-3': ['c-xh-1', 'c-xh-2'],
      'street-4': [],
    });
    // Nothing of the other district was touched; the community of street-2 stayed there.
    expect(await store.organisation.placeOfCommunity('c-far-2')).toBeUndefined();
    expect((await store.organisation.placeOfCommunity('c-venue-z'))?.streetId).toBe('street-2');
    const [entry] = (await store.audit.list({ limit: 5 })).filter((e) => e.action === 'organisation_import');
    expect(entry).toMatchObject({ accountName: 'district', detail: { streets: { created: 2 }, communities: { created: 2 }, errors: 3 } });

    // A street's venue list, with the venue import, into one of its communities.
    const venues = await upload(district, '/api/registry/import?communityId=c-xh-1', '场所名称,场所类型,核定人数\n新华KTV,KTV,60\n新华网吧,网吧,40\n');
    expect(venues.status).toBe(200);
    expect(venues.body).toMatchObject({ created: 2, errors: [] });
    expect((await district.get('/api/organisation')).json().districts[0].streets.find((s: { id: string }) => s.id === 'street-3').communities[0].venues.map((v: { name: string }) => v.name)).toEqual(['新华KTV', '新华网吧']);
    // A district admin imports nothing into another district's community; a street admin nothing into another street's.
    expect((await upload(district, '/api/registry/import?communityId=c-venue-far&dryRun=1', '场所名称,场所类型,核定人数\nX,KTV,1\n')).status).toBe(403);
    expect((await upload(await session('admin'), '/api/registry/import?communityId=c-xh-1&dryRun=1', '场所名称,场所类型,核定人数\nX,KTV,1\n')).status).toBe(403);
    // Only above a street: a street admin imports no district.
    expect((await upload(await session('admin'), '/api/organisation/import?dryRun=1', sheet)).status).toBe(403);
  });

  it("moves a community to another street with its venues, kiosks, records, flags and history; the old street's admin loses it and the new one's gains it", async () => {
    const oldAdmin = await session('admin');
    const newAdmin = await session('admin-2');
    const district = await session('district');
    const visit = { venueId: 'venue-a', from: NOW - 3 * HOUR, to: NOW - HOUR };
    expect((await oldAdmin.post('/api/tracing', { visits: [visit], reason: '移交前的流调' })).statusCode).toBe(200);
    expect((await newAdmin.post('/api/tracing', { visits: [visit], reason: '移交前的流调' })).statusCode).toBe(403);
    const before = await streetDays(store);
    const flagsBefore = await store.flags.list({ ...WHOLE_CITY, communityId: 'c-venue-a' });
    expect(flagsBefore.length).toBe(1);

    // The kiosk at venue-a enforces the first street's normal policy; the move sends it street-2's emergency.
    const updates: Policy[] = [];
    kiosk = await connectKiosk(url, kioskToken, (s) => s.on('policy:update', (p) => updates.push(p)));
    const emergency = new Promise<Policy>((resolve) => kiosk!.on('policy:update', (p) => p.mode === 'emergency' && resolve(p)));

    // Refused: a street admin; a district admin moving into another district; an unknown street.
    expect((await oldAdmin.post('/api/organisation/communities/c-venue-a/move', { streetId: 'street-2' })).statusCode).toBe(403);
    expect((await district.post('/api/organisation/communities/c-venue-a/move', { streetId: 'street-9' })).json().error).toMatchObject({ code: 'forbidden', field: 'streetId' });
    expect((await district.post('/api/organisation/communities/c-venue-far/move', { streetId: 'street' })).statusCode).toBe(403);
    expect((await district.post('/api/organisation/communities/c-venue-a/move', { streetId: 'no-street' })).statusCode).toBe(404);
    expect((await district.post('/api/organisation/communities/c-venue-a/move', { streetId: 'street' })).statusCode).toBe(409);

    const res = await district.post('/api/organisation/communities/c-venue-a/move', { streetId: 'street-2' });
    expect(res.statusCode).toBe(200);
    expect(res.json() as CommunityMoveResult).toEqual({
      communityId: 'c-venue-a',
      from: { id: 'street', name: '本街道' },
      to: { id: 'street-2', name: '第二街道' },
      venues: 1,
      kiosks: 1,
      inspectors: 1,
      daysMoved: 3,
    });
    expect((await emergency).mode).toBe('emergency');
    expect(await store.policies.activeFor('c-venue-a')).toMatchObject({ mode: 'emergency' });

    // What hangs off the community went with it: the venue, its kiosk, records, flags; the inspector is of the new street.
    expect(await store.organisation.placeOfVenue('venue-a')).toEqual({ communityId: 'c-venue-a', streetId: 'street-2', districtId: 'district' });
    expect((await store.flags.list({ ...WHOLE_CITY, communityId: 'c-venue-a' })).map((f) => f.id)).toEqual(flagsBefore.map((f) => f.id));
    const inspector = await session('inspector-a');
    expect((await inspector.get('/api/auth/me')).json()).toMatchObject({ streetId: 'street-2', streetName: '第二街道' });

    // The new street's admin traces its visits and sees the community; the old one's neither.
    const traced = await newAdmin.post('/api/tracing', { visits: [visit], reason: '移交后的流调' });
    expect(traced.statusCode).toBe(200);
    expect(traced.json().rows.map((r: { streetId: string }) => r.streetId)).toEqual(['street-2']);
    expect((await oldAdmin.post('/api/tracing', { visits: [visit], reason: '移交后的流调' })).statusCode).toBe(403);
    expect(picture((await oldAdmin.get('/api/organisation')).json())).toEqual({ street: ['c-venue-b'] });
    expect(picture((await newAdmin.get('/api/organisation')).json())).toEqual({ 'street-2': ['c-venue-a', 'c-venue-z'] });
    expect((await upload(oldAdmin, '/api/registry/import?communityId=c-venue-a&dryRun=1', '场所名称,场所类型,核定人数\nX,KTV,1\n')).status).toBe(403);
    expect((await upload(newAdmin, '/api/registry/import?communityId=c-venue-a&dryRun=1', '场所名称,场所类型,核定人数\nX,KTV,1\n')).status).toBe(200);

    // Each street's days stay right: what moved is venue-a's days, and a full recount agrees.
    const after = await streetDays(store);
    expect(after).not.toEqual(before);
    expect(after.filter((r) => r.startsWith('street|'))).toHaveLength(1);
    const moved = await streetDays(store);
    await createAggregates(createRuleContext()).rebuild(store.sql);
    expect(await streetDays(store)).toEqual(moved);

    // Audited: who, which community, from and to, what went with it.
    const moves = (await store.audit.list({ limit: 10 })).filter((e) => e.action === 'community_move');
    // One entry in each street's log: the one it left and the one it joined.
    expect(moves.map((e) => e.streetId).sort()).toEqual(['street', 'street-2']);
    const [entry] = moves;
    expect(entry).toMatchObject({ accountName: 'district', target: 'c-venue-a', detail: { from: { id: 'street' }, to: { id: 'street-2' }, venueIds: ['venue-a'], kiosks: 1 } });
    expect(updates.some((p) => p.mode === 'emergency')).toBe(true);
  });

  it("moves a community to a street whose policy is older than the one its doors hold: the community gets it again under a newer version, so its doors apply it", async () => {
    // street-2 switched to emergency in the set-up; 'street' switches to normal after it (a newer version).
    await store.policies.activate({ ...NORMAL_POLICY }, NOW, { communityId: null, streetId: 'street', by: 'admin', note: '解除' });
    const held = await store.policies.activeFor('c-venue-b');
    expect(held.mode).toBe('normal');
    const street2 = await store.policies.levels('street-2');
    expect(street2.street!.policy.version).toBeLessThan(held.version);
    const res = await (await session('district')).post('/api/organisation/communities/c-venue-b/move', { streetId: 'street-2' });
    expect(res.statusCode).toBe(200);
    const now = await store.policies.activeFor('c-venue-b');
    // Its new street's emergency, numbered above what its doors hold (a door never applies an older version).
    expect(now.mode).toBe('emergency');
    expect(now.version).toBeGreaterThan(held.version);
    expect((await store.policies.version(now.version))).toMatchObject({ level: 'community', communityId: 'c-venue-b', createdBy: 'district' });
  });
});
