import { createHash, randomBytes } from 'node:crypto';
import type { AccountView, Role } from '../../../shared/schemas/account.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../services/passwords.js';
import { onlyStreet } from './organisation.js';
import type { Sql } from './sql.js';

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

/**
 * A new account and where it serves: an inspector names a community, a street admin a street, a
 * district admin a district; the city admin none. The field its role needs is required (the store
 * refuses the rest: accounts' CHECKs); a field its role does not use is ignored.
 */
export interface NewAccount {
  name: string;
  role: Role;
  communityId?: string | null;
  streetId?: string | null;
  districtId?: string | null;
  password: string;
  mustChangePassword?: boolean;
}

export interface AccountRepository {
  /**
   * Creates an account; the password is kept only as a scrypt hash. Throws if the name is taken.
   * `mustChangePassword` for a one-time password (npm run admin): it must be changed at first login.
   */
  create(a: NewAccount, now: number): Promise<AccountView>;
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
  scope_street_id: string | null;
  street_name: string | null;
  scope_district_id: string | null;
  district_name: string | null;
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
  streetId: r.scope_street_id,
  streetName: r.street_name,
  districtId: r.scope_district_id,
  districtName: r.district_name,
  mustChangePassword: r.must_change_password === 1,
  totpEnrolled: r.totp_secret !== null,
  totpVerified,
});

/**
 * Account names are matched without regard to ASCII case, as accounts.name is COLLATE NOCASE in
 * SQLite; lower() on both sides says so in SQL PostgreSQL accepts too (there a name compares by
 * its text otherwise).
 */
const BY_NAME = 'lower(a.name) = lower(CAST(? AS TEXT))';
const NAME_IS = 'lower(name) = lower(CAST(? AS TEXT))';

/**
 * An account with the names of where it serves: an inspector's street is its community's, and a
 * street's district is the street's (docs/architecture.md "Streets as tenants"), so moving a
 * community to another street moves its inspectors with it.
 */
const ACCOUNT_COLS = `a.*, c.name AS community_name, st.id AS scope_street_id, st.name AS street_name,
  d.id AS scope_district_id, d.name AS district_name`;
const ACCOUNT_JOINS = `LEFT JOIN communities c ON c.id = a.community_id
  LEFT JOIN streets st ON st.id = coalesce(a.street_id, c.street_id)
  LEFT JOIN districts d ON d.id = coalesce(a.district_id, st.district_id)`;
const SELECT_BY_NAME = `SELECT ${ACCOUNT_COLS} FROM accounts a ${ACCOUNT_JOINS} WHERE ${BY_NAME}`;
const SELECT_BY_ID = `SELECT ${ACCOUNT_COLS} FROM accounts a ${ACCOUNT_JOINS} WHERE a.id = ?`;
const END_OTHERS = 'DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?';
const END_ALL = `DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE ${NAME_IS})`;

type TotpRow = { totp_secret: string | null; totp_pending: string | null; totp_last_step: number | null };
type SessionRow = AccountRow & { expires_at: number; session_created_at: number; session_totp: number };

