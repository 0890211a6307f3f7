import { dayStart } from '../../../shared/rules/flags/window.js';
import type { OrgDistrict, OrgImportRow, OrgImportRowResult } from '../../../shared/schemas/organisation.js';
import { streetDayShard } from './aggregates.js';
import { jsonNumber } from './dialect.js';
import { refreshCommunityPolicies } from './policies.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Sql } from './sql.js';

/**
 * The organisation above the community (docs/architecture.md "Streets as tenants"): a deployment
 * is one city; the city has districts, a district has streets, a street has communities. A
 * deployment starts with one district and one street (migration 29), which the registry renames.
 */
export interface District {
  id: string;
  name: string;
}

export interface Street {
  id: string;
  name: string;
  districtId: string;
  districtName: string;
}

/** Where a community is: the street and district it belongs to now. */
export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

export interface OrganisationRepository {
  districts(): Promise<District[]>;
  /** Streets, by district then name. */
  streets(): Promise<Street[]>;
  street(id: string): Promise<Street | undefined>;
  district(id: string): Promise<District | undefined>;
  /** Adds a district, or renames one that exists. */
  saveDistrict(d: District): Promise<void>;
  /** Adds a street, or renames one or moves it to another district. Throws if the district is unknown. */
  saveStreet(s: { id: string; name: string; districtId: string }): Promise<void>;
  /** The street and district of a community; undefined if there is no such community. */
  placeOfCommunity(communityId: string): Promise<Place | undefined>;
  /** The same for a venue, by its community. */
  placeOfVenue(venueId: string): Promise<Place | undefined>;
  /**
   * Districts, streets, communities and venues inside `scope` (every street of a covered district,
   * a street with no community yet included), by name: the registry's and tracing's picture.
   */
  tree(scope: Scope): Promise<OrgDistrict[]>;
  /**
   * Adds or renames the districts, streets and communities of a sheet's good rows, in one
   * transaction (none written on a dry run). A row that would move something is refused here, not
   * applied: a community already of another street (moving is its own act, `moveCommunity`), a
   * street of another district, or a district outside `onlyDistrict` (a district admin's import).
   */
  importPlaces(rows: readonly (OrgImportRow & { line: number })[], opts: { dryRun: boolean; onlyDistrict: string | null }): Promise<OrgImportOutcome>;
  /**
   * Moves a community to another street, in one transaction: its venues, kiosks, records, flags,
   * inspections and history hang off the community and go with it; its inspectors are of its
   * street (accounts derive it). The streets' day figures (street_days) move with its venues' days,
   * read from their hours (window_facts), so each street's figures stay what its venues counted.
   */
  moveCommunity(communityId: string, toStreetId: string): Promise<CommunityMoveOutcome>;
}

export interface OrgImportOutcome {
  rows: OrgImportRowResult[];
  errors: { line: number; field: string | null; code: string; message: string }[];
}

export type CommunityMoveOutcome =
  | { ok: true; from: { id: string; name: string }; to: { id: string; name: string }; venues: string[]; kiosks: number; inspectors: number; daysMoved: number }
  | { ok: false; reason: 'no_community' | 'no_street' | 'same_street' };

type TreeRow = {
  district_id: string;
  district_name: string;
  street_id: string;
  street_name: string;
  community_id: string | null;
  community_name: string | null;
  venue_id: string | null;
  venue_name: string | null;
};

/** Kiosks in service and inspectors per community, each counted once per community (not per venue row). */
const COUNTS_SQL = `
  SELECT c.id AS community_id,
         (SELECT count(*) FROM kiosks k JOIN venues kv ON kv.id = k.venue_id WHERE kv.community_id = c.id AND k.revoked_at IS NULL) AS kiosks,
         (SELECT count(*) FROM accounts a WHERE a.community_id = c.id AND a.disabled_at IS NULL) AS inspectors
    FROM communities c WHERE ${communityInScope('c')}`;

