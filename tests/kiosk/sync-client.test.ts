import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, saveRecord } from '../../kiosk/src/db.js';
import { SyncClient, type SyncStatus } from '../../kiosk/src/sync/sync-client.js';
import { readDb, startTestHub, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

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

describe('SyncClient against a real hub', () => {
  let hub: TestHub;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    hub = await startTestHub();
  });
  afterEach(async () => {
    client?.stop();
    await hub.close();
  });

  it('drains an outbox of several batches, and keeps a rejected record visible with its reason', async () => {
    for (let i = 0; i < 250; i++) {
      await saveRecord(
        (seq) =>
          seq === 100
            ? entranceRecord(hub.kiosk, seq, { reasons: ['fever'] }) // admitted with a reason: invalid
            : entranceRecord(hub.kiosk, seq),
        Date.now(),
      );
    }
    client = new SyncClient(hub.token, { url: hub.url });
    client.start();
    const s = await until(client, (st) => st.pending === 0 && st.synced + st.rejected === 250);
    expect(s).toMatchObject({ connection: 'online', synced: 249, rejected: 1 });
    const db = new Database(hub.dbFile, { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM entrance_records').get() as { n: number }).n;
    db.close();
    expect(n).toBe(249);
  });

  it('sends a record saved while connected on the connection it has, once, when told', async () => {
    client = new SyncClient(hub.token, { url: hub.url });
    client.start();
    await until(client, (st) => st.connection === 'online');
    const connections: string[] = [];
    client.addEventListener('status', () => connections.push(client!.status.connection));
    const saved = await saveRecord((seq) => entranceRecord(hub.kiosk, seq), Date.now());
    client.notify();
    const s = await until(client, (st) => st.synced === 1 && st.pending === 0);
    // Sent on the connection it had, in one batch the hub took: no reconnect, no refusal, no resend.
    expect(s).toMatchObject({ connection: 'online', synced: 1, pending: 0, rejected: 0 });
    expect(s.lastError).toBeUndefined();
    expect(s.lastSyncAt).toEqual(expect.any(Number));
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.every((c) => c === 'online')).toBe(true);
    // The hub holds that very record, once.
    const held = readDb(hub.dbFile, (db) => db.prepare('SELECT id, kiosk_id AS kioskId, seq FROM entrance_records').all());
    expect(held).toEqual([{ id: saved.id, kioskId: hub.kiosk.id, seq: saved.seq }]);
  });

  it('reports a revoked or unknown token as unauthorized and does not spin', async () => {
    client = new SyncClient('y'.repeat(43), { url: hub.url });
    client.start();
    const s = await until(client, (st) => st.connection === 'unauthorized');
    expect(s.lastError).toMatchObject({ code: 'unauthorized' });
  });
});