export function createAccountRepository(sql: Sql): AccountRepository {
  return {
    async create(a, now) {
      const id = `acct-${randomBytes(6).toString('hex')}`;
      const hash = await hashPassword(a.password);
      const streetId = a.role === 'street_admin' ? (a.streetId ?? (await onlyStreet(sql))) : null;
      await sql.run(
        'INSERT INTO accounts (id, name, role, community_id, street_id, district_id, password_hash, created_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          id,
          a.name,
          a.role,
          a.role === 'community_inspector' ? (a.communityId ?? null) : null,
          streetId,
          a.role === 'district_admin' ? (a.districtId ?? null) : null,
          hash,
          now,
          a.mustChangePassword ? 1 : 0,
        ],
      );
      return view((await sql.get<AccountRow>(SELECT_BY_NAME, [a.name]))!);
    },
    async setPassword(name, password, mustChange = false) {
      const hash = await hashPassword(password);
      return sql.transaction(async (tx) => {
        await tx.run(END_ALL, [name]);
        return (await tx.run(`UPDATE accounts SET password_hash = ?, must_change_password = ? WHERE ${NAME_IS}`, [hash, mustChange ? 1 : 0, name])).changes === 1;
      });
    },
    async changePassword(accountId, current, next, keepToken) {
      const row = await sql.get<AccountRow>(SELECT_BY_ID, [accountId]);
      if (!row || !(await verifyPassword(current, row.password_hash))) return false;
      const hash = await hashPassword(next);
      await sql.transaction(async (tx) => {
        await tx.run('UPDATE accounts SET password_hash = ?, must_change_password = 0 WHERE id = ?', [hash, accountId]);
        await tx.run(END_OTHERS, [accountId, sha256(keepToken)]);
      });
      return true;
    },
    async verify(name, password) {
      const row = await sql.get<AccountRow>(SELECT_BY_NAME, [name]);
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      return row && ok && row.disabled_at === null ? view(row) : undefined;
    },
    async startSession(accountId, now, opts = {}) {
      await sql.run('DELETE FROM sessions WHERE expires_at < ?', [now]);
      const token = randomBytes(32).toString('base64url');
      await sql.run('INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_seen_at, totp_verified) VALUES (?, ?, ?, ?, ?, ?)', [
        sha256(token),
        accountId,
        now,
        now + SESSION_IDLE_MS,
        now,
        opts.totpVerified ? 1 : 0,
      ]);
      return token;
    },
    async session(token, now) {
      const hash = sha256(token);
      const row = await sql.get<SessionRow>(
        `SELECT ${ACCOUNT_COLS}, s.expires_at, s.created_at AS session_created_at, s.totp_verified AS session_totp
           FROM sessions s JOIN accounts a ON a.id = s.account_id ${ACCOUNT_JOINS}
          WHERE s.token_hash = ?`,
        [hash],
      );
      if (!row || row.expires_at <= now || row.disabled_at !== null) return undefined;
      await sql.run('UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE token_hash = ?', [Math.min(now + SESSION_IDLE_MS, row.session_created_at + SESSION_MAX_MS), now, hash]);
      return view(row, row.session_totp === 1);
    },
    async endSession(token) {
      await sql.run('DELETE FROM sessions WHERE token_hash = ?', [sha256(token)]);
    },
    async count() {
      return (await sql.get<{ n: number }>('SELECT count(*) AS n FROM accounts'))!.n;
    },
    async totp(accountId) {
      const r = await sql.get<TotpRow>('SELECT totp_secret, totp_pending, totp_last_step FROM accounts WHERE id = ?', [accountId]);
      return { sealed: r?.totp_secret ?? null, pendingSealed: r?.totp_pending ?? null, lastStep: r?.totp_last_step ?? null };
    },
    async setTotpPending(accountId, sealed) {
      await sql.run('UPDATE accounts SET totp_pending = ? WHERE id = ?', [sealed, accountId]);
    },
    async confirmTotp(accountId, step, token) {
      await sql.transaction(async (tx) => {
        await tx.run('UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ? WHERE id = ? AND totp_pending IS NOT NULL', [step, accountId]);
        await tx.run('UPDATE sessions SET totp_verified = 1 WHERE token_hash = ?', [sha256(token)]);
        await tx.run(END_OTHERS, [accountId, sha256(token)]);
      });
    },
    async useTotpStep(accountId, step) {
      // One conditional statement: of two uses of the same step (two hubs on one PostgreSQL too), one changes the row.
      return (await sql.run('UPDATE accounts SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)', [step, accountId, step])).changes === 1;
    },
    async clearTotp(name) {
      return sql.transaction(async (tx) => {
        await tx.run(END_ALL, [name]);
        return (await tx.run(`UPDATE accounts SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE ${NAME_IS}`, [name])).changes === 1;
      });
    },
  };
}
