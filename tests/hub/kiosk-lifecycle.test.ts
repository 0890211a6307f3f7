import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { onPostgres, openTestStore } from '../support/store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { checkPassCode } from '../../shared/rules/pass-code.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import type { KioskStatus, KioskView } from '../../shared/schemas/kiosk-admin.js';
import type { VenueProfile, VenueSecret } from '../../shared/schemas/enrolment.js';
import {
  connectDashboard,
  connectKiosk,
  enrolKiosk,
  hubOptions,
  seedVenue,
  startTestHub,
  tempDir,
  type DashboardClient,
  type KioskClient,
  type TestHub,
} from '../support/hub.js';
import { cstAt, cstIso, cstMidnight } from '../support/clock.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';

const PASSWORD = 'a long enough password';
/** The hub's clock in these tests: fixed, so clock skew is exact; 10:00 today at the venue (UTC+8), by the wall clock. */
const T = cstAt(cstMidnight(0), 10);
/** A record made at the door at the hub's clock (seq ms on), so no rule sees a clock hours off. */
const madeAt = (seq: number) => ({ kioskTime: cstIso(T + seq) });

const status = (over: Partial<KioskStatus> = {}): KioskStatus => ({ appVersion: '1.4.0+20261120', pending: 0, rejected: 0, clock: T, ...over });

/** Resolves with the next view of the kiosk the admin's dashboard hears that satisfies `when`. */
function heard(dashboard: DashboardClient, kioskId: string, when: (k: KioskView) => boolean): Promise<KioskView> {
  return new Promise((resolve) => {
    const on = (k: KioskView) => {
      if (k.id !== kioskId || !when(k)) return;
      dashboard.off('kiosk:status', on);
      resolve(k);
    };
    dashboard.on('kiosk:status', on);
  });
}

/** The venue:secret messages a kiosk socket hears (attach with `listen` before it connects), and the first. */
function secrets() {
  const heard: VenueSecret[] = [];
  let resolveFirst!: (v: VenueSecret) => void;
  const first = new Promise<VenueSecret>((resolve) => (resolveFirst = resolve));
  const listen = (s: KioskClient) => {
    s.on('venue:secret', (v) => {
      heard.push(v);
      resolveFirst(v);
    });
  };
  return { heard, first, listen };
}

/** The connect_error a refused handshake gives, with the hub's error shape in `data`. */
async function refusal(url: string, token: string): Promise<{ data?: { code?: string } }> {
  try {
    const s = await connectKiosk(url, token);
    s.close();
    throw new Error('the hub let the kiosk in');
  } catch (err) {
    return err as { data?: { code?: string } };
  }
}

