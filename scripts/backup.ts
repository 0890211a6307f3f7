import { chmodSync, copyFileSync, existsSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { loadConfig } from '../hub/src/config.js';
import { openStore } from '../hub/src/store/index.js';
import { PRIVATE_FILE_MODE, privateDir } from '../hub/src/store/private-files.js';
import { parseFlags } from './cli.js';

/**
 * The hub's database, backed up and restored (docs/operations.md):
 *
 *   npm run backup  -- [--to FILE]     a consistent copy while the hub runs (online backup API)
 *   npm run restore -- --from FILE     put a backup in place; the hub must be stopped
 *
 * Both check the copy with PRAGMA integrity_check. The key file (DATA_DIR/hub-keys.json)
 * is not in the database: back it up once, apart from the database copies.
 */
const [command, ...rest] = process.argv.slice(2);

function integrity(file: string): { ok: boolean; records: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    const records = (db.prepare('SELECT count(*) AS n FROM kiosk_records').get() as { n: number }).n;
    return { ok: result === 'ok', records };
  } finally {
    db.close();
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const config = loadConfig();
if (config.databaseUrl && (command === 'backup' || command === 'restore')) {
  // These copy the SQLite file; PostgreSQL has its own tools, which also work while hubs run.
  fail(`DATABASE_URL is set: the store is in PostgreSQL, which npm run ${command} does not copy. Use pg_dump --format=custom "$DATABASE_URL" > hub.dump to back it up and pg_restore --clean --dbname "$DATABASE_URL" hub.dump (hubs stopped) to restore it.`);
}
if (command === 'backup') {
  const flags = parseFlags(z.object({ to: z.string().min(1).optional() }), rest);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const to = flags.to ?? join(dirname(config.dbFile), 'backups', `hub-${stamp}.sqlite`);
  if (existsSync(to)) fail(`${to} exists already: choose another --to`);
  // The default folder is the hub's own and kept private; a folder named with --to is the operator's.
  if (!flags.to) privateDir(dirname(to));
  const store = await openStore(config.dbFile);
  try {
    await store.backup(to);
  } finally {
    await store.close();
  }
  const check = integrity(to);
  if (!check.ok) fail(`backup ${to} failed its integrity check`);
  process.stdout.write(`backup written: ${to} (${check.records} kiosk records, integrity ok)\n`);
} else if (command === 'restore') {
  const flags = parseFlags(z.object({ from: z.string().min(1, 'name the backup file') }), rest);
  if (!existsSync(flags.from)) fail(`no backup at ${flags.from}`);
  // A running hub keeps its file open: replacing it underneath would lose what it writes next.
  const running = await fetch(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/api/health`).then(
    () => true,
    () => false,
  );
  if (running) fail(`a hub answers on ${config.host}:${config.port}: stop it before restoring`);
  const check = integrity(flags.from);
  if (!check.ok) fail(`${flags.from} failed its integrity check: not restored`);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const tmp = `${config.dbFile}.restoring`;
  copyFileSync(flags.from, tmp);
  chmodSync(tmp, PRIVATE_FILE_MODE);
  // What was there is kept beside it (with its WAL, which may hold its latest commits), never deleted.
  const before = `${config.dbFile}.before-restore-${stamp}`;
  for (const side of ['', '-wal', '-shm']) if (existsSync(`${config.dbFile}${side}`)) renameSync(`${config.dbFile}${side}`, `${before}${side}`);
  renameSync(tmp, config.dbFile);
  process.stdout.write(`restored ${flags.from} to ${config.dbFile} (${check.records} kiosk records); the previous file is kept as ${config.dbFile}.before-restore-${stamp}\n`);
} else {
  fail('usage: npm run backup -- [--to FILE]   |   npm run restore -- --from FILE');
}
