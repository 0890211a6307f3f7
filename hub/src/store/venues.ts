import { BookingSettings } from '../../../shared/schemas/booking-settings.js';
import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import { newSecret } from '../../../shared/rules/bytes.js';
import { hashPin, newPinSalt } from '../../../shared/rules/pin.js';
import type { CommunityRow, RegistryVenue, StaffEdit, StaffView } from '../../../shared/schemas/registry.js';
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

/** A venue as the registry saves it (shared/schemas/registry.ts VenueFields, parsed): a new venue's fields without its id, and its entrances. */
export interface VenueDraft extends Omit<NewVenue, 'id'> {
  /** The whole list: with an id, an existing entrance (renamed if the name differs); without, a new one. */
  entrances: { id?: string | undefined; name: string }[];
}

/** A registry write that clashes with what is stored; nothing of the call was written. */
export class RegistryConflict extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type VenueSave = { kind: 'create'; id?: string | undefined; draft: VenueDraft } | { kind: 'update'; id: string; draft: VenueDraft };

export interface VenueRepository {
  addCommunity(c: { id: string; name: string }): Promise<void>;
  /** A new community; the hub picks an id when none is given. Throws RegistryConflict if the id is taken. */
  createCommunity(c: { id?: string | undefined; name: string }): Promise<CommunityRow>;
  renameCommunity(id: string, name: string): Promise<CommunityRow | undefined>;
  communities(): Promise<CommunityRow[]>;
  /** The registry's venues, of one community or the whole street, by community then name. */
  list(q: { communityId?: string | undefined }): Promise<RegistryVenue[]>;
  get(id: string): Promise<RegistryVenue | undefined>;
  /**
   * Creates and updates venues in one transaction (a form save is one, an
   * import many): all are written or, on a RegistryConflict, none. Returns the
   * venues' ids in order (the hub assigns those not given). A venue never
   * changes community here, and an entrance a kiosk or a pass points to is
   * never removed.
   */
  save(changes: readonly VenueSave[], now: number): Promise<string[]>;
  /** Renames, re-roles, re-PINs (salted hash only), deactivates or reactivates a door staff member. */
  updateStaff(venueId: string, staffId: string, edit: StaffEdit): Promise<StaffView | undefined>;
  /**
   * A new door staff member of the venue with a fresh id, returned. The PIN is
   * hashed first; the id is then picked and the row written in one synchronous
   * step, so two adds at once never pick the same id.
   */
  createStaff(venueId: string, s: { name: string; role: string; pin: string }): Promise<StaffView>;
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
  // Bookings: a venue that never set bookings has no row, and its profile no `booking`.
  const selectBooking = db.prepare<[string], { mode: string; slot_minutes: number; slot_cap: number; max_party: number; days_ahead: number }>(
    'SELECT mode, slot_minutes, slot_cap, max_party, days_ahead FROM venue_booking WHERE venue_id = ?',
  );
  const selectSecret = db.prepare<[string], { code_secret: string | null; poster_secret: string | null }>(
    'SELECT code_secret, poster_secret FROM venues WHERE id = ?',
  );
  const countVenues = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM venues');

