import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { newHubKeys, type HubKeys } from '../../hub/src/keys.js';
import { encryptContact } from '../../hub/src/services/contact-cipher.js';
import type { Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { makePassCode, minuteOf } from '../../shared/rules/pass-code.js';
import type { TracingResult } from '../../shared/schemas/tracing.js';
import { HOUR, MIN } from '../support/clock.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { openTestStore } from '../support/store.js';
import { seedSecondStreet } from '../support/streets.js';

const PASSWORD = 'a long enough password';
const REASON = '确诊病例跨街道流调（区疾控中心要求）';
/** The hub's clock: the wall clock when the file starts, to the minute. */
const NOW = Math.floor(Date.now() / MIN) * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Tracing across streets (docs/security.md "Tracing"): two streets in one deployment, a real hub on
 * 127.0.0.1. A case visited venue-a (street 'street') and venue-z (street 'street-2'); the city
 * admin's one run finds both visits' people, each row naming its street; a street admin's run
 * reads only its own street and is refused (403, nothing read) when it names the other's venue.
 */
describe('tracing across streets', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let keys: HubKeys;
  let url: string;
  const kiosks: Record<'a' | 'z', KioskIdentity> = {} as never;
  const phone = '13912345678';
  const visitOf = (venueId: string) => ({ venueId, from: NOW - 4 * HOUR, to: NOW - HOUR });

  // One login per account for the whole file: logins from one address are rate limited.
  const sessions = new Map<string, Promise<ReturnType<typeof inspectorSession>>>();
  function session(name: string) {
    let s = sessions.get(name);
    if (!s) {
      const browser = inspectorSession(url);
      s = browser.login(name, PASSWORD).then(() => browser);
      sessions.set(name, s);
    }
    return s;
  }

  beforeAll(async () => {
    store = await openTestStore(tmp.dir);
    kiosks.a = (await enrolKiosk(store, await seedVenue(store, 'venue-a'))).kiosk;
    const second = await seedSecondStreet(store);
    kiosks.z = (await enrolKiosk(store, second.entranceId)).kiosk;
    keys = await newHubKeys();

    // Two admissions at each door during the case's visit, one the day before (outside it).
    for (const [k, kiosk] of Object.entries(kiosks)) {
      const at = (ms: number, seq: number) => entranceRecord(kiosk, seq, { kioskTime: iso(ms) });
      await store.records.ingest([at(NOW - 26 * HOUR, 1), at(NOW - 3 * HOUR, 2), at(NOW - 2 * HOUR - (k === 'a' ? 0 : 7) * MIN, 3)], NOW);
    }
    // A pass with a contact number at the other street's venue: the only number in the run.
    const secret = (await store.venues.codeSecret('venue-z'))!;
    const issuedAt = NOW - 150 * MIN;
    const minute = minuteOf(issuedAt);
    await store.passes.add({
      id: randomUUID(),
      venueId: 'venue-z',
      entranceId: second.entranceId,
      kioskId: kiosks.z.id,
      source: 'live',
      code: await makePassCode(secret, 'venue-z', minute, 0, 1),
      codeMinute: minute,
      codeNumber: 0,
      issuedAt,
      expiresAt: issuedAt + 10 * MIN,
      policyVersion: 1,
      people: [{ h: 'green', i: 'local' }],
      verdict: 'enter',
      signed: 'VCP1.test.unsigned',
      contact: encryptContact(phone, keys.contactKey),
    });

    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, streetId: 'street', password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'admin-2', role: 'street_admin', communityId: null, streetId: 'street-2', password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'district', role: 'district_admin', communityId: null, districtId: 'district', password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'city', role: 'city_admin', communityId: null, password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, NOW);

    app = await buildHub(await hubOptions(store, { keys, kioskDist: join(tmp.dir, 'none'), now: () => NOW }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    tmp.remove();
  });

  const runs = async () => (await store.audit.list({ limit: 200 })).filter((e) => e.action === 'tracing_run' || e.action === 'tracing_export');

  it("the city admin's one run finds the case's visits in both streets, each row naming its street", async () => {
    const city = await session('city');
    const res = await city.post('/api/tracing', { visits: [visitOf('venue-a'), visitOf('venue-z')], reason: REASON });
    expect(res.statusCode).toBe(200);
    const result = res.json() as TracingResult;
    expect(result.streets.map((s) => s.id).sort()).toEqual(['street', 'street-2']);
    expect(result.visits.map((v) => [v.venueId, v.streetId, v.streetName])).toEqual([
      ['venue-a', 'street', '本街道'],
      ['venue-z', 'street-2', '第二街道'],
    ]);
    const byStreet = (id: string) => result.rows.filter((r) => r.streetId === id);
    // Two walk-ins at each door in the window (the day before is outside it), and the pass at venue-z.
    expect(byStreet('street').map((r) => [r.venueId, r.kind, r.visits])).toEqual([
      ['venue-a', 'record', [0]],
      ['venue-a', 'record', [0]],
    ]);
    expect(byStreet('street-2').map((r) => r.kind).sort()).toEqual(['pass', 'record', 'record']);
    expect(byStreet('street-2').every((r) => r.venueId === 'venue-z' && r.streetName === '第二街道' && r.visits[0] === 1)).toBe(true);
    expect(result.rows.filter((r) => r.contact !== null).map((r) => r.contact)).toEqual([phone]);
    expect(result.contactsRevealed).toBe(1);
    expect(res.headers['cache-control']).toBe('no-store');

    // Audited: who, why, what was read (both streets), how many numbers were revealed; never the number.
    const [entry, twin] = await runs();
    expect(entry).toMatchObject({ accountName: 'city', action: 'tracing_run', detail: { reason: REASON, streets: ['street', 'street-2'], rows: 5, contactsRevealed: 1 } });
    expect(JSON.stringify(entry)).not.toContain(phone);
    // Filed in each street read, so each street's own log shows whose run read its patrons.
    expect(twin).toMatchObject({ accountName: 'city', action: 'tracing_run', detail: entry!.detail });
    expect([entry!.streetId, twin!.streetId].sort()).toEqual(['street', 'street-2']);
    for (const [name, street] of [['admin', 'street'], ['admin-2', 'street-2']] as const) {
      const seen = ((await (await session(name)).get('/api/audit')).json() as { items: { action: string; accountName: string; streetId: string | null }[] }).items;
      expect(seen.filter((e) => e.action === 'tracing_run' && e.accountName === 'city').map((e) => e.streetId)).toEqual([street]);
    }
  });

  it("the city admin's export names each row's street", async () => {
    const city = await session('city');
    const res = await city.post('/api/tracing/export.csv', { visits: [visitOf('venue-a'), visitOf('venue-z')], reason: REASON });
    expect(res.statusCode).toBe(200);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines[0]!.split(',').slice(1, 3)).toEqual(['场所', '街道']);
    expect(lines.slice(1).map((l) => l.split(',')[2]).sort()).toEqual(['本街道', '本街道', '第二街道', '第二街道', '第二街道']);
    expect((await runs())[0]).toMatchObject({ accountName: 'city', action: 'tracing_export', detail: { streets: ['street', 'street-2'], rows: 5 } });
  });

  it('a district admin traces over the streets of its district in one run', async () => {
    const district = await session('district');
    const res = await district.post('/api/tracing', { visits: [visitOf('venue-z'), visitOf('venue-a')], reason: REASON });
    expect(res.statusCode).toBe(200);
    expect((res.json() as TracingResult).rows.length).toBe(5);
    expect((await runs())[0]).toMatchObject({ accountName: 'district', detail: { streets: ['street-2', 'street'] } });
  });

  it("a street admin reads only its own street; naming the other street's venue is 403 with no data and no entry", async () => {
    const admin = await session('admin');
    const before = (await runs()).length;
    const own = await admin.post('/api/tracing', { visits: [visitOf('venue-a')], reason: REASON });
    expect(own.statusCode).toBe(200);
    const result = own.json() as TracingResult;
    expect(result.rows.map((r) => r.streetId)).toEqual(['street', 'street']);
    expect(result.streets).toEqual([{ id: 'street', name: '本街道' }]);
    expect(result.contactsRevealed).toBe(0);

    for (const visits of [[visitOf('venue-z')], [visitOf('venue-a'), visitOf('venue-z')]]) {
      for (const path of ['/api/tracing', '/api/tracing/export.csv']) {
        const res = await admin.post(path, { visits, reason: REASON });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: { code: 'forbidden', field: `visits.${visits.length - 1}.venueId`, message: 'this venue is not in your area' } });
        expect(res.body).not.toContain(phone);
      }
    }
    // The other street's admin is refused this street's venue the same way.
    const other = await session('admin-2');
    expect((await other.post('/api/tracing', { visits: [visitOf('venue-a')], reason: REASON })).statusCode).toBe(403);

    // Only the run that read anything is in the log.
    const after = await runs();
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ accountName: 'admin', detail: { streets: ['street'], rows: 2, contactsRevealed: 0 } });
  });

  it('an inspector may not trace, whatever the street', async () => {
    const inspector = await session('inspector-a');
    expect((await inspector.post('/api/tracing', { visits: [visitOf('venue-a')], reason: REASON })).statusCode).toBe(403);
  });

  it("above a street, the second factor is asked for when any street it covers asks for it", async () => {
    await store.streetSettings.setSecurity('street-2', { tracingRequiresTotp: true }, NOW, 'admin-2');
    try {
      for (const name of ['district', 'city']) {
        const res = await (await session(name)).post('/api/tracing', { visits: [visitOf('venue-a')], reason: REASON });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.message).toMatch(/authenticator code/);
      }
      // The street that did not ask is unchanged for its own admin.
      expect((await (await session('admin')).post('/api/tracing', { visits: [visitOf('venue-a')], reason: REASON })).statusCode).toBe(200);
    } finally {
      await store.streetSettings.setSecurity('street-2', { tracingRequiresTotp: false }, NOW, 'admin-2');
    }
  });
});
