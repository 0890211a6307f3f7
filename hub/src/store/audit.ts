import type { AuditEntry } from '../../../shared/schemas/dashboard.js';
import type { Db } from './database.js';

/** Every inspector and admin action, with who and when (docs/security.md). Append only. */
export interface AuditRepository {
  record(e: { at: number; accountId: string | null; accountName: string | null; action: string; target?: string | null; detail?: Record<string, unknown> }): Promise<void>;
  /** Newest first; `before` pages back by id. */
  list(q: { limit: number; before?: number | undefined }): Promise<AuditEntry[]>;
}

export function createAuditRepository(db: Db): AuditRepository {
  const insert = db.prepare('INSERT INTO audit_log (at, account_id, account_name, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)');
  const page = db.prepare<[number, number], { id: number; at: number; account_id: string | null; account_name: string | null; action: string; target: string | null; detail: string }>(
    'SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?',
  );
  return {
    async record(e) {
      insert.run(e.at, e.accountId, e.accountName, e.action, e.target ?? null, JSON.stringify(e.detail ?? {}));
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
