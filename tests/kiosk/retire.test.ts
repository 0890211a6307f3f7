import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getEnrolment, retireRequest, saveEnrolment, saveRecord, saveVenueSecret, syncCounts, unlockRecording } from '../../kiosk/src/db.js';
import { checkPassInput } from '../../kiosk/src/pass-check.js';
import { SyncClient, type SyncStatus } from '../../kiosk/src/sync/sync-client.js';
import { makePassCode, minuteOf } from '../../shared/rules/pass-code.js';
import { EnrolResponse, type VenueProfile, type VenueSecret } from '../../shared/schemas/enrolment.js';
import { connectKiosk, readDb, startTestHub, type TestHub } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';

const PASSWORD = 'a long enough password';

function until(client: SyncClient, pred: (s: SyncStatus) => boolean): Promise<SyncStatus> {
  return new Promise((resolve) => {
    if (pred(client.status)) return resolve(client.status);
    const on = () => {
      if (pred(client.status)) {
        client.removeEventListener('status', on);
        resolve(client.status);
      }
    };
    client.addEventListener('status', on);
  });
}

/** The hub's answer to a handshake with this token: undefined if let in, else the refusal's code. */
async function handshake(url: string, token: string): Promise<string | undefined> {
  try {
    (await connectKiosk(url, token)).close();
    return undefined;
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code ?? 'no code';
  }
}

