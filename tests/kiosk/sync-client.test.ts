import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, saveRecord } from '../../kiosk/src/db.js';
import { SyncClient, type SyncStatus } from '../../kiosk/src/sync/sync-client.js';
import { KIOSK_NAMESPACE } from '../../shared/events.js';
import type { Ack, ApiError } from '../../shared/schemas/errors.js';
import type { PushResult } from '../../shared/schemas/sync.js';
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

/**
 * A socket.io server on 127.0.0.1 in the kiosk namespace that answers each
 * handshake and each batch as the test scripts it, and notes when each came
 * and when each answer left (Date.now(), the clock the client waits on).
 */
interface Busy {
  url: string;
  nsp: Namespace;
  /** Batches as they arrived: when, and the seqs in them. */
  pushes: { at: number; seqs: number[] }[];
  /** When each answer to a batch left, by batch. */
  answeredAt: number[];
  handshakes: number[];
  refusedAt: number[];
  /** The answer to the n-th batch (from 0); undefined: never answered. */
  answer: (n: number, records: { id: string; seq: number }[]) => Ack<PushResult> | undefined;
  /** A refusal of the n-th handshake (from 0), or undefined to let it in. */
  refuse: (n: number) => ApiError | undefined;
  close(): Promise<void>;
}

function accepted(records: { id: string; seq: number }[], extra: Partial<PushResult> = {}): Ack<PushResult> {
  return { ok: true, data: { results: records.map((r, index) => ({ index, status: 'accepted' as const, id: r.id })), ...extra } };
}

