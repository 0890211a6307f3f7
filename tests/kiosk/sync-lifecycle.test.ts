import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLocked, closeDb, recordingLocked, retireRequest, saveRecord, syncCounts, unlockRecording } from '../../kiosk/src/db.js';
import { SyncClient, buildStatus, type SyncStatus } from '../../kiosk/src/sync/sync-client.js';
import type { VenueSecret } from '../../shared/schemas/enrolment.js';
import { KIOSK_NAMESPACE } from '../../shared/events.js';
import type { Ack } from '../../shared/schemas/errors.js';
import { KioskStatus, RetireRequest, type RetireAnswer } from '../../shared/schemas/kiosk-admin.js';
import { KioskAuth, type PushResult } from '../../shared/schemas/sync.js';
import { entranceRecord } from '../support/records.js';

const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };
const TOKEN = 'k'.repeat(43);

/**
 * A socket.io server speaking the hub's side of the kiosk contract, scripted
 * per test: it checks the handshake with the hub's own schema, answers
 * batches (refusing the seqs it is told to), and records every status and
 * retire request, so the client's side is tested exactly and without a clock.
 */
interface Scripted {
  url: string;
  io: Server;
  auths: KioskAuth[];
  statuses: KioskStatus[];
  retires: RetireRequest[];
  /** Seqs whose records the server refuses; `refuseBatches` refuses whole batches. */
  rejectSeqs: Set<number>;
  refuseBatches: boolean;
  refuseHandshake: boolean;
  retireAnswer: Ack<RetireAnswer>;
  /** When set, the answer to a retire waits for it: what the tablet does meanwhile can be tested. */
  retireGate?: Promise<void>;
  onRetire?: () => void;
  onStatus?: (s: KioskStatus) => void;
  onConnect?: (socket: Socket) => void;
  close(): Promise<void>;
}

