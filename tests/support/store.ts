import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../../hub/src/store/index.js';
import { startPostgres } from './postgres.js';


/**
 * The one way tests open a store (docs/testing.md "PostgreSQL"): a real SQLite
 * file in a temp dir by default, or under HUB_TEST_STORE=postgres a fresh
 * database of the run's own PostgreSQL (tests/support/postgres.ts), copied
 * from the migrated template, so every store starts empty and tests stay
 * independent. Closing the store removes the temp dir when this made it; a
 * database stays until the run's server is removed, so a test can close the
 * store and open its `location` again, as a restarted hub does (openStore).
 *
 * The store it returns also says where it is: `location` (the SQLite file or
 * the database URL, for openStore again or a hub process's DATA_DIR /
 * DATABASE_URL) and `dbFile` (the file, on SQLite only).
 */

/** Whether this run keeps its stores in PostgreSQL (npm run test:postgres). */
export const onPostgres = process.env.HUB_TEST_STORE === 'postgres';

let made = 0;

/** A fresh, empty, migrated PostgreSQL database of this run's server; its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const server = inject('postgres');
  if (!server) throw new Error('HUB_TEST_STORE=postgres needs the globalSetup of vitest.postgres.config.ts (npm run test:postgres)');
  // Unique across the run's worker processes.
  const name = `t_${process.pid}_${++made}`;
  const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${server.template}`);
  } finally {
    await admin.end();
  }
  return `${server.url}/${name}`;
}

export interface TestPostgresServer {
  url: string;
  /** A new empty database (no schema) named after `name` and this process; its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server if this file started it (the run's own is stopped by its globalSetup). */
  stop(): void;
}

/**
 * A PostgreSQL server for tests of the PostgreSQL side itself (postgres-store.test.ts,
 * schema-parity.test.ts), which run in every run: the run's own under
 * npm run test:postgres, else one started for the file.
 */
export async function testPostgresServer(): Promise<TestPostgresServer> {
  const provided = inject('postgres');
  const server = provided ? { url: provided.url, stop() {} } : await startPostgres();
  return {
    url: server.url,
    async createDatabase(name) {
      const unique = `${name}_${process.pid}_${++made}`;
      const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${unique}`);
      } finally {
        await admin.end();
      }
      return `${server.url}/${unique}`;
    },
    stop: () => server.stop(),
  };
}

/**
 * A store for a test. `dir`: where a SQLite file goes (hub.sqlite in it; kept
 * when given, a temp dir removed at close otherwise: give one to reopen the
 * store). Ignored on PostgreSQL.
 */
export async function openTestStore(dir?: string, options: StoreOptions = {}): Promise<Store & { location: string; dbFile: string | undefined }> {
  if (onPostgres) {
    const db = await freshPostgresDatabase();
    return withClose(await openStore(db, options), db, undefined, async () => {});
  }
  const own = dir === undefined ? mkdtempSync(join(tmpdir(), 'venue-hub-')) : undefined;
  // hub.sqlite, or hub-2.sqlite … for the next stores a test opens in the same dir.
  let file = join(dir ?? own!, 'hub.sqlite');
  for (let n = 2; existsSync(file); n++) file = join(dir ?? own!, `hub-${n}.sqlite`);
  const store = await openStore(file, options);
  return withClose(store, file, file, async () => {
    if (own) rmSync(own, { recursive: true, force: true });
  });
}

const locations = new WeakMap<Store, string>();

/** Where a store of openTestStore is (its `location`), for a variable typed as a plain Store. */
export function locationOf(store: Store): string {
  const location = locations.get(store);
  if (location === undefined) throw new Error('not a store of openTestStore');
  return location;
}

function withClose(store: Store, location: string, dbFile: string | undefined, after: () => Promise<void>): Store & { location: string; dbFile: string | undefined } {
  locations.set(store, location);
  const close = store.close.bind(store);
  let closing: Promise<void> | undefined;
  return Object.assign(store, {
    location,
    dbFile,
    close: () =>
      (closing ??= (async () => {
        await close();
        await after();
      })()),
  });
}