/**
 * Every street in scope with its communities and their venues (a LEFT JOIN keeps empty ones). The
 * scope is tested on the street (a street-level scope) and, for an inspector's, on the community.
 */
const TREE_SQL = `
  SELECT d.id AS district_id, d.name AS district_name, s.id AS street_id, s.name AS street_name,
         c.id AS community_id, c.name AS community_name, v.id AS venue_id, v.name AS venue_name
    FROM streets s JOIN districts d ON d.id = s.district_id
    LEFT JOIN communities c ON c.street_id = s.id
    LEFT JOIN venues v ON v.community_id = c.id
   WHERE (CAST(? AS TEXT) IS NULL OR s.id = ?)
     AND (CAST(? AS TEXT) IS NULL OR s.district_id = ?)
     AND (c.id IS NULL OR (${communityInScope('c')}))
     AND (CAST(? AS TEXT) IS NULL OR c.id = ?)
   ORDER BY d.name, d.id, s.name, s.id, c.name, c.id, v.name, v.id`;

const STREET_COLS = 's.id, s.name, s.district_id AS "districtId", d.name AS "districtName" FROM streets s JOIN districts d ON d.id = s.district_id';
const PLACE_COLS = 'c.id AS "communityId", c.street_id AS "streetId", s.district_id AS "districtId"';

/**
 * The street of a deployment that has one (every deployment starts with one): what a street-level
 * thing created without naming its street belongs to. With several, naming it is required.
 */
export async function onlyStreet(sql: Sql): Promise<string> {
  const streets = await sql.all<{ id: string }>('SELECT id FROM streets ORDER BY id LIMIT 2');
  if (streets.length !== 1) throw new Error(`this deployment has ${streets.length === 0 ? 'no' : 'several'} streets: name the street`);
  return streets[0]!.id;
}

