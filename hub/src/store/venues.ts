import type { VenueSummary } from '../../../shared/schemas/enrolment.js';
import { OpeningHours, VenueType } from '../../../shared/schemas/venue.js';
import type { Db } from './database.js';

export interface NewVenue {
  id: string;
  communityId: string;
  name: string;
  type: VenueType;
  address: string;
  ratedCapacity: number;
  openingHours: OpeningHours;
  utcOffsetMinutes: number;
}

export interface Entrance {
  id: string;
  venueId: string;
  name: string;
}

export interface VenueRepository {
  addCommunity(c: { id: string; name: string }): Promise<void>;
  add(v: NewVenue): Promise<void>;
  addEntrance(e: Entrance): Promise<void>;
  summary(venueId: string): Promise<VenueSummary | undefined>;
  entrance(entranceId: string): Promise<Entrance | undefined>;
  entrances(): Promise<Entrance[]>;
  count(): Promise<number>;
}

interface SummaryRow {
  id: string;
  name: string;
  type: string;
  rated_capacity: number;
  opening_hours: string | null;
  utc_offset_minutes: number;
  community_name: string;
}

export function createVenueRepository(db: Db): VenueRepository {
  const insertCommunity = db.prepare('INSERT INTO communities (id, name) VALUES (?, ?)');
  const insertVenue = db.prepare(
    `INSERT INTO venues (id, community_id, name, type, address, rated_capacity, opening_hours, utc_offset_minutes)
     VALUES (@id, @communityId, @name, @type, @address, @ratedCapacity, @openingHours, @utcOffsetMinutes)`,
  );
  const insertEntrance = db.prepare('INSERT INTO entrances (id, venue_id, name) VALUES (?, ?, ?)');
  const selectSummary = db.prepare<[string], SummaryRow>(
    `SELECT v.id, v.name, v.type, v.rated_capacity, v.opening_hours, v.utc_offset_minutes, c.name AS community_name
       FROM venues v JOIN communities c ON c.id = v.community_id
      WHERE v.id = ?`,
  );
  const selectEntrance = db.prepare<[string], { id: string; venue_id: string; name: string }>(
    'SELECT id, venue_id, name FROM entrances WHERE id = ?',
  );
  const selectEntrances = db.prepare<[], { id: string; venue_id: string; name: string }>(
    'SELECT id, venue_id, name FROM entrances ORDER BY venue_id, id',
  );
  const countVenues = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM venues');

  return {
    async addCommunity(c) {
      insertCommunity.run(c.id, c.name);
    },
    async add(v) {
      insertVenue.run({ ...v, openingHours: v.openingHours === null ? null : JSON.stringify(v.openingHours) });
    },
    async addEntrance(e) {
      insertEntrance.run(e.id, e.venueId, e.name);
    },
    async summary(venueId) {
      const row = selectSummary.get(venueId);
      return row
        ? {
            id: row.id,
            name: row.name,
            communityName: row.community_name,
            type: VenueType.parse(row.type),
            ratedCapacity: row.rated_capacity,
            openingHours: OpeningHours.parse(row.opening_hours === null ? null : JSON.parse(row.opening_hours)),
            utcOffsetMinutes: row.utc_offset_minutes,
          }
        : undefined;
    },
    async entrance(entranceId) {
      const row = selectEntrance.get(entranceId);
      return row ? { id: row.id, venueId: row.venue_id, name: row.name } : undefined;
    },
    async entrances() {
      return selectEntrances.all().map((r) => ({ id: r.id, venueId: r.venue_id, name: r.name }));
    },
    async count() {
      return countVenues.get()!.n;
    },
  };
}