async function scriptedHub(): Promise<Scripted> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  const s: Scripted = {
    url: '',
    io,
    auths: [],
    statuses: [],
    retires: [],
    rejectSeqs: new Set(),
    refuseBatches: false,
    refuseHandshake: false,
    retireAnswer: { ok: true, data: { outcome: 'retired', retiredAt: 1234 } },
    async close() {
      await io.close();
    },
  };
  const nsp = io.of(KIOSK_NAMESPACE);
  nsp.use((socket, next) => {
    const auth = KioskAuth.safeParse(socket.handshake.auth);
    if (!auth.success || s.refuseHandshake) {
      return next(Object.assign(new Error('refused'), { data: { code: 'unauthorized', field: 'token', message: 'unknown or revoked kiosk token' } }));
    }
    s.auths.push(auth.data);
    next();
  });
  nsp.on('connection', (socket) => {
    socket.on('records:push', (payload: { records: { id: string; seq: number }[] }, ack: (res: Ack<PushResult>) => void) => {
      if (s.refuseBatches) return ack({ ok: false, error: { code: 'internal', message: 'hub busy' } });
      ack({
        ok: true,
        data: {
          results: payload.records.map((r, index) =>
            s.rejectSeqs.has(r.seq)
              ? { index, status: 'rejected' as const, id: r.id, error: { code: 'invalid' as const, field: 'checks', message: 'refused' } }
              : { index, status: 'accepted' as const, id: r.id },
          ),
        },
      });
    });
    socket.on('kiosk:status', (payload: unknown) => {
      const status = KioskStatus.parse(payload);
      s.statuses.push(status);
      s.onStatus?.(status);
    });
    socket.on('kiosk:retire', async (payload: unknown, ack: (res: Ack<RetireAnswer>) => void) => {
      s.retires.push(RetireRequest.parse(payload));
      s.onRetire?.();
      await s.retireGate;
      ack(s.retireAnswer);
    });
    s.onConnect?.(socket);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  s.url = `http://127.0.0.1:${address.port}`;
  return s;
}

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

async function saveRecords(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await saveRecord((seq) => entranceRecord(kiosk, seq), Date.now());
}

describe('buildStatus', () => {
  it('builds what the hub parses: version, backlog, refused, clock', () => {
    const status = buildStatus({ pending: 3, rejected: 1 }, '0.1.0+20261123.1533', 1_800_000_000_000);
    expect(status).toEqual({ appVersion: '0.1.0+20261123.1533', pending: 3, rejected: 1, clock: 1_800_000_000_000 });
    expect(KioskStatus.parse(status)).toEqual(status);
  });

  it('cuts an over-long version to what the hub accepts rather than be refused', () => {
    expect(buildStatus({ pending: 0, rejected: 0 }, 'v'.repeat(100), 5)?.appVersion).toBe('v'.repeat(64));
  });

  it('leaves the status out when it would not pass the hub (a refused handshake would look like a revoked tablet)', () => {
    expect(buildStatus({ pending: 0, rejected: 0 }, '   ', 5)).toBeUndefined();
    expect(buildStatus({ pending: -1, rejected: 0 }, '1.0', 5)).toBeUndefined();
  });
});

describe('SyncClient lifecycle (revoked, refused, venue edits) against a scripted hub', () => {
  let hub: Scripted;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    // A retirement that succeeded keeps recording locked for the app's wipe; each test starts unlocked.
    unlockRecording();
    hub = await scriptedHub();
  });
  afterEach(async () => {
    client?.stop();
    client = undefined;
    await hub.close();
  });

  it('sends its version, backlog and clock in the handshake, and always reports reaching zero however recent the last report', async () => {
    await saveRecords(250);
    const reachedZero = new Promise<void>((resolve) => (hub.onStatus = (s) => s.pending === 0 && resolve()));
    const before = Date.now();
    // An hour between reports: only reaching zero may get through.
    client = new SyncClient(TOKEN, { url: hub.url, appVersion: '0.1.0+test', statusIntervalMs: 3_600_000 });
    client.start();
    await reachedZero;
    expect(hub.auths).toHaveLength(1);
    expect(hub.auths[0]).toMatchObject({ token: TOKEN, status: { appVersion: '0.1.0+test', pending: 250, rejected: 0 } });
    const sent = KioskStatus.parse(hub.auths[0]!.status);
    expect(sent.clock).toBeGreaterThanOrEqual(before);
    expect(sent.clock).toBeLessThanOrEqual(Date.now());
    expect(hub.statuses.map((s) => [s.pending, s.rejected])).toEqual([[0, 0]]);
  });

  it('reports each acknowledged batch when not throttled, with the records the hub refused', async () => {
    await saveRecords(250);
    hub.rejectSeqs = new Set([7]);
    const reachedZero = new Promise<void>((resolve) => (hub.onStatus = (s) => s.pending === 0 && resolve()));
    client = new SyncClient(TOKEN, { url: hub.url, appVersion: '0.1.0+test', statusIntervalMs: 0 });
    client.start();
    await reachedZero;
    expect(hub.statuses.map((s) => [s.pending, s.rejected])).toEqual([
      [150, 1],
      [50, 1],
      [0, 1],
    ]);
    expect(hub.statuses.every((s) => s.appVersion === '0.1.0+test')).toBe(true);
  });

  it('reports a record saved while connected', async () => {
    const reports: KioskStatus[] = [];
    const sawOne = new Promise<void>((resolve) => (hub.onStatus = (s) => (reports.push(s), s.pending === 0 && reports.length > 0 && resolve())));
    client = new SyncClient(TOKEN, { url: hub.url, appVersion: '0.1.0+test', statusIntervalMs: 0 });
    client.start();
    await until(client, (s) => s.connection === 'online');
    expect(hub.auths[0]!.status).toMatchObject({ pending: 0, rejected: 0 });
    await saveRecords(1);
    client.notify();
    await sawOne;
    await until(client, (s) => s.synced === 1);
    expect(reports.at(-1)).toMatchObject({ pending: 0, rejected: 0 });
  });

  it('stops and says revoked, with the reason, when the hub revokes it live; the records stay', async () => {
    await saveRecords(2);
    hub.refuseBatches = true; // the records are still on the tablet when it is revoked
    hub.onConnect = (socket) => {
      socket.emit('kiosk:revoked', { reason: '设备丢失' });
      socket.disconnect(true);
    };
    client = new SyncClient(TOKEN, { url: hub.url });
    client.start();
    const s = await until(client, (st) => st.revoked !== undefined);
    expect(s).toMatchObject({ connection: 'unauthorized', revoked: { reason: '设备丢失' } });
    expect(await syncCounts()).toMatchObject({ pending: 2 });
    expect(await client.retire()).toEqual({ outcome: 'revoked' });
    expect(hub.retires).toEqual([]);
  });

  it('says revoked when the hub refuses its token at the handshake', async () => {
    hub.refuseHandshake = true;
    client = new SyncClient(TOKEN, { url: hub.url });
    client.start();
    const s = await until(client, (st) => st.revoked !== undefined);
    expect(s).toMatchObject({ connection: 'unauthorized', revoked: {}, lastError: { code: 'unauthorized' } });
  });

  it('comes back by itself when the hub closes its socket without revoking it', async () => {
    let connections = 0;
    const second = new Promise<void>((resolve) => {
      hub.onConnect = (socket) => {
        connections++;
        if (connections === 1) socket.disconnect(true);
        else resolve();
      };
    });
    client = new SyncClient(TOKEN, { url: hub.url });
    client.start();
    await second;
    const s = await until(client, (st) => st.connection === 'online');
    expect(s.revoked).toBeUndefined();
  });
});

