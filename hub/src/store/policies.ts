import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import type { Db } from './database.js';

export interface PolicyRepository {
  /** The policy in force: the highest version, or the normal preset on a new street. */
  active(): Promise<Policy>;
}

export function createPolicyRepository(db: Db): PolicyRepository {
  const selectActive = db.prepare<[], { body: string }>(
    'SELECT body FROM policies ORDER BY version DESC LIMIT 1',
  );
  return {
    async active() {
      const row = selectActive.get();
      // Stored policies were validated when written; parse again so a hand-edited row fails loudly.
      return row ? Policy.parse(JSON.parse(row.body)) : NORMAL_POLICY;
    },
  };
}
