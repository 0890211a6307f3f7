import type { Policy } from '../../schemas/policy.js';
import type { PolicyAt, PolicyOf } from './window.js';

/** A version as the flag rules read the history: the policy, since when, and whom it covers (null: the whole street). */
export interface PolicyInForce {
  policy: Policy;
  activatedAt: number;
  communityId: string | null;
}

/** The policies one community was under: in force now, by version, and at an instant. */
export interface Policies {
  active: Policy;
  of: PolicyOf;
  at: PolicyAt;
}

/**
 * The policies a venue of this community was under (a switch may be
 * for one community): the versions that are street-wide or its own. A record
 * names the version its kiosk applied; versions are one street-wide sequence,
 * so that number finds its body whatever its scope.
 *
 * This is the rule of the view community_policy (hub/src/store/migrations.ts),
 * which every SQL reader uses, applied over time: `active` is the view's row
 * for the community now, `at(ms)` the row it had at `ms`. Keep the two alike.
 */
export function policiesFor(history: readonly PolicyInForce[], communityId: string): Policies {
  const covering = history.filter((h) => h.communityId === null || h.communityId === communityId);
  const active = covering.at(-1)!.policy;
  return {
    active,
    // A version the hub never stored (a kiosk's preset) is judged by the policy in force.
    of: (version) => history.find((h) => h.policy.version === version)?.policy ?? active,
    at: (ms) => covering.findLast((h) => h.activatedAt <= ms)?.policy ?? covering[0]!.policy,
  };
}