describe('kiosk lifecycle over the kiosk socket', () => {
  let hub: TestHub;
  let admin: ReturnType<typeof inspectorSession>;
  let dashboard: DashboardClient;
  const sockets: KioskClient[] = [];
  const kiosk = async (auth: Parameters<typeof connectKiosk>[1], listen?: (s: KioskClient) => void) => {
    const s = await connectKiosk(hub.url, auth, listen);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    hub = await startTestHub({ now: () => T });
    await hub.store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, T);
    admin = inspectorSession(hub.url);
    await admin.login('admin', PASSWORD);
    dashboard = await connectDashboard(hub.url, `vc_session=${admin.cookies().vc_session}`);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    dashboard.close();
    await hub.close();
  });

  describe('status report', () => {
    it('stores the handshake status (app version, backlog, clock skew) and tells the admin the kiosk is connected', async () => {
      const seen = heard(dashboard, hub.kiosk.id, (k) => k.connected);
      let profile!: Promise<VenueProfile>;
      await kiosk({ token: hub.token, status: status({ pending: 12, rejected: 2, clock: T + 90_000 }) }, (s) => {
        profile = new Promise((resolve) => s.once('venue:profile', resolve));
      });
      expect(await seen).toMatchObject({ connected: true, state: 'active', appVersion: '1.4.0+20261120', backlog: 12, clockSkewMs: 90_000, statusAt: T, lastSeenAt: T });
      // Sent on every connect, so a kiosk that was offline through a registry edit catches up.
      expect(await profile).toMatchObject({ id: hub.kiosk.venueId, entrances: [{ id: hub.kiosk.entranceId }] });
    });

    it('updates on kiosk:status, ignores a malformed one, and shows a policy ack and a disconnect live', async () => {
      const connected = heard(dashboard, hub.kiosk.id, (k) => k.connected);
      const socket = await kiosk(hub.token);
      await connected;
      socket.emit('kiosk:status', { appVersion: '', pending: -1 } as never);
      const next = heard(dashboard, hub.kiosk.id, (k) => k.statusAt !== null);
      socket.emit('kiosk:status', status({ appVersion: '1.5.0', pending: 3, clock: T - 5_000 }));
      expect(await next).toMatchObject({ appVersion: '1.5.0', backlog: 3, clockSkewMs: -5_000 });
      expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ appVersion: '1.5.0', backlog: 3, clockSkewMs: -5_000 });

      const acked = heard(dashboard, hub.kiosk.id, (k) => k.policyVersionAcked === 1);
      expect(await socket.emitWithAck('policy:ack', { version: 1 })).toEqual({ ok: true, data: { version: 1 } });
      expect(await acked).toMatchObject({ policyVersionDue: 1, policyVersionAcked: 1, policyAckedAt: T });

      const gone = heard(dashboard, hub.kiosk.id, (k) => !k.connected);
      socket.close();
      expect(await gone).toMatchObject({ connected: false, state: 'active', backlog: 3 });
    });
  });

  describe('revoke (a lost or stolen tablet)', () => {
    it('cuts the socket at once, refuses the token from then on, and shows the backlog it held at its last contact', async () => {
      let revoked!: Promise<{ reason: string }>;
      let disconnected!: Promise<string>;
      const connected = heard(dashboard, hub.kiosk.id, (k) => k.connected && k.backlog === 7);
      const socket = await kiosk({ token: hub.token, status: status({ pending: 7 }) }, (s) => {
        revoked = new Promise((resolve) => s.once('kiosk:revoked', resolve));
        disconnected = new Promise((resolve) => s.once('disconnect', resolve));
      });
      await connected;
      expect(await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1, madeAt(1))] })).toMatchObject({ ok: true });

      const pushed = heard(dashboard, hub.kiosk.id, (k) => k.state === 'revoked');
      const res = await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: '平板被盗 stolen' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: hub.kiosk.id, state: 'revoked', connected: false, backlog: 7, recordsHeld: 1, lastSeq: 1, revokedAt: T, revokedBy: 'admin', revokeReason: '平板被盗 stolen', retiredAt: null });
      expect(await revoked).toEqual({ reason: '平板被盗 stolen' });
      expect(await disconnected).toBe('io server disconnect');
      expect(await pushed).toMatchObject({ state: 'revoked', backlog: 7, connected: false });

      // Its reconnect, and any fresh socket with its token, is refused.
      expect((await refusal(hub.url, hub.token)).data).toMatchObject({ code: 'unauthorized', field: 'token' });
      // The admin sees what it still held at its last contact, under revoked kiosks.
      const list = await admin.get('/api/kiosks?state=revoked');
      expect(list.json().items).toMatchObject([{ id: hub.kiosk.id, backlog: 7, revokeReason: '平板被盗 stolen' }]);
      expect((await admin.get('/api/kiosks?state=active')).json().items).toEqual([]);
      // Revoked once: a second revoke is a conflict, and nothing changes.
      const again = await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: 'again' });
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'conflict', field: 'id' });
      expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ revokeReason: '平板被盗 stolen' });
      const audit = await hub.store.audit.list({ limit: 10 });
      expect(audit.filter((a) => a.action === 'kiosk_revoke')).toMatchObject([{ accountName: 'admin', target: hub.kiosk.id, detail: { reason: '平板被盗 stolen', backlog: 7 } }]);
    });

    it('rotates the venue\'s pass-code secret: its other kiosks get it at once, new passes use it, a kiosk back later gets it with the previous one', async () => {
      const other = await enrolKiosk(hub.store, hub.kiosk.entranceId);
      const before = (await hub.store.venues.codeSecret(hub.kiosk.venueId))!;
      const a = secrets();
      const bs = secrets();
      let disconnected!: Promise<string>;
      await kiosk(hub.token, (s) => {
        a.listen(s);
        disconnected = new Promise((resolve) => s.once('disconnect', resolve));
      });
      const b = await kiosk(other.token, bs.listen);
      // On every connect, never rotated yet: the secret they were enrolled with.
      const never = { passCodeSecret: before, previous: null, rotatedAt: null };
      expect(await a.first).toEqual(never);
      expect(await bs.first).toEqual(never);
      const rotated = new Promise<VenueSecret>((resolve) => b.once('venue:secret', resolve));

      expect((await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: '平板被盗' })).statusCode).toBe(200);
      const after = (await hub.store.venues.codeSecret(hub.kiosk.venueId))!;
      expect(after).not.toBe(before);
      expect(await rotated).toEqual({ passCodeSecret: after, previous: before, rotatedAt: T });
      // The stolen tablet is cut before the new secret goes out: it heard only the one on connect.
      await disconnected;
      expect(a.heard).toEqual([never]);

      // A pass issued now (at the other kiosk's live code) has a typed code made with the new secret.
      const self = (await hub.store.kiosks.byId(other.kiosk.id))!;
      const venueCode = await liveToken(self.codeSecret, other.kiosk.id, slotAt(T));
      const page = await hub.app.inject(`/v/${venueCode}`);
      const ticket = /data-ticket="([^"]+)"/.exec(page.body)?.[1];
      const issued = await hub.app.inject({
        method: 'POST',
        url: '/api/passes',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ venueCode, ticket, people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false }),
      });
      expect(issued.statusCode).toBe(201);
      const pass = (await hub.store.passes.get(issued.json().id))!;
      expect(await checkPassCode(pass.code, after, hub.kiosk.venueId, T, 10)).toMatchObject({ ok: true, people: 1 });
      expect(await checkPassCode(pass.code, before, hub.kiosk.venueId, T, 10)).toEqual({ ok: false, reason: 'unknown' });

      // A kiosk of the venue that was offline through it catches up when it connects.
      b.close();
      const later = secrets();
      await kiosk(other.token, later.listen);
      expect(await later.first).toEqual({ passCodeSecret: after, previous: before, rotatedAt: T });
      const audit = await hub.store.audit.list({ limit: 10 });
      expect(audit.find((a) => a.action === 'kiosk_revoke')?.detail).toMatchObject({ passCodeSecretRotated: true });
    });

    it('refuses a batch that arrives on a socket opened before the revoke, and stores nothing of it', async () => {
      const socket = await kiosk(hub.token);
      // Revoked in the store only, as when the batch is already on the wire when the admin acts.
      expect(await hub.store.kiosks.revoke(hub.kiosk.id, 'admin', 'lost', T)).toMatchObject({ ok: true });
      const res = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1, madeAt(1))] });
      expect(res).toMatchObject({ ok: false, error: { code: 'unauthorized', field: 'token' } });
      expect((await hub.store.kiosks.view(hub.kiosk.id))!.recordsHeld).toBe(0);
    });

    it('refuses a token whose kiosk is revoked while the token is being checked, and does not mark it seen', async () => {
      const seenBefore = (await hub.store.kiosks.view(hub.kiosk.id))!.lastSeenAt;
      // The revoke is queued first; the token is looked up before it commits, its "last seen" write after.
      const [revoked, identity] = await Promise.all([hub.store.kiosks.revoke(hub.kiosk.id, 'admin', 'lost', T), hub.store.kiosks.authenticate(hub.token, T + 1)]);
      expect(revoked).toMatchObject({ ok: true });
      const after = (await hub.store.kiosks.view(hub.kiosk.id))!;
      expect(after.revokedAt).toBe(T);
      if (onPostgres && identity !== undefined) {
        // PostgreSQL runs the two writes side by side (group-commit.ts createConcurrentCommit): the
        // "last seen" write may commit first, and then the sign-in came before the revoke, which
        // cuts its socket. Never both: a sign-in after the revoke, or a revoke undone.
        expect(after.lastSeenAt).toBe(T + 1);
        return;
      }
      // SQLite commits in the order queued: the revoke first, so the token is refused.
      expect(identity).toBeUndefined();
      expect(after.lastSeenAt).toBe(seenBefore);
    });

    it('answers 404 for an unknown kiosk and 400 naming reason when none is given', async () => {
      expect((await admin.post('/api/kiosks/kiosk-nope/revoke', { reason: 'lost' })).statusCode).toBe(404);
      const bad = await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: ' ' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('reason');
      expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);
    });
  });

  describe('retire (at the kiosk)', () => {
    it('refuses while records are missing and says how many, then retires once they are acked; the token is refused afterwards', async () => {
      let disconnected!: Promise<string>;
      const socket = await kiosk(hub.token, (s) => {
        disconnected = new Promise((resolve) => s.once('disconnect', resolve));
      });
      const push = (...seqs: number[]) => socket.emitWithAck('records:push', { records: seqs.map((n) => entranceRecord(hub.kiosk, n, madeAt(n))) });
      expect(await push(1, 2)).toMatchObject({ ok: true });

      // The count is data the tablet words itself (zh or en), not a sentence to parse.
      const early = await socket.emitWithAck('kiosk:retire', { lastSeq: 5, rejectedSeqs: [] });
      expect(early).toEqual({ ok: true, data: { outcome: 'missing', missing: 3 } });
      expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);

      const acked = await push(3, 4, 5);
      expect(acked.ok && acked.data.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
      const retiredView = heard(dashboard, hub.kiosk.id, (k) => k.state === 'retired');
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 5, rejectedSeqs: [] })).toEqual({ ok: true, data: { outcome: 'retired', retiredAt: T } });
      expect(await disconnected).toBe('io server disconnect');
      expect(await retiredView).toMatchObject({ state: 'retired', retiredAt: T, revokedAt: T, revokedBy: null, backlog: 0, recordsHeld: 5, lastSeq: 5 });

      expect((await refusal(hub.url, hub.token)).data).toMatchObject({ code: 'unauthorized' });
      expect((await admin.get('/api/kiosks?state=retired')).json().items).toMatchObject([{ id: hub.kiosk.id }]);
      // A retired kiosk cannot be revoked: it is already out of service.
      expect((await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: 'lost' })).statusCode).toBe(409);
      expect((await hub.store.audit.list({ limit: 10 })).filter((a) => a.action === 'kiosk_retire')).toMatchObject([{ target: hub.kiosk.id, detail: { lastSeq: 5 } }]);
    });

    it('does not wait for records the hub refused, but does for a refused one the kiosk does not name', async () => {
      const socket = await kiosk(hub.token);
      const res = await socket.emitWithAck('records:push', {
        records: [entranceRecord(hub.kiosk, 1, madeAt(1)), { ...entranceRecord(hub.kiosk, 2, madeAt(2)), venueId: 'another-venue' }, entranceRecord(hub.kiosk, 3, madeAt(3))],
      });
      expect(res.ok && res.data.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);

      const unnamed = await socket.emitWithAck('kiosk:retire', { lastSeq: 3, rejectedSeqs: [] });
      expect(unnamed).toEqual({ ok: true, data: { outcome: 'missing', missing: 1 } });
      // A seq named as refused that the hub holds after all (3) is counted once.
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 3, rejectedSeqs: [2, 3] })).toEqual({ ok: true, data: { outcome: 'retired', retiredAt: T } });
      expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ state: 'retired', recordsHeld: 2 });
    });

    it('refuses a lastSeq below what the hub holds, and a malformed request, naming the field', async () => {
      const socket = await kiosk(hub.token);
      await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1, madeAt(1)), entranceRecord(hub.kiosk, 2, madeAt(2))] });
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 0, rejectedSeqs: [] })).toMatchObject({ ok: false, error: { code: 'invalid', field: 'lastSeq' } });
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 'all' } as never)).toMatchObject({ ok: false, error: { code: 'invalid', field: 'lastSeq' } });
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 2, rejectedSeqs: [0] })).toMatchObject({ ok: false, error: { code: 'invalid', field: 'rejectedSeqs.0' } });
      expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);
    });
  });
});