export function createOrganisationRepository(sql: Sql): OrganisationRepository {
  return {
    districts: () => sql.all<District>('SELECT id, name FROM districts ORDER BY name, id'),
    streets: () => sql.all<Street>(`SELECT ${STREET_COLS} ORDER BY d.name, d.id, s.name, s.id`),
    street: (id) => sql.get<Street>(`SELECT ${STREET_COLS} WHERE s.id = ?`, [id]),
    district: (id) => sql.get<District>('SELECT id, name FROM districts WHERE id = ?', [id]),
    async saveDistrict(d) {
      await sql.run('INSERT INTO districts (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [d.id, d.name]);
    },
    async saveStreet(s) {
      if (!(await sql.get('SELECT 1 AS one FROM districts WHERE id = ?', [s.districtId]))) throw new Error(`no district "${s.districtId}"`);
      await sql.run(
        'INSERT INTO streets (id, district_id, name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, district_id = excluded.district_id',
        [s.id, s.districtId, s.name],
      );
    },
    placeOfCommunity: (communityId) =>
      sql.get<Place>(`SELECT ${PLACE_COLS} FROM communities c JOIN streets s ON s.id = c.street_id WHERE c.id = ?`, [communityId]),
    placeOfVenue: (venueId) =>
      sql.get<Place>(`SELECT ${PLACE_COLS} FROM venues v JOIN communities c ON c.id = v.community_id JOIN streets s ON s.id = c.street_id WHERE v.id = ?`, [venueId]),

    async tree(scope) {
      const rows = await sql.all<TreeRow>(TREE_SQL, [
        scope.streetId,
        scope.streetId,
        scope.districtId,
        scope.districtId,
        ...scopeParams(scope),
        scope.communityId,
        scope.communityId,
      ]);
      const counts = new Map(
        (await sql.all<{ community_id: string; kiosks: number; inspectors: number }>(COUNTS_SQL, scopeParams(scope))).map((r) => [r.community_id, r]),
      );
      const districts: OrgDistrict[] = [];
      for (const r of rows) {
        let d = districts.at(-1);
        if (d?.id !== r.district_id) districts.push((d = { id: r.district_id, name: r.district_name, streets: [] }));
        let st = d.streets.at(-1);
        if (st?.id !== r.street_id) d.streets.push((st = { id: r.street_id, name: r.street_name, communities: [] }));
        if (r.community_id === null) continue;
        let c = st.communities.at(-1);
        if (c?.id !== r.community_id) {
          const n = counts.get(r.community_id);
          st.communities.push((c = { id: r.community_id, name: r.community_name!, venues: [], kiosks: Number(n?.kiosks ?? 0), inspectors: Number(n?.inspectors ?? 0) }));
        }
        if (r.venue_id !== null) c.venues.push({ id: r.venue_id, name: r.venue_name! });
      }
      return districts;
    },

    importPlaces: (rows, { dryRun, onlyDistrict }) =>
      sql.transaction(async (tx) => {
        const out: OrgImportOutcome = { rows: [], errors: [] };
        // What the file already said in earlier rows: a later row that contradicts it is refused.
        const districts = new Map((await tx.all<District>('SELECT id, name FROM districts')).map((d) => [d.id, d.name]));
        const streets = new Map((await tx.all<{ id: string; name: string; district_id: string }>('SELECT id, name, district_id FROM streets')).map((x) => [x.id, x]));
        const communities = new Map((await tx.all<{ id: string; name: string; street_id: string }>('SELECT id, name, street_id FROM communities')).map((x) => [x.id, x]));
        const refuse = (line: number, field: string, code: string, message: string) => out.errors.push({ line, field, code, message });
        for (const r of rows) {
          if (onlyDistrict !== null && r.districtId !== onlyDistrict) {
            refuse(r.line, 'districtId', 'other_district', `only your district "${onlyDistrict}" can be imported here`);
            continue;
          }
          const street = streets.get(r.streetId);
          if (street && street.district_id !== r.districtId) {
            refuse(r.line, 'streetId', 'street_elsewhere', `street "${r.streetId}" is of district "${street.district_id}"`);
            continue;
          }
          const community = r.communityId === undefined ? undefined : communities.get(r.communityId);
          if (community && community.street_id !== r.streetId) {
            refuse(r.line, 'communityId', 'community_elsewhere', `community "${r.communityId}" is of street "${community.street_id}": move it instead`);
            continue;
          }
          if (districts.get(r.districtId) !== r.districtName) {
            if (!dryRun) await tx.run('INSERT INTO districts (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [r.districtId, r.districtName]);
            districts.set(r.districtId, r.districtName);
          }
          const streetAction = !street ? 'create' : street.name === r.streetName ? 'unchanged' : 'update';
          if (streetAction !== 'unchanged') {
            if (!dryRun) {
              await tx.run('INSERT INTO streets (id, district_id, name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [r.streetId, r.districtId, r.streetName]);
            }
            streets.set(r.streetId, { id: r.streetId, name: r.streetName, district_id: r.districtId });
          }
          let communityAction: OrgImportRowResult['community'] = null;
          if (r.communityId !== undefined && r.communityName !== undefined) {
            communityAction = !community ? 'create' : community.name === r.communityName ? 'unchanged' : 'update';
            if (communityAction !== 'unchanged') {
              if (!dryRun) {
                await tx.run('INSERT INTO communities (id, name, street_id) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [r.communityId, r.communityName, r.streetId]);
              }
              communities.set(r.communityId, { id: r.communityId, name: r.communityName, street_id: r.streetId });
            }
          }
          out.rows.push({ line: r.line, streetId: r.streetId, street: streetAction, communityId: r.communityId ?? null, community: communityAction });
        }
        // A new community enforces its street's policy (and the floors above it) from its first
        // door: its row of policies in force is written in this transaction (store/policies.ts).
        const created = out.rows.filter((r) => r.community === 'create' && r.communityId !== null).map((r) => r.communityId!);
        if (!dryRun && created.length > 0) await refreshCommunityPolicies(tx, created);
        return out;
      }),

    moveCommunity: (communityId, toStreetId) =>
      sql.transaction(async (tx): Promise<CommunityMoveOutcome> => {
        const from = await tx.get<{ id: string; name: string }>('SELECT s.id, s.name FROM communities c JOIN streets s ON s.id = c.street_id WHERE c.id = ?', [communityId]);
        if (!from) return { ok: false, reason: 'no_community' };
        const to = await tx.get<{ id: string; name: string }>('SELECT id, name FROM streets WHERE id = ?', [toStreetId]);
        if (!to) return { ok: false, reason: 'no_street' };
        if (to.id === from.id) return { ok: false, reason: 'same_street' };
        // On PostgreSQL, no batch adds to a street's day between the hours read below and the
        // commit: one that has added waits to commit first, one that adds next waits, then adds to
        // the street it reads then (the new one). SQLite's write lock has one writer already.
        if (tx.dialect === 'postgres') await tx.exec('LOCK TABLE street_days IN SHARE ROW EXCLUSIVE MODE');
        await tx.run('UPDATE communities SET street_id = ? WHERE id = ?', [to.id, communityId]);
        // The community's policy is its new street's from here: its row of policies in force is
        // written again in this transaction (store/policies.ts), with the new street's and district's levels.
        await refreshCommunityPolicies(tx, [communityId]);
        const venues = await tx.all<{ id: string; utc_offset_minutes: number }>('SELECT id, utc_offset_minutes FROM venues WHERE community_id = ? ORDER BY id', [communityId]);
        // Each venue's days as street_days counted them: its standing admissions and those without a
        // phone, summed from its hours (the same figures street() takes a venue's own share from).
        const hours = `SELECT start, ${jsonNumber(tx.dialect, 'facts', ['noPhone', 'admissions'])} AS admissions, ${jsonNumber(tx.dialect, 'facts', ['noPhone', 'noPhone'])} AS no_phone
                         FROM window_facts WHERE venue_id = ? AND kind = 'hour'`;
        const days = new Set<number>();
        for (const v of venues) {
          const byDay = new Map<number, { admissions: number; noPhone: number }>();
          for (const h of await tx.all<{ start: number; admissions: number | null; no_phone: number | null }>(hours, [v.id])) {
            const day = dayStart(Number(h.start), v.utc_offset_minutes);
            const f = byDay.get(day) ?? { admissions: 0, noPhone: 0 };
            byDay.set(day, { admissions: f.admissions + Number(h.admissions ?? 0), noPhone: f.noPhone + Number(h.no_phone ?? 0) });
          }
          const shard = streetDayShard(v.id);
          for (const [day, f] of byDay) {
            if (f.admissions === 0 && f.noPhone === 0) continue;
            days.add(day);
            await tx.run('UPDATE street_days SET admissions = admissions - ?, no_phone = no_phone - ? WHERE street_id = ? AND start = ? AND shard = ?', [
              f.admissions,
              f.noPhone,
              from.id,
              day,
              shard,
            ]);
            await tx.run(
              `INSERT INTO street_days (street_id, start, shard, admissions, no_phone) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (street_id, start, shard) DO UPDATE SET admissions = street_days.admissions + excluded.admissions, no_phone = street_days.no_phone + excluded.no_phone`,
              [to.id, day, shard, f.admissions, f.noPhone],
            );
          }
        }
        const kiosks = await tx.get<{ n: number }>(
          'SELECT count(*) AS n FROM kiosks k JOIN venues v ON v.id = k.venue_id WHERE v.community_id = ? AND k.revoked_at IS NULL',
          [communityId],
        );
        const inspectors = await tx.get<{ n: number }>('SELECT count(*) AS n FROM accounts WHERE community_id = ? AND disabled_at IS NULL', [communityId]);
        return { ok: true, from, to, venues: venues.map((v) => v.id), kiosks: Number(kiosks?.n ?? 0), inspectors: Number(inspectors?.n ?? 0), daysMoved: days.size };
      }),
  };
}
