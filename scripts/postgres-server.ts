import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A real PostgreSQL server on this machine for a demo (`npm run cluster`), a
 * bench or a test (`npm run test:postgres`, `npm run test:cluster`): Debian's
 * binaries, a cluster made by initdb in `dir` (a temp dir when none is given),
 * listening on 127.0.0.1 only, on `port` or a free one, fsync on as in
 * production.
 *
 * - `--locale=C`: text sorts and lower() folds as in SQLite (byte order, ASCII
 *   only), so both stores order names alike (docs/operations.md).
 * - PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the
 *   postgres user (runuser), in a dir that user owns.
 * - A temp dir is removed at stop(); a given dir is kept, and a second start
 *   on it finds its cluster (and its databases) there and starts it again.
 */

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT (no database: append `/name`). */
  url: string;
  port: number;
  /** The cluster's dir (data/ and server.log in it). */
  dir: string;
  /**
   * Stops the server (synchronous, so it also runs from an exit handler): a temp cluster at once
   * (immediate) and its dir removed, a kept one with a clean (fast) shutdown.
   */
  stop(): void;
  /**
   * Shuts the server down (`fast`: open sessions are ended, as a restart for an upgrade does;
   * `immediate`: as a crash), keeps it down `downMs`, then starts it again on the same port.
   * Asynchronous, so the caller can watch what happens meanwhile: `onDown` is called once the
   * server has stopped, `onStarting` just before it is started again (it may answer from then on).
   */
  restart(options?: { mode?: 'fast' | 'immediate'; downMs?: number; onDown?: () => void; onStarting?: () => void }): Promise<void>;
}

export interface PostgresServerOptions {
  /** Where the cluster lives and is kept; a temp dir (removed at stop) when not given. */
  dir?: string;
  /** The TCP port on 127.0.0.1; a free one when not given. */
  port?: number;
  /** Gets `stop` before anything is made, so an interrupted start (Ctrl-C during initdb) is cleaned up too. */
  onStop?: (stop: () => void) => void;
}

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
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether nobody listens on this port at 127.0.0.1 now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** A port with the `n - 1` after it free too, for what numbers its processes from one port (npm run cluster --port). */
export async function freePortRun(n: number): Promise<number> {
  for (;;) {
    const first = await freePort();
    if (first + n - 1 > 65_535) continue;
    let free = true;
    for (let i = 1; i < n && free; i++) free = await portIsFree(first + i);
    if (free) return first;
  }
}

const execFileAsync = promisify(execFile);

/**
 * The environment PostgreSQL's programs run in: this process's, less libfaketime.
 * `npm run test:clock` shifts the tests' clock by preloading libfaketime, which
 * children inherit; inside the server it breaks the interval timers behind
 * deadlock_timeout, so a deadlock is never detected and both sides wait forever.
 * The database keeps the machine's clock: the hub reads time from its own `now`,
 * never from the server.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === 'LD_PRELOAD' || key === 'DYLD_INSERT_LIBRARIES' || key.startsWith('FAKETIME')) continue;
    clean[key] = value;
  }
  return clean;
}

export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const temp = options.dir === undefined;
  const dir = temp ? mkdtempSync(join(tmpdir(), 'venue-hub-pg-')) : resolve(options.dir!);
  mkdirSync(dir, { recursive: true });
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const command = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = command(cmd, args);
    execFileSync(file, argv, { cwd: dir, env: serverEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const runAsync = async (cmd: string, args: string[]) => {
    const [file, argv] = command(cmd, args);
    await execFileAsync(file, argv, { cwd: dir, env: serverEnvironment() });
  };
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = options.port ?? (await freePort());
  const startArgs = () => {
    const o = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300`;
    return ['start', '-D', data, '-w', '-t', '60', '-l', log, '-o', o];
  };
  const running = () => existsSync(join(data, 'postmaster.pid'));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      if (running()) run('pg_ctl', ['stop', '-D', data, '-m', temp ? 'immediate' : 'fast', '-w']);
    } catch {
      // Already gone (Ctrl-C reaches the server too): nothing left to stop.
    } finally {
      if (temp) rmSync(dir, { recursive: true, force: true });
    }
  };
  options.onStop?.(stop);
  try {
    // C locale: text order and lower() as SQLite's (byte order, ASCII folding).
    if (!existsSync(join(data, 'PG_VERSION'))) run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    run('pg_ctl', startArgs());
  } catch (err) {
    const text = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '';
    stop();
    const e = err as { stderr?: Buffer };
    throw new Error(`PostgreSQL did not start: ${e.stderr?.toString() ?? String(err)}\n${text}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}`;
  // pg_ctl -w waited for the server; one query proves it answers on TCP too.
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  await client.connect();
  await client.end();
  return {
    url,
    port,
    dir,
    stop,
    async restart({ mode = 'fast', downMs = 0, onDown, onStarting } = {}) {
      if (stopped) throw new Error('PostgreSQL was stopped');
      await runAsync('pg_ctl', ['stop', '-D', data, '-m', mode, '-w']);
      onDown?.();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      onStarting?.();
      await runAsync('pg_ctl', startArgs());
    },
  };
}

/** Creates database `name` on `serverUrl` unless it exists (C collation, as the cluster's); its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: lower-case letters, digits and _ only`);
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  } finally {
    await admin.end();
  }
  return `${serverUrl}/${name}`;
}
