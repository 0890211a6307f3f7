import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../hub/src/store/migrate-postgres.js';

/**
 * A real PostgreSQL for `npm run test:postgres` (docs/testing.md "PostgreSQL"),
 * started by the test run itself as vitest's globalSetup: Debian's binaries,
 * a cluster in a temp dir on a free port of 127.0.0.1 (fsync on, as in
 * production), a template database with the hub's schema migrated, and at the
 * end (or on Ctrl-C) the server stopped and the dir removed. Each test store
 * is a fresh database copied from the template (tests/support/store.ts).
 *
 * PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the
 * postgres user (runuser), in a dir that user owns.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by this globalSetup: the server's address and the migrated template's name. */
    postgres: { url: string; template: string } | null;
  }
}

/** The database every test database is copied from. */
export const TEMPLATE = 'hub_template';

/** Where Debian keeps PostgreSQL 15's server binaries, or pg_config's answer. */
export function postgresBinDir(): string {
  const debian = '/usr/lib/postgresql/15/bin';
  if (existsSync(join(debian, 'initdb'))) return debian;
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  if (dir && existsSync(join(dir, 'initdb'))) return dir;
  throw new Error('PostgreSQL server binaries not found (/usr/lib/postgresql/15/bin or pg_config --bindir): apt-get install postgresql');
}

/** A port nobody listens on at 127.0.0.1 now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway cluster; `stop()` ends it and removes its dir (sync, so it also runs from an
 * exit handler). `onStop` gets that function before anything is made, so an interrupted start is
 * cleaned up too.
 */
export async function startPostgres(onStop?: (stop: () => void) => void): Promise<{ url: string; stop(): void }> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'venue-hub-pg-'));
  const asRoot = userInfo().uid === 0;
  let uid = -1;
  let gid = -1;
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    execFileSync(file, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const data = join(dir, 'data');
  const port = await freePort();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    } catch {
      // Already gone (Ctrl-C reaches the server too): nothing left to stop.
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  onStop?.(stop);
  try {
    // C locale: lower() and citext fold ASCII only, as SQLite's NOCASE does.
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300`;
    run('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options]);
  } catch (err) {
    const log = existsSync(join(dir, 'server.log')) ? execFileSync('cat', [join(dir, 'server.log')], { encoding: 'utf8' }) : '';
    stop();
    const e = err as { stderr?: Buffer };
    throw new Error(`PostgreSQL did not start: ${e.stderr?.toString() ?? String(err)}\n${log}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}`;
  // pg_ctl -w waited for the server; one query proves it answers on TCP too.
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  await client.connect();
  await client.end();
  return { url, stop };
}

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
    server = await startPostgres((s) => (stop = s));
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
