import type { FlagVenue, PolicyInForce } from '../../../shared/rules/flags/index.js';
import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import { OpeningHours, VenueType } from '../../../shared/schemas/venue.js';
import type { Sql } from './sql.js';

/** A venue as the flag rules see it, with its community, street and district (whose policies cover it). */
export interface FlagVenueRow extends FlagVenue {
  communityId: string;
  streetId: string;
  districtId: string;
}

/**
 * What the flag rules judge a venue by, read through the `Sql` each call is
 * given (the ingest transaction, so a batch is folded into its windows'
 * figures (aggregates.ts) from what that transaction sees; the store's
 * handle outside a write), so the flag repository answers its facts from
 * the same reads.
 */
export interface RuleContext {
  venue(sql: Sql, venueId: string): Promise<FlagVenueRow | undefined>;
  venues(sql: Sql): Promise<FlagVenueRow[]>;
  /** Every policy version of every level, oldest first, with the normal preset (version 1) first. */
  policies(sql: Sql): Promise<PolicyInForce[]>;
}

interface VenueRow {
  id: string;
  community_id: string;
  street_id: string;
  district_id: string;
  type: string;
  rated_capacity: number;
  opening_hours: string | null;
  utc_offset_minutes: number;
}

const VENUE_COLS = `v.id, v.community_id, c.street_id, s.district_id, v.type, v.rated_capacity, v.opening_hours, v.utc_offset_minutes
  FROM venues v JOIN communities c ON c.id = v.community_id JOIN streets s ON s.id = c.street_id`;
const VENUE = `SELECT ${VENUE_COLS} WHERE v.id = ?`;
const VENUES = `SELECT ${VENUE_COLS} ORDER BY v.id`;
const MAX_POLICY = 'SELECT max(version) AS v FROM policies';
const POLICIES = 'SELECT body, activated_at, community_id, street_id, district_id FROM policies ORDER BY version';

export function createRuleContext(): RuleContext {
  // Versions only grow and are never edited, so the newest version number says whether the list is
  // stale: it is read on every call, so a policy another hub process switched to is seen at once.
  let policyCache: { version: number; list: PolicyInForce[] } | undefined;
  return {
    async venue(sql, venueId) {
      const row = await sql.get<VenueRow>(VENUE, [venueId]);
      return row && toVenue(row);
    },
    async venues(sql) {
      return (await sql.all<VenueRow>(VENUES)).map(toVenue);
    },
    async policies(sql) {
      const version = (await sql.get<{ v: number | null }>(MAX_POLICY))?.v ?? 0;
      if (policyCache?.version !== version) {
        // Stored policies were validated when written; parse so a hand-edited row fails loudly.
        const rows = await sql.all<{ body: string; activated_at: number; community_id: string | null; street_id: string | null; district_id: string | null }>(POLICIES);
        const stored = rows.map((r) => ({
          policy: Policy.parse(JSON.parse(r.body)),
          activatedAt: r.activated_at,
          communityId: r.community_id,
          streetId: r.street_id,
          districtId: r.district_id,
        }));
        // Before any switch every street runs the normal preset, version 1.
        policyCache = { version, list: [{ policy: NORMAL_POLICY, activatedAt: -Infinity, communityId: null, streetId: null, districtId: null, preset: true }, ...stored] };
      }
      return policyCache.list;
    },
  };
}

function toVenue(r: VenueRow): FlagVenueRow {
  return {
    id: r.id,
    communityId: r.community_id,
    streetId: r.street_id,
    districtId: r.district_id,
    type: VenueType.parse(r.type),
    ratedCapacity: r.rated_capacity,
    openingHours: OpeningHours.parse(r.opening_hours === null ? null : JSON.parse(r.opening_hours)),
    utcOffsetMinutes: r.utc_offset_minutes,
  };
}
