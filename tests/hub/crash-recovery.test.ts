import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { onPostgres } from '../support/store.js';
import { openStore } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { MAX_BATCH } from '../../shared/schemas/sync.js';
import { connectKiosk, enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { freePort, spawnHub, type HubProcess } from '../support/hub-process.js';
import { entranceRecord } from '../support/records.js';

const BATCHES = 12;

function storedStats(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db
      .prepare('SELECT count(*) AS n, count(DISTINCT id) AS ids, min(seq) AS lo, max(seq) AS hi FROM entrance_records')
      .get() as { n: number; ids: number; lo: number; hi: number };
  } finally {
    db.close();
  }
}

// SQLite only: what survives a kill -9 is the SQLite file's (its WAL); PostgreSQL's durability is its own.
describe.skipIf(onPostgres)('hub killed mid-batch', () => {
  const tmp = tempDir();
  let hub: HubProcess | undefined;
  afterEach(async () => {
    await hub?.stop();
    tmp.remove();
  });

  it('loses nothing and duplicates nothing once the kiosk resends what was not acked', async () => {
    const dbFile = join(tmp.dir, 'hub.sqlite');
    let kiosk: KioskIdentity;
    let token: string;
    {
      const store = await openStore(dbFile);
      ({ kiosk, token } = await enrolKiosk(store, await seedVenue(store)));
      await store.close();
    }
    const batches: EntranceRecord[][] = Array.from({ length: BATCHES }, (_, b) =>
      Array.from({ length: MAX_BATCH }, (_, i) => entranceRecord(kiosk, b * MAX_BATCH + i + 1)),
    );
    const acked = new Set<number>();
    const port = await freePort();

    // Three crashes at different moments: right after sending, and a few ms into the writes.
    for (const delayMs of [0, 8, 30]) {
      hub = await spawnHub(tmp.dir, port);
      const socket = await connectKiosk(hub.url, token);
      const unacked = batches.map((_, b) => b).filter((b) => !acked.has(b));
      // The first unacked batch is acked before the crash, so every round makes progress.
      const first = unacked.shift()!;
      const ack = await socket.emitWithAck('records:push', { records: batches[first]! });
      expect(ack.ok).toBe(true);
      acked.add(first);
      // Pipeline the next ones and kill the hub while they are in flight.
      for (const b of unacked.slice(0, 3)) {
        socket
          .timeout(60_000)
          .emitWithAck('records:push', { records: batches[b]! })
          .then((res) => res.ok && acked.add(b))
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, delayMs));
      await hub.kill();
      socket.close();
    }

    // Restart and resend every batch that has no ack, as the kiosk's outbox does.
    hub = await spawnHub(tmp.dir, port);
    const socket = await connectKiosk(hub.url, token);
    for (const [b, records] of batches.entries()) {
      if (acked.has(b)) continue;
      const res = await socket.emitWithAck('records:push', { records });
      if (!res.ok) throw new Error(res.error.message);
      expect(res.data.results.every((r) => r.status === 'accepted' || r.status === 'duplicate')).toBe(true);
    }
    socket.close();

    const total = BATCHES * MAX_BATCH;
    expect(storedStats(dbFile)).toEqual({ n: total, ids: total, lo: 1, hi: total });
  }, 90_000);
});