describe('SyncClient.retire (docs/operations.md "Tablets leaving service") against a scripted hub', () => {
  let hub: Scripted;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    // A retirement that succeeded keeps recording locked for the app's wipe; each test starts unlocked.
    unlockRecording();
    hub = await scriptedHub();
  });
  afterEach(async () => {
    client?.stop();
    client = undefined;
    await hub.close();
  });

  async function connected(): Promise<SyncClient> {
    const c = new SyncClient(TOKEN, { url: hub.url });
    c.start();
    await until(c, (s) => s.connection === 'online');
    return c;
  }

  it('is refused at once with the hub unreachable, and asks the hub nothing', async () => {
    await saveRecords(3);
    client = new SyncClient(TOKEN, { url: 'http://127.0.0.1:9' });
    expect(await client.retire()).toEqual({ outcome: 'offline', pending: 3 });
  });

  it('refuses while records stay unsent after the drain, with their count, and asks the hub nothing', async () => {
    hub.refuseBatches = true;
    client = await connected();
    await saveRecords(3);
    expect(await client.retire()).toEqual({ outcome: 'unsynced', pending: 3 });
    expect(hub.retires).toEqual([]);
    expect(await syncCounts()).toEqual({ pending: 3, synced: 0, rejected: 0 });
  });

  it('drains first, then names its last seq and the refused seqs; the hub ok stops it for good', async () => {
    hub.rejectSeqs = new Set([2, 5]);
    hub.refuseBatches = true;
    await saveRecords(6);
    let closed: Promise<unknown> = Promise.resolve();
    hub.onConnect = (socket) => (closed = new Promise((resolve) => socket.once('disconnect', resolve)));
    client = await connected();
    await until(client, (s) => s.lastError?.message === 'hub busy');
    hub.refuseBatches = false;
    expect(await syncCounts()).toEqual({ pending: 6, synced: 0, rejected: 0 });
    expect(await client.retire()).toEqual({ outcome: 'retired', retiredAt: 1234, lastSeq: 6 });
    expect(hub.retires).toEqual([{ lastSeq: 6, rejectedSeqs: [2, 5] }]);
    expect(await syncCounts()).toEqual({ pending: 0, synced: 4, rejected: 2 });
    // Stopped: the tablet leaves on its own and nothing more goes out under the retired token.
    await closed;
    expect(await hub.io.of(KIOSK_NAMESPACE).fetchSockets()).toHaveLength(0);
  });

  it('keeps everything and gives the count the hub lacks, as the figure the hub sent', async () => {
    client = await connected();
    await saveRecords(4);
    hub.retireAnswer = { ok: true, data: { outcome: 'missing', missing: 2 } };
    const out = await client.retire();
    expect(out).toEqual({ outcome: 'conflict', missing: 2 });
    expect(await retireRequest()).toEqual({ lastSeq: 4, rejectedSeqs: [], pending: 0 });
    expect(client.status.connection).toBe('online');
  });

  it('turns an unauthorized answer into the revoked state', async () => {
    client = await connected();
    hub.retireAnswer = { ok: false, error: { code: 'unauthorized', message: 'revoked' } };
    expect(await client.retire()).toEqual({ outcome: 'revoked' });
    expect(client.status).toMatchObject({ connection: 'unauthorized', revoked: {} });
  });

  it('gives reasons, never the hub\'s prose, when the hub cannot retire it, and keeps everything on an answer it does not understand', async () => {
    client = await connected();
    await saveRecords(2);
    hub.retireAnswer = { ok: false, error: { code: 'internal', message: 'the hub could not retire this kiosk; try again' } };
    expect(await client.retire()).toEqual({ outcome: 'error', reason: 'hub' });
    hub.retireAnswer = { ok: false, error: { code: 'invalid', field: 'lastSeq', message: 'the hub holds records up to 9 from this kiosk' } };
    expect(await client.retire()).toEqual({ outcome: 'error', reason: 'mismatch' });
    // The shape of the first draft of this contract ({ retiredAt } alone) is not a retirement.
    hub.retireAnswer = { ok: true, data: { retiredAt: 5 } as unknown as RetireAnswer };
    expect(await client.retire()).toEqual({ outcome: 'error', reason: 'answer' });
    expect(client.status.connection).toBe('online');
    expect(await retireRequest()).toEqual({ lastSeq: 2, rejectedSeqs: [], pending: 0 });
  });

  it('records nothing between its count and the hub\'s answer; a refusal unlocks recording, a retirement keeps it locked until the wipe', async () => {
    client = await connected();
    await saveRecords(3);
    const asked = () => new Promise<void>((resolve) => (hub.onRetire = resolve));
    let open!: () => void;
    hub.retireGate = new Promise((resolve) => (open = resolve));
    hub.retireAnswer = { ok: true, data: { outcome: 'missing', missing: 1 } };
    let arrived = asked();
    let retiring = client.retire();
    await arrived;
    // An exit from "I have left", a door record: refused while the hub weighs the count.
    await expect(saveRecord((seq) => entranceRecord(kiosk, seq), Date.now())).rejects.toBeInstanceOf(RecordingLocked);
    open();
    expect(await retiring).toEqual({ outcome: 'conflict', missing: 1 });
    expect(recordingLocked()).toBe(false);
    expect((await saveRecord((seq) => entranceRecord(kiosk, seq), Date.now())).seq).toBe(4);

    hub.retireGate = new Promise((resolve) => (open = resolve));
    hub.retireAnswer = { ok: true, data: { outcome: 'retired', retiredAt: 99 } };
    arrived = asked();
    retiring = client.retire();
    await arrived;
    await expect(saveRecord((seq) => entranceRecord(kiosk, seq), Date.now())).rejects.toBeInstanceOf(RecordingLocked);
    open();
    expect(await retiring).toEqual({ outcome: 'retired', retiredAt: 99, lastSeq: 4 });
    // Still locked: the app wipes, then unlocks.
    await expect(saveRecord((seq) => entranceRecord(kiosk, seq), Date.now())).rejects.toBeInstanceOf(RecordingLocked);
    expect(await retireRequest()).toEqual({ lastSeq: 4, rejectedSeqs: [], pending: 0 });
  });

  it('unlocks recording when it cannot reach the hub', async () => {
    await saveRecords(1);
    client = new SyncClient(TOKEN, { url: 'http://127.0.0.1:9' });
    expect(await client.retire()).toEqual({ outcome: 'offline', pending: 1 });
    expect(recordingLocked()).toBe(false);
  });
});