  // Registry.
  const communityRows = db.prepare<[], CommunityRow>(
    `SELECT c.id, c.name, (SELECT count(*) FROM venues v WHERE v.community_id = c.id) AS venues
       FROM communities c ORDER BY c.name, c.id`,
  );
  const communityById = db.prepare<[string], CommunityRow>(
    'SELECT c.id, c.name, (SELECT count(*) FROM venues v WHERE v.community_id = c.id) AS venues FROM communities c WHERE c.id = ?',
  );
  const updateCommunityName = db.prepare('UPDATE communities SET name = ? WHERE id = ?');
  const registryVenues = db.prepare<[Scope], RegistryVenueRow>(
    `SELECT v.id, v.community_id, c.name AS community_name, v.name, v.type, v.address, v.rated_capacity,
            v.opening_hours, v.utc_offset_minutes, v.officers, v.updated_at
       FROM venues v JOIN communities c ON c.id = v.community_id
      WHERE (@community IS NULL OR v.community_id = @community) AND (@venue IS NULL OR v.id = @venue)
      ORDER BY c.name, c.id, v.name, v.id`,
  );
  const registryEntrances = db.prepare<[Scope], { id: string; venue_id: string; name: string; kiosks: number; in_use: number }>(
    `SELECT e.id, e.venue_id, e.name,
            (SELECT count(*) FROM kiosks k WHERE k.entrance_id = e.id AND k.revoked_at IS NULL) AS kiosks,
            (EXISTS (SELECT 1 FROM kiosks k WHERE k.entrance_id = e.id) OR EXISTS (SELECT 1 FROM passes p WHERE p.entrance_id = e.id)) AS in_use
       FROM entrances e JOIN venues v ON v.id = e.venue_id
      WHERE (@community IS NULL OR v.community_id = @community) AND (@venue IS NULL OR v.id = @venue)
      ORDER BY e.rowid`,
  );
  const registryStaff = db.prepare<[Scope], { id: string; venue_id: string; name: string; role: string; active: number }>(
    `SELECT s.id, s.venue_id, s.name, s.role, s.active
       FROM venue_staff s JOIN venues v ON v.id = s.venue_id
      WHERE (@community IS NULL OR v.community_id = @community) AND (@venue IS NULL OR v.id = @venue)
      ORDER BY s.active DESC, s.name, s.id`,
  );
  const venueCommunity = db.prepare<[string], { community_id: string }>('SELECT community_id FROM venues WHERE id = ?');
  const venueExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM venues WHERE id = ?');
  const entranceExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM entrances WHERE id = ?');
  const staffExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM venue_staff WHERE id = ?');
  const communityExists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM communities WHERE id = ?');
  const updateVenue = db.prepare(
    `UPDATE venues SET name = @name, type = @type, address = @address, rated_capacity = @ratedCapacity,
            opening_hours = @openingHours, utc_offset_minutes = @utcOffsetMinutes, officers = @officers, updated_at = @now
      WHERE id = @id`,
  );
  const setVenueUpdatedAt = db.prepare('UPDATE venues SET updated_at = ? WHERE id = ?');
  const renameEntrance = db.prepare('UPDATE entrances SET name = ? WHERE id = ?');
  const entranceInUse = db.prepare<[{ id: string }], { one: number }>(
    `SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM kiosks WHERE entrance_id = @id)
        OR EXISTS (SELECT 1 FROM passes WHERE entrance_id = @id)`,
  );
  // Codes nobody used are worth nothing once their entrance is gone; a used one means a kiosk, which blocks removal.
  const deleteEntranceCodes = db.prepare('DELETE FROM enrolment_codes WHERE entrance_id = ? AND used_at IS NULL');
  const deleteEntrance = db.prepare('DELETE FROM entrances WHERE id = ?');
  const selectStaffRow = db.prepare<[string, string], { id: string; name: string; role: string; active: number }>(
    'SELECT id, name, role, active FROM venue_staff WHERE id = ? AND venue_id = ?',
  );
  const updateStaffRow = db.prepare(
    `UPDATE venue_staff SET name = coalesce(@name, name), role = coalesce(@role, role), active = coalesce(@active, active),
            pin_salt = coalesce(@salt, pin_salt), pin_hash = coalesce(@hash, pin_hash)
      WHERE id = @id AND venue_id = @venueId`,
  );

  function registryRows(community: string | null, venue: string | null): RegistryVenue[] {
    const scope = { community, venue };
    const entrances = byVenue(registryEntrances.all(scope));
    const staff = byVenue(registryStaff.all(scope));
    return registryVenues.all(scope).map((v) => ({
      id: v.id,
      communityId: v.community_id,
      communityName: v.community_name,
      name: v.name,
      type: VenueType.parse(v.type),
      address: v.address,
      ratedCapacity: v.rated_capacity,
      openingHours: OpeningHours.parse(v.opening_hours === null ? null : JSON.parse(v.opening_hours)),
      utcOffsetMinutes: v.utc_offset_minutes,
      officers: Officers.parse(JSON.parse(v.officers)),
      entrances: (entrances.get(v.id) ?? []).map((e) => ({ id: e.id, name: e.name, kiosks: e.kiosks, inUse: e.in_use === 1 })),
      staff: (staff.get(v.id) ?? []).map((s) => ({ id: s.id, name: s.name, role: s.role, active: s.active === 1 })),
      updatedAt: v.updated_at,
    }));
  }

  const venueFields = (id: string, d: VenueDraft, now: number) => ({
    id,
    name: d.name,
    type: d.type,
    address: d.address,
    ratedCapacity: d.ratedCapacity,
    openingHours: d.openingHours === null ? null : JSON.stringify(d.openingHours),
    utcOffsetMinutes: d.utcOffsetMinutes,
    officers: JSON.stringify(Officers.parse(d.officers)),
    now,
  });

  function addEntrances(venueId: string, names: readonly string[]): void {
    for (const name of names) insertEntrance.run(freeId(venueId, (id) => entranceExists.get(id) !== undefined), venueId, name);
  }

  function createOne(id: string | undefined, d: VenueDraft, now: number): string {
    if (!communityExists.get(d.communityId)) throw new RegistryConflict(404, 'communityId', `no community "${d.communityId}"`);
    if (d.entrances.some((e) => e.id !== undefined)) throw new RegistryConflict(409, 'entrances', 'a new venue has only new entrances');
    const venueId = id ?? freeId(d.communityId, (v) => venueExists.get(v) !== undefined);
    if (venueExists.get(venueId)) throw new RegistryConflict(409, 'id', `a venue "${venueId}" exists already`);
    insertVenue.run({ ...venueFields(venueId, d, now), communityId: d.communityId, codeSecret: newSecret(), posterSecret: newSecret() });
    setVenueUpdatedAt.run(now, venueId);
    addEntrances(venueId, d.entrances.map((e) => e.name));
    return venueId;
  }

