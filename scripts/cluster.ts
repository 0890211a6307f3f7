import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { loadOrCreateKeys } from '../hub/src/keys.js';
import { openStore, type Store } from '../hub/src/store/index.js';
import { parseFlags } from './cli.js';
import { demoBanner, seedDemo, type DemoSeed } from './demo-banner.js';
import { ensureBuilds } from './ensure-build.js';
import { ensureDatabase, freePort, startPostgres, type PostgresServer } from './postgres-server.js';

/**
 * A district on one machine (docs/operations.md "A district on PostgreSQL:
 * several hub processes"): PostgreSQL, N hub processes on it, HAProxy in
 * front of them with deploy/haproxy.cfg's settings. `npm run cluster` runs it
 * for a demo (the data kept under data/cluster/); the cluster tests
 * (tests/cluster/) start it in a temp dir and break parts of it.
 *
 *   npm run cluster -- [--hubs 3] [--port 8080] [--fresh] [--dir data/cluster]
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** The database the hubs share, on the cluster's own server. */
const DATABASE = 'hub';

/**
 * Loaded into each hub process beside tsx (a data: URL; hub code unchanged):
 * if the process that started it is gone (killed outright), the hub closes as
 * on SIGTERM rather than linger on its port.
 */
const PARENT_WATCH = `data:text/javascript,${encodeURIComponent(
  "const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM'); }, 1000).unref();",
)}`;

export interface ClusterHub {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Its log (JSON lines, stdout and stderr). */
  logFile: string;
  /** Its last 30 log lines. */
  logTail(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGKILL, as a crash: no graceful close. Resolves once it is gone. */
  kill(): Promise<void>;
}

/** One server line of HAProxy's `show stat`: its backend, name and state (UP, DOWN, MAINT, …). */
export interface BalancerServer {
  backend: string;
  server: string;
  status: string;
}

export interface Cluster {
  postgres: PostgresServer;
  /** DATABASE_URL of the hubs. */
  databaseUrl: string;
  /** The balancer: where kiosks, phones and dashboards connect. */
  url: string;
  hubs: ClusterHub[];
  /** The state of each hub in each backend, from HAProxy's stats socket. */
  balancerServers(): Promise<BalancerServer[]>;
  /** Stops the balancer, then the hubs (SIGTERM, graceful), then PostgreSQL. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Everything lives here: postgres/ (the cluster), hub/ (DATA_DIR: the shared keys file), logs/, haproxy.cfg. */
  dir: string;
  hubs: number;
  /** The balancer's port (hub i on port + i when given); 0: free ports for all. */
  port: number;
  /** The store before any hub starts (migrated, empty the first time): to seed it. */
  prepare?: (store: Store) => Promise<void>;
  /** Told when a hub exits other than by stop() (it is not restarted). */
  onHubExit?: (hub: ClusterHub, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Extra environment of every hub. */
  hubEnv?: Record<string, string>;
}

/**
 * deploy/haproxy.cfg for these hubs: the `server` lines between "# hubs:" and
 * "# end hubs" of each backend replaced by one line per hub, the frontend
 * bound to `port`, a stats socket (admin level, for `show stat`), and with
 * `maxconn`, the global connection limit lowered to it.
 */
export function haproxyConfig(
  template: string,
  { port, hubs, statsSocket, maxconn }: { port: number; hubs: { name: string; port: number }[]; statsSocket: string; maxconn?: number },
): string {
  const lines = template.split('\n');
  const out: string[] = [];
  let inHubs = false;
  let replaced = 0;
  for (const line of lines) {
    const t = line.trim();
    if (inHubs) {
      if (t === '# end hubs') {
        inHubs = false;
        out.push(line);
      }
      continue;
    }
    if (t === '# hubs:') {
      inHubs = true;
      replaced++;
      const indent = /^\s*/.exec(line)![0];
      out.push(line, ...hubs.map((h) => `${indent}server ${h.name} 127.0.0.1:${h.port} check`));
      continue;
    }
    if (/^bind\s+\S+:\d+/.test(t)) {
      out.push(line.replace(/bind\s+\S+:\d+/, `bind 127.0.0.1:${port}`));
      continue;
    }
    if (maxconn !== undefined && /^maxconn\s+\d+$/.test(t)) {
      out.push(line.replace(/\d+/, String(maxconn)));
      continue;
    }
    out.push(line);
    if (t === 'global') out.push(`    stats socket ${statsSocket} mode 600 level admin`);
  }
  if (inHubs) throw new Error('deploy/haproxy.cfg: "# hubs:" without "# end hubs"');
  if (replaced === 0) throw new Error('deploy/haproxy.cfg: no "# hubs:" … "# end hubs" block');
  return out.join('\n');
}

/** HAProxy's `show stat` over its stats socket: the state of every server. */
export function balancerStats(statsSocket: string): Promise<BalancerServer[]> {
  return new Promise((resolveStats, reject) => {
    const socket = connect(statsSocket);
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('HAProxy stats socket did not answer')));
    socket.on('connect', () => socket.write('show stat\n'));
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const [header, ...rows] = text.trim().split('\n');
      const cols = (header ?? '').replace(/^# /, '').split(',');
      const at = (name: string) => cols.indexOf(name);
      resolveStats(
        rows
          .map((r) => r.split(','))
          .filter((r) => r[at('svname')] !== 'FRONTEND' && r[at('svname')] !== 'BACKEND')
          .map((r) => ({ backend: r[at('pxname')]!, server: r[at('svname')]!, status: r[at('status')]! })),
      );
    });
  });
}

