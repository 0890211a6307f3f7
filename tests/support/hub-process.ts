import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
