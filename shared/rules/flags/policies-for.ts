import type { Policy } from '../../schemas/policy.js';
import { strictestOf } from '../policy-floor.js';
import type { PolicyAt, PolicyOf } from './window.js';

/**
 * A version as the flag rules read the history: the policy, since when, and whom it covers (its
 * level, docs/policy.md "Levels"): a community (`communityId`, with its street then), a whole
 * street (`streetId` only), a district (`districtId` only) or the city (none). `preset` marks the
 * normal preset in force before any switch, which covers everyone and is no level.
 */
export interface PolicyInForce {
  policy: Policy;
  activatedAt: number;
  communityId: string | null;
  streetId: string | null;
  districtId: string | null;
  preset?: boolean;
}

/** Where a community sits: its street and that street's district. */
export interface PolicyPlace {
  communityId: string;
  streetId: string;
  districtId: string;
}

/** The policies one community was under: in force now, by version, and at an instant. */
export interface Policies {
  active: Policy;
  of: PolicyOf;
  at: PolicyAt;
}

type Level = 'own' | 'district' | 'city';

/** Which of the community's levels a version is, or undefined if it does not cover the community. */
function levelFor(h: PolicyInForce, place: PolicyPlace): Level | undefined {
  if (h.preset) return undefined;
  if (h.communityId !== null) return h.communityId === place.communityId ? 'own' : undefined;
  if (h.streetId !== null) return h.streetId === place.streetId ? 'own' : undefined;
  if (h.districtId !== null) return h.districtId === place.districtId ? 'district' : undefined;
  return 'city';
}

/** Whether a version covers the community (the preset covers everyone). */
export function covers(h: PolicyInForce, place: PolicyPlace): boolean {
  return h.preset === true || levelFor(h, place) !== undefined;
}

/** The policy in force at a community, from the versions given (in any order), and what it is made of. */
export interface InForce {
  /** The meet of the levels' newest versions; its version is the highest of theirs. */
  policy: Policy;
  /** When the newest of those versions took force. */
  activatedAt: number;
  /** The community's own level is a version for the community itself (not its street's). */
  override: boolean;
}

/**
 * The rule of the policy in force (docs/policy.md "Levels"): of the versions covering the
 * community, the newest of its own level (its street's street-wide versions and its community
 * versions: versions are one sequence, so a later street-wide switch overrides an earlier
 * community one), its district's newest and the city's newest, met field by field
 * (shared/rules/policy-floor.ts `strictest`, the community's own tuning kept). Levels that never
 * switched are skipped; undefined when none did (the normal preset is in force).
 * The hub writes it into the table community_policy (store/policies.ts refreshCommunityPolicies),
 * which every SQL reader uses; `policiesFor` applies it over time.
 */
export function inForceAt(versions: Iterable<PolicyInForce>, place: PolicyPlace): InForce | undefined {
  const newest: Partial<Record<Level, PolicyInForce>> = {};
  for (const h of versions) {
    const level = levelFor(h, place);
    if (level === undefined) continue;
    const had = newest[level];
    if (!had || had.policy.version < h.policy.version) newest[level] = h;
  }
  const policy = strictestOf([newest.own?.policy, newest.district?.policy, newest.city?.policy]);
  if (!policy) return undefined;
  const latest = [newest.own, newest.district, newest.city].reduce((a, b) => (b && (!a || b.policy.version > a.policy.version) ? b : a));
  return { policy, activatedAt: latest!.activatedAt, override: newest.own?.communityId != null };
}

/**
 * The policies a venue of this community was under: `active` is the table community_policy's
 * row for it now (`inForceAt` over every version), `at(ms)` the policy in force at `ms` (over
 * the versions activated by then), `of(version)` the policy a kiosk applied under that version
 * number: the one in force when that version was the newest covering the community (the number
 * a kiosk holds is the highest of its levels'). `history` is oldest first and starts with the preset.
 */
export function policiesFor(history: readonly PolicyInForce[], place: PolicyPlace): Policies {
  const preset = history.find((h) => h.preset)?.policy ?? history[0]!.policy;
  const upTo = (keep: (h: PolicyInForce) => boolean) => inForceAt(history.filter(keep), place)?.policy ?? preset;
  const active = upTo(() => true);
  return {
    active,
    of: (version) => {
      const h = history.find((x) => x.policy.version === version);
      // A version the hub never stored (a kiosk's preset) is judged by the policy in force; one
      // for another community or street by its own body (versions are one sequence).
      if (!h) return active;
      if (h.preset) return h.policy;
      return covers(h, place) ? upTo((x) => x.policy.version <= version) : h.policy;
    },
    at: (ms) => upTo((h) => h.activatedAt <= ms),
  };
}
