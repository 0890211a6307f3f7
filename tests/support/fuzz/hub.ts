import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { z } from 'zod';
import { hubApp } from '../../../hub/src/app.js';
import { errorServerOptions } from '../../../hub/src/errors.js';
import type { Store } from '../../../hub/src/store/index.js';
import { openTestStore } from '../store.js';
import type { KioskIdentity } from '../../../hub/src/store/kiosks.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../hub.js';

/** A route as the hub declared it: what the fuzz suite sends to. */
export interface DeclaredRoute {
  method: string;
  url: string;
  schema: { params?: z.ZodType; querystring?: z.ZodType; body?: z.ZodType };
}

/** A line the hub logged at level error (50) or above. */
export interface ErrorLine {
  level: number;
  msg: string;
  err?: { message?: string; stack?: string };
  [key: string]: unknown;
}

export type Identity = 'anonymous' | 'admin' | 'inspector';

export interface FuzzHub {
  app: FastifyInstance;
  store: Store;
  url: string;
  dbFile: string;
  /** Every route the hub declared (Fastify's onRoute), HEAD included. */
  routes: DeclaredRoute[];
  /** What the hub logged at level error, in order. */
  errors: ErrorLine[];
  kiosk: KioskIdentity;
  token: string;
  /** Ids that name real things, so generated requests get past "not found" too. */
  knownIds: string[];
  /** Rows per table of the database (store.sql, on SQLite or PostgreSQL). */
  counts(): Promise<Record<string, number>>;
  /** The cookie header and CSRF token of a fresh session of this identity (none for anonymous). */
  session(identity: Identity): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

const PASSWORD = 'fuzz suite password';

/**
 * A real hub on 127.0.0.1 over a real SQLite file for the fuzz suite: two communities with a venue
 * each, a kiosk enrolled at the first, a street admin and an inspector of the first community. Its
 * routes are collected as Fastify declares them, so a new route is fuzzed (or the suite fails)
 * without editing the suite; its log at level error is kept to assert on.
 */
export async function startFuzzHub({ now = Date.now }: { now?: () => number } = {}): Promise<FuzzHub> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  const dbFile = store.location;
  const entranceId = await seedVenue(store, 'venue-a');
  await seedVenue(store, 'venue-b');
  const { kiosk, token } = await enrolKiosk(store, entranceId);
  const admin = await store.accounts.create({ name: 'fuzz-admin', role: 'street_admin', communityId: null, password: PASSWORD }, now());
  const inspector = await store.accounts.create({ name: 'fuzz-inspector', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, now());

  const errors: ErrorLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) errors.push(JSON.parse(line) as ErrorLine);
      done();
    },
  });
  const routes: DeclaredRoute[] = [];
  const app = Fastify({ logger: { level: 'error', stream }, ...errorServerOptions });
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: (route.schema ?? {}) as DeclaredRoute['schema'] });
  });
  await app.register(hubApp, await hubOptions(store, builtApps(tmp.dir, now)));
  await app.ready();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;

  // Every table's rows in one statement both databases accept (the list from the database's own catalogue).
  const tableList =
    store.sql.dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name";
  const tables = (await store.sql.all<{ name: string }>(tableList)).map((t) => t.name);
  const countAll = `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(', ')}`;

  const ids = { admin: admin.id, inspector: inspector.id };
  async function session(identity: Identity) {
    if (identity === 'anonymous') return { cookie: '', csrf: '' };
    const sessionToken = await store.accounts.startSession(ids[identity], now());
    const res = await fetch(`${url}/api/auth/csrf`, { headers: { cookie: `vc_session=${sessionToken}` } });
    const csrfCookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    const { token: csrf } = (await res.json()) as { token: string };
    return { cookie: `vc_session=${sessionToken}; ${csrfCookie}`, csrf };
  }

  return {
    app,
    store,
    url,
    dbFile,
    routes,
    errors,
    kiosk,
    token,
    knownIds: ['venue-a', 'venue-b', entranceId, 'venue-b-1', 'c-venue-a', 'c-venue-b', kiosk.id, 'venue-a-staff-1', admin.id, '1'],
    counts: async () => (await store.sql.get<Record<string, number>>(countAll))!,
    session,
    async close() {
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}

/**
 * Stand-ins for the built kiosk app and hub pages (a few small files where `npm run build` puts
 * many), so the static routes the hub declares only when its apps are built are fuzzed too.
 */
function builtApps(dir: string, now: () => number) {
  const kioskDist = join(dir, 'kiosk-dist');
  const uiDist = join(dir, 'ui-dist');
  mkdirSync(join(kioskDist, 'assets'), { recursive: true });
  mkdirSync(uiDist, { recursive: true });
  writeFileSync(join(kioskDist, 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(kioskDist, 'sw.js'), '');
  writeFileSync(join(kioskDist, 'assets', 'x.js'), 'export {};');
  for (const name of ['dashboard', 'patron', 'booking', 'pass']) writeFileSync(join(uiDist, `${name}.js`), 'export {};');
  return { kioskDist, uiDist, now };
}

/** Watches the process for errors nobody caught while `run` goes on; returns them. */
export async function uncaughtDuring(run: () => Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  const onError = (err: unknown) => caught.push(err);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  try {
    await run();
  } finally {
    process.off('unhandledRejection', onError);
    process.off('uncaughtException', onError);
  }
  return caught;
}
