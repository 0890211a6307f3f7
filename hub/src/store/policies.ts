import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import type { Db } from './database.js';

export interface PolicyRepository {
  /** The policy in force: the highest version, or the normal preset on a new street. */
  active(): Promise<Policy>;
  /** Stores a new policy in force under the next version number, and returns it. */
  activate(policy: Omit<Policy, 'version'>, now: number): Promise<Policy>;
  /** Records that a kiosk now enforces this version. */
  acknowledge(kioskId: string, version: number, now: number): Promise<void>;
  /** Per kiosk: the version it acknowledged last, if any. */
  acknowledgements(): Promise<{ kioskId: string; version: number | null; at: number | null }[]>;
}

export function createPolicyRepository(db: Db): PolicyRepository {
  const selectActive = db.prepare<[], { body: string }>('SELECT body FROM policies ORDER BY version DESC LIMIT 1');
  const maxVersion = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM policies');
  const insert = db.prepare('INSERT INTO policies (version, body, activated_at) VALUES (?, ?, ?)');
  const ack = db.prepare('UPDATE kiosks SET policy_version_acked = ?, policy_acked_at = ? WHERE id = ?');
  const acks = db.prepare<[], { id: string; policy_version_acked: number | null; policy_acked_at: number | null }>(
    'SELECT id, policy_version_acked, policy_acked_at FROM kiosks WHERE revoked_at IS NULL ORDER BY id',
  );
  const activate = db.transaction((policy: Omit<Policy, 'version'>, now: number): Policy => {
    // Versions only grow, street-wide: the normal preset in force before any switch is version 1.
    const version = Math.max(maxVersion.get()?.v ?? 0, NORMAL_POLICY.version) + 1;
    const stored = Policy.parse({ ...policy, version });
    insert.run(version, JSON.stringify(stored), now);
    return stored;
  });
  return {
    async active() {
      const row = selectActive.get();
      // Stored policies were validated when written; parse again so a hand-edited row fails loudly.
      return row ? Policy.parse(JSON.parse(row.body)) : NORMAL_POLICY;
    },
    async activate(policy, now) {
      return activate.immediate(policy, now);
    },
    async acknowledge(kioskId, version, now) {
      ack.run(version, now, kioskId);
    },
    async acknowledgements() {
      return acks.all().map((r) => ({ kioskId: r.id, version: r.policy_version_acked, at: r.policy_acked_at }));
    },
  };
}