  function updateOne(id: string, d: VenueDraft, now: number): string {
    const current = venueCommunity.get(id);
    if (!current) throw new RegistryConflict(404, 'id', `no venue "${id}"`);
    // Kiosks join their community's policy room at connect: a move would leave them enforcing the old one.
    if (current.community_id !== d.communityId) {
      throw new RegistryConflict(409, 'communityId', 'a venue cannot move to another community; register it there anew');
    }
    const existing = new Map(selectEntrances.all(id).map((e) => [e.id, e.name]));
    d.entrances.forEach((e, i) => {
      if (e.id !== undefined && !existing.has(e.id)) throw new RegistryConflict(409, `entrances.${i}.id`, `"${e.id}" is not an entrance of this venue`);
    });
    const kept = new Set(d.entrances.flatMap((e) => (e.id === undefined ? [] : [e.id])));
    for (const [entranceId, name] of existing) {
      if (kept.has(entranceId)) continue;
      if (entranceInUse.get({ id: entranceId })) {
        throw new RegistryConflict(409, 'entrances', `entrance "${name}" has a kiosk or records: it can be renamed, not removed`);
      }
      deleteEntranceCodes.run(entranceId);
      deleteEntrance.run(entranceId);
    }
    for (const e of d.entrances) if (e.id !== undefined && existing.get(e.id) !== e.name) renameEntrance.run(e.name, e.id);
    addEntrances(id, d.entrances.filter((e) => e.id === undefined).map((e) => e.name));
    updateVenue.run(venueFields(id, d, now));
    return id;
  }

  const saveAll = db.transaction((changes: readonly VenueSave[], now: number) =>
    changes.map((c) => (c.kind === 'create' ? createOne(c.id, c.draft, now) : updateOne(c.id, c.draft, now))),
  );

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
      const booking = selectBooking.get(venueId);
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
        ...(booking
          ? {
              booking: BookingSettings.parse({
                mode: booking.mode,
                slotMinutes: booking.slot_minutes,
                slotCap: booking.slot_cap,
                maxParty: booking.max_party,
                daysAhead: booking.days_ahead,
              }),
            }
          : {}),
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
    async createCommunity(c) {
      const id = c.id ?? freeId('c', (x) => communityExists.get(x) !== undefined);
      if (communityExists.get(id)) throw new RegistryConflict(409, 'id', `a community "${id}" exists already`);
      insertCommunity.run(id, c.name);
      return { id, name: c.name, venues: 0 };
    },
    async renameCommunity(id, name) {
      if (updateCommunityName.run(name, id).changes === 0) return undefined;
      return communityById.get(id);
    },
    async communities() {
      return communityRows.all();
    },
    async list({ communityId }) {
      return registryRows(communityId ?? null, null);
    },
    async get(id) {
      return registryRows(null, id)[0];
    },
    async save(changes, now) {
      return saveAll(changes, now);
    },
    async updateStaff(venueId, staffId, edit) {
      if (!selectStaffRow.get(staffId, venueId)) return undefined;
      let salt: string | null = null;
      let hash: string | null = null;
      if (edit.pin !== undefined) {
        salt = newPinSalt();
        hash = await hashPin(Pin.parse(edit.pin), salt);
      }
      updateStaffRow.run({
        id: staffId,
        venueId,
        name: edit.name ?? null,
        role: edit.role ?? null,
        active: edit.active === undefined ? null : edit.active ? 1 : 0,
        salt,
        hash,
      });
      const row = selectStaffRow.get(staffId, venueId)!;
      return { id: row.id, name: row.name, role: row.role, active: row.active === 1 };
    },
    async createStaff(venueId, { name, role, pin }) {
      const salt = newPinSalt();
      const hash = await hashPin(Pin.parse(pin), salt);
      // Nothing awaits between choosing the id and inserting it.
      const id = freeId(`${venueId}-staff`, (x) => staffExists.get(x) !== undefined);
      insertStaff.run(id, venueId, name, role, salt, hash);
      return { id, name, role, active: true };
    },
  };
}

/**
 * `base-1`, `base-2`, … the first free one; a random one if the base is too
 * long for an id. The CSV import's plan picks new venues' ids with it too, so
 * a dry run shows the ids the import gives.
 */
export function freeId(base: string, taken: (id: string) => boolean): string {
  for (let k = 1; k < 10_000; k++) {
    const id = `${base}-${k}`;
    if (id.length > 64) break;
    if (!taken(id)) return id;
  }
  let id: string;
  do id = `x-${newSecret().slice(0, 12)}`;
  while (taken(id));
  return id;
}

/** Rows grouped by their venue (Map.groupBy is not in Node 20). */
function byVenue<T extends { venue_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.venue_id);
    if (list) list.push(r);
    else out.set(r.venue_id, [r]);
  }
  return out;
}

/** Which venues a registry read covers: one community, one venue, or (both null) the street. */
interface Scope {
  community: string | null;
  venue: string | null;
}

interface RegistryVenueRow {
  id: string;
  community_id: string;
  community_name: string;
  name: string;
  type: string;
  address: string;
  rated_capacity: number;
  opening_hours: string | null;
  utc_offset_minutes: number;
  officers: string;
  updated_at: number | null;
}
