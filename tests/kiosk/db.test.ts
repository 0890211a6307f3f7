import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyResults, closeDb, pendingBatch, recordsSince, saveRecord, syncCounts } from '../../kiosk/src/db.js';
import { entranceRecord } from '../support/records.js';

const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };

describe('kiosk db (outbox)', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('gives concurrent saves distinct, gap-free sequence numbers', async () => {
    const saved = await Promise.all(Array.from({ length: 25 }, () => saveRecord((seq) => entranceRecord(kiosk, seq), 0)));
    expect(saved.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(saved.every((s) => s.record.seq === s.seq)).toBe(true);
    expect(await syncCounts()).toEqual({ pending: 25, synced: 0, rejected: 0 });
  });

  it('hands out the oldest pending records first', async () => {
    for (let i = 0; i < 5; i++) await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    expect((await pendingBatch(3)).map((s) => s.seq)).toEqual([1, 2, 3]);
  });

  it('marks records only by the hub answer, and keeps the reason of a rejection', async () => {
    for (let i = 0; i < 3; i++) await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    const batch = await pendingBatch(10);
    await applyResults(
      batch,
      [
        { index: 0, status: 'accepted', id: batch[0]!.id },
        { index: 1, status: 'rejected', id: batch[1]!.id, error: { code: 'invalid', field: 'checks.temperature.celsius', message: 'too high' } },
        { index: 7, status: 'accepted', id: batch[2]!.id }, // an index never sent: ignored
      ],
      1000,
    );
    expect(await syncCounts()).toEqual({ pending: 1, synced: 1, rejected: 1 });
    expect((await pendingBatch(10)).map((s) => s.seq)).toEqual([3]);
    const recent = await recordsSince(0);
    expect(recent.map((r) => [r.seq, r.sync])).toEqual([
      [1, 'synced'],
      [2, 'rejected'],
      [3, 'pending'],
    ]);
    expect(recent[1]!.error?.field).toBe('checks.temperature.celsius');
  });

  it('does not move a record back to pending or synced once it has an answer', async () => {
    await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    const batch = await pendingBatch(1);
    const rejection = { index: 0, status: 'rejected' as const, id: batch[0]!.id, error: { code: 'invalid' as const, message: 'x' } };
    await applyResults(batch, [rejection], 1);
    await applyResults(batch, [{ index: 0, status: 'accepted', id: batch[0]!.id }], 2);
    expect(await syncCounts()).toEqual({ pending: 0, synced: 0, rejected: 1 });
  });
});
