import type { FastifyBaseLogger } from 'fastify';
import type { Namespace } from 'socket.io';
import { DASHBOARD_NAMESPACE, type DashboardToHubEvents, type HubToDashboardEvents } from '../../../shared/events.js';
import type { AccountView } from '../../../shared/schemas/account.js';
import type { ApiError } from '../../../shared/schemas/errors.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import type { KioskView } from '../../../shared/schemas/kiosk-admin.js';
import type { PolicyChange } from '../../../shared/schemas/policy-admin.js';
import type { HubMeter } from '../metrics.js';
import type { OrganisationRepository, Place } from '../store/organisation.js';
import type { Scope } from '../store/scope.js';
import { othersAnswer } from './others.js';

interface SocketData {
  account: AccountView;
}
/** What one hub process asks the others about their dashboards (as KioskPresenceEvents in kiosks.ts). */
interface DashboardPresenceEvents {
  'presence:street': (street: StreetPlace, reply: (watching: boolean) => void) => void;
}
type DashboardNamespace = Namespace<DashboardToHubEvents, HubToDashboardEvents, DashboardPresenceEvents, SocketData>;

/** Anything that has namespaces: the hub's one socket.io server, whatever its kiosk-side typing. */
interface HasNamespaces {
  of(name: string): unknown;
}

export interface DashboardSocketDeps {
  /** The account behind the request's session cookie, or undefined (hub/src/auth.ts). */
  authenticate: (cookieHeader: string | undefined) => Promise<AccountView | undefined>;
  log: FastifyBaseLogger;
  /** Database errors, for /metrics (hub/src/metrics.ts). */
  meter: HubMeter;
}

/**
 * Rooms by scope (docs/architecture.md "Streets as tenants"): a dashboard joins the one room of
 * its account's scope. An inspector hears its community (each community checks its own venues,
 * 000 §3; docs/inspectors-guide.md "Logging in"); the street admin its street; a district admin
 * its district; the city admin the city. What happens at a place goes to the rooms above it, never
 * to another street's.
 */
export const CITY_ROOM = 'city';
export const districtRoom = (districtId: string): string => `district:${districtId}`;
export const streetRoom = (streetId: string): string => `street:${streetId}`;
export const communityRoom = (communityId: string): string => `community:${communityId}`;

/** A street and its district: where an admin's rooms are found. */
export type StreetPlace = Pick<Place, 'streetId' | 'districtId'>;

/** The room of an account's scope: the one its dashboards join. */
export function dashboardRoom(account: AccountView): string {
  switch (account.role) {
    case 'city_admin':
      return CITY_ROOM;
    case 'district_admin':
      return districtRoom(account.districtId!);
    case 'street_admin':
      return streetRoom(account.streetId!);
    case 'community_inspector':
      return communityRoom(account.communityId!);
  }
}

/** The admins who hear about a street: its own, its district's and the city's. */
export const adminRooms = (place: StreetPlace): string[] => [streetRoom(place.streetId), districtRoom(place.districtId), CITY_ROOM];

/** Everyone who hears about a community: its inspectors and the admins above it. */
export const placeRooms = (place: Place): string[] => [communityRoom(place.communityId), ...adminRooms(place)];

/** Where a community is (store.organisation): the rooms of a push are found from it. */
export type Organisation = Pick<OrganisationRepository, 'placeOfCommunity' | 'street' | 'streets'>;

/**
 * The one server carries the kiosks' and the dashboards' namespaces; socket.io
 * types the server by one set of event maps, so this namespace is re-typed by
 * its own maps here, once.
 */
const dashboards = (io: HasNamespaces) => io.of(DASHBOARD_NAMESPACE) as DashboardNamespace;

function refusal(error: ApiError): Error & { data: ApiError } {
  return Object.assign(new Error(error.message), { data: error });
}

/**
 * The dashboards' namespace: a signed-in inspector's page connects
 * with its session cookie (SameSite=Strict, so another site cannot open it
 * with the inspector's session) and hears flags as they are raised. Nothing
 * is read from the socket: inspectors act over HTTP.
 */
export function registerDashboardSockets(io: HasNamespaces, { authenticate, log, meter }: DashboardSocketDeps): void {
  const nsp = dashboards(io);
  nsp.use(async (socket, next) => {
    try {
      const account = await authenticate(socket.handshake.headers.cookie);
      if (!account) return next(refusal({ code: 'unauthorized', message: 'sign in to see flags' }));
      socket.data.account = account;
      next();
    } catch (err) {
      meter.dbError('read');
      log.error({ err }, 'dashboard authentication failed');
      next(refusal({ code: 'internal', message: 'the hub could not check the session' }));
    }
  });
  // Another hub process asking whether an admin of a street watches here (streetWatching).
  nsp.on('presence:street', (street, reply) => reply(watchingHere(io, street)));
  nsp.on('connection', (socket) => {
    const { account } = socket.data;
    const room = dashboardRoom(account);
    void socket.join(room);
    log.info({ accountId: account.id, room }, 'dashboard connected');
  });
}

/**
 * Sends each flag to the inspectors of its community and to the admins of its street, district
 * and city (once to a socket in several); never to another street's. A flag of a community that
 * is gone meanwhile goes to the community's room alone.
 */
