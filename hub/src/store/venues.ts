import { BookingSettings } from '../../../shared/schemas/booking-settings.js';
import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import { newSecret } from '../../../shared/rules/bytes.js';
import { hashPin, newPinSalt } from '../../../shared/rules/pin.js';
import type { CommunityRow, RegistryVenue, StaffEdit, StaffView } from '../../../shared/schemas/registry.js';
import { OpeningHours, Officers, Pin, StaffMember, VenueType } from '../../../shared/schemas/venue.js';
import { refreshCommunityPolicies } from './policies.js';
import { onlyStreet } from './organisation.js';
import { communityInScope, scopeParams, type Scope } from './scope.js';
import type { Sql } from './sql.js';

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
  /** A community of `streetId`, or of the deployment's only street when none is named (accounts.ts onlyStreet). */
  addCommunity(c: { id: string; name: string; streetId?: string | undefined }): Promise<void>;
  /**
   * A new community of `streetId` (the only street when not named); the hub picks an id when none is
   * given. Throws RegistryConflict if the id is taken or the street unknown.
   */
  createCommunity(c: { id?: string | undefined; name: string; streetId?: string | undefined }): Promise<CommunityRow>;
  renameCommunity(id: string, name: string): Promise<CommunityRow | undefined>;
  /** The communities of a scope (store/scope.ts), by name. */
  communities(scope: Scope): Promise<CommunityRow[]>;
  /** The registry's venues of a scope, or of one community of it, by community then name. */
  list(scope: Scope, q?: { communityId?: string | undefined }): Promise<RegistryVenue[]>;
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
   * hashed first; then the id is picked and the row written only if the id is
   * still free (another add, from this hub or another, may have taken it): if
   * not, the next id is tried, so two adds at once never share an id.
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

/**
 * The registry's three reads, for the venues of a scope (store/scope.ts: a community, a street, a
 * district or the city) or one venue (a kind picks the WHERE).
 */
type ScopeKind = 'scope' | 'venue';
const SCOPE_WHERE: Record<ScopeKind, string> = { scope: `WHERE ${communityInScope('c')}`, venue: 'WHERE v.id = ?' };

const REGISTRY_VENUES = (k: ScopeKind) =>
  `SELECT v.id, v.community_id, c.name AS community_name, v.name, v.type, v.address, v.rated_capacity,
          v.opening_hours, v.utc_offset_minutes, v.officers, v.updated_at
     FROM venues v JOIN communities c ON c.id = v.community_id
    ${SCOPE_WHERE[k]}
    ORDER BY c.name, c.id, v.name, v.id`;
// Entrances in the order they were made: the hub numbers them `<venue>-1`, `<venue>-2`, … (freeId),
// so by length then id (a table's rowid is SQLite's alone).
const REGISTRY_ENTRANCES = (k: ScopeKind) =>
  `SELECT e.id, e.venue_id, e.name,
          (SELECT count(*) FROM kiosks k WHERE k.entrance_id = e.id AND k.revoked_at IS NULL) AS kiosks,
          CASE WHEN EXISTS (SELECT 1 FROM kiosks k WHERE k.entrance_id = e.id) OR EXISTS (SELECT 1 FROM passes p WHERE p.entrance_id = e.id)
               THEN 1 ELSE 0 END AS in_use
     FROM entrances e JOIN venues v ON v.id = e.venue_id JOIN communities c ON c.id = v.community_id
    ${SCOPE_WHERE[k]}
    ORDER BY length(e.id), e.id`;
const REGISTRY_STAFF = (k: ScopeKind) =>
  `SELECT s.id, s.venue_id, s.name, s.role, s.active
     FROM venue_staff s JOIN venues v ON v.id = s.venue_id JOIN communities c ON c.id = v.community_id
    ${SCOPE_WHERE[k]}
    ORDER BY s.active DESC, s.name, s.id`;
const REGISTRY_QUERIES = Object.fromEntries(
  (['scope', 'venue'] as const).map((k) => [k, { venues: REGISTRY_VENUES(k), entrances: REGISTRY_ENTRANCES(k), staff: REGISTRY_STAFF(k) }]),
) as Record<ScopeKind, { venues: string; entrances: string; staff: string }>;

