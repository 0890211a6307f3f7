import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../hub/src/store/database.js';
import { migratePostgres } from '../../hub/src/store/migrate-postgres.js';
import { POSTGRES_BASELINE_VERSION, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../../hub/src/store/migrations-postgres.js';
import { MIGRATIONS } from '../../hub/src/store/migrations.js';
import { testPostgresServer, type TestPostgresServer } from '../support/store.js';

/**
 * One set of repositories runs on both databases, so PostgreSQL's schema
 * (migrations-postgres.ts) must be SQLite's (migrations.ts) at the same
 * version: the same tables and views, the same columns in the same order with
 * the same NOT NULLs and matching types, the same unique keys, foreign keys and
 * named indices. A migration appended to one list and not the other fails here.
 */

interface Schema {
  /** table -> its columns in order, `name type [not null]`. */
  columns: Record<string, string[]>;
  /** `table(col, …)` and ` where …` for partial ones: every unique key (primary keys included). */
  unique: string[];
  /** `table.col -> other.col` */
  foreignKeys: string[];
  /** Indices created by name (not those behind a PRIMARY KEY or UNIQUE constraint). */
  indexNames: string[];
}

/**
 * PostgreSQL tables that are not the store's: the migrator's version, and the attachments of the
 * socket.io adapter between hub processes (migrations-postgres.ts, version 27), which SQLite's one
 * process does not need.
 */
const NOT_THE_STORES = "('schema_version', 'socket_io_attachments')";

/** SQLite's declared types, as PostgreSQL spells them (migrations-postgres.ts, the translation). */
const TYPE: Record<string, string> = { INTEGER: 'bigint', TEXT: 'text', REAL: 'double precision' };

function sqliteSchema(file: string): Schema {
  const db = openDatabase(file);
  try {
    const objects = db.prepare("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; type: string }[];
    const schema: Schema = { columns: {}, unique: [], foreignKeys: [], indexNames: [] };
    for (const { name: table, type } of objects) {
      const cols = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; pk: number }[];
      // A primary key column is never NULL (SQLite's rowid alias reports notnull 0); a view's columns say nothing.
      schema.columns[table] = cols.map((c) => `${c.name}${type === 'view' ? '' : ` ${TYPE[c.type] ?? c.type}`}${c.notnull || c.pk ? ' not null' : ''}`);
      if (type === 'view') continue;
      const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      // audit_seal has no key at all.
      const keys = new Set<string>(pk.length > 0 ? [`${table}(${pk.join(', ')})`] : []);
      for (const ix of db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; partial: number }[]) {
        if (!ix.unique) continue;
        const on = (db.prepare(`PRAGMA index_info("${ix.name}")`).all() as { name: string }[]).map((c) => c.name);
        const where = ix.partial ? ` where ${/WHERE\s+(.*)$/is.exec((db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(ix.name) as { sql: string }).sql)![1]!.trim()}` : '';
        keys.add(`${table}(${on.join(', ')})${where}`);
      }
      schema.unique.push(...keys);
      for (const fk of db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { from: string; table: string; to: string }[]) schema.foreignKeys.push(`${table}.${fk.from} -> ${fk.table}.${fk.to}`);
    }
    schema.indexNames = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    schema.unique.sort();
    schema.foreignKeys.sort();
    return schema;
  } finally {
    db.close();
  }
}

async function postgresSchema(url: string): Promise<Schema> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const q = async <R extends pg.QueryResultRow>(text: string) => (await c.query<R>(text)).rows;
    const schema: Schema = { columns: {}, unique: [], foreignKeys: [], indexNames: [] };
    const objects = await q<{ name: string; view: boolean }>(
      `SELECT table_name AS name, table_type = 'VIEW' AS view FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ${NOT_THE_STORES} ORDER BY table_name`,
    );
    for (const { name: table, view } of objects) {
      const cols = await q<{ name: string; type: string; nullable: string }>(
        `SELECT column_name AS name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END AS type, is_nullable AS nullable
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' ORDER BY ordinal_position`,
      );
      // citext stands for SQLite's TEXT COLLATE NOCASE (accounts.name).
      schema.columns[table] = cols.map((col) => `${col.name}${view ? '' : ` ${col.type === 'citext' ? 'text' : col.type}`}${col.nullable === 'NO' ? ' not null' : ''}`);
    }
    const unique = await q<{ def: string; tbl: string; cols: string; pred: string | null }>(`
      SELECT t.relname AS tbl,
             string_agg(a.attname, ', ' ORDER BY k.n) AS cols,
             pg_get_expr(i.indpred, i.indrelid) AS pred
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace s ON s.oid = t.relnamespace AND s.nspname = 'public'
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE i.indisunique AND t.relname NOT IN ${NOT_THE_STORES}
       GROUP BY i.indexrelid, t.relname, i.indpred, i.indrelid`);
    // PostgreSQL prints a predicate with parentheses: (client_id IS NOT NULL).
    schema.unique = unique.map((u) => `${u.tbl}(${u.cols})${u.pred ? ` where ${u.pred.replace(/^\((.*)\)$/s, '$1')}` : ''}`).sort();
    schema.foreignKeys = (
      await q<{ fk: string }>(`
      SELECT t.relname || '.' || a.attname || ' -> ' || r.relname || '.' || ra.attname AS fk
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class r ON r.oid = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
       WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`)
    )
      .map((r) => r.fk)
      .sort();
    schema.indexNames = (
      await q<{ name: string }>(`
      SELECT i.relname AS name FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
       WHERE t.relnamespace = 'public'::regnamespace AND t.relname NOT IN ${NOT_THE_STORES}
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
       ORDER BY i.relname`)
    ).map((r) => r.name);
    return schema;
  } finally {
    await c.end();
  }
}

describe('PostgreSQL schema and SQLite schema', () => {
  let server: TestPostgresServer;
  let dir: string;
  let sqlite: Schema;
  let postgres: Schema;
  beforeAll(async () => {
    server = await testPostgresServer();
    dir = mkdtempSync(join(tmpdir(), 'venue-hub-'));
    sqlite = sqliteSchema(join(dir, 'hub.sqlite'));
    const url = await server.createDatabase('schema_parity');
    await migratePostgres(url);
    postgres = await postgresSchema(url);
  }, 120_000);
  afterAll(() => {
    server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are at the same version: one PostgreSQL migration for each SQLite migration after the baseline', () => {
    expect(POSTGRES_BASELINE_VERSION + POSTGRES_MIGRATIONS.length).toBe(MIGRATIONS.length);
    expect(POSTGRES_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('have the same tables and views', () => {
    expect(Object.keys(postgres.columns)).toEqual(Object.keys(sqlite.columns));
    expect(Object.keys(sqlite.columns)).toContain('kiosk_records');
  });

  it('have the same columns, in order, with the same types and NOT NULLs', () => {
    for (const table of Object.keys(sqlite.columns)) expect({ table, columns: postgres.columns[table] }).toEqual({ table, columns: sqlite.columns[table] });
  });

  it('have the same unique keys (partial ones with the same condition)', () => {
    expect(postgres.unique).toEqual(sqlite.unique);
    expect(sqlite.unique).toContain('inspections(client_id) where client_id IS NOT NULL');
  });

  it('have the same foreign keys and the same named indices', () => {
    expect(postgres.foreignKeys).toEqual(sqlite.foreignKeys);
    expect(postgres.indexNames).toEqual(sqlite.indexNames);
  });
});
