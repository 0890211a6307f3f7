import { createHash, randomBytes } from 'node:crypto';
import type { AccountView, Role } from '../../../shared/schemas/account.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../services/passwords.js';
import type { Db } from './database.js';

/** How long a session lasts without use; every request moves it on. */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** However busy, a session ends this long after login. */
export const SESSION_MAX_MS = 24 * 60 * 60 * 1000;

export interface AccountRepository {
  /** Creates an account; the password is kept only as a scrypt hash. Throws if the name is taken. */
  create(a: { name: string; role: Role; communityId: string | null; password: string }, now: number): Promise<AccountView>;
  /** A new password; every session of the account ends with the old one. */
  setPassword(name: string, password: string): Promise<boolean>;
  /** The account if the name and password match (same time either way when they do not). */
  verify(name: string, password: string): Promise<AccountView | undefined>;
  /** A new server-side session; the cookie token is returned once and stored hashed. */
  startSession(accountId: string, now: number): Promise<string>;
  /** The account behind a session token, moving its expiry on; undefined if unknown or expired. */
  session(token: string, now: number): Promise<AccountView | undefined>;
  endSession(token: string): Promise<void>;
  count(): Promise<number>;
}

interface AccountRow {
  community_name: string | null;
  id: string;
  name: string;
  role: Role;
  community_id: string | null;
  password_hash: string;
  disabled_at: number | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const view = (r: AccountRow): AccountView => ({ id: r.id, name: r.name, role: r.role, communityId: r.community_id, communityName: r.community_name });

export function createAccountRepository(db: Db): AccountRepository {
  const insert = db.prepare('INSERT INTO accounts (id, name, role, community_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const byName = db.prepare<[string], AccountRow>(
    'SELECT a.*, c.name AS community_name FROM accounts a LEFT JOIN communities c ON c.id = a.community_id WHERE a.name = ?',
  );
  const updateHash = db.prepare('UPDATE accounts SET password_hash = ? WHERE name = ?');
  const endAll = db.prepare('DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE name = ?)');
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)');
  const bySession = db.prepare<[string], AccountRow & { expires_at: number; session_created_at: number }>(
    `SELECT a.*, c.name AS community_name, s.expires_at, s.created_at AS session_created_at
       FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN communities c ON c.id = a.community_id
      WHERE s.token_hash = ?`,
  );
  const touch = db.prepare('UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE token_hash = ?');
  const endOne = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  const purge = db.prepare('DELETE FROM sessions WHERE expires_at < ?');
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts');

  return {
    async create(a, now) {
      const id = `acct-${randomBytes(6).toString('hex')}`;
      insert.run(id, a.name, a.role, a.role === 'street_admin' ? null : a.communityId, await hashPassword(a.password), now);
      return view(byName.get(a.name)!);
    },
    async setPassword(name, password) {
      const hash = await hashPassword(password);
      return db.transaction(() => {
        endAll.run(name);
        return updateHash.run(hash, name).changes === 1;
      })();
    },
    async verify(name, password) {
      const row = byName.get(name);
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      return row && ok && row.disabled_at === null ? view(row) : undefined;
    },
    async startSession(accountId, now) {
      purge.run(now);
      const token = randomBytes(32).toString('base64url');
      insertSession.run(sha256(token), accountId, now, now + SESSION_IDLE_MS, now);
      return token;
    },
    async session(token, now) {
      const hash = sha256(token);
      const row = bySession.get(hash);
      if (!row || row.expires_at <= now || row.disabled_at !== null) return undefined;
      touch.run(Math.min(now + SESSION_IDLE_MS, row.session_created_at + SESSION_MAX_MS), now, hash);
      return view(row);
    },
    async endSession(token) {
      endOne.run(sha256(token));
    },
    async count() {
      return countAll.get()!.n;
    },
  };
}
