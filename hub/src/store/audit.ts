import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../../shared/schemas/dashboard.js';
import { WHOLE_CITY, type Scope } from './scope.js';
import type { Sql } from './sql.js';

/**
 * Every inspector and admin action, with who and when (docs/security.md "The audit log"). Append
 * only, and tamper-evident: each entry carries a hash over its own fields and the hash of the
 * entry before it, so changing, removing or re-ordering an entry breaks the chain from there on
 * (`npm run audit:verify`, scripts/audit-verify.ts).
 */
export interface AuditRepository {
  /**
   * Appends an entry. `where` is the street (and district) the act concerns (docs/architecture.md
   * "Streets as tenants"): a street admin's act its street, an inspector's its community's street,
   * an act on a venue the venue's street, a district's act the district alone; both null, a city
   * act. Not given: the acting account's own place (its street, or its district, or the city for the
   * city admin), and a city act when no account acted (the hub's own work, a login failure of no
   * known account).
   */
  record(e: {
    at: number;
    accountId: string | null;
    accountName: string | null;
    action: string;
    target?: string | null;
    detail?: Record<string, unknown>;
    where?: AuditPlace;
  }): Promise<void>;
  /**
   * Newest first; `before` pages back by id. Only the entries a scope sees (store/scope.ts): a
   * street's, a district's streets' and its own, or (the whole city, when not given) all.
   */
  list(q: { limit: number; before?: number | undefined; scope?: Scope | undefined }): Promise<AuditEntry[]>;
}

/** Where an audited act happened: a street (with its district), a district alone, or (both null) the city. */
export interface AuditPlace {
  streetId: string | null;
  districtId: string | null;
}

/** An act of the whole city, or of the hub itself. */
export const CITY_ACT: AuditPlace = Object.freeze({ streetId: null, districtId: null });

/**
 * The entries a scope sees. A street's entries are matched by their street (whatever district it
 * is in now); a district's own acts (no street) by their district; the city sees everything. An
 * inspector's scope is cut to its street here (entries name no community).
 */
const AUDIT_IN_SCOPE =
  '(CAST(? AS TEXT) IS NULL OR street_id = ?)' +
  ' AND (CAST(? AS TEXT) IS NULL OR street_id IN (SELECT id FROM streets WHERE district_id = ?) OR (street_id IS NULL AND district_id = ?))';
/** An account's own place: a street admin's street, an inspector's community's street, with its district; a district admin's district. */
async function placeOfAccount(sql: Sql, accountId: string): Promise<AuditPlace> {
  const row = await sql.get<{ street_id: string | null; district_id: string | null }>(
    `SELECT coalesce(a.street_id, c.street_id) AS street_id, coalesce(a.district_id, s.district_id) AS district_id
       FROM accounts a LEFT JOIN communities c ON c.id = a.community_id LEFT JOIN streets s ON s.id = coalesce(a.street_id, c.street_id)
      WHERE a.id = ?`,
    [accountId],
  );
  return row ? { streetId: row.street_id, districtId: row.district_id } : CITY_ACT;
}

const auditScopeParams = (scope: Scope): (string | null)[] => [scope.streetId, scope.streetId, scope.districtId, scope.districtId, scope.districtId];

/** The "hash before" the first entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

interface AuditRow {
  id: number;
  at: number;
  account_id: string | null;
  account_name: string | null;
  action: string;
  target: string | null;
  detail: string;
  street_id: string | null;
  district_id: string | null;
  hash: string | null;
}

/**
 * SHA-256 over the previous hash and the entry's fields exactly as stored (detail as its JSON
 * text). The street and district are hashed only when one is set and the entry is newer than
 * `placeFrom` (audit_seal.place_from: the last entry written before streets were kept, which the
 * upgrade filed under the one street it had): entries of the city (both null) and every entry
 * written before hash exactly as they always did, so the chain written before still verifies,
 * while moving a newer entry to another street breaks it.
 */
export function auditHash(
  prev: string,
  r: Omit<AuditRow, 'hash' | 'street_id' | 'district_id'> & { street_id?: string | null; district_id?: string | null },
  placeFrom = 0,
): string {
  const fields: unknown[] = [r.id, r.at, r.account_id, r.account_name, r.action, r.target, r.detail];
  const street = r.street_id ?? null;
  const district = r.district_id ?? null;
  if (r.id > placeFrom && (street !== null || district !== null)) fields.push(street, district);
  return createHash('sha256').update(prev).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/**
 * The key of PostgreSQL's transaction-level advisory lock that appenders to the chain take (any
 * constant the hub uses for nothing else): with several hubs on one database, two entries never
 * chain onto the same entry before them. SQLite's BEGIN IMMEDIATE already lets one writer in.
 */
const AUDIT_CHAIN_LOCK = 7_411_301;

/** In a transaction: waits until no other transaction is extending or sealing the chain (PostgreSQL; SQLite's writer is one already). */
async function lockChain(tx: Sql): Promise<void> {
  if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))', [AUDIT_CHAIN_LOCK]);
}

