import { createHash, randomBytes, randomInt } from 'node:crypto';
import { newSecret } from '../../../shared/rules/bytes.js';
import { ENROL_ALPHABET, type VenueSecret } from '../../../shared/schemas/enrolment.js';
import type { KioskState, KioskStatus, KioskView } from '../../../shared/schemas/kiosk-admin.js';
import { NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import type { Db } from './database.js';
import type { GroupCommit } from './group-commit.js';

export interface KioskIdentity {
  id: string;
  venueId: string;
  entranceId: string;
  /** The venue's community: which policy the kiosk enforces. */
  communityId: string;
}

export type EnrolOutcome =
  | { ok: true; kiosk: KioskIdentity; token: string }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** A kiosk as the hub stores it; `connected` is only known to the sockets (sockets/kiosks.ts). */
export type StoredKioskView = Omit<KioskView, 'connected'>;

export interface KioskFilter {
  venueId?: string | undefined;
  communityId?: string | undefined;
  state?: KioskState | undefined;
}

/** A revoke also rotated the venue's pass-code secret: `secret` is what the venue's other kiosks must now hold. */
export type RevokeOutcome =
  | { ok: true; kiosk: StoredKioskView; secret: VenueSecret }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'gone'; kiosk: StoredKioskView };

export type RetireOutcome =
  | { ok: true; retiredAt: number }
  | { ok: false; reason: 'gone' }
  /** Records up to lastSeq the hub does not hold (other than those it refused): the kiosk must push them first. */
  | { ok: false; reason: 'missing'; missing: number }
  /** The hub holds records beyond the lastSeq the kiosk names: its count is wrong, nothing is retired. */
  | { ok: false; reason: 'behind'; hubLastSeq: number };

export interface KioskRepository {
  /**
   * A one-time code that pairs one new kiosk with an entrance. Only its hash is
   * stored, with who issued it; the code itself is returned once.
   */
  issueEnrolmentCode(entranceId: string, now: number, ttlMs: number, issuedBy?: string | null): Promise<string>;
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
  /**
   * What the kiosk says of itself (handshake, `kiosk:status`): app version,
   * backlog (records not yet acknowledged) and its clock against the hub's.
   * Ignored once it has left service, so a late report cannot blur what a
   * revoked tablet held at its last contact.
   */
  report(id: string, status: KioskStatus, now: number): Promise<void>;
  /** Still in service: neither retired nor revoked. */
  isActive(id: string): Promise<boolean>;
  /** One kiosk as the street admin sees it. */
  view(id: string): Promise<StoredKioskView | undefined>;
  /** Kiosks by venue, community and state, ordered by community, venue, entrance and enrolment. */
  list(filter?: KioskFilter): Promise<StoredKioskView[]>;
  /**
   * A lost or stolen tablet: its token is refused from now on. Only an active
   * kiosk can be revoked. In the same transaction the venue's pass-code secret
   * is rotated (the tablet held it, and could make typed codes the venue's
   * other doors accept): passes are issued under the new one from now on, and
   * the previous one is kept, with the time, for passes issued before.
   */
  revoke(id: string, by: string, reason: string, now: number): Promise<RevokeOutcome>;
  /** The venue's pass-code secret as its kiosks must hold it (sent on every connect). */
  passCodeSecret(venueId: string): Promise<VenueSecret | undefined>;
  /**
   * The tablet leaves service at the door: only if the hub holds
   * every record 1..lastSeq except those it refused. Sets retired_at and
   * revoked_at, so its token is refused like a revoked one.
   */
  retire(id: string, lastSeq: number, rejectedSeqs: readonly number[], now: number): Promise<RetireOutcome>;
}

