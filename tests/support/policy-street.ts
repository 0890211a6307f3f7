import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from './store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { DASHBOARD_NAMESPACE, type HubToDashboardEvents } from '../../shared/events.js';
import type { PolicyChange } from '../../shared/schemas/policy-admin.js';
import type { Policy } from '../../shared/schemas/policy.js';
import { cstAt, cstMonday } from './clock.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir, type KioskClient } from './hub.js';
import { inspectorSession } from './inspector.js';

// No vitest import: a Playwright spec may start this street too.

export const ADMIN_PASSWORD = 'street admin password';
export const INSPECTOR_PASSWORD = 'community inspector password';

/** A clock the test moves: the hub, its sessions and its scheduler all read it. */
export interface TestClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

/**
 * Starts by default at 10:00 venue time (UTC+8) on the Monday of the current week there, read from
 * the wall clock when the street starts: a weekday morning, hours from the venue day's edges.
 */
export function testClock(start = cstAt(cstMonday(0), 10)): TestClock {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms), advance: (ms) => (t += ms) };
}

export interface PolicyStreet {
  app: FastifyInstance;
  store: Store;
  url: string;
  dbFile: string;
  clock: TestClock;
  /** venue-a in community c-venue-a, venue-b in c-venue-b: a KTV with one enrolled kiosk each. */
  doors: Record<'a' | 'b', { kiosk: KioskIdentity; token: string }>;
  /** Signed in over real HTTP: the street admin, and the inspector of c-venue-a. */
  admin: ReturnType<typeof inspectorSession>;
  inspector: ReturnType<typeof inspectorSession>;
  close(): Promise<void>;
}

/** Two communities with a venue and a kiosk each, a real hub on 127.0.0.1, a street admin and an inspector logged in. */
export async function startPolicyStreet(clock = testClock()): Promise<PolicyStreet> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  const dbFile = store.location;
  const doors = {
    a: await enrolKiosk(store, await seedVenue(store, 'venue-a')),
    b: await enrolKiosk(store, await seedVenue(store, 'venue-b')),
  };
  await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: ADMIN_PASSWORD }, clock.now());
  await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: INSPECTOR_PASSWORD }, clock.now());
  const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'no-kiosk-build'), now: clock.now }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const admin = inspectorSession(url);
  await admin.login('admin', ADMIN_PASSWORD);
  const inspector = inspectorSession(url);
  await inspector.login('inspector-a', INSPECTOR_PASSWORD);
  return {
    app,
    store,
    url,
    dbFile,
    clock,
    doors,
    admin,
    inspector,
    async close() {
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}

/** A kiosk socket that keeps every policy the hub pushes, in order (the first is the one sent on connect). */
export async function policyKiosk(url: string, token: string): Promise<{ socket: KioskClient; policies: Policy[]; next(version: number): Promise<Policy> }> {
  const policies: Policy[] = [];
  const waiting: { version: number; resolve: (p: Policy) => void }[] = [];
  let first: () => void;
  const sent = new Promise<void>((resolve) => (first = resolve));
  const socket = await connectKiosk(url, token, (s) =>
    s.on('policy:update', (p) => {
      policies.push(p);
      first();
      for (const w of waiting.filter((w) => w.version === p.version)) w.resolve(p);
    }),
  );
  // The policy in force, which the hub sends every kiosk on connect (read from the store after the
  // connect is acked: on PostgreSQL it can arrive after the connect resolved).
  await sent;
  return {
    socket,
    policies,
    next: (version) => {
      const seen = policies.find((p) => p.version === version);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiting.push({ version, resolve }));
    },
  };
}

/**
 * The street admin's dashboard socket, signed in with the session cookie,
 * keeping every policy change it hears; `next(kind)` is the next one of that
 * kind heard after the call (call it before the act that causes it).
 */
export async function policyDashboard(url: string, cookies: Record<string, string>): Promise<{ socket: Socket<HubToDashboardEvents>; changes: PolicyChange[]; next(kind: PolicyChange['kind']): Promise<PolicyChange> }> {
  const socket: Socket<HubToDashboardEvents> = io(`${url}${DASHBOARD_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    autoConnect: false,
    // Its own connection: socket.io-client would otherwise share a kiosk's connection to the same hub, without this cookie.
    forceNew: true,
    extraHeaders: { cookie: `vc_session=${cookies.vc_session ?? ''}` },
  });
  const changes: PolicyChange[] = [];
  const waiting: { kind: PolicyChange['kind']; resolve: (c: PolicyChange) => void }[] = [];
  socket.on('policy:changed', (c) => {
    changes.push(c);
    for (const w of waiting.filter((w) => w.kind === c.kind)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(c);
    }
  });
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return {
    socket,
    changes,
    next: (kind) => new Promise((resolve) => waiting.push({ kind, resolve })),
  };
}
