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
  const insertLedger = db.prepare(
    `INSERT INTO kiosk_records (id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body)
     VALUES (@id, @kioskId, @seq, @venueId, @type, @kioskTime, @kioskTimeMs, @receivedAt, @operatorId, @body)
     ON CONFLICT DO NOTHING`,
  );
  const insertEntrance = db.prepare(
    `INSERT INTO entrance_records
       (id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version,
        decision, reasons, skipped, skipped_count, checks, operator_id)
     VALUES (@id, @kioskId, @seq, @venueId, @kioskTime, @kioskTimeMs, @receivedAt, @policyVersion,
        @decision, @reasons, @skipped, @skippedCount, @checks, @operatorId)`,
  );
  // A kiosk can only undo its own records.
  const markCorrected = db.prepare(
    'UPDATE entrance_records SET corrected_by = ? WHERE id = ? AND kiosk_id = ? AND corrected_by IS NULL',
  );
  const byId = db.prepare<[string], { kiosk_id: string; seq: number }>('SELECT kiosk_id, seq FROM kiosk_records WHERE id = ?');
  const bySeq = db.prepare<[string, number], { id: string }>('SELECT id FROM kiosk_records WHERE kiosk_id = ? AND seq = ?');
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM kiosk_records');

  function project(r: SyncRecord, kioskTimeMs: number, receivedAt: number): void {
    switch (r.type) {
      case 'entrance':
        insertEntrance.run(entranceRow(r, kioskTimeMs, receivedAt));
        return;
      case 'correction':
        markCorrected.run(r.id, r.correctsId, r.kioskId);
        return;
      default:
        // Occupancy events and ledgers are queried from kiosk_records by type.
        return;
    }
  }

  function ingestOne(r: SyncRecord, receivedAt: number): StoreOutcome {
    const kioskTimeMs = Date.parse(r.kioskTime);
    const { id, kioskId, seq, venueId, type, kioskTime, operatorId, ...rest } = r;
    const inserted = insertLedger.run({
      id,
      kioskId,
      seq,
      venueId,
      type,
      kioskTime,
      kioskTimeMs,
      receivedAt,
      operatorId,
      body: JSON.stringify(rest),
    }).changes;
    if (inserted === 1) {
      project(r, kioskTimeMs, receivedAt);
      return { status: 'accepted' };
    }
    // Nothing inserted: tell a resend apart from a clash.
    const same = byId.get(id);
    if (same) {
      return same.kiosk_id === kioskId && same.seq === seq
        ? { status: 'duplicate' }
        : { status: 'conflict', field: 'id', message: 'this id is already stored for another record' };
    }
    const other = bySeq.get(kioskId, seq)!;
    return { status: 'conflict', field: 'seq', message: `seq ${seq} of this kiosk is already stored as record ${other.id}` };
  }

  const ingestAll = db.transaction((records: readonly SyncRecord[], receivedAt: number) =>
    records.map((r) => ingestOne(r, receivedAt)),
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

function entranceRow(r: EntranceRecord, kioskTimeMs: number, receivedAt: number) {
  const skipped = skippedChecks(r.checks);
  return {
    id: r.id,
    kioskId: r.kioskId,
    seq: r.seq,
    venueId: r.venueId,
    kioskTime: r.kioskTime,
    kioskTimeMs,
    receivedAt,
    policyVersion: r.policyVersion,
    decision: r.decision,
    reasons: JSON.stringify(r.reasons),
    skipped: JSON.stringify(skipped),
    skippedCount: skipped.length,
    checks: JSON.stringify(r.checks),
    operatorId: r.operatorId,
  };
}