const INSERT_COMMUNITY = 'INSERT INTO communities (id, name, street_id) VALUES (?, ?, ?)';
const INSERT_VENUE = `INSERT INTO venues (id, community_id, name, type, address, rated_capacity, opening_hours, utc_offset_minutes, officers, code_secret, poster_secret)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_ENTRANCE = 'INSERT INTO entrances (id, venue_id, name) VALUES (?, ?, ?)';
const INSERT_STAFF = 'INSERT INTO venue_staff (id, venue_id, name, role, pin_salt, pin_hash) VALUES (?, ?, ?, ?, ?, ?)';

// A row under an id picked from those free a moment ago: another hub on the same database may have
// taken it since, so the insert does nothing then (changes 0) and the caller picks again. Race-safe on
// PostgreSQL too: ON CONFLICT waits for a concurrent insert of the same id to commit, then skips.
const INSERT_COMMUNITY_FRESH = `${INSERT_COMMUNITY} ON CONFLICT (id) DO NOTHING`;
const INSERT_VENUE_FRESH = `INSERT INTO venues (id, community_id, name, type, address, rated_capacity, opening_hours, utc_offset_minutes, officers, code_secret, poster_secret, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
const INSERT_ENTRANCE_FRESH = `${INSERT_ENTRANCE} ON CONFLICT (id) DO NOTHING`;
const INSERT_STAFF_FRESH = `${INSERT_STAFF} ON CONFLICT (id) DO NOTHING`;

/** Ids of a table that start with a prefix (`base-`): those freeId must not pick. */
const TAKEN_IDS = {
  communities: 'SELECT id FROM communities WHERE substr(id, 1, CAST(? AS INTEGER)) = ?',
  venues: 'SELECT id FROM venues WHERE substr(id, 1, CAST(? AS INTEGER)) = ?',
  entrances: 'SELECT id FROM entrances WHERE substr(id, 1, CAST(? AS INTEGER)) = ?',
  venue_staff: 'SELECT id FROM venue_staff WHERE substr(id, 1, CAST(? AS INTEGER)) = ?',
} as const;

async function takenIds(q: Sql, table: keyof typeof TAKEN_IDS, base: string): Promise<Set<string>> {
  const prefix = `${base}-`;
  return new Set((await q.all<{ id: string }>(TAKEN_IDS[table], [prefix.length, prefix])).map((r) => r.id));
}

/**
 * A row under the first free `base-k` id not in `taken` (which gains every id tried); `insert` returns
 * the rows it wrote: 0 when another hub took the id meanwhile, and the next one is tried.
 */
async function insertFresh(taken: Set<string>, base: string, insert: (id: string) => Promise<{ changes: number }>): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const id = freeId(base, (x) => taken.has(x));
    taken.add(id);
    if ((await insert(id)).changes === 1) return id;
  }
  throw new Error(`no free id for "${base}" after 10 tries`);
}

const SELECT_VENUE = `SELECT v.id, v.name, v.type, v.address, v.rated_capacity, v.opening_hours, v.utc_offset_minutes, v.officers,
          c.name AS community_name
     FROM venues v JOIN communities c ON c.id = v.community_id
    WHERE v.id = ?`;
const SELECT_ENTRANCES = 'SELECT id, name FROM entrances WHERE venue_id = ? ORDER BY id';
const SELECT_STAFF = 'SELECT id, name, role, pin_salt, pin_hash FROM venue_staff WHERE venue_id = ? AND active = 1 ORDER BY name';
const SELECT_ENTRANCE = 'SELECT id, venue_id, name FROM entrances WHERE id = ?';
// Bookings: a venue that never set bookings has no row, and its profile no `booking`.
const SELECT_BOOKING = 'SELECT mode, slot_minutes, slot_cap, max_party, days_ahead FROM venue_booking WHERE venue_id = ?';
const SELECT_SECRET = 'SELECT code_secret, poster_secret FROM venues WHERE id = ?';
const COUNT_VENUES = 'SELECT count(*) AS n FROM venues';
const COMMUNITY_ROWS = `SELECT c.id, c.name, (SELECT count(*) FROM venues v WHERE v.community_id = c.id) AS venues
     FROM communities c WHERE ${communityInScope('c')} ORDER BY c.name, c.id`;
