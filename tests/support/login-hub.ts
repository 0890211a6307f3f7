import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildHub } from '../../hub/src/app.js';
import { newHubKeys, type HubKeys } from '../../hub/src/keys.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { openTestStore } from './store.js';
import { hubOptions, seedVenue, tempDir } from './hub.js';
import { inspectorSession } from './inspector.js';
import { testClock, type TestClock } from './policy-street.js';

export const ADMIN_PASSWORD = 'correct horse battery';
export const INSPECTOR_PASSWORD = 'another long secret';

export interface LoginHub {
  app: FastifyInstance;
  store: Store;
  url: string;
  dbFile: string;
  keys: HubKeys;
  clock: TestClock;
  /** The hub's log lines, parsed. */
  lines: { level: number; msg: string; [k: string]: unknown }[];
  /** A browser at `ip` (X-Forwarded-For through the trusted proxy), over real HTTP. */
  browser(ip?: string): ReturnType<typeof inspectorSession>;
  /** Stops the hub and starts another on the same database file and keys, as a restart does. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real hub on 127.0.0.1 behind a trusted proxy (TRUST_PROXY), so each test browser can stand
 * for another address, with a test clock and its log captured: the accounts' side of
 * docs/security.md ("Rate limits", "The inspectors' side"). Accounts: `admin` (street admin) and
 * `inspector-a` (community c-venue-a).
 */
export async function startLoginHub(clock = testClock()): Promise<LoginHub> {
  const tmp = tempDir();
  const opened = await openTestStore(tmp.dir);
  const dbFile = opened.location;
  // Restarted on the same file or database (restart below), as the hub process would be.
  let store: Store = opened;
  await seedVenue(store);
  await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: ADMIN_PASSWORD }, clock.now());
  await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: INSPECTOR_PASSWORD }, clock.now());
  const keys = await newHubKeys();
  const lines: LoginHub['lines'] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LoginHub['lines'][number]);
      done();
    },
  });
  const start = async () => {
    const app = await buildHub(await hubOptions(store, { keys, kioskDist: join(tmp.dir, 'none'), now: clock.now, trustProxy: true }), {
      trustProxy: true,
      logger: { level: 'info', stream },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    return { app, url: `http://127.0.0.1:${address.port}` };
  };
  let running = await start();
  const hub: LoginHub = {
    app: running.app,
    store,
    url: running.url,
    dbFile,
    keys,
    clock,
    lines,
    browser: (ip = '203.0.113.1') => inspectorSession(hub.url, { 'x-forwarded-for': ip }),
    async restart() {
      await running.app.close();
      await store.close();
      store = await openStore(dbFile);
      running = await start();
      Object.assign(hub, { app: running.app, store, url: running.url });
    },
    async close() {
      await running.app.close();
      await store.close();
      tmp.remove();
    },
  };
  return hub;
}
