import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { EnrolmentCodeIssued, KioskView } from '../../shared/schemas/kiosk-admin.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { cstAt, cstIso, cstMidnight } from '../support/clock.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { onPostgres } from '../support/store.js';

const PASSWORD = 'a long enough password';
const HOUR = 3_600_000;
/** The hub's clock starts at 10:00 today at the venue (UTC+8), the day the wall clock reads there. */
const T0 = cstAt(cstMidnight(0), 10);

describe('street admin kiosk API', () => {
  let hub: TestHub;
  /** The hub's clock, moved by the tests. */
  let clock: number;
  let admin: ReturnType<typeof inspectorSession>;
  let inspector: ReturnType<typeof inspectorSession>;
  const sockets: KioskClient[] = [];

  beforeEach(async () => {
    clock = T0;
    hub = await startTestHub({ now: () => clock });
    await hub.store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, clock);
    await hub.store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, clock);
    admin = inspectorSession(hub.url);
    await admin.login('admin', PASSWORD);
    inspector = inspectorSession(hub.url);
    await inspector.login('inspector-a', PASSWORD);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await hub.close();
  });

  const enrolOverHttp = (code: string) =>
    fetch(`${hub.url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });

  describe('POST /api/entrances/:id/enrolment-codes', () => {
    it('issues a one-time code shown once, with its expiry and the kiosk link, and stores only its hash', async () => {
      const res = await admin.post(`/api/entrances/${hub.kiosk.entranceId}/enrolment-codes`, {});
      expect(res.statusCode).toBe(201);
      const issued = EnrolmentCodeIssued.parse(res.json());
      expect(issued).toEqual({ code: expect.stringMatching(/^[2-9A-HJKMNP-Z]{8}$/), entranceId: hub.kiosk.entranceId, expiresAt: T0 + 24 * HOUR, enrolUrl: `${hub.url}/kiosk/?enrol=${issued.code}` });

      const stored = await hub.store.sql.all('SELECT code_hash, issued_by, expires_at FROM enrolment_codes WHERE issued_by IS NOT NULL');
      expect(stored).toEqual([{ code_hash: createHash('sha256').update(issued.code).digest('hex'), issued_by: 'admin', expires_at: T0 + 24 * HOUR }]);
      // Never in clear: not in the database file (nor its WAL; a SQLite file only, PostgreSQL has no file of its own here), not in the audit log.
      if (!onPostgres) {
        const bytes = Buffer.concat([readFileSync(hub.dbFile), ...[`${hub.dbFile}-wal`].map((f) => { try { return readFileSync(f); } catch { return Buffer.alloc(0); } })]);
        expect(bytes.includes(issued.code)).toBe(false);
      }
      const audit = (await hub.store.audit.list({ limit: 20 })).filter((a) => a.action === 'enrolment_code_issue');
      expect(audit).toMatchObject([{ accountName: 'admin', target: hub.kiosk.entranceId, detail: { venueId: hub.kiosk.venueId, ttlHours: 24, expiresAt: T0 + 24 * HOUR } }]);
      expect(JSON.stringify(audit)).not.toContain(issued.code);

      // One time: the first tablet enrols, the second is told the code was used.
      const first = await enrolOverHttp(issued.code);
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ entranceId: hub.kiosk.entranceId });
      const second = await enrolOverHttp(issued.code);
      expect(second.status).toBe(410);
      expect(await second.json()).toMatchObject({ error: { code: 'expired', field: 'code', message: expect.stringMatching(/already used/) } });
    });

    it('expires after its validity by the hub clock', async () => {
      const res = await admin.post(`/api/entrances/${hub.kiosk.entranceId}/enrolment-codes`, { ttlHours: 1 });
      expect(res.json()).toMatchObject({ expiresAt: T0 + HOUR });
      clock = T0 + HOUR;
      const late = await enrolOverHttp(res.json().code);
      expect(late.status).toBe(410);
      expect(await late.json()).toMatchObject({ error: { code: 'expired', field: 'code', message: expect.stringMatching(/expired/) } });

      const fresh = await admin.post(`/api/entrances/${hub.kiosk.entranceId}/enrolment-codes`, { ttlHours: 72 });
      clock += 72 * HOUR - 1;
      expect((await enrolOverHttp(fresh.json().code)).status).toBe(201);
    });

    it('is the street admin’s alone, needs CSRF, names a bad field, and 404s an unknown entrance', async () => {
      const path = `/api/entrances/${hub.kiosk.entranceId}/enrolment-codes`;
      expect((await inspector.post(path, {})).statusCode).toBe(403);
      expect((await inspectorSession(hub.url).post(path, {})).statusCode).toBe(401);
      expect((await admin.post(path, {}, false)).statusCode).toBe(403);
      for (const ttlHours of [0, 73, 1.5, '24']) {
        const bad = await admin.post(path, { ttlHours });
        expect(bad.statusCode, String(ttlHours)).toBe(400);
        expect(bad.json().error.field).toBe('ttlHours');
      }
      const unknown = await admin.post('/api/entrances/no-such-door/enrolment-codes', {});
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toMatchObject({ code: 'not_found', field: 'id' });
      expect(await hub.store.sql.get('SELECT count(*) AS n FROM enrolment_codes WHERE issued_by IS NOT NULL')).toEqual({ n: 0 });
      expect((await hub.store.audit.list({ limit: 50 })).some((a) => a.action === 'enrolment_code_issue')).toBe(false);
    });

    it('links to PUBLIC_URL when the hub has one', async () => {
      const app = await buildHub(await hubOptions(hub.store, { publicUrl: 'https://hub.example', now: () => clock, kioskDist: join(hub.dbFile, '..', 'none') }));
      try {
        const session = inspectorSession(app);
        await session.login('admin', PASSWORD);
        const res = await session.post(`/api/entrances/${hub.kiosk.entranceId}/enrolment-codes`, { ttlHours: 2 });
        expect(res.statusCode).toBe(201);
        expect(res.json().enrolUrl).toBe(`https://hub.example/kiosk/?enrol=${res.json().code}`);
      } finally {
        await app.close();
      }
    });
  });

  describe('GET /api/kiosks', () => {
    it('lists every kiosk with its state, connection, policy due and acked, and records held; filters by venue, community and state', async () => {
      const doorB = await seedVenue(hub.store, 'venue-b');
      const b1 = await enrolKiosk(hub.store, doorB);
      const b2 = await enrolKiosk(hub.store, doorB);
      const a2 = await enrolKiosk(hub.store, hub.kiosk.entranceId);
      // Community b is in emergency: its kiosks owe version 2, venue a's still the normal preset.
      const { version: _v, ...emergency } = EMERGENCY_POLICY;
      await hub.store.policies.activate(emergency, clock, { communityId: 'c-venue-b', by: 'admin' });
      await hub.store.kiosks.revoke(b2.kiosk.id, 'admin', 'lost', clock);
      const socket = await connectKiosk(hub.url, { token: hub.token, status: { appVersion: '1.4.0', pending: 2, rejected: 0, clock: clock + 1000 } });
      sockets.push(socket);
      // Made at the door at the hub's clock, as a tablet whose clock is right makes them.
      await socket.emitWithAck('records:push', { records: [1, 2].map((seq) => entranceRecord(hub.kiosk, seq, { kioskTime: cstIso(clock + seq) })) });
      await socket.emitWithAck('policy:ack', { version: 1 });
      const a2socket = await connectKiosk(hub.url, a2.token);
      expect(await a2socket.emitWithAck('kiosk:retire', { lastSeq: 0, rejectedSeqs: [] })).toMatchObject({ ok: true });
      a2socket.close();

      const all = await admin.get('/api/kiosks');
      expect(all.statusCode).toBe(200);
      const items = all.json().items.map((k: unknown) => KioskView.parse(k));
      const byId = new Map(items.map((k: KioskView) => [k.id, k]));
      expect(items).toHaveLength(4);
      expect(byId.get(hub.kiosk.id)).toMatchObject({
        state: 'active', connected: true, venueId: 'venue-a', venueName: '测试KTV', communityId: 'c-venue-a', communityName: '测试社区', entranceName: '正门',
        appVersion: '1.4.0', backlog: 2, clockSkewMs: 1000, policyVersionDue: 1, policyVersionAcked: 1, policyAckedAt: clock, recordsHeld: 2, lastSeq: 2, lastSeenAt: clock,
      });
      expect(byId.get(b1.kiosk.id)).toMatchObject({ state: 'active', connected: false, policyVersionDue: 2, policyVersionAcked: null, recordsHeld: 0, lastSeq: 0, appVersion: null });
      expect(byId.get(b2.kiosk.id)).toMatchObject({ state: 'revoked', revokedBy: 'admin', revokeReason: 'lost', policyVersionDue: 2 });
      expect(byId.get(a2.kiosk.id)).toMatchObject({ state: 'retired', connected: false, backlog: 0, revokedBy: null });

      const ids = async (q: string) => (await admin.get(`/api/kiosks?${q}`)).json().items.map((k: KioskView) => k.id).sort();
      expect(await ids('venueId=venue-b')).toEqual([b1.kiosk.id, b2.kiosk.id].sort());
      expect(await ids('communityId=c-venue-a')).toEqual([hub.kiosk.id, a2.kiosk.id].sort());
      expect(await ids('state=active')).toEqual([hub.kiosk.id, b1.kiosk.id].sort());
      expect(await ids('state=revoked')).toEqual([b2.kiosk.id]);
      expect(await ids('state=retired&communityId=c-venue-a')).toEqual([a2.kiosk.id]);
      expect(await ids('venueId=venue-b&state=retired')).toEqual([]);
    });

    it('refuses an inspector, a visitor and a bad filter by name', async () => {
      expect((await inspector.get('/api/kiosks')).statusCode).toBe(403);
      expect((await inspectorSession(hub.url).get('/api/kiosks')).statusCode).toBe(401);
      for (const [q, field] of [['state=lost', 'state'], ["venueId=a'%20OR%201=1", 'venueId'], ['colour=red', '']] as const) {
        const res = await admin.get(`/api/kiosks?${q}`);
        expect(res.statusCode, q).toBe(400);
        if (field) expect(res.json().error.field, q).toBe(field);
      }
    });
  });

  describe('POST /api/kiosks/:id/revoke', () => {
    it('is the street admin’s alone and needs CSRF; the kiosk stays in service', async () => {
      const path = `/api/kiosks/${hub.kiosk.id}/revoke`;
      expect((await inspector.post(path, { reason: 'lost' })).statusCode).toBe(403);
      expect((await admin.post(path, { reason: 'lost' }, false)).statusCode).toBe(403);
      expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);
      expect((await hub.store.audit.list({ limit: 50 })).some((a) => a.action === 'kiosk_revoke')).toBe(false);
    });
  });
});
