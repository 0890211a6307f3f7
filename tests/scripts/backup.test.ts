import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../hub/src/store/index.js';
import { connectKiosk, enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { freePort, spawnHub, type HubProcess } from '../support/hub-process.js';
import { entranceRecord } from '../support/records.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `npm run backup|restore` as a person would (the script behind it), on a data dir. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', ...args], { cwd: root, env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const ids = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return new Set((db.prepare('SELECT id FROM kiosk_records').all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
};

describe('npm run backup / restore', () => {
  const tmp = tempDir();
  let hub: HubProcess | undefined;
  afterEach(async () => {
    await hub?.stop();
    tmp.remove();
  });

  it('backs up while a kiosk syncs, with every acknowledged record, and restores it into a stopped hub', async () => {
    const dataDir = join(tmp.dir, 'data');
    const store = await openStore(join(dataDir, 'hub.sqlite'));
    const { kiosk, token } = await enrolKiosk(store, await seedVenue(store));
    await store.close();
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
    hub = await spawnHub(dataDir, port);
    const socket = await connectKiosk(hub.url, token);

    // A kiosk keeps syncing; the backup is taken in the middle of it.
    const acked: string[] = [];
    let seq = 0;
    let syncing = true;
    const sync = (async () => {
      while (syncing) {
        const batch = Array.from({ length: 50 }, () => entranceRecord(kiosk, ++seq, { kioskTime: new Date().toISOString() }));
        const res = await socket.emitWithAck('records:push', { records: batch });
        if (res.ok) acked.push(...batch.map((r) => r.id));
      }
    })();
    while (acked.length < 500) await new Promise((r) => setTimeout(r, 20));
    const ackedBefore = [...acked];
    const to = join(tmp.dir, 'backup.sqlite');
    const backup = await run(['backup', '--to', to], env);
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toContain('integrity ok');
    syncing = false;
    await sync;
    socket.close();

    const inBackup = ids(to);
    for (const id of ackedBefore) expect(inBackup.has(id)).toBe(true);
    const db = new Database(to, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // Restoring refuses while the hub runs, then puts the backup in place.
    const refused = await run(['restore', '--from', to], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('stop it before restoring');
    await hub.stop();
    hub = undefined;
    const restored = await run(['restore', '--from', to], env);
    expect(restored.code, restored.out).toBe(0);
    expect(ids(join(dataDir, 'hub.sqlite'))).toEqual(inBackup);
    hub = await spawnHub(dataDir, port);
    expect((await fetch(`${hub.url}/api/health`)).status).toBe(200);
  }, 60_000);

  it('refuses to copy a PostgreSQL store (DATABASE_URL), naming pg_dump and pg_restore, and writes nothing', async () => {
    const dataDir = join(tmp.dir, 'data-pg');
    // Refused before any connection is tried: no server needs to listen at this address.
    const env = { DATA_DIR: dataDir, DATABASE_URL: 'postgres://hub@127.0.0.1:1/hub' };
    const to = join(tmp.dir, 'never.sqlite');
    const backup = await run(['backup', '--to', to], env);
    expect(backup.code).toBe(1);
    expect(backup.out).toContain('pg_dump --format=custom "$DATABASE_URL"');
    const restore = await run(['restore', '--from', to], env);
    expect(restore.code).toBe(1);
    expect(restore.out).toContain('pg_restore');
    expect(existsSync(to)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);
});