interface ViewRow {
  id: string;
  venue_id: string;
  venue_name: string;
  community_id: string;
  community_name: string;
  entrance_id: string;
  entrance_name: string;
  enrolled_at: number;
  last_seen_at: number | null;
  app_version: string | null;
  policy_version_due: number;
  policy_version_acked: number | null;
  policy_acked_at: number | null;
  backlog: number | null;
  clock_skew_ms: number | null;
  status_at: number | null;
  records_held: number;
  last_seq: number;
  retired_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/**
 * The policy version due is the one in force for the kiosk's community (the
 * view community_policy, as policies.activeFor reads it); before any switch
 * that is the normal preset. Records held come from the ledger's
 * (kiosk_id, seq) index.
 */
const VIEW_SELECT = `
  SELECT k.id, k.venue_id, v.name AS venue_name, v.community_id, c.name AS community_name,
         k.entrance_id, e.name AS entrance_name, k.enrolled_at, k.last_seen_at, k.app_version,
         COALESCE((SELECT cp.version FROM community_policy cp WHERE cp.community_id = v.community_id), ${NORMAL_POLICY.version}) AS policy_version_due,
         k.policy_version_acked, k.policy_acked_at, k.backlog, k.clock_skew_ms, k.status_at,
         COALESCE((SELECT d.held FROM door_counts d WHERE d.kiosk_id = k.id), 0) AS records_held,
         COALESCE((SELECT max(r.seq) FROM kiosk_records r WHERE r.kiosk_id = k.id), 0) AS last_seq,
         k.retired_at, k.revoked_at, k.revoked_by, k.revoke_reason
    FROM kiosks k
    JOIN venues v ON v.id = k.venue_id
    JOIN communities c ON c.id = v.community_id
    JOIN entrances e ON e.id = k.entrance_id`;

const stateOf = (r: { retired_at: number | null; revoked_at: number | null }): KioskState =>
  r.retired_at !== null ? 'retired' : r.revoked_at !== null ? 'revoked' : 'active';

function toView(r: ViewRow): StoredKioskView {
  return {
    id: r.id,
    venueId: r.venue_id,
    venueName: r.venue_name,
    communityId: r.community_id,
    communityName: r.community_name,
    entranceId: r.entrance_id,
    entranceName: r.entrance_name,
    state: stateOf(r),
    enrolledAt: r.enrolled_at,
    lastSeenAt: r.last_seen_at,
    appVersion: r.app_version,
    policyVersionDue: r.policy_version_due,
    policyVersionAcked: r.policy_version_acked,
    policyAckedAt: r.policy_acked_at,
    backlog: r.backlog,
    clockSkewMs: r.clock_skew_ms,
    statusAt: r.status_at,
    recordsHeld: r.records_held,
    lastSeq: r.last_seq,
    retiredAt: r.retired_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
  };
}

const STATE_WHERE: Record<KioskState, string> = {
  active: 'k.revoked_at IS NULL',
  retired: 'k.retired_at IS NOT NULL',
  revoked: 'k.revoked_at IS NOT NULL AND k.retired_at IS NULL',
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function randomCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ENROL_ALPHABET[randomInt(ENROL_ALPHABET.length)];
  return s;
}

export function createKioskRepository(db: Db, commits: GroupCommit): KioskRepository {
  const insertCode = db.prepare(
    'INSERT INTO enrolment_codes (code_hash, entrance_id, created_at, expires_at, issued_by) VALUES (?, ?, ?, ?, ?)',
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

  const storeStatus = db.prepare(
    `UPDATE kiosks SET app_version = ?, backlog = ?, clock_skew_ms = ?, status_at = ?, last_seen_at = ?
      WHERE id = ? AND revoked_at IS NULL`,
  );
  const selectActive = db.prepare<[string], { ok: number }>('SELECT 1 AS ok FROM kiosks WHERE id = ? AND revoked_at IS NULL');
  const selectView = db.prepare<[string], ViewRow>(`${VIEW_SELECT} WHERE k.id = ?`);
  const listQueries = new Map<string, ReturnType<typeof db.prepare<Record<string, string>, ViewRow>>>();
  const listQuery = (filter: KioskFilter) => {
    const where = [
      filter.venueId !== undefined ? 'k.venue_id = @venueId' : null,
      filter.communityId !== undefined ? 'v.community_id = @communityId' : null,
      filter.state !== undefined ? STATE_WHERE[filter.state] : null,
    ].filter((w): w is string => w !== null);
    const sql = `${VIEW_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY c.name, v.name, e.name, k.enrolled_at, k.id`;
    let q = listQueries.get(sql);
    if (!q) listQueries.set(sql, (q = db.prepare<Record<string, string>, ViewRow>(sql)));
    return q;
  };
  const markRevoked = db.prepare(
    'UPDATE kiosks SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL',
  );
  const heldUpTo = db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ? AND seq BETWEEN 1 AND ?');
  const heldAmong = db.prepare<[string, string], { n: number }>(
    'SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ? AND seq IN (SELECT value FROM json_each(?))',
  );
  const maxSeq = db.prepare<[string], { m: number | null }>('SELECT max(seq) AS m FROM kiosk_records WHERE kiosk_id = ?');
  const markRetired = db.prepare(
    'UPDATE kiosks SET retired_at = ?, revoked_at = ?, backlog = 0, status_at = ?, last_seen_at = ? WHERE id = ? AND revoked_at IS NULL',
  );

  const rotateSecret = db.prepare(
    `UPDATE venues SET code_secret_previous = code_secret, code_secret = @secret, code_secret_rotated_at = @now
      WHERE id = (SELECT venue_id FROM kiosks WHERE id = @id)`,
  );
  const selectSecret = db.prepare<[string], { code_secret: string | null; code_secret_previous: string | null; code_secret_rotated_at: number | null }>(
    'SELECT code_secret, code_secret_previous, code_secret_rotated_at FROM venues WHERE id = ?',
  );
  const secretOf = (venueId: string): VenueSecret | undefined => {
    const row = selectSecret.get(venueId);
    if (!row?.code_secret) return undefined;
    // Both or neither: a previous secret means nothing without when it stopped being issued.
    const rotated = row.code_secret_previous !== null && row.code_secret_rotated_at !== null;
    return { passCodeSecret: row.code_secret, previous: rotated ? row.code_secret_previous : null, rotatedAt: rotated ? row.code_secret_rotated_at : null };
  };

  const revoke = db.transaction((id: string, by: string, reason: string, now: number): RevokeOutcome => {
    if (markRevoked.run(now, by, reason, id).changes === 0) {
      const row = selectView.get(id);
      return row ? { ok: false, reason: 'gone', kiosk: toView(row) } : { ok: false, reason: 'not_found' };
    }
    // With the revoke or not at all: a revoked tablet whose secret still made valid codes is the hole this closes.
    rotateSecret.run({ secret: newSecret(), now, id });
    const kiosk = toView(selectView.get(id)!);
    return { ok: true, kiosk, secret: secretOf(kiosk.venueId)! };
  });

  // One transaction, so a batch committed by another socket of the same kiosk cannot slip
  // between the count and the retirement (better-sqlite3 runs it without yielding).
  const retire = db.transaction((id: string, lastSeq: number, rejectedSeqs: readonly number[], now: number): RetireOutcome => {
    if (!selectActive.get(id)) return { ok: false, reason: 'gone' };
    const hubLastSeq = maxSeq.get(id)?.m ?? 0;
    if (hubLastSeq > lastSeq) return { ok: false, reason: 'behind', hubLastSeq };
    // Seqs are gap-free from 1 per kiosk: every one up to lastSeq is held, or was refused by the hub.
    // A seq the kiosk calls refused but the hub holds after all is counted once.
    const refused = [...new Set(rejectedSeqs)].filter((s) => s >= 1 && s <= lastSeq);
    const held = heldUpTo.get(id, lastSeq)?.n ?? 0;
    const refusedButHeld = refused.length ? (heldAmong.get(id, JSON.stringify(refused))?.n ?? 0) : 0;
    const missing = lastSeq - held - (refused.length - refusedButHeld);
    if (missing > 0) return { ok: false, reason: 'missing', missing };
    markRetired.run(now, now, now, now, id);
    return { ok: true, retiredAt: now };
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
    async issueEnrolmentCode(entranceId, now, ttlMs, issuedBy = null) {
      const code = randomCode();
      insertCode.run(sha256(code), entranceId, now, now + ttlMs, issuedBy);
      return code;
    },
    async enrol(code, now) {
      return enrol.immediate(sha256(code), now);
    },
    async authenticate(token, now) {
      const row = selectByToken.get(sha256(token));
      if (!row || row.revoked_at !== null) return undefined;
      // Shares the commit of whatever else is being written (a street of tablets reconnecting at once).
      await commits.write(() => touch.run(now, row.id));
      return { id: row.id, venueId: row.venue_id, entranceId: row.entrance_id, communityId: row.community_id };
    },
    async markSeen(ids, now) {
      if (ids.length > 0) await commits.write(() => touchAll(ids, now), ids.length);
    },
    async byId(id) {
      const row = selectById.get(id);
      return row && { id: row.id, venueId: row.venue_id, entranceId: row.entrance_id, communityId: row.community_id, revoked: row.revoked_at !== null, codeSecret: row.code_secret };
    },
    async report(id, status, now) {
      await commits.write(() => storeStatus.run(status.appVersion, status.pending, status.clock - now, now, now, id));
    },
    async isActive(id) {
      return selectActive.get(id) !== undefined;
    },
    async view(id) {
      const row = selectView.get(id);
      return row && toView(row);
    },
    async list(filter = {}) {
      const params: Record<string, string> = {};
      if (filter.venueId !== undefined) params.venueId = filter.venueId;
      if (filter.communityId !== undefined) params.communityId = filter.communityId;
      return listQuery(filter).all(params).map(toView);
    },
    async revoke(id, by, reason, now) {
      return revoke.immediate(id, by, reason, now);
    },
    async passCodeSecret(venueId) {
      return secretOf(venueId);
    },
    async retire(id, lastSeq, rejectedSeqs, now) {
      return retire.immediate(id, lastSeq, rejectedSeqs, now);
    },
  };
}
