import { skippedChecks } from '../../../shared/schemas/checks.js';
import type { EntranceRecord, SyncRecord } from '../../../shared/schemas/record.js';
import type { Aggregates } from './aggregates.js';
import type { GroupCommit } from './group-commit.js';
import type { Param, Sql } from './sql.js';

/**
 * A batch of a kiosk revoked (or retired) before its transaction could store it: nothing of it is
 * stored. The socket handler answers it as the revoke it is.
 */
export class KioskRevokedError extends Error {
  constructor(readonly kioskId: string) {
    super(`kiosk ${kioskId} was revoked or retired; its records are no longer accepted`);
    this.name = 'KioskRevokedError';
  }
}

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
   * same (kiosk, seq) is a duplicate, not a second row. Throws
   * KioskRevokedError, storing nothing, if a kiosk of the records is revoked
   * or retired when the transaction reaches it.
   */
  ingest(records: readonly SyncRecord[], receivedAt: number): Promise<StoreOutcome[]>;
  /** Whether this record (its id, from this kiosk, at this seq) is already stored: a resend. */
  holds(r: Pick<SyncRecord, 'id' | 'kioskId' | 'seq'>): Promise<boolean>;
  count(): Promise<number>;
}

/** Rows per multi-row INSERT: a batch (at most MAX_BATCH records) takes a few statements, and the texts are at most this many. */
const ROWS_PER_INSERT = 100;

const LEDGER_COLUMNS = '(id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body)';
const ENTRANCE_COLUMNS = `(id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version,
        decision, reasons, skipped, skipped_count, checks, operator_id, pass_id, pass_person)`;

/** `(?, …, ?), …` for `rows` rows of `columns` values. */
function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

/** Statement texts by row count, each built once. */
function textsBySize(build: (rows: number) => string): (rows: number) => string {
  const texts: string[] = [];
  return (rows) => (texts[rows] ??= build(rows));
}

// Rows that clash with one stored (same id, or same kiosk and seq), or with one earlier in the same
// statement, are left out (rows go in in order, on both databases); RETURNING names those that went in.
// One statement decides, so it is race-safe when several hub processes store at once.
const insertLedger = textsBySize(
  (rows) => `INSERT INTO kiosk_records ${LEDGER_COLUMNS} VALUES ${placeholders(rows, 10)} ON CONFLICT DO NOTHING RETURNING id, kiosk_id, seq`,
);
const insertEntrances = textsBySize((rows) => `INSERT INTO entrance_records ${ENTRANCE_COLUMNS} VALUES ${placeholders(rows, 16)}`);

const HELD = 'SELECT 1 AS one FROM kiosk_records WHERE id = ? AND kiosk_id = ? AND seq = ?';
// The pass a record names, by id (a scanned QR) or by code and minute (a typed code).
const PASS_BY_ID = 'SELECT id, people FROM passes WHERE id = ? AND venue_id = ?';
const PASS_BY_CODE = 'SELECT id, people FROM passes WHERE venue_id = ? AND code = ? AND code_minute = ?';
// A booking is a signed pass too; its records name it by id (src 'booking') or by its typed code.
const BOOKING_BY_ID = 'SELECT id, people FROM bookings WHERE id = ? AND venue_id = ?';
const BOOKING_BY_CODE = 'SELECT id, people FROM bookings WHERE venue_id = ? AND code = ? AND code_minute = ?';
// In the order the hub received them (the evidence lists them so): explicit, as PostgreSQL has no rowid order.
const OTHER_ADMISSIONS = `SELECT id, kiosk_id FROM entrance_records
      WHERE pass_id = ? AND pass_person = ? AND id != ? AND decision = 'admit' AND corrected_by IS NULL
      ORDER BY received_at, kiosk_time_ms, id`;
const PASS_OF = 'SELECT venue_id, pass_id, pass_person, decision FROM entrance_records WHERE id = ?';
const WITHDRAW_FLAG = "UPDATE flags SET status = 'withdrawn', evidence = ?, updated_at = ? WHERE venue_id = ? AND rule = 'pass_reused' AND window_key = ? AND status = 'open'";
const SET_EVIDENCE = "UPDATE flags SET evidence = ?, updated_at = ? WHERE venue_id = ? AND rule = 'pass_reused' AND window_key = ?";
// Reopened only if it had been withdrawn; an inspector's acknowledgement or order stands.
// One upsert per flag: race-safe when two hub processes raise the same one.
const RAISE_FLAG = `INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (venue_id, rule, window_key) DO UPDATE SET evidence = excluded.evidence, updated_at = excluded.updated_at,
       status = CASE WHEN flags.status = 'withdrawn' THEN 'open' ELSE flags.status END`;
