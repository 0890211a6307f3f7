import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../hub/src/store/migrate-postgres.js';
import { startPostgres } from '../../scripts/postgres-server.js';

/**
 * A real PostgreSQL for `npm run test:postgres` (docs/testing.md "PostgreSQL"),
 * started by the test run itself as vitest's globalSetup: the server of
 * scripts/postgres-server.ts (also used by `npm run cluster` and the cluster
 * tests) in a temp dir on a free port of 127.0.0.1, a template database with
 * the hub's schema migrated, and at the end (or on Ctrl-C) the server stopped
 * and the dir removed. Each test store is a fresh database copied from the
 * template (tests/support/store.ts).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by this globalSetup: the server's address and the migrated template's name. */
    postgres: { url: string; template: string } | null;
  }
}

/** The database every test database is copied from. */
export const TEMPLATE = 'hub_template';

export { postgresBinDir, startPostgres } from '../../scripts/postgres-server.js';

/** vitest globalSetup: under HUB_TEST_STORE=postgres, the server and the template, provided to the tests as `postgres`. */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.HUB_TEST_STORE !== 'postgres') {
    project.provide('postgres', null);
    return undefined;
  }
  // Ctrl-C or a kill at any point from here, even while initdb runs, stops the server and removes its dir.
  let stop = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  const forget = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
  let server: Awaited<ReturnType<typeof startPostgres>>;
  try {
    server = await startPostgres({ onStop: (s) => (stop = s) });
    const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
    await admin.end();
    await migratePostgres(`${server.url}/${TEMPLATE}`);
  } catch (err) {
    stop();
    forget();
    throw err;
  }
  project.provide('postgres', { url: server.url, template: TEMPLATE });
  return () => {
    forget();
    server.stop();
  };
}
