import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import { enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { entranceRecord, recordBase } from '../support/records.js';

/**
 * A kiosk's batch is stored in a few multi-row statements (hub/src/store/records.ts): the
 * outcome of each record must be what storing the batch one record at a time gives, also when
 * records of the batch clash with each other, and past the rows one statement takes.
 */

const temp = tempDir();
afterAll(() => temp.remove());
let files = 0;

async function freshStore(): Promise<{ store: Store; kiosk: KioskIdentity }> {
  const store = await openStore(join(temp.dir, `batch-${files++}.sqlite`));
  const entranceId = await seedVenue(store);
  return { store, kiosk: (await enrolKiosk(store, entranceId)).kiosk };
}

/** The same records on another kiosk identity (same venue, the other store's kiosk id). */
const onKiosk = (records: readonly SyncRecord[], kiosk: KioskIdentity): SyncRecord[] => records.map((r) => ({ ...r, kioskId: kiosk.id }));

describe('a batch stored in one go', () => {
  it('tells each record of a batch apart as one at a time would: repeated, clashing by id, clashing by seq', async () => {
    const a = await freshStore();
    const b = await freshStore();
    try {
      const first = entranceRecord(a.kiosk, 1);
      const batch: SyncRecord[] = [
        first,
        first, // the same record twice in one batch
        { ...entranceRecord(a.kiosk, 2), id: first.id }, // another record under an id the batch already used
        entranceRecord(a.kiosk, 1), // another record under a seq the batch already used
        entranceRecord(a.kiosk, 3, { decision: 'refuse', reasons: ['fever'] }),
        // Undoes the first admission, in the same batch.
        { ...recordBase(a.kiosk, 4), type: 'correction', correctsId: first.id, reason: 'mistaken admission' },
      ];
      const now = Date.now();
      const together = await a.store.records.ingest(batch, now);
      const oneByOne = [];
      for (const r of onKiosk(batch, b.kiosk)) oneByOne.push(...(await b.store.records.ingest([r], now)));

      expect(together).toEqual([
        { status: 'accepted' },
        { status: 'duplicate' },
        { status: 'conflict', field: 'id', message: 'this id is already stored for another record' },
        { status: 'conflict', field: 'seq', message: `seq 1 of this kiosk is already stored as record ${first.id}` },
        { status: 'accepted' },
        { status: 'accepted' },
      ]);
      // The second store holds the same records on its own kiosk, so even the messages naming ids match.
      expect(oneByOne).toEqual(together);
      expect(await a.store.records.count()).toBe(3);
      // The admission was undone within the batch: nobody is inside, the day counts no admission that stands.
      expect((await a.store.occupancy.byVenue('venue-a', now)).map((d) => d.inside)).toEqual([0]);
      expect(await a.store.occupancy.byVenue('venue-a', now)).toEqual((await b.store.occupancy.byVenue('venue-a', now)).map((d) => ({ ...d, kioskId: a.kiosk.id })));

      // Sent again, every stored record is a duplicate and nothing is added.
      const again = await a.store.records.ingest([first, batch[4]!, batch[5]!], now);
      expect(again).toEqual([{ status: 'duplicate' }, { status: 'duplicate' }, { status: 'duplicate' }]);
      expect(await a.store.records.count()).toBe(3);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('stores a batch larger than one statement takes, every admission counted once', async () => {
    const { store, kiosk } = await freshStore();
    try {
      const now = Date.now();
      const batch = Array.from({ length: 250 }, (_, i) => entranceRecord(kiosk, i + 1));
      const outcomes = await store.records.ingest(batch, now);
      expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(250);
      expect(await store.records.count()).toBe(250);
      expect((await store.occupancy.byVenue('venue-a', now)).map((d) => d.inside)).toEqual([250]);
      const resent = await store.records.ingest(batch, now);
      expect(resent.every((o) => o.status === 'duplicate')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