describe('kiosk lifecycle failures the hub logs instead of passing on', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let kioskId: KioskIdentity;
  let token: string;
  let logLines: { level: number; msg: string; kioskId?: string; err?: { message: string } }[];
  const sockets: KioskClient[] = [];

  beforeEach(async () => {
    logLines = [];
    store = await openTestStore(tmp.dir);
    ({ kiosk: kioskId, token } = await enrolKiosk(store, await seedVenue(store)));
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, T);
    const stream = new Writable({
      write(chunk, _enc, done) {
        logLines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => T }), { logger: { level: 'info', stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await app.close();
    await store.close();
  });
  afterAll(() => tmp.remove());

  it('lets a kiosk in whose handshake status is malformed: the status is ignored and logged, the valid token never refused', async () => {
    let profile!: Promise<VenueProfile>;
    const socket = await connectKiosk(url, { token, status: { appVersion: '', pending: -1, rejected: 0, clock: T } }, (s) => {
      profile = new Promise((resolve) => s.once('venue:profile', resolve));
    });
    sockets.push(socket);
    expect(socket.connected).toBe(true);
    // Served like any kiosk (what it gets on connect, and its batches).
    expect(await profile).toMatchObject({ id: kioskId.venueId });
    expect(await socket.emitWithAck('records:push', { records: [entranceRecord(kioskId, 1, madeAt(1))] })).toMatchObject({ ok: true });
    expect(await store.kiosks.view(kioskId.id)).toMatchObject({ state: 'active', appVersion: null, backlog: null, statusAt: null, recordsHeld: 1 });
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'kiosk handshake status ignored: malformed', kioskId: kioskId.id }));
    // A well-formed one on the next connect is stored as before.
    socket.close();
    sockets.push(await connectKiosk(url, { token, status: status({ pending: 2 }) }));
    expect(await store.kiosks.isActive(kioskId.id)).toBe(true);
  });

  it('revokes, cuts and pushes even when the audit log fails, and logs that failure', async () => {
    const admin = inspectorSession(url);
    await admin.login('admin', PASSWORD);
    let revoked!: Promise<{ reason: string }>;
    let disconnected!: Promise<string>;
    sockets.push(
      await connectKiosk(url, token, (s) => {
        revoked = new Promise((resolve) => s.once('kiosk:revoked', resolve));
        disconnected = new Promise((resolve) => s.once('disconnect', resolve));
      }),
    );
    const before = await store.venues.codeSecret(kioskId.venueId);
    store.audit.record = async () => {
      throw new Error('disk I/O error');
    };

    const res = await admin.post(`/api/kiosks/${kioskId.id}/revoke`, { reason: '平板被盗' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: kioskId.id, state: 'revoked', revokeReason: '平板被盗' });
    expect(await revoked).toEqual({ reason: '平板被盗' });
    expect(await disconnected).toBe('io server disconnect');
    expect(await store.venues.codeSecret(kioskId.venueId)).not.toBe(before);
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 50, msg: 'kiosk revoked but the audit log could not record it', kioskId: kioskId.id, err: expect.objectContaining({ message: 'disk I/O error' }) }),
    );
  });
});