const COLUMNS = 'id, at, account_id, account_name, action, target, detail, street_id, district_id, hash';

export function createAuditRepository(sql: Sql): AuditRepository {
  return {
    async record(e) {
      const where = e.where ?? (e.accountId !== null ? await placeOfAccount(sql, e.accountId) : CITY_ACT);
      const row = {
        at: e.at,
        account_id: e.accountId,
        account_name: e.accountName,
        action: e.action,
        target: e.target ?? null,
        detail: JSON.stringify(e.detail ?? {}),
        street_id: where.streetId,
        district_id: where.districtId,
      };
      // One transaction, holding the chain: the entry before and this one are read and written with no other append between.
      await sql.transaction(async (tx) => {
        await lockChain(tx);
        const before = await tx.get<{ id: number; hash: string | null }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
        const r = { id: (before?.id ?? 0) + 1, ...row };
        await tx.run(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
          r.id,
          r.at,
          r.account_id,
          r.account_name,
          r.action,
          r.target,
          r.detail,
          r.street_id,
          r.district_id,
          auditHash(before?.hash ?? AUDIT_GENESIS, r),
        ]);
      });
    },
    async list({ limit, before, scope = WHOLE_CITY }) {
      const rows = await sql.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE id < ? AND ${AUDIT_IN_SCOPE} ORDER BY id DESC LIMIT ?`, [
        before ?? Number.MAX_SAFE_INTEGER,
        ...auditScopeParams(scope),
        limit,
      ]);
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        accountId: r.account_id,
        accountName: r.account_name,
        action: r.action,
        target: r.target,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
        streetId: r.street_id,
        districtId: r.district_id,
      }));
    },
  };
}

/**
 * Entries written before the log was chained (those up to `audit_seal.upto`, the newest when the
 * hash column was added) get their hashes once, in order, the first time a hub that chains opens
 * the file (openStore calls this); `audit_seal.sealed_at` records it. Never again after that: an
 * entry whose hash was removed later is a break that `verifyAuditChain` reports, never something
 * to seal over. The seal is read inside the transaction that holds the chain, so of several hubs
 * starting at once on one PostgreSQL, one seals.
 */
export async function sealAuditLog(sql: Sql): Promise<void> {
  const pending = await sql.get<{ upto: number; sealed_at: number | null }>('SELECT upto, sealed_at FROM audit_seal');
  if (!pending || pending.sealed_at !== null) return;
  await sql.transaction(async (tx) => {
    await lockChain(tx);
    const seal = await tx.get<{ upto: number; sealed_at: number | null; place_from: number }>('SELECT upto, sealed_at, place_from FROM audit_seal');
    if (!seal || seal.sealed_at !== null) return;
    let prev = AUDIT_GENESIS;
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const rows = await tx.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`, [after, seal.upto, CHAIN_PAGE]);
      for (const r of rows) {
        prev = auditHash(prev, r, seal.place_from);
        await tx.run('UPDATE audit_log SET hash = ? WHERE id = ?', [prev, r.id]);
      }
      if (rows.length < CHAIN_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    await tx.run('UPDATE audit_seal SET sealed_at = ?', [Date.now()]);
  });
}

/** Entries read at a time when the chain is walked: memory stays flat however long the log. */
const CHAIN_PAGE = 2_000;

export type AuditVerdict =
  | { ok: true; entries: number; head: { id: number; hash: string } | null }
  | { ok: false; entries: number; broken: { id: number; action: string; at: number; reason: string } };

/**
 * Walks the chain from the first entry: each entry's hash must be the hash of its fields and of
 * the entry before it. Names the first entry where that fails (a changed field, an entry removed
 * before it, a hash overwritten or missing). Removing the newest entries leaves a shorter chain
 * that still holds: compare the head with one written down earlier (`--head`). Reads the log a
 * page (CHAIN_PAGE entries, by id) at a time.
 */
export async function verifyAuditChain(sql: Sql): Promise<AuditVerdict> {
  const placeFrom = (await sql.get<{ place_from: number }>('SELECT place_from FROM audit_seal'))?.place_from ?? 0;
  let prev = AUDIT_GENESIS;
  let entries = 0;
  let head: { id: number; hash: string } | null = null;
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = await sql.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, [after, CHAIN_PAGE]);
    for (const r of rows) {
      entries++;
      const expected = auditHash(prev, r, placeFrom);
      if (r.hash !== expected) {
        const reason = r.hash === null ? 'the entry has no hash' : 'its fields or the entry before it were changed or removed';
        return { ok: false, entries, broken: { id: r.id, action: r.action, at: r.at, reason } };
      }
      prev = expected;
      head = { id: r.id, hash: expected };
    }
    if (rows.length < CHAIN_PAGE) return { ok: true, entries, head };
    after = rows[rows.length - 1]!.id;
  }
}
