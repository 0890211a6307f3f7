import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import type { Db } from './database.js';

/** Who a policy covers: the whole street, or one community (issue 7 "switch for the whole street or one community"). */
export interface PolicyScope {
  /** null: the whole street. */
  communityId: string | null;
}

export interface PolicyRepository {
  /** The street-wide policy in force: the newest street-wide version, or the normal preset on a new street. */
  active(): Promise<Policy>;
  /**
   * The policy a venue of this community enforces: the newest version that is
   * street-wide or for this community (versions are one street-wide sequence,
   * so a later street-wide switch overrides an earlier community one).
   */
  activeFor(communityId: string): Promise<Policy>;
  /** The policy this venue enforces: activeFor its community. */
  activeForVenue(venueId: string): Promise<Policy>;
  /** Stores a new policy in force for `scope` under the next version number, and returns it. */
  activate(policy: Omit<Policy, 'version'>, now: number, scope?: PolicyScope & { by?: string | null; note?: string | null }): Promise<Policy>;
  /** Records that a kiosk now enforces this version. */
  acknowledge(kioskId: string, version: number, now: number): Promise<void>;
  /** Per kiosk: the version it acknowledged last, if any. */
  acknowledgements(): Promise<{ kioskId: string; version: number | null; at: number | null }[]>;
}

export function createPolicyRepository(db: Db): PolicyRepository {
  const selectStreet = db.prepare<[], { body: string }>('SELECT body FROM policies WHERE community_id IS NULL ORDER BY version DESC LIMIT 1');
  const selectFor = db.prepare<[string], { body: string }>(
    'SELECT body FROM policies WHERE community_id IS NULL OR community_id = ? ORDER BY version DESC LIMIT 1',
  );
  const selectForVenue = db.prepare<[string], { body: string }>(
    `SELECT body FROM policies
      WHERE community_id IS NULL OR community_id = (SELECT community_id FROM venues WHERE id = ?)
      ORDER BY version DESC LIMIT 1`,
  );
  const maxVersion = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM policies');
  const insert = db.prepare('INSERT INTO policies (version, body, activated_at, community_id, created_by, note) VALUES (?, ?, ?, ?, ?, ?)');
  const ack = db.prepare('UPDATE kiosks SET policy_version_acked = ?, policy_acked_at = ? WHERE id = ?');
  const acks = db.prepare<[], { id: string; policy_version_acked: number | null; policy_acked_at: number | null }>(
    'SELECT id, policy_version_acked, policy_acked_at FROM kiosks WHERE revoked_at IS NULL ORDER BY id',
  );
  const activate = db.transaction((policy: Omit<Policy, 'version'>, now: number, scope: PolicyScope & { by?: string | null; note?: string | null }): Policy => {
    // Versions only grow, street-wide: the normal preset in force before any switch is version 1.
    const version = Math.max(maxVersion.get()?.v ?? 0, NORMAL_POLICY.version) + 1;
    const stored = Policy.parse({ ...policy, version });
    insert.run(version, JSON.stringify(stored), now, scope.communityId, scope.by ?? null, scope.note ?? null);
    return stored;
  });
  // Stored policies were validated when written; parse again so a hand-edited row fails loudly.
  const parse = (row: { body: string } | undefined) => (row ? Policy.parse(JSON.parse(row.body)) : NORMAL_POLICY);
  return {
    async active() {
      return parse(selectStreet.get());
    },
    async activeFor(communityId) {
      return parse(selectFor.get(communityId));
    },
    async activeForVenue(venueId) {
      return parse(selectForVenue.get(venueId));
    },
    async activate(policy, now, scope = { communityId: null }) {
      return activate.immediate(policy, now, scope);
    },
    async acknowledge(kioskId, version, now) {
      ack.run(version, now, kioskId);
    },
    async acknowledgements() {
      return acks.all().map((r) => ({ kioskId: r.id, version: r.policy_version_acked, at: r.policy_acked_at }));
    },
  };
}
