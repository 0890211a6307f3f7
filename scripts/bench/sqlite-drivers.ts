/**
 * better-sqlite3 vs node-sqlite3 on the hub's own workload: batched inserts of
 * entrance records into the hub's schema, WAL + synchronous=FULL, one
 * transaction per batch, same rows, same process. Prints one JSON line.
 *
 *   npm --prefix scripts/bench/drivers install   # builds node-sqlite3 (~80 s), once
 *   npm run bench:sqlite-drivers -- --rows 50000 --batch 100
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { MIGRATIONS } from '../../hub/src/store/migrations.js';
import { parseFlags } from '../cli.js';

const flags = parseFlags(
  z.object({
    rows: z.coerce.number().int().min(100).max(5_000_000).default(50_000),
    batch: z.coerce.number().int().min(1).max(10_000).default(100),
    json: z.boolean().default(false),
  }),
);

type Row = readonly (string | number)[];
const COLUMNS =
  'id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version, decision, reasons, skipped, skipped_count, checks';
const INSERT = `INSERT INTO entrance_records (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
const SETUP = `
  INSERT INTO communities VALUES ('c', 'c');
  INSERT INTO venues VALUES ('v', 'c', 'v', 'ktv', '', 100);
  INSERT INTO entrances VALUES ('e', 'v', 'e');
  INSERT INTO kiosks (id, entrance_id, venue_id, token_hash, enrolled_at) VALUES ('k', 'e', 'v', 'h', 0);`;

const CHECKS = JSON.stringify({
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
});
const rows: Row[] = Array.from({ length: flags.rows }, (_, i) => [
  crypto.randomUUID(), 'k', i + 1, 'v', '2026-11-23T10:00:00.000+08:00', 1795399200000 + i, Date.now(), 1, 'admit', '[]', '[]', 0, CHECKS,
]);
const batches: Row[][] = [];
for (let i = 0; i < rows.length; i += flags.batch) batches.push(rows.slice(i, i + flags.batch));

const dir = mkdtempSync(join(tmpdir(), 'bench-drivers-'));
const schema = MIGRATIONS.join('\n') + SETUP;

function benchBetter(): number {
  const db = new Database(join(dir, 'better.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  const stmt = db.prepare(INSERT);
  const tx = db.transaction((b: Row[]) => {
    for (const r of b) stmt.run(...r);
  });
  const t0 = performance.now();
  for (const b of batches) tx.immediate(b);
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

interface Sqlite3Db {
  exec(sql: string, cb: (err: Error | null) => void): void;
  run(sql: string, cb: (err: Error | null) => void): void;
  prepare(sql: string): { run(params: Row, cb: (err: Error | null) => void): void; finalize(cb: () => void): void };
  close(cb: (err: Error | null) => void): void;
}

async function benchNodeSqlite3(): Promise<number | undefined> {
  let sqlite3: { Database: new (file: string, cb: (err: Error | null) => void) => Sqlite3Db };
  try {
    sqlite3 = createRequire(new URL('./drivers/package.json', import.meta.url))('sqlite3');
  } catch {
    return undefined;
  }
  const p = <T>(fn: (cb: (err: Error | null, v?: T) => void) => void) =>
    new Promise<T | undefined>((res, rej) => fn((err, v) => (err ? rej(err) : res(v))));
  const db = await new Promise<Sqlite3Db>((res, rej) => {
    const d = new sqlite3.Database(join(dir, 'node-sqlite3.sqlite'), (err) => (err ? rej(err) : res(d)));
  });
  await p((cb) => db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;', cb));
  await p((cb) => db.exec(schema, cb));
  const stmt = db.prepare(INSERT);
  const t0 = performance.now();
  for (const b of batches) {
    await p((cb) => db.run('BEGIN IMMEDIATE', cb));
    await Promise.all(b.map((r) => p((cb) => stmt.run(r, cb))));
    await p((cb) => db.run('COMMIT', cb));
  }
  const ms = performance.now() - t0;
  await new Promise<void>((res) => stmt.finalize(res));
  await p((cb) => db.close(cb));
  return ms;
}

try {
  const betterMs = benchBetter();
  const nodeMs = await benchNodeSqlite3();
  const perSec = (ms: number) => Math.round((flags.rows / ms) * 1000);
  const result = {
    bench: 'sqlite-drivers',
    rows: flags.rows,
    batch: flags.batch,
    node: process.version,
    better_sqlite3_rows_per_s: perSec(betterMs),
    node_sqlite3_rows_per_s: nodeMs === undefined ? null : perSec(nodeMs),
    ratio_better_to_node_sqlite3: nodeMs === undefined ? null : Number((nodeMs / betterMs).toFixed(2)),
    note: nodeMs === undefined ? 'node-sqlite3 not installed: npm --prefix scripts/bench/drivers install' : undefined,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
