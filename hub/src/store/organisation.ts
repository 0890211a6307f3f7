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
}

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
  };
}