/** The binary HAProxy runs from (Debian's). */
function haproxyBin(): string {
  for (const p of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']) if (existsSync(p)) return p;
  throw new Error('HAProxy not found (/usr/sbin/haproxy): apt-get install haproxy');
}

/** Polls `ok` every 100 ms for up to `ms`; throws `what` if it never held, or what `ok` threw other than fetch's TypeError. */
async function waitFor(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    // A refused connection is "not yet"; any other error (the process exited) ends the wait.
    if (await ok().catch((err: unknown) => (err instanceof TypeError ? false : Promise.reject(err)))) return;
    if (Date.now() > end) throw new Error(what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A child's stdout and stderr into a log file; its last lines kept for an error message. */
function logTo(child: ChildProcess, file: WriteStream): { tail(): string } {
  const last: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      file.write(`${line}\n`);
      last.push(line);
      if (last.length > 30) last.shift();
    });
  }
  return { tail: () => last.join('\n') };
}

function spawnHub(name: string, port: number, env: Record<string, string>, logDir: string): { hub: ClusterHub; listening: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', PARENT_WATCH, 'hub/src/server.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in the terminal reaches this script, which stops the balancer first.
    detached: true,
  });
  const logFile = join(logDir, `${name}.log`);
  const log = logTo(child, createWriteStream(logFile, { flags: 'a' }));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Up when its health check answers 200 (at any LOG_LEVEL), as the balancer judges it.
  const listening = (async () => {
    let gone = false;
    void exited.then(() => (gone = true));
    await waitFor(
      async () => {
        if (gone) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${log.tail()}`);
        return (await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200;
      },
      60_000,
      `${name} did not answer on port ${port} within 60 s:\n${log.tail()}`,
    );
  })();
  const hub: ClusterHub = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    logFile,
    logTail: log.tail,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return { hub, listening };
}

/** SIGTERM, SIGKILL after `graceMs`; resolves once the process has exited. */
async function terminate(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts PostgreSQL (kept in dir/postgres), the hubs' database, the shared
 * keys file (created once, before any hub: a pass one hub signs is checked by
 * another), the store's first preparation (`prepare`), the hubs, then HAProxy;
 * resolves once the balancer answers /api/health. Anything started is stopped
 * again if a later step fails.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = resolve(options.dir);
  const logDir = join(dir, 'logs');
  const dataDir = join(dir, 'hub');
  mkdirSync(logDir, { recursive: true });
  const hubs: ClusterHub[] = [];
  let haproxy: { child: ChildProcess; exited: Promise<void> } | undefined;
  let postgres: PostgresServer | undefined;
  let stopping: Promise<void> | undefined;
  const killNow = () => {
    // On exit (sync): whatever still runs goes at once.
    haproxy?.child.kill('SIGKILL');
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    postgres?.stop();
  };
  process.once('exit', killNow);
  const stop = () =>
    (stopping ??= (async () => {
      if (haproxy) await terminate(haproxy.child, haproxy.exited, 5_000);
      await Promise.all(hubs.map((h) => terminate(h.child, h.exited, 20_000)));
      postgres?.stop();
      process.off('exit', killNow);
    })());

  try {
    postgres = await startPostgres({ dir: join(dir, 'postgres') });
    const databaseUrl = await ensureDatabase(postgres.url, DATABASE);
    // One keys file for every hub, made before any of them starts (none of them races to create it).
    await loadOrCreateKeys(join(dataDir, 'hub-keys.json'));
    if (options.prepare) {
      const store = await openStore(databaseUrl);
      try {
        await options.prepare(store);
      } finally {
        await store.close();
      }
    }
    const ports = options.port === 0 ? await distinctFreePorts(options.hubs + 1) : Array.from({ length: options.hubs + 1 }, (_, i) => options.port + i);
    const balancerPort = ports[0]!;
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, TRUST_PROXY: '127.0.0.1', ...options.hubEnv };
    const started = Array.from({ length: options.hubs }, (_, i) => spawnHub(`hub${i + 1}`, ports[i + 1]!, env, logDir));
    hubs.push(...started.map((s) => s.hub));
    for (const h of hubs) {
      void h.exited.then(() => {
        if (!stopping) options.onHubExit?.(h, h.child.exitCode, h.child.signalCode);
      });
    }
    // They start together. The schema is up to date already when `prepare` opened the store; else (or
    // after an upgrade) the first takes the migration lock, the others wait on it and find nothing to do.
    // One failing stops them all; the others' waits then end quietly.
    for (const st of started) st.listening.catch(() => undefined);
    await Promise.all(started.map((st) => st.listening));

    const statsSocket = join(dir, 'haproxy.sock');
    const config = join(dir, 'haproxy.cfg');
    const template = readFileSync(join(root, 'deploy/haproxy.cfg'), 'utf8');
    writeFileSync(config, haproxyConfig(template, { port: balancerPort, hubs, statsSocket, maxconn: balancerMaxconn(template) }));
    const child = spawn(haproxyBin(), ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log = logTo(child, createWriteStream(join(logDir, 'haproxy.log'), { flags: 'a' }));
    haproxy = { child, exited: new Promise<void>((r) => child.once('exit', () => r())) };
    const url = `http://127.0.0.1:${balancerPort}`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`HAProxy exited (${child.exitCode}):\n${log.tail()}`);
        return (await fetch(`${url}/api/health`)).status === 200;
      },
      20_000,
      `HAProxy did not answer at ${url}:\n${log.tail()}`,
    );
    return {
      postgres,
      databaseUrl,
      url,
      hubs,
      balancerServers: () => balancerStats(statsSocket),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * HAProxy needs two descriptors per connection and refuses to start when the
 * machine's hard limit is below what the configured maxconn needs: on such a
 * machine the demo's balancer takes what fits (undefined: the file's own).
 */
function balancerMaxconn(template: string): number | undefined {
  const configured = Number(/^\s*maxconn\s+(\d+)/m.exec(template)?.[1] ?? NaN);
  const out = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  if (out === 'unlimited' || !Number.isFinite(configured)) return undefined;
  const fits = Math.floor((Number(out) - 1_000) / 2);
  return fits < configured ? fits : undefined;
}

/** `n` ports free now, all different. */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

// ---------------------------------------------------------------- npm run cluster

async function main(): Promise<void> {
  const flags = parseFlags(
    z.object({
      hubs: z.coerce.number().int().min(1).max(16).default(3),
      port: z.coerce.number().int().min(1).max(65_535 - 16).default(8080),
      fresh: z.boolean().default(false),
      /** Where it keeps everything (the tests give a temp dir). */
      dir: z.string().min(1).default('data/cluster'),
    }),
  );
  const dir = resolve(root, flags.dir);
  const shown = flags.dir.replace(/\/+$/, '');
  if (flags.fresh) rmSync(dir, { recursive: true, force: true });
  await ensureBuilds();
  let seed: DemoSeed | undefined;
  let lines: string[] = [];
  const base = `http://127.0.0.1:${flags.port}`;
  const publicUrl = process.env.PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  const cluster = await startCluster({
    dir,
    hubs: flags.hubs,
    port: flags.port,
    async prepare(store) {
      seed = await seedDemo(store);
      const hubLines = Array.from({ length: flags.hubs }, (_, i) => {
        const own = `http://127.0.0.1:${flags.port + i + 1}`;
        return `           hub${i + 1}: ${own}  (metrics ${own}/metrics, log ${shown}/logs/hub${i + 1}.log)`;
      });
      lines = await demoBanner(store, seed, {
        base: publicUrl ?? base,
        title: `Venue check-in district is running: ${flags.hubs} hub processes behind HAProxy (${base}) on one PostgreSQL (${seed.seeded ? 'demo street created' : 'existing data'} in ${shown}/)`,
        publicUrl,
        extra: ['  Hubs:    each hub on its own (the balancer spreads kiosks and pages over them):', ...hubLines],
      });
    },
    onHubExit(hub, code, signal) {
      process.stderr.write(
        `\n  ${hub.name} (port ${hub.port}) exited (${signal ?? `code ${code}`}); not restarted: the balancer sends its kiosks to the other hubs. Its log: ${hub.logFile}\n`,
      );
    },
  });
  const pids = cluster.hubs.map((h) => `${h.name} pid ${h.child.pid}`).join(', ');
  process.stdout.write(`${lines.join('\n')}\n  PostgreSQL: ${cluster.databaseUrl}\n  Processes: ${pids}\n\n`);
  let ending = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (ending) return;
      ending = true;
      process.stdout.write('\n  stopping the balancer, the hubs, then PostgreSQL…\n');
      cluster.stop().then(
        () => {
          process.stdout.write('  stopped.\n');
          process.exit(0);
        },
        (err: unknown) => {
          process.stderr.write(`stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await main();
  } catch (err) {
    process.stderr.write(`could not start the cluster: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
