import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskStatus, KioskView } from '../../shared/schemas/kiosk-admin.js';
import type { VenueProfile } from '../../shared/schemas/enrolment.js';
import { connectDashboard, connectKiosk, startTestHub, type DashboardClient, type KioskClient, type TestHub } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';

const PASSWORD = 'a long enough password';
/** The hub's clock in these tests: fixed, so clock skew is exact. */
const T = Date.UTC(2026, 10, 23, 2, 0, 0);

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
      expect(await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] })).toMatchObject({ ok: true });

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

    it('refuses a batch that arrives on a socket opened before the revoke, and stores nothing of it', async () => {
      const socket = await kiosk(hub.token);
      // Revoked in the store only, as when the batch is already on the wire when the admin acts.
      expect(await hub.store.kiosks.revoke(hub.kiosk.id, 'admin', 'lost', T)).toMatchObject({ ok: true });
      const res = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
      expect(res).toMatchObject({ ok: false, error: { code: 'unauthorized', field: 'token' } });
      expect((await hub.store.kiosks.view(hub.kiosk.id))!.recordsHeld).toBe(0);
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
      const push = (...seqs: number[]) => socket.emitWithAck('records:push', { records: seqs.map((n) => entranceRecord(hub.kiosk, n)) });
      expect(await push(1, 2)).toMatchObject({ ok: true });

      const early = await socket.emitWithAck('kiosk:retire', { lastSeq: 5, rejectedSeqs: [] });
      expect(early).toEqual({ ok: false, error: { code: 'conflict', field: 'lastSeq', message: expect.stringMatching(/^3 records not yet received/) } });
      expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);

      const acked = await push(3, 4, 5);
      expect(acked.ok && acked.data.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
      const retiredView = heard(dashboard, hub.kiosk.id, (k) => k.state === 'retired');
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 5, rejectedSeqs: [] })).toEqual({ ok: true, data: { retiredAt: T } });
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
        records: [entranceRecord(hub.kiosk, 1), { ...entranceRecord(hub.kiosk, 2), venueId: 'another-venue' }, entranceRecord(hub.kiosk, 3)],
      });
      expect(res.ok && res.data.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);

      const unnamed = await socket.emitWithAck('kiosk:retire', { lastSeq: 3, rejectedSeqs: [] });
      expect(unnamed).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/^1 records/) } });
      // A seq named as refused that the hub holds after all (3) is counted once.
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 3, rejectedSeqs: [2, 3] })).toEqual({ ok: true, data: { retiredAt: T } });
      expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ state: 'retired', recordsHeld: 2 });
    });

    it('refuses a lastSeq below what the hub holds, and a malformed request, naming the field', async () => {
      const socket = await kiosk(hub.token);
      await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1), entranceRecord(hub.kiosk, 2)] });
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 0, rejectedSeqs: [] })).toMatchObject({ ok: false, error: { code: 'invalid', field: 'lastSeq' } });
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 'all' } as never)).toMatchObject({ ok: false, error: { code: 'invalid', field: 'lastSeq' } });
      expect(await socket.emitWithAck('kiosk:retire', { lastSeq: 2, rejectedSeqs: [0] })).toMatchObject({ ok: false, error: { code: 'invalid', field: 'rejectedSeqs.0' } });
      expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);
    });
  });
});