describe('SyncClient venue:secret (the pass-code secret rotated on a revoke; docs/security.md "Revoked tablets")', () => {
  let hub: Scripted;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    // A retirement that succeeded keeps recording locked for the app's wipe; each test starts unlocked.
    unlockRecording();
    hub = await scriptedHub();
  });
  afterEach(async () => {
    client?.stop();
    client = undefined;
    await hub.close();
  });

  it('hands on the venue\'s rotated pass-code secret and refuses a malformed one, naming it', async () => {
    const secret: VenueSecret = { passCodeSecret: 'n'.repeat(43), previous: 'o'.repeat(43), rotatedAt: 1_800_000_000_000 };
    hub.onConnect = (socket) => {
      socket.emit('venue:secret', { passCodeSecret: 'short', previous: null, rotatedAt: null });
      socket.emit('venue:secret', secret);
    };
    let got!: (s: VenueSecret) => void;
    const received = new Promise<VenueSecret>((resolve) => (got = resolve));
    client = new SyncClient(TOKEN, { url: hub.url, onSecret: async (s) => got(s) });
    client.start();
    expect(await received).toEqual(secret);
    expect(client.status.lastError).toMatchObject({ code: 'invalid', message: expect.stringContaining('pass-code secret from the hub refused') });
  });
});
