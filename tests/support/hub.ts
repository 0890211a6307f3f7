import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { buildHub, type AppOptions } from '../../hub/src/app.js';
import { newHubKeys } from '../../hub/src/keys.js';
import type { Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { DASHBOARD_NAMESPACE, KIOSK_NAMESPACE, type HubToDashboardEvents, type HubToKioskEvents, type KioskToHubEvents } from '../../shared/events.js';
import type { KioskAuth } from '../../shared/schemas/sync.js';
import type { FastifyInstance } from 'fastify';
import type { VenueType } from '../../shared/schemas/venue.js';
import { openTestStore } from './store.js';

export type KioskClient = Socket<HubToKioskEvents, KioskToHubEvents>;
export type DashboardClient = Socket<HubToDashboardEvents>;

/** A venue with one entrance, as the street office would register it. */
export async function seedVenue(
  store: Store,
  venueId = 'venue-a',
  { type = 'ktv', ratedCapacity = 100 }: { type?: VenueType; ratedCapacity?: number } = {},
): Promise<string> {
  await store.venues.addCommunity({ id: `c-${venueId}`, name: '测试社区' });
  await store.venues.add({
    id: venueId,
    communityId: `c-${venueId}`,
    name: '测试KTV',
    type,
    address: '测试路1号',
    ratedCapacity,
    openingHours: null,
    utcOffsetMinutes: 480,
    officers: { prevention: { name: '赵敏', phone: '13800000001' } },
  });
  await store.venues.addStaff({ id: `${venueId}-staff-1`, venueId, name: '王芳', role: '门岗', pin: '1234' });
  await store.venues.addStaff({ id: `${venueId}-staff-2`, venueId, name: '李强', role: '门岗', pin: '5678' });
  const entranceId = `${venueId}-1`;
  await store.venues.addEntrance({ id: entranceId, venueId, name: '正门' });
  return entranceId;
}

/** Enrols a kiosk at the entrance through the store, as POST /api/kiosks/enrol does. */
export async function enrolKiosk(store: Store, entranceId: string): Promise<{ kiosk: KioskIdentity; token: string }> {
  const code = await store.kiosks.issueEnrolmentCode(entranceId, Date.now(), 60_000);
  const out = await store.kiosks.enrol(code, Date.now());
  if (!out.ok) throw new Error(`enrolment failed: ${out.reason}`);
  return { kiosk: out.kiosk, token: out.token };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'venue-hub-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestHub {
  app: FastifyInstance;
  store: Store;
  url: string;
  /** The SQLite file (readDb); on PostgreSQL (npm run test:postgres) the database URL, which readDb cannot open. */
  dbFile: string;
  kiosk: KioskIdentity;
  token: string;
  close(): Promise<void>;
}

/** The hub's options as server.ts builds them, with fresh keys and the built pages of this checkout. */
export async function hubOptions(store: Store, over: Partial<AppOptions> = {}): Promise<AppOptions> {
  return {
    store,
    keys: await newHubKeys(),
    kioskDist: join(process.cwd(), 'kiosk/dist'),
    uiDist: join(process.cwd(), 'hub/ui/dist'),
    ...over,
  };
}

/**
 * A real hub on 127.0.0.1 (random port) over a real SQLite file in a temp dir (or a fresh PostgreSQL
 * database under npm run test:postgres: openTestStore), with one enrolled kiosk.
 * `now` sets the hub's clock (the kiosk is enrolled by the wall clock).
 */
export async function startTestHub({
  now,
  kioskLimits,
  metricsToken,
}: { now?: () => number; kioskLimits?: AppOptions['kioskLimits']; metricsToken?: string } = {}): Promise<TestHub> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  const dbFile = store.location;
  const entranceId = await seedVenue(store);
  const { kiosk, token } = await enrolKiosk(store, entranceId);
  const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'no-kiosk-build'), ...(now ? { now } : {}), ...(kioskLimits ? { kioskLimits } : {}), metricsToken }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    app,
    store,
    dbFile,
    kiosk,
    token,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}

/**
 * A connected kiosk socket; rejects with the hub's refusal if it is refused.
 * `listen` attaches handlers before connecting, as the kiosk does: events the
 * hub sends on connect can arrive in the same chunk as the connect itself.
 */
export function connectKiosk(
  url: string,
  auth?: string | KioskAuth,
  listen?: (socket: KioskClient) => void,
): Promise<KioskClient> {
  const socket: KioskClient = io(`${url}${KIOSK_NAMESPACE}`, {
    // A token alone, or the whole handshake (with the leftSince cursor of "I have left", and the kiosk's status).
    auth: auth === undefined ? {} : typeof auth === 'string' ? { token: auth } : auth,
    reconnection: false,
    transports: ['websocket'],
    autoConnect: false,
  });
  listen?.(socket);
  socket.connect();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** A dashboard's live socket with a session cookie header (`vc_session=…`), as the browser opens it; rejects if refused. */
export function connectDashboard(url: string, cookie: string, listen?: (socket: DashboardClient) => void): Promise<DashboardClient> {
  // Its own connection (forceNew): headers are per connection, and a kiosk socket of the same test
  // must not share it (cutting a revoked kiosk closes its whole connection).
  const socket: DashboardClient = io(`${url}${DASHBOARD_NAMESPACE}`, { extraHeaders: { cookie }, forceNew: true, reconnection: false, transports: ['websocket'], autoConnect: false });
  listen?.(socket);
  socket.connect();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** The hub in this process on a fixed port, serving the built kiosk, so a test can also act as the street office. */
export async function listenHub(store: Store, port: number): Promise<FastifyInstance> {
  const app = await buildHub(await hubOptions(store), { forceCloseConnections: true });
  await app.listen({ port, host: '127.0.0.1' });
  return app;
}

/**
 * Reads the hub's SQLite file through a separate read-only connection, as an outside observer would.
 * SQLite only: a test meant to run on PostgreSQL too (npm run test:postgres) reads with `store.sql`.
 */
export function readDb<T>(dbFile: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * Opens the patron page of a venue code as a phone does, and answers what its
 * form sends back with a declaration: the code and the ticket the hub signed in.
 */
export async function patronForm(url: string, venueCode: string): Promise<{ venueCode: string; ticket: string }> {
  const page = await fetch(`${url}/v/${venueCode}`);
  const ticket = /data-ticket="([^"]+)"/.exec(await page.text())?.[1];
  if (page.status !== 200 || !ticket) throw new Error(`no patron page for ${venueCode}: ${page.status}`);
  return { venueCode, ticket };
}

/**
 * The accounts most hub tests sign in as, all with `password`: `admin` (the street admin) and
 * `inspector-a`, `inspector-b` … for the communities `c-venue-a`, `c-venue-b` … that `seedVenue`
 * makes for `venue-a`, `venue-b` ….
 */
export async function seedAccounts(store: Store, password: string, at: number, inspectorsOf: readonly string[] = ['a', 'b']): Promise<void> {
  await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password }, at);
  for (const x of inspectorsOf) await store.accounts.create({ name: `inspector-${x}`, role: 'community_inspector', communityId: `c-venue-${x}`, password }, at);
}