const COMMUNITY_BY_ID = 'SELECT c.id, c.name, (SELECT count(*) FROM venues v WHERE v.community_id = c.id) AS venues FROM communities c WHERE c.id = ?';
const UPDATE_COMMUNITY_NAME = 'UPDATE communities SET name = ? WHERE id = ?';
const COMMUNITY_EXISTS = 'SELECT 1 AS one FROM communities WHERE id = ?';
const UPDATE_VENUE = `UPDATE venues SET name = ?, type = ?, address = ?, rated_capacity = ?,
          opening_hours = ?, utc_offset_minutes = ?, officers = ?, updated_at = ?
    WHERE id = ?`;
const RENAME_ENTRANCE = 'UPDATE entrances SET name = ? WHERE id = ?';
const ENTRANCE_IN_USE = `SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM kiosks WHERE entrance_id = ?)
      OR EXISTS (SELECT 1 FROM passes WHERE entrance_id = ?)`;
// Codes nobody used are worth nothing once their entrance is gone; a used one means a kiosk, which blocks removal.
const DELETE_ENTRANCE_CODES = 'DELETE FROM enrolment_codes WHERE entrance_id = ? AND used_at IS NULL';
const DELETE_ENTRANCE = 'DELETE FROM entrances WHERE id = ?';
const SELECT_STAFF_ROW = 'SELECT id, name, role, active FROM venue_staff WHERE id = ? AND venue_id = ?';
// A field left out (NULL) keeps its value; the casts tell PostgreSQL the type of a parameter that may be NULL.
const UPDATE_STAFF_ROW = `UPDATE venue_staff SET name = coalesce(CAST(? AS TEXT), name), role = coalesce(CAST(? AS TEXT), role),
          active = coalesce(CAST(? AS INTEGER), active),
          pin_salt = coalesce(CAST(? AS TEXT), pin_salt), pin_hash = coalesce(CAST(? AS TEXT), pin_hash)
    WHERE id = ? AND venue_id = ?`;

