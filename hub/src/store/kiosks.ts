import { createHash, randomBytes, randomInt } from 'node:crypto';
import { newSecret } from '../../../shared/rules/bytes.js';
import { ENROL_ALPHABET, type VenueSecret } from '../../../shared/schemas/enrolment.js';
import type { KioskState, KioskStatus, KioskView } from '../../../shared/schemas/kiosk-admin.js';
import { NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import { jsonIntegers, jsonTexts } from './dialect.js';
import type { GroupCommit } from './group-commit.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Sql } from './sql.js';

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
  list(scope: Scope, filter?: KioskFilter): Promise<StoredKioskView[]>;
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
 * table community_policy, as policies.activeFor reads it); before any switch
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

const INSERT_CODE = 'INSERT INTO enrolment_codes (code_hash, entrance_id, created_at, expires_at, issued_by) VALUES (?, ?, ?, ?, ?)';
const SELECT_CODE = `SELECT c.entrance_id, c.expires_at, c.used_at, e.venue_id, v.community_id
     FROM enrolment_codes c JOIN entrances e ON e.id = c.entrance_id JOIN venues v ON v.id = e.venue_id
    WHERE c.code_hash = ?`;
// Spends the code only if nobody has: of two enrolments with one code (on one hub or two), one changes the row, the other none.
const SPEND_CODE = 'UPDATE enrolment_codes SET used_at = ?, kiosk_id = ? WHERE code_hash = ? AND used_at IS NULL';
const INSERT_KIOSK = `INSERT INTO kiosks (id, entrance_id, venue_id, token_hash, enrolled_at, code_secret)
  VALUES (?, ?, ?, ?, ?, ?)`;
const SELECT_BY_TOKEN = 'SELECT k.id, k.venue_id, k.entrance_id, v.community_id, k.revoked_at FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE k.token_hash = ?';
const SELECT_BY_ID = 'SELECT k.id, k.venue_id, k.entrance_id, v.community_id, k.revoked_at, k.code_secret FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE k.id = ?';
// Seen, unless revoked (or retired) meanwhile: a revoke committed between the token's lookup and this write wins.
const TOUCH_ACTIVE = 'UPDATE kiosks SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL';
const STORE_STATUS = `UPDATE kiosks SET app_version = ?, backlog = ?, clock_skew_ms = ?, status_at = ?, last_seen_at = ?
    WHERE id = ? AND revoked_at IS NULL`;
const SELECT_ACTIVE = 'SELECT 1 AS ok FROM kiosks WHERE id = ? AND revoked_at IS NULL';
const SELECT_VIEW = `${VIEW_SELECT} WHERE k.id = ?`;
// Only an active kiosk is revoked: of two revokes at once (on one hub or two), one changes the row, the other none.
const MARK_REVOKED = 'UPDATE kiosks SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL';
const HELD_UP_TO = 'SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ? AND seq BETWEEN 1 AND ?';
const MAX_SEQ = 'SELECT max(seq) AS m FROM kiosk_records WHERE kiosk_id = ?';
const MARK_RETIRED = 'UPDATE kiosks SET retired_at = ?, revoked_at = ?, backlog = 0, status_at = ?, last_seen_at = ? WHERE id = ? AND revoked_at IS NULL';
// In one UPDATE, so two rotations at once (two revokes at one venue, on one hub or two) each move the
// secret the other left: PostgreSQL's row lock makes the second read the first's committed row.
const ROTATE_SECRET = `UPDATE venues SET code_secret_previous = code_secret, code_secret = ?, code_secret_rotated_at = ?
    WHERE id = (SELECT venue_id FROM kiosks WHERE id = ?)`;
const SELECT_SECRET = 'SELECT code_secret, code_secret_previous, code_secret_rotated_at FROM venues WHERE id = ?';

async function secretOf(q: Sql, venueId: string): Promise<VenueSecret | undefined> {
  const row = await q.get<{ code_secret: string | null; code_secret_previous: string | null; code_secret_rotated_at: number | null }>(SELECT_SECRET, [venueId]);
  if (!row?.code_secret) return undefined;
  // Both or neither: a previous secret means nothing without when it stopped being issued.
  const rotated = row.code_secret_previous !== null && row.code_secret_rotated_at !== null;
  return { passCodeSecret: row.code_secret, previous: rotated ? row.code_secret_previous : null, rotatedAt: rotated ? row.code_secret_rotated_at : null };
}

