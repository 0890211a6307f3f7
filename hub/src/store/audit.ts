import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../../shared/schemas/dashboard.js';
import type { Db } from './database.js';

/**
 * Every inspector and admin action, with who and when (docs/security.md "The audit log"). Append
 * only, and tamper-evident: each entry carries a hash over its own fields and the hash of the
 * entry before it, so changing, removing or re-ordering an entry breaks the chain from there on
 * (`npm run audit:verify`, scripts/audit-verify.ts).
 */
export interface AuditRepository {
  record(e: { at: number; accountId: string | null; accountName: string | null; action: string; target?: string | null; detail?: Record<string, unknown> }): Promise<void>;
  /** Newest first; `before` pages back by id. */
  list(q: { limit: number; before?: number | undefined }): Promise<AuditEntry[]>;
}

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
  hash: string | null;
}

/** SHA-256 over the previous hash and the entry's fields exactly as stored (detail as its JSON text). */
export function auditHash(prev: string, r: Omit<AuditRow, 'hash'>): string {
  return createHash('sha256')
    .update(prev)
    .update('\n')
    .update(JSON.stringify([r.id, r.at, r.account_id, r.account_name, r.action, r.target, r.detail]))
    .digest('hex');
}

export function createAuditRepository(db: Db): AuditRepository {
  const last = db.prepare<[], { id: number; hash: string | null }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO audit_log (id, at, account_id, account_name, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const page = db.prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
  // One synchronous transaction: the entry before and this one are read and written with nothing between.
  const append = db.transaction((row: Omit<AuditRow, 'id' | 'hash'>) => {
    const before = last.get();
    const r = { id: (before?.id ?? 0) + 1, ...row };
    insert.run(r.id, r.at, r.account_id, r.account_name, r.action, r.target, r.detail, auditHash(before?.hash ?? AUDIT_GENESIS, r));
  });
  sealUnhashed(db);
  return {
    async record(e) {
      append({ at: e.at, account_id: e.accountId, account_name: e.accountName, action: e.action, target: e.target ?? null, detail: JSON.stringify(e.detail ?? {}) });
    },
    async list({ limit, before }) {
      return page.all(before ?? Number.MAX_SAFE_INTEGER, limit).map((r) => ({
        id: r.id,
        at: r.at,
        accountId: r.account_id,
        accountName: r.account_name,
        action: r.action,
        target: r.target,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },
  };
}

/**
 * Entries written before the log was chained (those up to `audit_seal.upto`, the newest when the
 * hash column was added) get their hashes once, in order, the first time a hub that chains opens
 * the file; `audit_seal.sealed_at` records it. Never again after that: an entry whose hash was
 * removed later is a break that `verifyAuditChain` reports, never something to seal over.
 */
function sealUnhashed(db: Db): void {
  const seal = db.prepare<[], { upto: number; sealed_at: number | null }>('SELECT upto, sealed_at FROM audit_seal').get();
  if (!seal || seal.sealed_at !== null) return;
  const rows = db.prepare<[number], AuditRow>('SELECT * FROM audit_log WHERE id <= ? ORDER BY id').all(seal.upto);
  const set = db.prepare('UPDATE audit_log SET hash = ? WHERE id = ?');
  db.transaction(() => {
    let prev = AUDIT_GENESIS;
    for (const r of rows) {
      prev = auditHash(prev, r);
      set.run(prev, r.id);
    }
    db.prepare('UPDATE audit_seal SET sealed_at = ?').run(Date.now());
  })();
}

export type AuditVerdict =
  | { ok: true; entries: number; head: { id: number; hash: string } | null }
  | { ok: false; entries: number; broken: { id: number; action: string; at: number; reason: string } };

/**
 * Walks the chain from the first entry: each entry's hash must be the hash of its fields and of
 * the entry before it. Names the first entry where that fails (a changed field, an entry removed
 * before it, a hash overwritten or missing). Removing the newest entries leaves a shorter chain
 * that still holds: compare the head with one written down earlier (`--head`).
 */
export function verifyAuditChain(db: Db): AuditVerdict {
  let prev = AUDIT_GENESIS;
  let entries = 0;
  let head: { id: number; hash: string } | null = null;
  for (const r of db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id').iterate()) {
    entries++;
    const expected = auditHash(prev, r);
    if (r.hash !== expected) {
      const reason = r.hash === null ? 'the entry has no hash' : 'its fields or the entry before it were changed or removed';
      return { ok: false, entries, broken: { id: r.id, action: r.action, at: r.at, reason } };
    }
    prev = expected;
    head = { id: r.id, hash: expected };
  }
  return { ok: true, entries, head };
}
