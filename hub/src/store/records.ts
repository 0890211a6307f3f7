import { skippedChecks } from '../../../shared/schemas/checks.js';
import type { EntranceRecord, SyncRecord } from '../../../shared/schemas/record.js';
import type { Aggregates } from './aggregates.js';
import type { Db } from './database.js';
import type { GroupCommit } from './group-commit.js';
import type { Sql } from './sql.js';

/** The store's verdict on one record; the caller maps it back to the batch index. */
export type StoreOutcome =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'conflict'; field: 'id' | 'seq'; message: string };

export interface RecordRepository {
  /**
   * Writes one kiosk's records, with the running figures they change
   * (aggregates.ts), atomically, and returns one outcome per record, in order,
   * only after COMMIT. Batches arriving together share one commit (group
   * commit). Idempotent: a record already stored under the same id with the
   * same (kiosk, seq) is a duplicate, not a second row.
   */
  ingest(records: readonly SyncRecord[], receivedAt: number): Promise<StoreOutcome[]>;
  /** Whether this record (its id, from this kiosk, at this seq) is already stored: a resend. */
  holds(r: Pick<SyncRecord, 'id' | 'kioskId' | 'seq'>): Promise<boolean>;
  count(): Promise<number>;
}

export function createRecordRepository(db: Db, aggregates: Aggregates, commits: GroupCommit): RecordRepository {
  const held = db.prepare<[string, string, number], { one: number }>('SELECT 1 AS one FROM kiosk_records WHERE id = ? AND kiosk_id = ? AND seq = ?');
  const insertLedger = db.prepare(
    `INSERT INTO kiosk_records (id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body)
     VALUES (@id, @kioskId, @seq, @venueId, @type, @kioskTime, @kioskTimeMs, @receivedAt, @operatorId, @body)
     ON CONFLICT DO NOTHING`,
  );
  const insertEntrance = db.prepare(
    `INSERT INTO entrance_records
       (id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version,
        decision, reasons, skipped, skipped_count, checks, operator_id, pass_id, pass_person)
     VALUES (@id, @kioskId, @seq, @venueId, @kioskTime, @kioskTimeMs, @receivedAt, @policyVersion,
        @decision, @reasons, @skipped, @skippedCount, @checks, @operatorId, @passId, @passPerson)`,
  );
  // The pass a record names, by id (a scanned QR) or by code and minute (a typed code).
  const passById = db.prepare<[string, string], { id: string; people: number }>('SELECT id, people FROM passes WHERE id = ? AND venue_id = ?');
  const passByCode = db.prepare<[string, string, number], { id: string; people: number }>(
    'SELECT id, people FROM passes WHERE venue_id = ? AND code = ? AND code_minute = ?',
  );
  // A booking is a signed pass too; its records name it by id (src 'booking') or by its typed code.
  const bookingById = db.prepare<[string, string], { id: string; people: number }>('SELECT id, people FROM bookings WHERE id = ? AND venue_id = ?');
  const bookingByCode = db.prepare<[string, string, number], { id: string; people: number }>(
    'SELECT id, people FROM bookings WHERE venue_id = ? AND code = ? AND code_minute = ?',
  );
  const otherAdmissions = db.prepare<[string, number, string], { id: string; kiosk_id: string }>(
    `SELECT id, kiosk_id FROM entrance_records
      WHERE pass_id = ? AND pass_person = ? AND id != ? AND decision = 'admit' AND corrected_by IS NULL`,
  );
  const passOf = db.prepare<[string], { venue_id: string; pass_id: string | null; pass_person: number | null; decision: string }>(
    'SELECT venue_id, pass_id, pass_person, decision FROM entrance_records WHERE id = ?',
  );
  const withdrawFlag = db.prepare(
    "UPDATE flags SET status = 'withdrawn', evidence = ?, updated_at = ? WHERE venue_id = ? AND rule = 'pass_reused' AND window_key = ? AND status = 'open'",
  );
  const setEvidence = db.prepare("UPDATE flags SET evidence = ?, updated_at = ? WHERE venue_id = ? AND rule = 'pass_reused' AND window_key = ?");
  const raiseFlag = db.prepare(
    `INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (venue_id, rule, window_key) DO UPDATE SET evidence = excluded.evidence, updated_at = excluded.updated_at,
       -- Reopened only if it had been withdrawn; an inspector's acknowledgement or order stands.
       status = CASE WHEN flags.status = 'withdrawn' THEN 'open' ELSE flags.status END, updated_at = excluded.updated_at`,
  );
  // A kiosk can only undo its own records.
  const markCorrected = db.prepare(
    'UPDATE entrance_records SET corrected_by = ? WHERE id = ? AND kiosk_id = ? AND corrected_by IS NULL',
  );
  const byId = db.prepare<[string], { kiosk_id: string; seq: number }>('SELECT kiosk_id, seq FROM kiosk_records WHERE id = ?');
  const bySeq = db.prepare<[string, number], { id: string }>('SELECT id FROM kiosk_records WHERE kiosk_id = ? AND seq = ?');
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM kiosk_records');

  /** Admissions undone by the corrections of the batch being written. */
  let undone: string[] = [];

  function project(r: SyncRecord, kioskTimeMs: number, receivedAt: number): void {
    switch (r.type) {
      case 'entrance': {
        const passId = r.pass ? resolvePass(r) : undefined;
        insertEntrance.run(entranceRow(r, kioskTimeMs, receivedAt, passId));
        if (r.pass && passId === undefined) flagUnknownPass(r, receivedAt);
        if (passId !== undefined && r.decision === 'admit') flagReuse(r, passId, receivedAt);
        return;
      }
      case 'correction':
        if (markCorrected.run(r.id, r.correctsId, r.kioskId).changes === 1) {
          undone.push(r.correctsId);
          reviewReuse(r.correctsId, receivedAt);
        }
        return;
      default:
        // Occupancy events and ledgers are queried from kiosk_records by type.
        return;
    }
  }

  /**
   * The stored pass or booking a record names, if it is one of this venue's
   * and has that person. A booking (src 'booking') is looked up among
   * bookings only, a scanned pass among passes only; a typed code carries no
   * source, and passes and bookings share the venue's code numbers, so it is
   * whichever holds it.
   */
  function resolvePass(r: EntranceRecord): string | undefined {
    const p = r.pass!;
    const find = (byId: typeof passById, byCode: typeof passByCode) => (p.id ? byId.get(p.id, r.venueId) : byCode.get(r.venueId, p.code, p.minute));
    const found =
      p.src === 'booking' ? find(bookingById, bookingByCode) : p.src !== undefined ? find(passById, passByCode) : (find(passById, passByCode) ?? find(bookingById, bookingByCode));
    return found && p.person < found.people ? found.id : undefined;
  }

  /**
   * A record names a pass the hub never issued here (a guessed typed code, a
   * forged QR, a person beyond the party): the offline check let it through,
   * the hub says so.
   */
  function flagUnknownPass(r: EntranceRecord, now: number): void {
    const evidence = { recordIds: [r.id], kioskIds: [r.kioskId], pass: r.pass };
    raiseFlag.run(r.venueId, 'pass_unknown', 'warning', `record:${r.id}`, JSON.stringify(evidence), now, now);
  }

  /** One person of a pass admitted twice (at any kiosks) is flagged for inspectors. */
  function flagReuse(r: EntranceRecord, passId: string, now: number): void {
    const person = r.pass!.person;
    const others = otherAdmissions.all(passId, person, r.id);
    if (others.length === 0) return;
    const evidence = { passId, person, recordIds: [...others.map((o) => o.id), r.id], kioskIds: [...new Set([...others.map((o) => o.kiosk_id), r.kioskId])] };
    raiseFlag.run(r.venueId, 'pass_reused', 'warning', `${passId}#${person}`, JSON.stringify(evidence), now, now);
  }

  /**
   * An admission on a pass was undone: the pass_reused flag of that person is
   * looked at again, whatever order the doors synced in. With one admission
   * left it is withdrawn (kept, with the evidence that cleared it).
   */
  function reviewReuse(correctedId: string, now: number): void {
    const rec = passOf.get(correctedId);
    if (!rec?.pass_id || rec.pass_person === null || rec.decision !== 'admit') return;
    const left = otherAdmissions.all(rec.pass_id, rec.pass_person, correctedId);
    const windowKey = `${rec.pass_id}#${rec.pass_person}`;
    const evidence = JSON.stringify({
      passId: rec.pass_id,
      person: rec.pass_person,
      recordIds: left.map((o) => o.id),
      kioskIds: [...new Set(left.map((o) => o.kiosk_id))],
      corrected: [correctedId],
    });
    if (left.length <= 1) withdrawFlag.run(evidence, now, rec.venue_id, windowKey);
    else setEvidence.run(evidence, now, rec.venue_id, windowKey);
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

  const ingestAll = async (tx: Sql, records: readonly SyncRecord[], receivedAt: number): Promise<StoreOutcome[]> => {
    undone = [];
    const outcomes = records.map((r) => ingestOne(r, receivedAt));
    await aggregates.apply(tx, records.filter((_, i) => outcomes[i]!.status === 'accepted'), undone);
    return outcomes;
  };

  return {
    async ingest(records, receivedAt) {
      if (records.length === 0) return [];
      // Runs in its own savepoint of the next group transaction; resolves after that COMMIT.
      return commits.write((tx) => ingestAll(tx, records, receivedAt), records.length);
    },
    async holds(r) {
      return held.get(r.id, r.kioskId, r.seq) !== undefined;
    },
    async count() {
      return countAll.get()!.n;
    },
  };
}

function entranceRow(r: EntranceRecord, kioskTimeMs: number, receivedAt: number, passId: string | undefined) {
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
    passId: passId ?? null,
    passPerson: r.pass ? r.pass.person : null,
  };
}
