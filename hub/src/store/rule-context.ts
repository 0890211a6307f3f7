import type { FlagVenue, PolicyInForce } from '../../../shared/rules/flags/index.js';
import { NORMAL_POLICY, Policy } from '../../../shared/schemas/policy.js';
import { OpeningHours, VenueType } from '../../../shared/schemas/venue.js';
import type { Db } from './database.js';

/** A venue as the flag rules see it, with its community. */
export interface FlagVenueRow extends FlagVenue {
  communityId: string;
}

/**
 * What the flag rules judge a venue by, read synchronously so the ingest
 * transaction can fold a batch into its windows' figures (aggregates.ts) and
 * the flag repository can answer its facts from the same reads.
 */
export interface RuleContext {
  venue(venueId: string): FlagVenueRow | undefined;
  venues(): FlagVenueRow[];
  /** Every policy the street put in force, oldest first, with the normal preset (version 1) first. */
  policies(): PolicyInForce[];
}

interface VenueRow {
  id: string;
  community_id: string;
  type: string;
  rated_capacity: number;
  opening_hours: string | null;
  utc_offset_minutes: number;
}

export function createRuleContext(db: Db): RuleContext {
  const venueRow = db.prepare<[string], VenueRow>('SELECT id, community_id, type, rated_capacity, opening_hours, utc_offset_minutes FROM venues WHERE id = ?');
  const venueRows = db.prepare<[], VenueRow>('SELECT id, community_id, type, rated_capacity, opening_hours, utc_offset_minutes FROM venues ORDER BY id');
  const maxPolicy = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM policies');
  const policyRows = db.prepare<[], { body: string; activated_at: number; community_id: string | null }>(
    'SELECT body, activated_at, community_id FROM policies ORDER BY version',
  );
  // Versions only grow and are never edited, so the newest version number says whether the list is stale.
  let policyCache: { version: number; list: PolicyInForce[] } | undefined;
  return {
    venue(venueId) {
      const row = venueRow.get(venueId);
      return row && toVenue(row);
    },
    venues() {
      return venueRows.all().map(toVenue);
    },
    policies() {
      const version = maxPolicy.get()?.v ?? 0;
      if (policyCache?.version !== version) {
        // Stored policies were validated when written; parse so a hand-edited row fails loudly.
        const stored = policyRows.all().map((r) => ({ policy: Policy.parse(JSON.parse(r.body)), activatedAt: r.activated_at, communityId: r.community_id }));
        // Before any switch the street runs the normal preset, version 1.
        policyCache = { version, list: [{ policy: NORMAL_POLICY, activatedAt: -Infinity, communityId: null }, ...stored] };
      }
      return policyCache.list;
    },
  };
}

function toVenue(r: VenueRow): FlagVenueRow {
  return {
    id: r.id,
    communityId: r.community_id,
    type: VenueType.parse(r.type),
    ratedCapacity: r.rated_capacity,
    openingHours: OpeningHours.parse(r.opening_hours === null ? null : JSON.parse(r.opening_hours)),
    utcOffsetMinutes: r.utc_offset_minutes,
  };
}
