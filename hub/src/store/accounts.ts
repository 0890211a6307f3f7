import { createHash, randomBytes } from 'node:crypto';
import type { AccountView, Role } from '../../../shared/schemas/account.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../services/passwords.js';
import type { Db } from './database.js';

/** How long a session lasts without use; every request moves it on. */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** However busy, a session ends this long after login. */
export const SESSION_MAX_MS = 24 * 60 * 60 * 1000;

/** An account's second factor as stored: secrets sealed with the contact key (services/totp.ts). */
export interface TotpState {
  /** The confirmed secret, sealed; null when none is enrolled. */
  sealed: string | null;
  /** A secret shown for enrolment and not yet confirmed with a code, sealed. */
  pendingSealed: string | null;
  /** The last time step whose code was accepted: a code is good once (RFC 6238 §5.2). */
  lastStep: number | null;
}

export interface AccountRepository {
  /**
   * Creates an account; the password is kept only as a scrypt hash. Throws if the name is taken.
   * `mustChangePassword` for a one-time password (npm run admin): it must be changed at first login.
   */
  create(a: { name: string; role: Role; communityId: string | null; password: string; mustChangePassword?: boolean }, now: number): Promise<AccountView>;
  /** A new password (a one-time one when `mustChange`); every session of the account ends with the old one. */
  setPassword(name: string, password: string, mustChange?: boolean): Promise<boolean>;
  /**
   * The person's own change: `current` must match; the new password is in force at once, the
   * one-time mark goes, and every other session of the account ends (the one at `keepToken` stays).
   */
  changePassword(accountId: string, current: string, next: string, keepToken: string): Promise<boolean>;
  /** The account if the name and password match (same time either way when they do not). */
  verify(name: string, password: string): Promise<AccountView | undefined>;
  /** A new server-side session; the cookie token is returned once and stored hashed. */
  startSession(accountId: string, now: number, opts?: { totpVerified?: boolean }): Promise<string>;
  /** The account behind a session token, moving its expiry on; undefined if unknown or expired. */
  session(token: string, now: number): Promise<AccountView | undefined>;
  endSession(token: string): Promise<void>;
  count(): Promise<number>;
  totp(accountId: string): Promise<TotpState>;
  /** Keeps a sealed secret awaiting confirmation (replacing any earlier pending one). */
  setTotpPending(accountId: string, sealed: string): Promise<void>;
  /**
   * The pending secret becomes the account's, `step` counts as used, the session at `token` is
   * verified and every other session of the account ends.
   */
  confirmTotp(accountId: string, step: number, token: string): Promise<void>;
  /** Marks `step` used; false if it (or a later one) was already used, so a code is never good twice. */
  useTotpStep(accountId: string, step: number): Promise<boolean>;
  /** Removes the second factor (npm run admin -- reset-totp, for a lost phone); false if no such account. */
  clearTotp(name: string): Promise<boolean>;
}