export function createKioskRepository(sql: Sql, commits: GroupCommit): KioskRepository {
  const d = sql.dialect;
  const heldAmong = `SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ? AND seq IN (${jsonIntegers(d)})`;
  const touchAll = `UPDATE kiosks SET last_seen_at = ? WHERE id IN (${jsonTexts(d)})`;
  // The retirement holds the kiosk's row from its first read (PostgreSQL; SQLite's BEGIN IMMEDIATE holds the database):
  // a revoke or another retirement of the same kiosk from another hub waits for it, then finds it gone.
  const selectActiveForRetire = `${SELECT_ACTIVE}${d === 'postgres' ? ' FOR UPDATE' : ''}`;
  // A revoke first takes the kiosk's advisory lock EXCLUSIVE (PostgreSQL only), which every batch of the kiosk
  // holds SHARED while it is stored (records.ts KIOSK_BATCH_LOCK): a batch being stored on another hub process
  // commits before the revoke, and one arriving later waits for it and then sees it (records.ts KIOSK_REVOKED).
  const lockForRevoke = d === 'postgres' ? "SELECT pg_advisory_xact_lock(hashtextextended('checkin-kiosk:' || CAST(? AS TEXT), 0)) AS locked" : undefined;
  const listQueries = new Map<string, string>();
  const listQuery = (filter: KioskFilter) => {
    // Always cut to the scope (store/scope.ts) first: its parameters come first.
    const where = [
      communityInScope('c'),
      filter.venueId !== undefined ? 'k.venue_id = ?' : null,
      filter.communityId !== undefined ? 'v.community_id = ?' : null,
      filter.state !== undefined ? STATE_WHERE[filter.state] : null,
    ].filter((w): w is string => w !== null);
    const key = where.join(' AND ');
    let text = listQueries.get(key);
    if (!text) listQueries.set(key, (text = `${VIEW_SELECT}${where.length ? ` WHERE ${key}` : ''} ORDER BY c.name, v.name, e.name, k.enrolled_at, k.id`));
    return text;
  };

  const view = async (q: Sql, id: string) => {
    const row = await q.get<ViewRow>(SELECT_VIEW, [id]);
    return row && toView(row);
  };

  return {
    async issueEnrolmentCode(entranceId, now, ttlMs, issuedBy = null) {
      const code = randomCode();
      await commits.write((tx) => tx.run(INSERT_CODE, [sha256(code), entranceId, now, now + ttlMs, issuedBy]));
      return code;
    },
    async enrol(code, now) {
      const codeHash = sha256(code);
      return commits.write(async (tx): Promise<EnrolOutcome> => {
        const row = await tx.get<{ entrance_id: string; expires_at: number; used_at: number | null; venue_id: string; community_id: string }>(SELECT_CODE, [codeHash]);
        if (!row) return { ok: false, reason: 'unknown' };
        if (row.used_at !== null) return { ok: false, reason: 'used' };
        if (row.expires_at <= now) return { ok: false, reason: 'expired' };
        const kiosk: KioskIdentity = {
          id: `kiosk-${randomBytes(6).toString('hex')}`,
          venueId: row.venue_id,
          entranceId: row.entrance_id,
          communityId: row.community_id,
        };
        // Spent once: another hub that read the code unused too may have spent it since the read above.
        if ((await tx.run(SPEND_CODE, [now, kiosk.id, codeHash])).changes === 0) return { ok: false, reason: 'used' };
        const token = randomBytes(32).toString('base64url');
        await tx.run(INSERT_KIOSK, [kiosk.id, kiosk.entranceId, kiosk.venueId, sha256(token), now, newSecret()]);
        return { ok: true, kiosk, token };
      });
    },
    async authenticate(token, now) {
      const row = await sql.get<{ id: string; venue_id: string; entrance_id: string; community_id: string; revoked_at: number | null }>(SELECT_BY_TOKEN, [sha256(token)]);
      if (!row || row.revoked_at !== null) return undefined;
      // Shares the commit of whatever else is being written (a street of tablets reconnecting at once).
      // The write itself checks the kiosk is still active, so a revoke between the read and here is not undone.
      const seen = await commits.write((tx) => tx.run(TOUCH_ACTIVE, [now, row.id]));
      if (seen.changes === 0) return undefined;
      return { id: row.id, venueId: row.venue_id, entranceId: row.entrance_id, communityId: row.community_id };
    },
    async markSeen(ids, now) {
      // One statement for all of them.
      if (ids.length > 0) await commits.write((tx) => tx.run(touchAll, [now, JSON.stringify(ids)]), ids.length);
    },
    async byId(id) {
      const row = await sql.get<{ id: string; venue_id: string; entrance_id: string; community_id: string; revoked_at: number | null; code_secret: string }>(SELECT_BY_ID, [id]);
      return row && { id: row.id, venueId: row.venue_id, entranceId: row.entrance_id, communityId: row.community_id, revoked: row.revoked_at !== null, codeSecret: row.code_secret };
    },
    async report(id, status, now) {
      await commits.write((tx) => tx.run(STORE_STATUS, [status.appVersion, status.pending, status.clock - now, now, now, id]));
    },
    async isActive(id) {
      return (await sql.get(SELECT_ACTIVE, [id])) !== undefined;
    },
    async view(id) {
      return view(sql, id);
    },
    async list(scope, filter = {}) {
      const params: (string | null)[] = scopeParams(scope);
      if (filter.venueId !== undefined) params.push(filter.venueId);
      if (filter.communityId !== undefined) params.push(filter.communityId);
      return (await sql.all<ViewRow>(listQuery(filter), params)).map(toView);
    },
    async revoke(id, by, reason, now) {
      // One transaction: the revoke and the secret's rotation are stored together or not at all.
      return commits.write(async (tx): Promise<RevokeOutcome> => {
        if (lockForRevoke) await tx.get(lockForRevoke, [id]);
        if ((await tx.run(MARK_REVOKED, [now, by, reason, id])).changes === 0) {
          const kiosk = await view(tx, id);
          return kiosk ? { ok: false, reason: 'gone', kiosk } : { ok: false, reason: 'not_found' };
        }
        // With the revoke or not at all: a revoked tablet whose secret still made valid codes is the hole this closes.
        await tx.run(ROTATE_SECRET, [newSecret(), now, id]);
        const kiosk = (await view(tx, id))!;
        return { ok: true, kiosk, secret: (await secretOf(tx, kiosk.venueId))! };
      });
    },
    async passCodeSecret(venueId) {
      return secretOf(sql, venueId);
    },
    async retire(id, lastSeq, rejectedSeqs, now) {
      // One transaction, so a batch committed by another socket of the same kiosk through this hub
      // cannot slip between the count and the retirement (group commit runs one transaction at a time).
      return commits.write(async (tx): Promise<RetireOutcome> => {
        if (!(await tx.get(selectActiveForRetire, [id]))) return { ok: false, reason: 'gone' };
        const hubLastSeq = (await tx.get<{ m: number | null }>(MAX_SEQ, [id]))?.m ?? 0;
        if (hubLastSeq > lastSeq) return { ok: false, reason: 'behind', hubLastSeq };
        // Seqs are gap-free from 1 per kiosk: every one up to lastSeq is held, or was refused by the hub.
        // A seq the kiosk calls refused but the hub holds after all is counted once.
        const refused = [...new Set(rejectedSeqs)].filter((s) => s >= 1 && s <= lastSeq);
        const held = (await tx.get<{ n: number }>(HELD_UP_TO, [id, lastSeq]))?.n ?? 0;
        const refusedButHeld = refused.length ? ((await tx.get<{ n: number }>(heldAmong, [id, JSON.stringify(refused)]))?.n ?? 0) : 0;
        const missing = lastSeq - held - (refused.length - refusedButHeld);
        if (missing > 0) return { ok: false, reason: 'missing', missing };
        // Conditional like the revoke: only an active kiosk retires.
        if ((await tx.run(MARK_RETIRED, [now, now, now, now, id])).changes === 0) return { ok: false, reason: 'gone' };
        return { ok: true, retiredAt: now };
      });
    },
  };
}
