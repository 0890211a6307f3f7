import type { FastifyBaseLogger } from 'fastify';
import type { Namespace } from 'socket.io';
import { DASHBOARD_NAMESPACE, type DashboardToHubEvents, type HubToDashboardEvents } from '../../../shared/events.js';
import type { AccountView } from '../../../shared/schemas/account.js';
import type { ApiError } from '../../../shared/schemas/errors.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import type { KioskView } from '../../../shared/schemas/kiosk-admin.js';
import type { PolicyChange } from '../../../shared/schemas/policy-admin.js';
import type { HubMeter } from '../metrics.js';
import { othersAnswer } from './others.js';

interface SocketData {
  account: AccountView;
}
/** What one hub process asks the others about their dashboards (as KioskPresenceEvents in kiosks.ts). */
interface DashboardPresenceEvents {
  'presence:street': (reply: (watching: boolean) => void) => void;
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

/** The street admin hears the whole street; an inspector, their community (each community checks its own venues, 000 §3; docs/inspectors-guide.md "Logging in"). */
export const STREET_ROOM = 'street';
export const communityRoom = (communityId: string): string => `community:${communityId}`;

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
  // Another hub process asking whether a street admin watches here (streetWatching).
  nsp.on('presence:street', (reply) => reply(watchingHere(io)));
  nsp.on('connection', (socket) => {
    const { account } = socket.data;
    const room = account.role === 'street_admin' || account.communityId === null ? STREET_ROOM : communityRoom(account.communityId);
    void socket.join(room);
    log.info({ accountId: account.id, room }, 'dashboard connected');
  });
}

/** Sends each flag to the street admin and to the inspectors of its community (once to a socket in both). */
export function pushFlags(io: HasNamespaces, flags: readonly Flag[]): void {
  const nsp = dashboards(io);
  for (const flag of flags) nsp.to(STREET_ROOM).to(communityRoom(flag.communityId)).emit('flag:raised', flag);
}

/** Tells the street admin's dashboards a policy switched or a switch was scheduled or cancelled: policy is the admin's business. */
export function pushPolicyChange(io: HasNamespaces, change: PolicyChange): void {
  dashboards(io).to(STREET_ROOM).emit('policy:changed', change);
}

/**
 * Sends a kiosk's view to the street admin only: enrolling, revoking and
 * watching tablets is the street office's business, and a kiosk's
 * backlog and clock say nothing an inspector acts on.
 */
/** Whether a street admin's dashboard is connected to this process. */
function watchingHere(io: HasNamespaces): boolean {
  return (dashboards(io).adapter.rooms.get(STREET_ROOM)?.size ?? 0) > 0;
}

/**
 * How long the other processes' answer to "is a street admin watching?" is
 * kept: a street of tablets reconnecting to one process asks once per
 * WATCHING_TTL_MS, not once per tablet. A dashboard that opens meanwhile on
 * another process misses the kiosk views of at most that long (it reads the
 * list when it opens).
 */
export const WATCHING_TTL_MS = 2_000;
const watchingElsewhere = new WeakMap<object, { until: number; watching: Promise<boolean> }>();

/** Whether any street admin's dashboard is connected, to this or another hub process, to hear kiosk views (none: the view need not be read). */
export async function streetWatching(io: HasNamespaces): Promise<boolean> {
  if (watchingHere(io)) return true;
  const nsp = dashboards(io);
  if ((await nsp.adapter.serverCount()) <= 1) return false;
  const known = watchingElsewhere.get(nsp);
  if (known && known.until > performance.now()) return known.watching;
  const watching = othersAnswer(nsp, () => nsp.serverSideEmitWithAck('presence:street')).then((answers) => answers.includes(true));
  watchingElsewhere.set(nsp, { until: performance.now() + WATCHING_TTL_MS, watching });
  return watching;
}

export function pushKiosk(io: HasNamespaces, kiosk: KioskView): void {
  dashboards(io).to(STREET_ROOM).emit('kiosk:status', kiosk);
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
