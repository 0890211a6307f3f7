/**
 * What a query layer costs on SQLite's hot path (docs/architecture.md "One store, two databases"):
 * one kiosk batch of 100 ledger rows per transaction, synchronous=FULL in WAL as the hub runs,
 * written (a) straight through better-sqlite3 with a kept prepared statement (the baseline),
 * (b) through the hub's Sql (sql.ts: async, statements kept per text), one INSERT per row and one
 * multi-row INSERT per batch, and (c) through Kysely's SQLite dialect with its query builder, per
 * row and per batch, when kysely is installed (`npm i --no-save kysely`; the hub does not depend on it).
 *
 *   npm run bench:query-builder [-- --records 20000]
 *
 * Prints one JSON line: records/s per way and each one's ratio to the baseline of the same run.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sqliteSql } from '../../hub/src/store/sql.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' } } });
const RECORDS = Number(values.records);
const BATCH = 100;
const dir = mkdtempSync(join(tmpdir(), 'bench-qb-'));

function open(name: string): Database.Database {
  const db = new Database(join(dir, `${name}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE kiosk_records (id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL, venue_id TEXT NOT NULL,
    type TEXT NOT NULL, kiosk_time TEXT NOT NULL, kiosk_time_ms INTEGER NOT NULL, received_at INTEGER NOT NULL, operator_id TEXT, body TEXT NOT NULL,
    UNIQUE (kiosk_id, seq))`);
  return db;
}
type Row = [string, string, number, string, string, string, number, number, string | null, string];
const rows: Row[] = Array.from({ length: RECORDS }, (_, i) => [
  `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'kiosk-1', i + 1, 'venue-a', 'entrance', new Date(1_700_000_000_000 + i * 1000).toISOString(),
  1_700_000_000_000 + i * 1000, 1_700_000_000_000 + i * 1000, 'staff-1', JSON.stringify({ decision: 'admit', checks: { scan: { outcome: 'green' } } }),
]);
const batches = Array.from({ length: RECORDS / BATCH }, (_, b) => rows.slice(b * BATCH, (b + 1) * BATCH));
const INSERT = 'INSERT INTO kiosk_records (id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING';
const multi = (n: number) => `INSERT INTO kiosk_records (id, kiosk_id, seq, venue_id, type, kiosk_time, kiosk_time_ms, received_at, operator_id, body) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING RETURNING id`;

async function time(name: string, run: (db: Database.Database) => Promise<void>): Promise<number> {
  const db = open(name);
  const t0 = performance.now();
  await run(db);
  const ms = performance.now() - t0;
  const n = (db.prepare('SELECT count(*) AS n FROM kiosk_records').get() as { n: number }).n;
  db.close();
  if (n !== RECORDS) throw new Error(`${name}: ${n} rows stored, ${RECORDS} expected`);
  return Math.round(RECORDS / (ms / 1000));
}

const result: Record<string, number> = {};
result.direct = await time('direct', async (db) => {
  const insert = db.prepare(INSERT);
  const batch = db.transaction((b: Row[]) => b.forEach((r) => insert.run(...r)));
  for (const b of batches) batch(b);
});
result.sqlPerRow = await time('sql-row', async (db) => {
  const sql = sqliteSql(db);
  for (const b of batches) await sql.transaction(async (tx) => { for (const r of b) await tx.run(INSERT, r); });
});
result.sqlPerBatch = await time('sql-batch', async (db) => {
  const sql = sqliteSql(db);
  for (const b of batches) await sql.transaction(async (tx) => void (await tx.all(multi(b.length), b.flat())));
});
try {
  const { Kysely, SqliteDialect } = await import('kysely' as string);
  const cols = ['id', 'kiosk_id', 'seq', 'venue_id', 'type', 'kiosk_time', 'kiosk_time_ms', 'received_at', 'operator_id', 'body'];
  const obj = (r: Row) => Object.fromEntries(cols.map((c, i) => [c, r[i]]));
  result.kyselyPerRow = await time('kysely-row', async (db) => {
    const k = new Kysely({ dialect: new SqliteDialect({ database: db }) });
    for (const b of batches) await k.transaction().execute(async (tx: any) => { for (const r of b) await tx.insertInto('kiosk_records').values(obj(r)).onConflict((oc: any) => oc.doNothing()).execute(); });
  });
  result.kyselyPerBatch = await time('kysely-batch', async (db) => {
    const k = new Kysely({ dialect: new SqliteDialect({ database: db }) });
    for (const b of batches) await k.transaction().execute(async (tx: any) => void (await tx.insertInto('kiosk_records').values(b.map(obj)).onConflict((oc: any) => oc.doNothing()).returning('id').execute()));
  });
} catch (err) {
  if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
}
rmSync(dir, { recursive: true, force: true });
const ratios = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Math.round((v / result.direct!) * 1000) / 1000]));
console.log(JSON.stringify({ bench: 'query-builder', records: RECORDS, batch: BATCH, recordsPerSecond: result, ratioToDirect: ratios, at: new Date().toISOString() }));
