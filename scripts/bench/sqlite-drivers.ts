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
// The hub's write path per record (hub/src/store/records.ts): a ledger row, then the entrance projection.
const LEDGER_COLUMNS = 'id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body';
const ENTRANCE_COLUMNS =
  'id, kiosk_id, seq, venue_id, kiosk_time, kiosk_time_ms, received_at, policy_version, decision, reasons, skipped, skipped_count, checks, operator_id';
const placeholders = (cols: string) => cols.split(',').map(() => '?').join(', ');
const INSERT_LEDGER = `INSERT INTO kiosk_records (${LEDGER_COLUMNS}) VALUES (${placeholders(LEDGER_COLUMNS)}) ON CONFLICT DO NOTHING`;
const INSERT_ENTRANCE = `INSERT INTO entrance_records (${ENTRANCE_COLUMNS}) VALUES (${placeholders(ENTRANCE_COLUMNS)})`;
const SETUP = `
  INSERT INTO communities (id, name, street_id) VALUES ('c', 'c', 'street');
  INSERT INTO venues (id, community_id, name, type, rated_capacity) VALUES ('v', 'c', 'v', 'ktv', 100);
  INSERT INTO entrances (id, venue_id, name) VALUES ('e', 'v', 'e');
  INSERT INTO kiosks (id, entrance_id, venue_id, token_hash, enrolled_at) VALUES ('k', 'e', 'v', 'h', 0);`;

const CHECKS = JSON.stringify({
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
});
interface Pair {
  ledger: Row;
  entrance: Row;
}
const rows: Pair[] = Array.from({ length: flags.rows }, (_, i) => {
  const id = crypto.randomUUID();
  const time = '2026-11-23T10:00:00.000+08:00';
  const body = JSON.stringify({ policyVersion: 1, checks: JSON.parse(CHECKS), decision: 'admit', reasons: [] });
  return {
    ledger: [id, 'k', i + 1, 'v', 'entrance', time, 1795399200000 + i, Date.now(), 's', body],
    entrance: [id, 'k', i + 1, 'v', time, 1795399200000 + i, Date.now(), 1, 'admit', '[]', '[]', 0, CHECKS, 's'],
  };
});
const batches: Pair[][] = [];
for (let i = 0; i < rows.length; i += flags.batch) batches.push(rows.slice(i, i + flags.batch));

const dir = mkdtempSync(join(tmpdir(), 'bench-drivers-'));
const schema = MIGRATIONS.join('\n') + SETUP;

function benchBetter(): number {
  const db = new Database(join(dir, 'better.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  const ledger = db.prepare(INSERT_LEDGER);
  const entrance = db.prepare(INSERT_ENTRANCE);
  const tx = db.transaction((b: Pair[]) => {
    for (const r of b) if (ledger.run(...r.ledger).changes === 1) entrance.run(...r.entrance);
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
  prepare(sql: string): { run(params: Row, cb: (this: { changes: number }, err: Error | null) => void): void; finalize(cb: () => void): void };
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
  const ledger = db.prepare(INSERT_LEDGER);
  const entrance = db.prepare(INSERT_ENTRANCE);
  // Same logic as the hub: the projection row only when the ledger row was new.
  const runLedger = (r: Row) =>
    new Promise<number>((res, rej) =>
      ledger.run(r, function (err) {
        if (err) rej(err);
        else res(this.changes);
      }),
    );
  const t0 = performance.now();
  for (const b of batches) {
    await p((cb) => db.run('BEGIN IMMEDIATE', cb));
    for (const r of b) if ((await runLedger(r.ledger)) === 1) await p((cb) => entrance.run(r.entrance, cb));
    await p((cb) => db.run('COMMIT', cb));
  }
  const ms = performance.now() - t0;
  await new Promise<void>((res) => ledger.finalize(res));
  await new Promise<void>((res) => entrance.finalize(res));
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
