import { skippedChecks } from '../../../shared/schemas/checks.js';
import type { EntranceRecord, SyncRecord } from '../../../shared/schemas/record.js';
import type { Db } from './database.js';

/** The store's verdict on one record; the caller maps it back to the batch index. */
export type StoreOutcome =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'conflict'; field: 'id' | 'seq'; message: string };

export interface RecordRepository {
  /**
   * Writes the records in ONE transaction and returns one outcome per record,
   * in order, only after COMMIT. Idempotent: a record already stored under the
   * same id with the same (kiosk, seq) is a duplicate, not a second row.
   */
  ingest(records: readonly SyncRecord[], receivedAt: number): Promise<StoreOutcome[]>;
  count(): Promise<number>;
}

export function createRecordRepository(db: Db): RecordRepository {
  const insert = db.prepare(
    `INSERT INTO entrance_records
       (id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version,
        decision, reasons, skipped, skipped_count, checks)
     VALUES (@id, @kioskId, @seq, @venueId, @kioskTime, @kioskTimeMs, @receivedAt, @policyVersion,
        @decision, @reasons, @skipped, @skippedCount, @checks)
     ON CONFLICT DO NOTHING`,
  );
  const byId = db.prepare<[string], { kiosk_id: string; seq: number }>(
    'SELECT kiosk_id, seq FROM entrance_records WHERE id = ?',
  );
  const bySeq = db.prepare<[string, number], { id: string }>(
    'SELECT id FROM entrance_records WHERE kiosk_id = ? AND seq = ?',
  );
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM entrance_records');

  function ingestEntrance(r: EntranceRecord, receivedAt: number): StoreOutcome {
    const skipped = skippedChecks(r.checks);
    const changes = insert.run({
      id: r.id,
      kioskId: r.kioskId,
      seq: r.seq,
      venueId: r.venueId,
      kioskTime: r.kioskTime,
      kioskTimeMs: Date.parse(r.kioskTime),
      receivedAt,
      policyVersion: r.policyVersion,
      decision: r.decision,
      reasons: JSON.stringify(r.reasons),
      skipped: JSON.stringify(skipped),
      skippedCount: skipped.length,
      checks: JSON.stringify(r.checks),
    }).changes;
    if (changes === 1) return { status: 'accepted' };
    // Nothing inserted: tell a resend apart from a clash.
    const same = byId.get(r.id);
    if (same) {
      return same.kiosk_id === r.kioskId && same.seq === r.seq
        ? { status: 'duplicate' }
        : { status: 'conflict', field: 'id', message: 'this id is already stored for another record' };
    }
    const other = bySeq.get(r.kioskId, r.seq)!;
    return {
      status: 'conflict',
      field: 'seq',
      message: `seq ${r.seq} of this kiosk is already stored as record ${other.id}`,
    };
  }

  const ingestAll = db.transaction((records: readonly SyncRecord[], receivedAt: number) =>
    records.map((r) => {
      switch (r.type) {
        case 'entrance':
          return ingestEntrance(r, receivedAt);
      }
    }),
  );

  return {
    async ingest(records, receivedAt) {
      if (records.length === 0) return [];
      // better-sqlite3 runs the whole function between BEGIN and COMMIT; it returns after COMMIT.
      return ingestAll.immediate(records, receivedAt);
    },
    async count() {
      return countAll.get()!.n;
    },
  };
}