export async function pushFlags(io: HasNamespaces, org: Pick<Organisation, 'placeOfCommunity'>, flags: readonly Flag[]): Promise<void> {
  const nsp = dashboards(io);
  const places = new Map<string, string[]>();
  for (const flag of flags) {
    let rooms = places.get(flag.communityId);
    if (!rooms) {
      const place = await org.placeOfCommunity(flag.communityId);
      places.set(flag.communityId, (rooms = place ? placeRooms(place) : [communityRoom(flag.communityId)]));
    }
    nsp.to(rooms).emit('flag:raised', flag);
  }
}

/**
 * The admin rooms a policy of a level concerns (policy is the admins' business; inspectors read it
 * on the page): a community's or a street's admins above it, a district's admins and those of its
 * streets, the city's everyone's. A street-wide level whose street is not named is the deployment's
 * only street, or with several the city's admins alone.
 */
export async function policyRooms(org: Organisation, level: Scope): Promise<string[]> {
  if (level.communityId !== null) {
    const place = await org.placeOfCommunity(level.communityId);
    return place ? adminRooms(place) : [CITY_ROOM];
  }
  if (level.streetId !== null) {
    const street = await org.street(level.streetId);
    return street ? adminRooms({ streetId: street.id, districtId: street.districtId }) : [CITY_ROOM];
  }
  const streets = await org.streets();
  if (level.districtId !== null) {
    return [CITY_ROOM, districtRoom(level.districtId), ...streets.filter((s) => s.districtId === level.districtId).map((s) => streetRoom(s.id))];
  }
  return [CITY_ROOM, ...new Set(streets.map((s) => districtRoom(s.districtId))), ...streets.map((s) => streetRoom(s.id))];
}

/** Tells the admins a policy of this level concerns that it switched or a switch was scheduled or cancelled. */
export async function pushPolicyChange(io: HasNamespaces, org: Organisation, change: PolicyChange, level: Scope): Promise<void> {
  dashboards(io).to(await policyRooms(org, level)).emit('policy:changed', change);
}

/** Whether an admin of this street (its own, its district's or the city's) has a dashboard connected to this process. */
function watchingHere(io: HasNamespaces, street: StreetPlace): boolean {
  const rooms = dashboards(io).adapter.rooms;
  return adminRooms(street).some((room) => (rooms.get(room)?.size ?? 0) > 0);
}

/**
 * How long the other processes' answer to "is a street admin watching?" is
 * kept: a street of tablets reconnecting to one process asks once per
 * WATCHING_TTL_MS, not once per tablet. A dashboard that opens meanwhile on
 * another process misses the kiosk views of at most that long (it reads the
 * list when it opens).
 */
export const WATCHING_TTL_MS = 2_000;
const watchingElsewhere = new WeakMap<object, Map<string, { until: number; watching: Promise<boolean> }>>();

/**
 * Whether any admin's dashboard may be watching: one is connected here, or another hub process
 * runs (asked per street by streetWatching). None: a kiosk's view and its place need not be read,
 * so a street of tablets reconnecting costs no reads when nobody is watching.
 */
export async function anyAdminMayWatch(io: HasNamespaces): Promise<boolean> {
  const nsp = dashboards(io);
  for (const [room, sockets] of nsp.adapter.rooms) {
    if (sockets.size > 0 && (room === CITY_ROOM || room.startsWith('street:') || room.startsWith('district:'))) return true;
  }
  return (await nsp.adapter.serverCount()) > 1;
}

/**
 * Whether an admin of this street (its own, its district's or the city's) has a dashboard
 * connected, to this or another hub process, to hear kiosk views (none: the view need not be read).
 */
export async function streetWatching(io: HasNamespaces, street: StreetPlace): Promise<boolean> {
  if (watchingHere(io, street)) return true;
  const nsp = dashboards(io);
  if ((await nsp.adapter.serverCount()) <= 1) return false;
  const perStreet = watchingElsewhere.get(nsp) ?? watchingElsewhere.set(nsp, new Map()).get(nsp)!;
  const known = perStreet.get(street.streetId);
  if (known && known.until > performance.now()) return known.watching;
  const place = { streetId: street.streetId, districtId: street.districtId };
  const watching = othersAnswer(nsp, () => nsp.serverSideEmitWithAck('presence:street', place)).then((answers) => answers.includes(true));
  perStreet.set(street.streetId, { until: performance.now() + WATCHING_TTL_MS, watching });
  return watching;
}

/**
 * Sends a kiosk's view to the admins of its street, district and city only: enrolling, revoking
 * and watching tablets is the street office's business (read above it), and a kiosk's backlog
 * and clock say nothing an inspector acts on.
 */
export function pushKiosk(io: HasNamespaces, street: StreetPlace, kiosk: KioskView): void {
  dashboards(io).to(adminRooms(street)).emit('kiosk:status', kiosk);
}

/**
 * Disconnects dashboards whose session has ended (logout, expiry, a password
 * reset): a socket is checked at its handshake, so it is checked again here.
 */
export async function dropEndedSessions(io: HasNamespaces, authenticate: DashboardSocketDeps['authenticate']): Promise<number> {
  let dropped = 0;
  for (const socket of dashboards(io).sockets.values()) {
    if (await authenticate(socket.handshake.headers.cookie)) continue;
    socket.disconnect(true);
    dropped++;
  }
  return dropped;
}