export function createVenueRepository(sql: Sql): VenueRepository {
  // Two saves of one venue by two hubs at once: the second waits for the first's commit (PostgreSQL
  // row lock) before it reads the venue's entrances; SQLite's BEGIN IMMEDIATE serialises them already.
  const venueCommunity = `SELECT community_id FROM venues WHERE id = ?${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`;

  async function registryRows(where: Scope | { venueId: string }): Promise<RegistryVenue[]> {
    const kind: ScopeKind = 'venueId' in where ? 'venue' : 'scope';
    const params = 'venueId' in where ? [where.venueId] : scopeParams(where);
    const q = REGISTRY_QUERIES[kind];
    // Issued together: on SQLite they run in the same tick (one consistent read), on PostgreSQL side by side.
    const [venues, entranceRows, staffRows] = await Promise.all([
      sql.all<RegistryVenueRow>(q.venues, params),
      sql.all<{ id: string; venue_id: string; name: string; kiosks: number; in_use: number }>(q.entrances, params),
      sql.all<{ id: string; venue_id: string; name: string; role: string; active: number }>(q.staff, params),
    ]);
    const entrances = byVenue(entranceRows);
    const staff = byVenue(staffRows);
    return venues.map((v) => ({
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

  /** The venue row's values in INSERT_VENUE's order, from name on (after id and community). */
  const venueValues = (d: Omit<NewVenue, 'id' | 'communityId'>) =>
    [
      d.name,
      d.type,
      d.address,
      d.ratedCapacity,
      d.openingHours === null ? null : JSON.stringify(d.openingHours),
      d.utcOffsetMinutes,
      JSON.stringify(Officers.parse(d.officers)),
    ] as const;

  async function addEntrances(tx: Sql, venueId: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const taken = await takenIds(tx, 'entrances', venueId);
    for (const name of names) await insertFresh(taken, venueId, (id) => tx.run(INSERT_ENTRANCE_FRESH, [id, venueId, name]));
  }

  async function createOne(tx: Sql, id: string | undefined, d: VenueDraft, now: number): Promise<string> {
    if (!(await tx.get(COMMUNITY_EXISTS, [d.communityId]))) throw new RegistryConflict(404, 'communityId', `no community "${d.communityId}"`);
    if (d.entrances.some((e) => e.id !== undefined)) throw new RegistryConflict(409, 'entrances', 'a new venue has only new entrances');
    const insert = (venueId: string) =>
      tx.run(INSERT_VENUE_FRESH, [venueId, d.communityId, ...venueValues(d), newSecret(), newSecret(), now]);
    let venueId: string;
    if (id === undefined) venueId = await insertFresh(await takenIds(tx, 'venues', d.communityId), d.communityId, insert);
    else if ((await insert(id)).changes === 0) throw new RegistryConflict(409, 'id', `a venue "${id}" exists already`);
    else venueId = id;
    await addEntrances(tx, venueId, d.entrances.map((e) => e.name));
    return venueId;
  }

  async function updateOne(tx: Sql, id: string, d: VenueDraft, now: number): Promise<string> {
    const current = await tx.get<{ community_id: string }>(venueCommunity, [id]);
    if (!current) throw new RegistryConflict(404, 'id', `no venue "${id}"`);
    // Kiosks join their community's policy room at connect: a move would leave them enforcing the old one.
    if (current.community_id !== d.communityId) {
      throw new RegistryConflict(409, 'communityId', 'a venue cannot move to another community; register it there anew');
    }
    const existing = new Map((await tx.all<{ id: string; name: string }>(SELECT_ENTRANCES, [id])).map((e) => [e.id, e.name]));
    d.entrances.forEach((e, i) => {
      if (e.id !== undefined && !existing.has(e.id)) throw new RegistryConflict(409, `entrances.${i}.id`, `"${e.id}" is not an entrance of this venue`);
    });
    const kept = new Set(d.entrances.flatMap((e) => (e.id === undefined ? [] : [e.id])));
    for (const [entranceId, name] of existing) {
      if (kept.has(entranceId)) continue;
      if (await tx.get(ENTRANCE_IN_USE, [entranceId, entranceId])) {
        throw new RegistryConflict(409, 'entrances', `entrance "${name}" has a kiosk or records: it can be renamed, not removed`);
      }
      // A kiosk enrolling there from another hub meanwhile holds the entrance (its foreign key): this delete then fails, and the save with it.
      await tx.run(DELETE_ENTRANCE_CODES, [entranceId]);
      await tx.run(DELETE_ENTRANCE, [entranceId]);
    }
    for (const e of d.entrances) if (e.id !== undefined && existing.get(e.id) !== e.name) await tx.run(RENAME_ENTRANCE, [e.name, e.id]);
    await addEntrances(tx, id, d.entrances.filter((e) => e.id === undefined).map((e) => e.name));
    await tx.run(UPDATE_VENUE, [...venueValues(d), now, id]);
    return id;
  }

  return {
    async addCommunity(c) {
      // The levels above it (its street, district, the city) are in force there from the start.
      await sql.transaction(async (tx) => {
        await tx.run(INSERT_COMMUNITY, [c.id, c.name, c.streetId ?? (await onlyStreet(tx))]);
        await refreshCommunityPolicies(tx, [c.id]);
      });
    },
    async add(v) {
      await sql.run(INSERT_VENUE, [v.id, v.communityId, ...venueValues(v), newSecret(), newSecret()]);
    },
    async addEntrance(e) {
      await sql.run(INSERT_ENTRANCE, [e.id, e.venueId, e.name]);
    },
    async addStaff(s) {
      StaffMember.shape.id.parse(s.id);
      Pin.parse(s.pin);
      const salt = newPinSalt();
      await sql.run(INSERT_STAFF, [s.id, s.venueId, s.name, s.role, salt, await hashPin(s.pin, salt)]);
    },
    async profile(venueId) {
      // Issued together (a kiosk's connect reads it): one tick on SQLite, side by side on PostgreSQL.
      const [row, booking, entrances, staff] = await Promise.all([
        sql.get<VenueRow>(SELECT_VENUE, [venueId]),
        sql.get<{ mode: string; slot_minutes: number; slot_cap: number; max_party: number; days_ahead: number }>(SELECT_BOOKING, [venueId]),
        sql.all<{ id: string; name: string }>(SELECT_ENTRANCES, [venueId]),
        sql.all<{ id: string; name: string; role: string; pin_salt: string; pin_hash: string }>(SELECT_STAFF, [venueId]),
      ]);
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
        entrances,
        staff: staff.map((s) => ({ id: s.id, name: s.name, role: s.role, pinSalt: s.pin_salt, pinHash: s.pin_hash })),
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
      const row = await sql.get<{ id: string; venue_id: string; name: string }>(SELECT_ENTRANCE, [entranceId]);
      return row ? { id: row.id, venueId: row.venue_id, name: row.name } : undefined;
    },
    async codeSecret(venueId) {
      return (await sql.get<{ code_secret: string | null }>(SELECT_SECRET, [venueId]))?.code_secret ?? undefined;
    },
    async posterSecret(venueId) {
      return (await sql.get<{ poster_secret: string | null }>(SELECT_SECRET, [venueId]))?.poster_secret ?? undefined;
    },
    async count() {
      return (await sql.get<{ n: number }>(COUNT_VENUES))!.n;
    },
    async createCommunity(c) {
      return sql.transaction(async (tx) => {
        const streetId = c.streetId ?? (await onlyStreet(tx));
        if (!(await tx.get('SELECT 1 AS one FROM streets WHERE id = ?', [streetId]))) throw new RegistryConflict(404, 'streetId', `no street "${streetId}"`);
        const insert = (id: string) => tx.run(INSERT_COMMUNITY_FRESH, [id, c.name, streetId]);
        let id: string;
        if (c.id === undefined) id = await insertFresh(await takenIds(tx, 'communities', 'c'), 'c', insert);
        else if ((await insert(c.id)).changes === 0) throw new RegistryConflict(409, 'id', `a community "${c.id}" exists already`);
        else id = c.id;
        // The levels above it (its street, district, the city) are in force there from the start.
        await refreshCommunityPolicies(tx, [id]);
        return { id, name: c.name, venues: 0 };
      });
    },
    async renameCommunity(id, name) {
      if ((await sql.run(UPDATE_COMMUNITY_NAME, [name, id])).changes === 0) return undefined;
      return sql.get<CommunityRow>(COMMUNITY_BY_ID, [id]);
    },
    async communities(scope) {
      return sql.all<CommunityRow>(COMMUNITY_ROWS, scopeParams(scope));
    },
    async list(scope, { communityId } = {}) {
      // A community asked for narrows the scope; one outside it (an inspector's other community) has none of its venues.
      if (communityId === undefined) return registryRows(scope);
      if (scope.communityId !== null && scope.communityId !== communityId) return [];
      return registryRows({ ...scope, communityId });
    },
    async get(id) {
      return (await registryRows({ venueId: id }))[0];
    },
    async save(changes, now) {
      return sql.transaction(async (tx) => {
        const ids: string[] = [];
        for (const c of changes) ids.push(c.kind === 'create' ? await createOne(tx, c.id, c.draft, now) : await updateOne(tx, c.id, c.draft, now));
        return ids;
      });
    },
    async updateStaff(venueId, staffId, edit) {
      if (!(await sql.get(SELECT_STAFF_ROW, [staffId, venueId]))) return undefined;
      let salt: string | null = null;
      let hash: string | null = null;
      if (edit.pin !== undefined) {
        salt = newPinSalt();
        hash = await hashPin(Pin.parse(edit.pin), salt);
      }
      await sql.run(UPDATE_STAFF_ROW, [
        edit.name ?? null,
        edit.role ?? null,
        edit.active === undefined ? null : edit.active ? 1 : 0,
        salt,
        hash,
        staffId,
        venueId,
      ]);
      const row = (await sql.get<{ id: string; name: string; role: string; active: number }>(SELECT_STAFF_ROW, [staffId, venueId]))!;
      return { id: row.id, name: row.name, role: row.role, active: row.active === 1 };
    },
    async createStaff(venueId, { name, role, pin }) {
      const salt = newPinSalt();
      const hash = await hashPin(Pin.parse(pin), salt);
      const base = `${venueId}-staff`;
      const id = await insertFresh(await takenIds(sql, 'venue_staff', base), base, (x) => sql.run(INSERT_STAFF_FRESH, [x, venueId, name, role, salt, hash]));
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
