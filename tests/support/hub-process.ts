import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateKeys } from '../../hub/src/keys.js';
import { seedVenue } from './hub.js';
import { openTestStore } from './store.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A free TCP port on 127.0.0.1, so a restarted hub comes back at the same address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface HubProcess {
  child: ChildProcess;
  url: string;
  /** SIGKILL: no graceful close, no chance to finish anything. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real hub (hub/src/server.ts) in its own process, as production runs
 * it, on a given data dir and port. Resolves once it listens.
 */
export function spawnHub(dataDir: string, port: number, extraEnv: Record<string, string> = {}): Promise<HubProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'hub/src/server.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hub: HubProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start within 20 s:\n${out}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Server listening at')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(hub);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening:\n${out}`));
    });
  });
}

/**
 * A hub data dir with one venue and a fresh one-time enrolment code for its
 * entrance, prepared through the store before the hub process starts. `env`
 * is what spawnHub must add for the hub to find that store (DATABASE_URL under
 * npm run test:postgres, nothing on SQLite: the file is in the data dir).
 */
export async function seededDataDir(dataDir: string): Promise<{ dbFile: string; code: string; env: Record<string, string> }> {
  const store = await openTestStore(dataDir);
  try {
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store), Date.now(), 600_000);
    return { dbFile: store.location, code, env: store.dbFile ? {} : { DATABASE_URL: store.location } };
  } finally {
    await store.close();
  }
}

/**
 * `n` hub processes on one data dir, so one keys file (made here before any of them starts: hubs
 * started at once on a dir without one would each write their own), and on the store `env` names
 * (DATABASE_URL for PostgreSQL). Each trusts one proxy hop (TRUST_PROXY), so a test's requests can
 * stand for many addresses (X-Forwarded-For) and no per-address limit answers in the hub's place.
 */
export async function spawnHubs(n: number, dataDir: string, env: Record<string, string> = {}): Promise<HubProcess[]> {
  await loadOrCreateKeys(join(dataDir, 'hub-keys.json'));
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const started = await Promise.allSettled(ports.map((port) => spawnHub(dataDir, port, { TRUST_PROXY: 'true', ...env })));
  const hubs = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(hubs.map((h) => h.stop()));
    throw failed.reason;
  }
  return hubs;
}

/** A header standing for phone (or browser) number `n` behind the trusted proxy: each its own address. */
export const fromAddress = (n: number) => ({ 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` });

/** One phone's POST /api/bookings over real HTTP, and what it was answered. */
export interface BookingOutcome {
  status: number;
  people: number;
  body: { id?: string; error?: { code: string; field?: string; message: string } };
}

/** Books `people` green, local patrons into the slot from phone `phone` (its own address) at the hub at `base`. */
export async function postBooking(base: string, phone: number, booking: { venueId: string; slotStart: number; ticket: string; people: number }): Promise<BookingOutcome> {
  const { people, ...rest } = booking;
  const res = await fetch(`${base}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...fromAddress(phone) },
    body: JSON.stringify({ ...rest, people: Array.from({ length: people }, () => ({ healthCode: 'green', itinerary: 'local' })), commitment: false }),
  });
  return { status: res.status, people, body: (await res.json()) as BookingOutcome['body'] };
}