interface AccountRow {
  community_name: string | null;
  id: string;
  name: string;
  role: Role;
  community_id: string | null;
  password_hash: string;
  disabled_at: number | null;
  must_change_password: number;
  totp_secret: string | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const view = (r: AccountRow, totpVerified = false): AccountView => ({
  id: r.id,
  name: r.name,
  role: r.role,
  communityId: r.community_id,
  communityName: r.community_name,
  mustChangePassword: r.must_change_password === 1,
  totpEnrolled: r.totp_secret !== null,
  totpVerified,
});

export function createAccountRepository(db: Db): AccountRepository {
  const insert = db.prepare('INSERT INTO accounts (id, name, role, community_id, password_hash, created_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const byName = db.prepare<[string], AccountRow>(
    'SELECT a.*, c.name AS community_name FROM accounts a LEFT JOIN communities c ON c.id = a.community_id WHERE a.name = ?',
  );
  const updateHash = db.prepare('UPDATE accounts SET password_hash = ?, must_change_password = ? WHERE name = ?');
  const byId = db.prepare<[string], AccountRow>('SELECT a.*, NULL AS community_name FROM accounts a WHERE a.id = ?');
  const changeHash = db.prepare('UPDATE accounts SET password_hash = ?, must_change_password = 0 WHERE id = ?');
  const endOthers = db.prepare('DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?');
  const totpRow = db.prepare<[string], { totp_secret: string | null; totp_pending: string | null; totp_last_step: number | null }>(
    'SELECT totp_secret, totp_pending, totp_last_step FROM accounts WHERE id = ?',
  );
  const setPending = db.prepare('UPDATE accounts SET totp_pending = ? WHERE id = ?');
  const promotePending = db.prepare('UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ? WHERE id = ? AND totp_pending IS NOT NULL');
  const verifySession = db.prepare('UPDATE sessions SET totp_verified = 1 WHERE token_hash = ?');
  const useStep = db.prepare('UPDATE accounts SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)');
  const clearSecret = db.prepare('UPDATE accounts SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE name = ?');
  const endAll = db.prepare('DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE name = ?)');
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_seen_at, totp_verified) VALUES (?, ?, ?, ?, ?, ?)');
  const bySession = db.prepare<[string], AccountRow & { expires_at: number; session_created_at: number; session_totp: number }>(
    `SELECT a.*, c.name AS community_name, s.expires_at, s.created_at AS session_created_at, s.totp_verified AS session_totp
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
      insert.run(id, a.name, a.role, a.role === 'street_admin' ? null : a.communityId, await hashPassword(a.password), now, a.mustChangePassword ? 1 : 0);
      return view(byName.get(a.name)!);
    },
    async setPassword(name, password, mustChange = false) {
      const hash = await hashPassword(password);
      return db.transaction(() => {
        endAll.run(name);
        return updateHash.run(hash, mustChange ? 1 : 0, name).changes === 1;
      })();
    },
    async changePassword(accountId, current, next, keepToken) {
      const row = byId.get(accountId);
      if (!row || !(await verifyPassword(current, row.password_hash))) return false;
      const hash = await hashPassword(next);
      db.transaction(() => {
        changeHash.run(hash, accountId);
        endOthers.run(accountId, sha256(keepToken));
      })();
      return true;
    },
    async verify(name, password) {
      const row = byName.get(name);
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      return row && ok && row.disabled_at === null ? view(row) : undefined;
    },
    async startSession(accountId, now, opts = {}) {
      purge.run(now);
      const token = randomBytes(32).toString('base64url');
      insertSession.run(sha256(token), accountId, now, now + SESSION_IDLE_MS, now, opts.totpVerified ? 1 : 0);
      return token;
    },
    async session(token, now) {
      const hash = sha256(token);
      const row = bySession.get(hash);
      if (!row || row.expires_at <= now || row.disabled_at !== null) return undefined;
      touch.run(Math.min(now + SESSION_IDLE_MS, row.session_created_at + SESSION_MAX_MS), now, hash);
      return view(row, row.session_totp === 1);
    },
    async endSession(token) {
      endOne.run(sha256(token));
    },
    async count() {
      return countAll.get()!.n;
    },
    async totp(accountId) {
      const r = totpRow.get(accountId);
      return { sealed: r?.totp_secret ?? null, pendingSealed: r?.totp_pending ?? null, lastStep: r?.totp_last_step ?? null };
    },
    async setTotpPending(accountId, sealed) {
      setPending.run(sealed, accountId);
    },
    async confirmTotp(accountId, step, token) {
      db.transaction(() => {
        promotePending.run(step, accountId);
        verifySession.run(sha256(token));
        endOthers.run(accountId, sha256(token));
      })();
    },
    async useTotpStep(accountId, step) {
      return useStep.run(step, accountId, step).changes === 1;
    },
    async clearTotp(name) {
      return db.transaction(() => {
        endAll.run(name);
        return clearSecret.run(name).changes === 1;
      })();
    },
  };
}
