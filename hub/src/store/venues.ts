import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import { newSecret } from '../../../shared/rules/bytes.js';
import { hashPin, newPinSalt } from '../../../shared/rules/pin.js';
import { OpeningHours, Officers, Pin, StaffMember, VenueType } from '../../../shared/schemas/venue.js';
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
  officers: Officers;
}

export interface Entrance {
  id: string;
  venueId: string;
  name: string;
}

export interface NewStaff {
  id: string;
  venueId: string;
  name: string;
  role: string;
  pin: string;
}

export interface VenueRepository {
  addCommunity(c: { id: string; name: string }): Promise<void>;
  add(v: NewVenue): Promise<void>;
  addEntrance(e: Entrance): Promise<void>;
  /** Adds a door staff member; only a salted hash of the PIN is kept. */
  addStaff(s: NewStaff): Promise<void>;
  /** Everything a kiosk at this venue needs to work offline. */
  profile(venueId: string): Promise<VenueProfile | undefined>;
  entrance(entranceId: string): Promise<Entrance | undefined>;
  /**
   * The venue's secret for pass codes (shared/rules/pass-code.ts), which every
   * kiosk of the venue checks offline. Its kiosks get it at enrolment.
   */
  codeSecret(venueId: string): Promise<string | undefined>;
  /** The secret the hub signs the venue's poster codes with; it never leaves the hub. */
  posterSecret(venueId: string): Promise<string | undefined>;
  count(): Promise<number>;
}

interface VenueRow {
  id: string;
  name: string;
  type: string;
  address: string;
  rated_capacity: number;
  opening_hours: string | null;
  utc_offset_minutes: number;
  officers: string;
  community_name: string;
}

export function createVenueRepository(db: Db): VenueRepository {
  const insertCommunity = db.prepare('INSERT INTO communities (id, name) VALUES (?, ?)');
  const insertVenue = db.prepare(
    `INSERT INTO venues (id, community_id, name, type, address, rated_capacity, opening_hours, utc_offset_minutes, officers, code_secret, poster_secret)
     VALUES (@id, @communityId, @name, @type, @address, @ratedCapacity, @openingHours, @utcOffsetMinutes, @officers, @codeSecret, @posterSecret)`,
  );
  const insertEntrance = db.prepare('INSERT INTO entrances (id, venue_id, name) VALUES (?, ?, ?)');
  const insertStaff = db.prepare(
    'INSERT INTO venue_staff (id, venue_id, name, role, pin_salt, pin_hash) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectVenue = db.prepare<[string], VenueRow>(
    `SELECT v.id, v.name, v.type, v.address, v.rated_capacity, v.opening_hours, v.utc_offset_minutes, v.officers,
            c.name AS community_name
       FROM venues v JOIN communities c ON c.id = v.community_id
      WHERE v.id = ?`,
  );
  const selectEntrances = db.prepare<[string], { id: string; name: string }>(
    'SELECT id, name FROM entrances WHERE venue_id = ? ORDER BY id',
  );
  const selectStaff = db.prepare<[string], { id: string; name: string; role: string; pin_salt: string; pin_hash: string }>(
    'SELECT id, name, role, pin_salt, pin_hash FROM venue_staff WHERE venue_id = ? AND active = 1 ORDER BY name',
  );
  const selectEntrance = db.prepare<[string], { id: string; venue_id: string; name: string }>(
    'SELECT id, venue_id, name FROM entrances WHERE id = ?',
  );
  const selectSecret = db.prepare<[string], { code_secret: string | null; poster_secret: string | null }>(
    'SELECT code_secret, poster_secret FROM venues WHERE id = ?',
  );
  const countVenues = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM venues');

  return {
    async addCommunity(c) {
      insertCommunity.run(c.id, c.name);
    },
    async add(v) {
      insertVenue.run({
        ...v,
        openingHours: v.openingHours === null ? null : JSON.stringify(v.openingHours),
        officers: JSON.stringify(Officers.parse(v.officers)),
        codeSecret: newSecret(),
        posterSecret: newSecret(),
      });
    },
    async addEntrance(e) {
      insertEntrance.run(e.id, e.venueId, e.name);
    },
    async addStaff(s) {
      StaffMember.shape.id.parse(s.id);
      Pin.parse(s.pin);
      const salt = newPinSalt();
      insertStaff.run(s.id, s.venueId, s.name, s.role, salt, await hashPin(s.pin, salt));
    },
    async profile(venueId) {
      const row = selectVenue.get(venueId);
      if (!row) return undefined;
      return {
        id: row.id,
        name: row.name,
        communityName: row.community_name,
        address: row.address,
        type: VenueType.parse(row.type),
        ratedCapacity: row.rated_capacity,
        openingHours: OpeningHours.parse(row.opening_hours === null ? null : JSON.parse(row.opening_hours)),
        utcOffsetMinutes: row.utc_offset_minutes,
        officers: Officers.parse(JSON.parse(row.officers)),
        entrances: selectEntrances.all(venueId),
        staff: selectStaff.all(venueId).map((s) => ({ id: s.id, name: s.name, role: s.role, pinSalt: s.pin_salt, pinHash: s.pin_hash })),
      };
    },
    async entrance(entranceId) {
      const row = selectEntrance.get(entranceId);
      return row ? { id: row.id, venueId: row.venue_id, name: row.name } : undefined;
    },
    async codeSecret(venueId) {
      return selectSecret.get(venueId)?.code_secret ?? undefined;
    },
    async posterSecret(venueId) {
      return selectSecret.get(venueId)?.poster_secret ?? undefined;
    },
    async count() {
      return countVenues.get()!.n;
    },
  };
}
