import type { Policy } from '../schemas/policy.js';
import type { VenueRules } from '../schemas/venue.js';

/** Cap = rated capacity × the policy's percentage for the venue type (004 §3.3–3.5), rounded down. */
export function capacityCap(policy: Policy, venue: Pick<VenueRules, 'type' | 'ratedCapacity'>): number {
  const pct = policy.capPercent.byVenueType[venue.type] ?? policy.capPercent.default;
  return Math.floor((venue.ratedCapacity * pct) / 100);
}

export type OccupancyLevel = 'normal' | 'amber' | 'full';

/**
 * Amber from 80 % of the cap, the door's early warning (docs/door-guide.md "Occupancy"); full at the
 * cap, when staff must hold patrons outside: no more may be inside than the cap (004 §3.3–3.5 "不超过").
 */
export function occupancyLevel(inside: number, cap: number): OccupancyLevel {
  if (inside >= cap) return 'full';
  return inside >= cap * 0.8 ? 'amber' : 'normal';
}