describe('the kiosk app retiring and being revoked, against a real hub (docs/operations.md "Tablets leaving service")', () => {
  let hub: TestHub;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    // A retirement that succeeded keeps recording locked for the app's wipe; each test starts unlocked.
    unlockRecording();
    hub = await startTestHub();
  });
  afterEach(async () => {
    client?.stop();
    client = undefined;
    await hub.close();
  });

  const save = async (n: number, reject: (seq: number) => boolean = () => false) => {
    for (let i = 0; i < n; i++) {
      await saveRecord((seq) => entranceRecord(hub.kiosk, seq, reject(seq) ? { reasons: ['fever'] } : {}), Date.now());
    }
  };

  it('cannot retire with records the hub has not got; retires once they are acked, with a refused record left behind', async () => {
    // Seq 3 admits a patron with a fever as a reason: the hub refuses it, and it can never arrive.
    await save(5, (seq) => seq === 3);
    client = new SyncClient(hub.token, { url: hub.url, appVersion: '0.1.0+it' });
    // Not connected yet: the hub cannot be asked, nothing changes.
    expect(await client.retire()).toEqual({ outcome: 'offline', pending: 5 });
    expect(await syncCounts()).toEqual({ pending: 5, synced: 0, rejected: 0 });

    client.start();
    await until(client, (s) => s.connection === 'online');
    const out = await client.retire();
    expect(out).toMatchObject({ outcome: 'retired' });
    expect(await syncCounts()).toEqual({ pending: 0, synced: 4, rejected: 1 });
    const view = await hub.store.kiosks.view(hub.kiosk.id);
    expect(view).toMatchObject({ state: 'retired', recordsHeld: 4, lastSeq: 5, appVersion: '0.1.0+it' });
    expect(readDb(hub.dbFile, (db) => db.prepare('SELECT seq FROM kiosk_records WHERE kiosk_id = ? ORDER BY seq').all(hub.kiosk.id))).toEqual(
      [1, 2, 4, 5].map((seq) => ({ seq })),
    );
    // Its token is refused from now on.
    expect(await handshake(hub.url, hub.token)).toBe('unauthorized');
  });

  it('is refused with the count the hub lacks when a record it made never reached the hub, and keeps everything', async () => {
    await save(4);
    // The newest record vanishes from the tablet before it was sent (storage eviction, a bug):
    // the tablet still knows it made seq 4, and the hub must not let it go without it.
    const victim = (await openDB('venue-kiosk').then(async (d) => {
      const all = await d.getAll('records');
      const last = all.find((r: { seq: number }) => r.seq === 4) as { id: string };
      await d.delete('records', last.id);
      d.close();
      return last.id;
    }));
    await closeDb();
    expect(victim).toBeTruthy();

    client = new SyncClient(hub.token, { url: hub.url });
    client.start();
    await until(client, (s) => s.connection === 'online');
    expect(await client.retire()).toEqual({ outcome: 'conflict', missing: 1 });
    expect(await retireRequest()).toEqual({ lastSeq: 4, rejectedSeqs: [], pending: 0 });
    expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ state: 'active', recordsHeld: 3 });
    expect(client.status.connection).toBe('online');
  });

  it('stops at once when the street office revokes it, says why, keeps its unsent records, and is refused after', async () => {
    await hub.store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    const admin = inspectorSession(hub.url);
    await admin.login('admin', PASSWORD);

    let gotVenue!: (v: VenueProfile) => void;
    const venue = new Promise<VenueProfile>((resolve) => (gotVenue = resolve));
    client = new SyncClient(hub.token, { url: hub.url, appVersion: '0.1.0+it', onVenue: async (v) => gotVenue(v) });
    client.start();
    await until(client, (s) => s.connection === 'online');
    // The venue as registered arrives on connect: a tablet offline through a registry edit catches up.
    expect(await venue).toMatchObject({ id: hub.kiosk.venueId, entrances: [{ id: hub.kiosk.entranceId, name: '正门' }] });

    const res = await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: '平板丢失' });
    expect(res.statusCode).toBe(200);
    const s = await until(client, (st) => st.revoked !== undefined);
    expect(s).toMatchObject({ connection: 'unauthorized', revoked: { reason: '平板丢失' } });

    // Records made after (the door is shut in the app, but an exit could still be saved) stay on the tablet.
    await save(2);
    client.notify();
    expect(await syncCounts()).toEqual({ pending: 2, synced: 0, rejected: 0 });
    expect(await client.retire()).toEqual({ outcome: 'revoked' });

    // A fresh start of the app (a reload) is refused at the handshake and lands in the same state.
    client.stop();
    client = new SyncClient(hub.token, { url: hub.url });
    client.start();
    expect(await until(client, (st) => st.revoked !== undefined)).toMatchObject({ connection: 'unauthorized', lastError: { code: 'unauthorized' } });
  });

  it('reports its backlog to the hub as it drains', async () => {
    await save(120);
    client = new SyncClient(hub.token, { url: hub.url, appVersion: '0.1.0+it', statusIntervalMs: 0 });
    client.start();
    await until(client, (s) => s.pending === 0 && s.synced === 120);
    // The report of reaching zero is sent after the last ack; the hub has it once it answers anything later.
    await client.retire().then((o) => expect(o).toMatchObject({ outcome: 'retired' }));
    expect(await hub.store.kiosks.view(hub.kiosk.id)).toMatchObject({ appVersion: '0.1.0+it', backlog: 0, recordsHeld: 120 });
  });

  it('takes the rotated pass-code secret when another tablet of its venue is revoked: old passes still type in, codes forged after do not', async () => {
    await hub.store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    const admin = inspectorSession(hub.url);
    await admin.login('admin', PASSWORD);
    // This tablet: a second door of the venue, enrolled as a tablet is.
    const code = await hub.store.kiosks.issueEnrolmentCode(hub.kiosk.entranceId, Date.now(), 60_000);
    const res = await fetch(`${hub.url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    const enrolled = EnrolResponse.parse(await res.json());
    await saveEnrolment({ ...enrolled, enrolledAt: Date.now() });
    const old = enrolled.passCodeSecret;

    let rotated!: (s: VenueSecret) => void;
    const gotRotated = new Promise<VenueSecret>((resolve) => (rotated = resolve));
    client = new SyncClient(enrolled.token, {
      url: hub.url,
      onSecret: async (s) => {
        await saveVenueSecret(s);
        if (s.rotatedAt !== null) rotated(s);
      },
    });
    client.start();
    await until(client, (s) => s.connection === 'online');
    // The stolen one is the hub's first kiosk.
    expect((await admin.post(`/api/kiosks/${hub.kiosk.id}/revoke`, { reason: '平板被盗' })).statusCode).toBe(200);
    const secret = await gotRotated;
    expect(secret).toMatchObject({ previous: old, passCodeSecret: await hub.store.venues.codeSecret(hub.kiosk.venueId) });

    const e = (await getEnrolment())!;
    expect(e).toMatchObject({ passCodeSecret: secret.passCodeSecret, previousPassCode: { secret: old, rotatedAt: secret.rotatedAt } });
    const at = secret.rotatedAt!;
    const before = await makePassCode(old, hub.kiosk.venueId, minuteOf(at) - 1, 0, 1);
    expect(await checkPassInput(before, e, at + 60_000)).toMatchObject({ ok: true, pass: { code: before } });
    const forged = await makePassCode(old, hub.kiosk.venueId, minuteOf(at) + 1, 0, 1);
    expect(await checkPassInput(forged, e, at + 2 * 60_000)).toEqual({ ok: false, reason: 'unknown' });
    const fresh = await makePassCode(secret.passCodeSecret, hub.kiosk.venueId, minuteOf(at) + 1, 0, 1);
    expect(await checkPassInput(fresh, e, at + 2 * 60_000)).toMatchObject({ ok: true, pass: { code: fresh } });
    expect(client.status.connection).toBe('online');
  });
});
