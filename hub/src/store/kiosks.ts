import { createHash, randomBytes, randomInt } from 'node:crypto';
import { newSecret } from '../../../shared/rules/bytes.js';
import { ENROL_ALPHABET } from '../../../shared/schemas/enrolment.js';
import type { Db } from './database.js';

export interface KioskIdentity {
  id: string;
  venueId: string;
  entranceId: string;
  /** The venue's community: which policy the kiosk enforces (issue 7). */
  communityId: string;
}

export type EnrolOutcome =
  | { ok: true; kiosk: KioskIdentity; token: string }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface KioskRepository {
  /** A one-time code that pairs one new kiosk with an entrance. Only its hash is stored. */
  issueEnrolmentCode(entranceId: string, now: number, ttlMs: number): Promise<string>;
  /** Spends the code and creates the kiosk; the token is returned once and stored hashed. */
  enrol(code: string, now: number): Promise<EnrolOutcome>;
  /** The kiosk a token belongs to, unless unknown or revoked; records when it was seen. */
  authenticate(token: string, now: number): Promise<KioskIdentity | undefined>;
  /**
   * A kiosk by id, whether revoked or not (a venue code names the kiosk that
   * showed it), with the secret it signs its live venue code with.
   */
  byId(id: string): Promise<(KioskIdentity & { revoked: boolean; codeSecret: string }) | undefined>;
  /** Kiosks whose socket is connected now were seen now (the dashboard's "kiosk offline" reads it). */
  markSeen(ids: readonly string[], now: number): Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function randomCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ENROL_ALPHABET[randomInt(ENROL_ALPHABET.length)];
  return s;
}

export function createKioskRepository(db: Db): KioskRepository {
  const insertCode = db.prepare(
    'INSERT INTO enrolment_codes (code_hash, entrance_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  );
  const selectCode = db.prepare<
    [string],
    { entrance_id: string; expires_at: number; used_at: number | null; venue_id: string; community_id: string }
  >(
    `SELECT c.entrance_id, c.expires_at, c.used_at, e.venue_id, v.community_id
       FROM enrolment_codes c JOIN entrances e ON e.id = c.entrance_id JOIN venues v ON v.id = e.venue_id
      WHERE c.code_hash = ?`,
  );
  const spendCode = db.prepare(
    'UPDATE enrolment_codes SET used_at = ?, kiosk_id = ? WHERE code_hash = ? AND used_at IS NULL',
  );
  const insertKiosk = db.prepare(
    `INSERT INTO kiosks (id, entrance_id, venue_id, token_hash, enrolled_at, code_secret)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const selectByToken = db.prepare<
    [string],
    { id: string; venue_id: string; entrance_id: string; community_id: string; revoked_at: number | null }
  >('SELECT k.id, k.venue_id, k.entrance_id, v.community_id, k.revoked_at FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE k.token_hash = ?');
  const selectById = db.prepare<
    [string],
    { id: string; venue_id: string; entrance_id: string; community_id: string; revoked_at: number | null; code_secret: string }
  >('SELECT k.id, k.venue_id, k.entrance_id, v.community_id, k.revoked_at, k.code_secret FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE k.id = ?');
  const touch = db.prepare('UPDATE kiosks SET last_seen_at = ? WHERE id = ?');
  const touchAll = db.transaction((ids: readonly string[], now: number) => {
    for (const id of ids) touch.run(now, id);
  });

  const enrol = db.transaction((codeHash: string, now: number): EnrolOutcome => {
    const row = selectCode.get(codeHash);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.used_at !== null) return { ok: false, reason: 'used' };
    if (row.expires_at <= now) return { ok: false, reason: 'expired' };
    const kiosk: KioskIdentity = {
      id: `kiosk-${randomBytes(6).toString('hex')}`,
      venueId: row.venue_id,
      entranceId: row.entrance_id,
      communityId: row.community_id,
    };
    const token = randomBytes(32).toString('base64url');
    spendCode.run(now, kiosk.id, codeHash);
    insertKiosk.run(kiosk.id, kiosk.entranceId, kiosk.venueId, sha256(token), now, newSecret());
    return { ok: true, kiosk, token };
  });

  return {
    async issueEnrolmentCode(entranceId, now, ttlMs) {
      const code = randomCode();
      insertCode.run(sha256(code), entranceId, now, now + ttlMs);
      return code;
    },
    async enrol(code, now) {
      return enrol.immediate(sha256(code), now);
    },
    async authenticate(token, now) {
      const row = selectByToken.get(sha256(token));
      if (!row || row.revoked_at !== null) return undefined;
      touch.run(now, row.id);
      return { id: row.id, venueId: row.venue_id, entranceId: row.entrance_id, communityId: row.community_id };
    },
    async markSeen(ids, now) {
      if (ids.length > 0) touchAll(ids, now);
    },
    async byId(id) {
      const row = selectById.get(id);
      return row && { id: row.id, venueId: row.venue_id, entranceId: row.entrance_id, communityId: row.community_id, revoked: row.revoked_at !== null, codeSecret: row.code_secret };
    },
  };
}