// A kiosk can only undo its own records. Conditional on corrected_by, so an admission is undone once.
const MARK_CORRECTED = 'UPDATE entrance_records SET corrected_by = ? WHERE id = ? AND kiosk_id = ? AND corrected_by IS NULL';
const BY_ID = 'SELECT kiosk_id, seq FROM kiosk_records WHERE id = ?';
const BY_SEQ = 'SELECT id FROM kiosk_records WHERE kiosk_id = ? AND seq = ?';
const COUNT_ALL = 'SELECT count(*) AS n FROM kiosk_records';

type PassRow = { id: string; people: number };

export function createRecordRepository(sql: Sql, aggregates: Aggregates, commits: GroupCommit): RecordRepository {
  // The kiosk is still in service, read in the transaction that stores its records, AFTER their rows went in.
  // Inserting them took, through the foreign key, a KEY SHARE lock on the kiosk's row (PostgreSQL) held to
  // COMMIT, and a revoke first locks that row FOR UPDATE (kiosks.ts), which conflicts with it: a revoke on
  // another hub process waits for this batch to commit, or, holding the row first, makes the insert wait for
  // the revoke's COMMIT, which this read (a new statement under READ COMMITTED) then sees. Either way no record
  // of a kiosk commits after its revoke. No lock of its own here, so batches, status reports and "seen" writes
  // of one kiosk on several processes block each other no more than before. On SQLite the group transaction
  // already holds the write lock (BEGIN IMMEDIATE). A kiosk the hub does not know is left to the foreign keys.
  const KIOSK_REVOKED = 'SELECT revoked_at FROM kiosks WHERE id = ?';
  // PostgreSQL: the batch first takes its kiosk's advisory lock SHARED, and a revoke takes it EXCLUSIVE
  // (kiosks.ts) before anything else. Row locks alone would let a kiosk streaming batches on one process starve
  // a revoke on another: each new batch's KEY SHARE lock is granted beside the last one's, so the revoke's
  // FOR UPDATE never finds the row free. The lock manager queues a shared request behind a waiting exclusive
  // one, so the revoke waits only for the batches already being stored, and the next ones wait for it.
  const KIOSK_BATCH_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtextextended('checkin-kiosk:' || CAST(? AS TEXT), 0)) AS locked";

  /**
   * The stored pass or booking a record names, if it is one of this venue's
   * and has that person. A booking (src 'booking') is looked up among
   * bookings only, a scanned pass among passes only; a typed code carries no
   * source, and passes and bookings share the venue's code numbers, so it is
   * whichever holds it.
   */
  async function resolvePass(tx: Sql, r: EntranceRecord): Promise<string | undefined> {
    const p = r.pass!;
    const find = (byId: string, byCode: string) => (p.id ? tx.get<PassRow>(byId, [p.id, r.venueId]) : tx.get<PassRow>(byCode, [r.venueId, p.code, p.minute]));
    const found =
      p.src === 'booking'
        ? await find(BOOKING_BY_ID, BOOKING_BY_CODE)
        : p.src !== undefined
          ? await find(PASS_BY_ID, PASS_BY_CODE)
          : ((await find(PASS_BY_ID, PASS_BY_CODE)) ?? (await find(BOOKING_BY_ID, BOOKING_BY_CODE)));
    return found && p.person < found.people ? found.id : undefined;
  }

  /**
   * A record names a pass the hub never issued here (a guessed typed code, a
   * forged QR, a person beyond the party): the offline check let it through,
   * the hub says so.
   */
  async function flagUnknownPass(tx: Sql, r: EntranceRecord, now: number): Promise<void> {
    const evidence = { recordIds: [r.id], kioskIds: [r.kioskId], pass: r.pass };
    await tx.run(RAISE_FLAG, [r.venueId, 'pass_unknown', 'warning', `record:${r.id}`, JSON.stringify(evidence), now, now]);
  }

  /** One person of a pass admitted twice (at any kiosks) is flagged for inspectors. */
  async function flagReuse(tx: Sql, r: EntranceRecord, passId: string, now: number): Promise<void> {
    const person = r.pass!.person;
    const others = await tx.all<{ id: string; kiosk_id: string }>(OTHER_ADMISSIONS, [passId, person, r.id]);
    if (others.length === 0) return;
    const evidence = { passId, person, recordIds: [...others.map((o) => o.id), r.id], kioskIds: [...new Set([...others.map((o) => o.kiosk_id), r.kioskId])] };
    await tx.run(RAISE_FLAG, [r.venueId, 'pass_reused', 'warning', `${passId}#${person}`, JSON.stringify(evidence), now, now]);
  }

  /**
   * An admission on a pass was undone: the pass_reused flag of that person is
   * looked at again, whatever order the doors synced in. With one admission
   * left it is withdrawn (kept, with the evidence that cleared it).
   */
  async function reviewReuse(tx: Sql, correctedId: string, now: number): Promise<void> {
    const rec = await tx.get<{ venue_id: string; pass_id: string | null; pass_person: number | null; decision: string }>(PASS_OF, [correctedId]);
    if (!rec?.pass_id || rec.pass_person === null || rec.decision !== 'admit') return;
    const left = await tx.all<{ id: string; kiosk_id: string }>(OTHER_ADMISSIONS, [rec.pass_id, rec.pass_person, correctedId]);
    const windowKey = `${rec.pass_id}#${rec.pass_person}`;
    const evidence = JSON.stringify({
      passId: rec.pass_id,
      person: rec.pass_person,
      recordIds: left.map((o) => o.id),
      kioskIds: [...new Set(left.map((o) => o.kiosk_id))],
      corrected: [correctedId],
    });
    await tx.run(left.length <= 1 ? WITHDRAW_FLAG : SET_EVIDENCE, [evidence, now, rec.venue_id, windowKey]);
  }

  /** Which of the records went into kiosk_records (one multi-row statement per ROWS_PER_INSERT records). */
  async function insertLedgerRows(tx: Sql, records: readonly SyncRecord[], kioskTimeMs: readonly number[], receivedAt: number): Promise<boolean[]> {
    const key = (id: string, kioskId: string, seq: number) => `${id}\n${kioskId}\n${seq}`;
    const stored = new Map<string, number>();
    for (let from = 0; from < records.length; from += ROWS_PER_INSERT) {
      const chunk = records.slice(from, from + ROWS_PER_INSERT);
      const params: Param[] = [];
      chunk.forEach((r, i) => {
        const { id, kioskId, seq, venueId, type, kioskTime, operatorId, ...rest } = r;
        params.push(id, kioskId, seq, venueId, type, kioskTime, kioskTimeMs[from + i]!, receivedAt, operatorId, JSON.stringify(rest));
      });
      for (const row of await tx.all<{ id: string; kiosk_id: string; seq: number }>(insertLedger(chunk.length), params)) {
        const k = key(row.id, row.kiosk_id, row.seq);
        stored.set(k, (stored.get(k) ?? 0) + 1);
      }
    }
    // A row stored is the first record of the batch with its id, kiosk and seq (a record repeated in
    // the batch went in once, as its first copy).
    return records.map((r) => {
      const k = key(r.id, r.kioskId, r.seq);
      const n = stored.get(k) ?? 0;
      if (n > 0) stored.set(k, n - 1);
      return n > 0;
    });
  }

  /** Nothing inserted: tells a resend apart from a clash. */
  async function notStored(tx: Sql, r: SyncRecord): Promise<StoreOutcome> {
    const same = await tx.get<{ kiosk_id: string; seq: number }>(BY_ID, [r.id]);
    if (same) {
      return same.kiosk_id === r.kioskId && same.seq === r.seq
        ? { status: 'duplicate' }
        : { status: 'conflict', field: 'id', message: 'this id is already stored for another record' };
    }
    const other = (await tx.get<{ id: string }>(BY_SEQ, [r.kioskId, r.seq]))!;
    return { status: 'conflict', field: 'seq', message: `seq ${r.seq} of this kiosk is already stored as record ${other.id}` };
  }

  /**
   * One kiosk's batch in a few statements: its ledger rows in one multi-row
   * INSERT, its entrance rows in another, then each correction and pass check
   * in the order of the batch. A pending entrance row is written before any
   * statement that reads entrance_records (a pass's other admissions, a
   * correction), so each sees exactly the records before it, as if the batch
   * were stored one record at a time.
   */
  async function ingestAll(tx: Sql, records: readonly SyncRecord[], receivedAt: number): Promise<StoreOutcome[]> {
    const kioskTimeMs = records.map((r) => Date.parse(r.kioskTime));
    if (tx.dialect === 'postgres') for (const kioskId of new Set(records.map((r) => r.kioskId))) await tx.get(KIOSK_BATCH_LOCK, [kioskId]);
    const stored = await insertLedgerRows(tx, records, kioskTimeMs, receivedAt);
    // After the insert, on purpose (see KIOSK_REVOKED); one statement per batch (a batch is one kiosk's), none
    // per record, and none for a batch of resends only. Throwing rolls this batch's savepoint back: nothing stored.
    for (const kioskId of new Set(records.filter((_, i) => stored[i]).map((r) => r.kioskId))) {
      const kiosk = await tx.get<{ revoked_at: number | null }>(KIOSK_REVOKED, [kioskId]);
      if (kiosk && kiosk.revoked_at !== null) throw new KioskRevokedError(kioskId);
    }
    const outcomes: StoreOutcome[] = [];
    for (const [i, r] of records.entries()) outcomes.push(stored[i] ? { status: 'accepted' } : await notStored(tx, r));

    /** Admissions undone by the corrections of the batch being written. */
    const undone: string[] = [];
    let pending: Param[] = [];
    let pendingRows = 0;
    const flush = async () => {
      if (pendingRows > 0) await tx.run(insertEntrances(pendingRows), pending);
      pending = [];
      pendingRows = 0;
    };
    for (const [i, r] of records.entries()) {
      if (!stored[i]) continue;
      switch (r.type) {
        case 'entrance': {
          const passId = r.pass ? await resolvePass(tx, r) : undefined;
          pending.push(...entranceRow(r, kioskTimeMs[i]!, receivedAt, passId));
          if (++pendingRows === ROWS_PER_INSERT) await flush();
          if (r.pass && passId === undefined) await flagUnknownPass(tx, r, receivedAt);
          if (passId !== undefined && r.decision === 'admit') {
            await flush();
            await flagReuse(tx, r, passId, receivedAt);
          }
          break;
        }
        case 'correction':
          await flush();
          if ((await tx.run(MARK_CORRECTED, [r.id, r.correctsId, r.kioskId])).changes === 1) {
            undone.push(r.correctsId);
            await reviewReuse(tx, r.correctsId, receivedAt);
          }
          break;
        default:
          // Occupancy events and ledgers are queried from kiosk_records by type.
          break;
      }
    }
    await flush();
    await aggregates.apply(tx, records.filter((_, i) => stored[i]), undone);
    return outcomes;
  }

  return {
    async ingest(records, receivedAt) {
      if (records.length === 0) return [];
      // Runs in its own savepoint of the next group transaction; resolves after that COMMIT.
      return commits.write((tx) => ingestAll(tx, records, receivedAt), records.length);
    },
    async holds(r) {
      return (await sql.get(HELD, [r.id, r.kioskId, r.seq])) !== undefined;
    },
    async count() {
      return (await sql.get<{ n: number }>(COUNT_ALL))!.n;
    },
  };
}

/** The entrance_records values of a record, in ENTRANCE_COLUMNS order. */
function entranceRow(r: EntranceRecord, kioskTimeMs: number, receivedAt: number, passId: string | undefined): Param[] {
  const skipped = skippedChecks(r.checks);
  return [
    r.id,
    r.kioskId,
    r.seq,
    r.venueId,
    r.kioskTime,
    kioskTimeMs,
    receivedAt,
    r.policyVersion,
    r.decision,
    JSON.stringify(r.reasons),
    JSON.stringify(skipped),
    skipped.length,
    JSON.stringify(r.checks),
    r.operatorId,
    passId ?? null,
    r.pass ? r.pass.person : null,
  ];
}