async function busyHub(): Promise<Busy> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  const nsp = io.of(KIOSK_NAMESPACE);
  const b: Busy = {
    url: '',
    nsp,
    pushes: [],
    answeredAt: [],
    handshakes: [],
    refusedAt: [],
    answer: (_n, records) => accepted(records),
    refuse: () => undefined,
    async close() {
      await io.close();
    },
  };
  nsp.use((_socket, next) => {
    const refusal = b.refuse(b.handshakes.length);
    b.handshakes.push(Date.now());
    if (!refusal) return next();
    b.refusedAt.push(Date.now());
    next(Object.assign(new Error(refusal.message), { data: refusal }));
  });
  nsp.on('connection', (socket) => {
    socket.on('records:push', (payload: { records: { id: string; seq: number }[] }, ack: (res: Ack<PushResult>) => void) => {
      const n = b.pushes.length;
      b.pushes.push({ at: Date.now(), seqs: payload.records.map((r) => r.seq) });
      const res = b.answer(n, payload.records);
      if (!res) return;
      b.answeredAt[n] = Date.now();
      ack(res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  b.url = `http://127.0.0.1:${address.port}`;
  return b;
}

const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };
const TOKEN = 'k'.repeat(43);
const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function saveRecords(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await saveRecord((seq) => entranceRecord(kiosk, seq), Date.now());
}

describe('SyncClient and a hub that is behind (docs/architecture.md "Backpressure and reconnects")', () => {
  let hub: Busy;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    hub = await busyHub();
  });
  afterEach(async () => {
    client?.stop();
    client = undefined;
    await hub.close();
  });

  it('reconnects and resends a batch that was in flight when the hub closed every socket (its graceful restart)', async () => {
    await saveRecords(3);
    hub.answer = (n, records) => {
      if (n > 0) return accepted(records);
      // What the hub's close does: every socket cut with its connection, this batch unanswered.
      hub.nsp.disconnectSockets(true);
      return undefined;
    };
    client = new SyncClient(TOKEN, { url: hub.url });
    client.start();
    const s = await until(client, (st) => st.synced === 3);
    expect(s).toMatchObject({ connection: 'online', pending: 0, rejected: 0 });
    expect(hub.pushes.map((p) => p.seqs)).toEqual([seqs(1, 3), seqs(1, 3)]);
    expect(hub.handshakes).toHaveLength(2);
  });

  it('says since when the hub has been out of reach: set when it drops, kept through the reconnect, cleared once online', async () => {
    client = new SyncClient(TOKEN, { url: hub.url });
    const seen: SyncStatus[] = [];
    client.addEventListener('status', (e) => seen.push((e as CustomEvent<SyncStatus>).detail));
    client.start();
    await until(client, (st) => st.connection === 'online');
    expect(client.status.offlineSince).toBeUndefined();
    const cut = seen.length;
    const before = Date.now();
    hub.nsp.disconnectSockets(true);
    await until(client, (st) => st.connection === 'offline');
    const after = Date.now();
    const since = client.status.offlineSince!;
    expect(since).toBeGreaterThanOrEqual(before);
    expect(since).toBeLessThanOrEqual(after);
    const back = await until(client, (st) => st.connection === 'online');
    expect(back.offlineSince).toBeUndefined();
    // Every state between the drop and the return kept the first instant (the door's banner says since when).
    const between = seen.slice(cut).filter((st) => st.connection !== 'online');
    expect(between.length).toBeGreaterThan(0);
    expect(new Set(between.map((st) => st.offlineSince))).toEqual(new Set([since]));
  });

  it('keeps a batch the hub refused as rate_limited and resends it no sooner than asked, without an error', async () => {
    await saveRecords(3);
    hub.answer = (n, records) =>
      n === 0 ? { ok: false, error: { code: 'rate_limited', message: 'commit queue too deep', retryAfterMs: 300 } } : accepted(records);
    client = new SyncClient(TOKEN, { url: hub.url });
    const seen: SyncStatus[] = [];
    client.addEventListener('status', () => seen.push(client!.status));
    client.start();
    const s = await until(client, (st) => st.synced === 3);
    // The same batch again, once, and the hub then took it: nothing lost, nothing refused.
    expect(hub.pushes.map((p) => p.seqs)).toEqual([seqs(1, 3), seqs(1, 3)]);
    expect(s).toMatchObject({ connection: 'online', pending: 0, rejected: 0 });
    expect(seen.every((st) => st.lastError === undefined && st.rejected === 0)).toBe(true);
    // Staff were told the hub is busy, and when the kiosk sends again; that is over once it did.
    const busy = seen.find((st) => st.hubBusyUntil !== undefined);
    expect(busy?.pending).toBe(3);
    expect(s.hubBusyUntil).toBeUndefined();
    // Sent after the kiosk heard the refusal plus its wait: on one clock, never earlier than that.
    expect(hub.pushes[1]!.at - hub.answeredAt[0]!).toBeGreaterThanOrEqual(300);
    expect(busy!.hubBusyUntil! - hub.answeredAt[0]!).toBeGreaterThanOrEqual(300);
  });

  it('waits the retryAfterMs of an ok answer before its next batch, and has every record stored', async () => {
    await saveRecords(250);
    hub.answer = (n, records) => accepted(records, n === 0 ? { retryAfterMs: 300 } : {});
    client = new SyncClient(TOKEN, { url: hub.url });
    client.start();
    const s = await until(client, (st) => st.synced === 250);
    expect(s).toMatchObject({ pending: 0, rejected: 0 });
    expect(s.lastError).toBeUndefined();
    // Each batch once: the first was stored, so it is not sent again.
    expect(hub.pushes.map((p) => [p.seqs[0], p.seqs.at(-1)])).toEqual([
      [1, 100],
      [101, 200],
      [201, 250],
    ]);
    expect(hub.pushes[1]!.at - hub.answeredAt[0]!).toBeGreaterThanOrEqual(300);
  });

  it('comes back when a hub refusing handshakes as rate_limited said, not as a fault or a revocation', async () => {
    await saveRecords(2);
    hub.refuse = (n) => (n === 0 ? { code: 'rate_limited', message: 'too many tablets at once', retryAfterMs: 200 } : undefined);
    client = new SyncClient(TOKEN, { url: hub.url });
    const seen: SyncStatus[] = [];
    client.addEventListener('status', () => seen.push(client!.status));
    client.start();
    const s = await until(client, (st) => st.synced === 2);
    expect(hub.handshakes).toHaveLength(2);
    expect(hub.handshakes[1]! - hub.refusedAt[0]!).toBeGreaterThanOrEqual(200);
    expect(s).toMatchObject({ connection: 'online', pending: 0 });
    expect(s.revoked).toBeUndefined();
    expect(s.hubBusyUntil).toBeUndefined();
    expect(seen.every((st) => st.lastError === undefined && st.connection !== 'unauthorized')).toBe(true);
    expect(seen.some((st) => st.connection === 'connecting' && st.hubBusyUntil !== undefined)).toBe(true);
  });
});
