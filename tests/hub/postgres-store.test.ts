import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConcurrentCommit, createGroupCommit } from '../../hub/src/store/group-commit.js';
import { migratePostgres } from '../../hub/src/store/migrate-postgres.js';
import { POSTGRES_SCHEMA_VERSION } from '../../hub/src/store/migrations-postgres.js';
import { MIGRATIONS } from '../../hub/src/store/migrations.js';
import { openStore } from '../../hub/src/store/index.js';
import { isConnectionError, numberedParameters, postgresSql, type Sql, type SqlDatabase } from '../../hub/src/store/sql.js';
import { testPostgresServer, type TestPostgresServer } from '../support/store.js';

/**
 * The PostgreSQL side of the store beneath the repositories, on a real server
 * (the run's own under npm run test:postgres, else one this file starts):
 * the migrator (advisory lock, version refused when newer), group commit over
 * the pg pool, and sql.ts's `?` to `$n`.
 */
describe('store on PostgreSQL: migrator, group commit, parameters', () => {
  let server: TestPostgresServer;
  beforeAll(async () => {
    server = await testPostgresServer();
  }, 120_000);
  afterAll(() => server?.stop());

  it('applies the schema once when four hubs migrate the same new database at the same time', async () => {
    const url = await server.createDatabase('pg_migrate_race');
    const results = await Promise.all([0, 1, 2, 3].map(() => migratePostgres(url)));
    // One found the database empty and brought it up; the others waited on the lock and found it done.
    expect(results.filter((r) => r.from === 0)).toHaveLength(1);
    expect(results.filter((r) => r.from === POSTGRES_SCHEMA_VERSION)).toHaveLength(3);
    expect(results.every((r) => r.to === POSTGRES_SCHEMA_VERSION)).toBe(true);
    const sql = postgresSql(url);
    try {
      expect(await sql.all('SELECT version FROM schema_version')).toEqual([{ version: MIGRATIONS.length }]);
      // The baseline's one row of data (the audit seal) is there once, not once per hub.
      expect(await sql.all('SELECT upto, sealed_at FROM audit_seal')).toEqual([{ upto: 0, sealed_at: null }]);
    } finally {
      await sql.close();
    }
    // A later start finds nothing to do.
    expect(await migratePostgres(url)).toEqual({ from: POSTGRES_SCHEMA_VERSION, to: POSTGRES_SCHEMA_VERSION });
  });

  it('refuses a database whose schema is newer than the hub knows, and leaves it alone', async () => {
    const url = await server.createDatabase('pg_migrate_newer');
    await migratePostgres(url);
    const sql = postgresSql(url);
    try {
      await sql.run('UPDATE schema_version SET version = ?', [POSTGRES_SCHEMA_VERSION + 1]);
      await expect(migratePostgres(url)).rejects.toThrow(`database schema version ${POSTGRES_SCHEMA_VERSION + 1} is newer than this hub knows (${POSTGRES_SCHEMA_VERSION}); upgrade the hub`);
      await expect(openStore(url)).rejects.toThrow(/newer than this hub knows/);
      expect(await sql.get('SELECT version FROM schema_version')).toEqual({ version: POSTGRES_SCHEMA_VERSION + 1 });
    } finally {
      await sql.close();
    }
  });

  describe('group commit over the pool', () => {
    let sql: SqlDatabase;
    beforeAll(async () => {
      const url = await server.createDatabase('pg_group_commit');
      await migratePostgres(url);
      sql = postgresSql(url);
      await sql.run("INSERT INTO communities (id, name, street_id) VALUES ('c1', '东风社区', 'street')");
    });
    afterAll(() => sql?.close());

    it('commits writes that arrive together in one transaction, and undoes a failing one alone', async () => {
      const commits = createGroupCommit(sql);
      const venue = (id: string) => (tx: Sql) =>
        tx.run("INSERT INTO venues (id, community_id, name, type, rated_capacity) VALUES (?, 'c1', ?, 'ktv', 10)", [id, `场所${id}`]);
      const before = commits.load().groups;
      const outcomes = await Promise.allSettled([
        commits.write(venue('v1')),
        commits.write(async (tx) => {
          await venue('v2')(tx);
          // The second insert of the same id breaks the primary key: this write's savepoint is rolled back, v2 with it.
          await venue('v2')(tx);
        }),
        commits.write(venue('v3')),
        // A statement PostgreSQL rejects outright (a CHECK): the transaction goes on for the others.
        commits.write((tx) => tx.run("INSERT INTO venues (id, community_id, name, type, rated_capacity) VALUES ('v4', 'c1', 'x', 'ktv', -1)")),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
      expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: '23514' });
      expect(await sql.all('SELECT id FROM venues ORDER BY id')).toEqual([{ id: 'v1' }, { id: 'v3' }]);
      // All four shared one transaction.
      expect(commits.load().groups - before).toBe(1);
      await commits.drain();
    });

    it('runs writes side by side in transactions of their own (the store on PostgreSQL): a failing one alone undone, one that loses a deadlock run again', async () => {
      const commits = createConcurrentCommit(sql, { concurrency: 4 });
      await sql.run("INSERT INTO communities (id, name, street_id) VALUES ('d1', 'a', 'street'), ('d2', 'b', 'street')");
      // Two writes that lock the same two rows in opposite orders, each waiting until the other holds its first.
      let holding = 0;
      const bothHold = () =>
        new Promise<void>((resolve) => {
          holding++;
          const check = () => (holding >= 2 ? resolve() : setTimeout(check, 5));
          check();
        });
      const crossing = (first: string, second: string, name: string) => async (tx: Sql) => {
        await tx.run('UPDATE communities SET name = ? WHERE id = ?', [name, first]);
        await bothHold();
        await tx.run('UPDATE communities SET name = ? WHERE id = ?', [name, second]);
        return name;
      };
      const [one, two, bad] = await Promise.allSettled([
        commits.write(crossing('d1', 'd2', 'one')),
        commits.write(crossing('d2', 'd1', 'two')),
        commits.write((tx) => tx.run("INSERT INTO communities (id, name, street_id) VALUES ('d1', 'clash', 'street')")),
      ]);
      // PostgreSQL ended one of the crossing pair as a deadlock (40P01); it ran again after the other committed.
      expect(one).toEqual({ status: 'fulfilled', value: 'one' });
      expect(two).toEqual({ status: 'fulfilled', value: 'two' });
      expect(bad).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
      const names = await sql.all<{ name: string }>("SELECT name FROM communities WHERE id IN ('d1', 'd2') ORDER BY id");
      // Both rows carry the name of whichever write committed last, never a mix of the two.
      expect(new Set(names.map((n) => n.name)).size).toBe(1);
      expect(commits.load()).toMatchObject({ queued: 0, queuedWeight: 0, groups: 2 });
      await commits.drain();
    });

    it('returns each write its own value, integers as numbers', async () => {
      const commits = createGroupCommit(sql);
      const [a, b] = await Promise.all([
        commits.write((tx) => tx.get<{ id: number }>("INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at) VALUES ('v1', 'r', 'info', 'w1', '{}', ?) RETURNING id", [1_765_000_000_000])),
        commits.write((tx) => tx.get<{ n: number }>('SELECT count(*) AS n FROM venues')),
      ]);
      expect(typeof a?.id).toBe('number');
      expect(b).toEqual({ n: 2 });
      expect(await sql.get('SELECT opened_at FROM flags WHERE id = ?', [a!.id])).toEqual({ opened_at: 1_765_000_000_000 });
    });
  });

  it('lives on when the server ends a connection inside a transaction: the caller is told, the pool serves the next one', async () => {
    // As when PostgreSQL restarts (fast shutdown) under the hubs: a checked-out connection dies between two statements.
    const url = await server.createDatabase('pg_terminated');
    const errors: Error[] = [];
    const sql = postgresSql(url, { max: 2, onError: (err) => errors.push(err) });
    const admin = postgresSql(url, { max: 1 });
    try {
      await sql.exec('CREATE TABLE t (n BIGINT NOT NULL)');
      let resume!: () => void;
      const resumed = new Promise<void>((r) => (resume = r));
      let told!: (pid: number) => void;
      const pid = new Promise<number>((r) => (told = r));
      const tx = sql.transaction(async (t) => {
        await t.run('INSERT INTO t (n) VALUES (?)', [1]);
        told((await t.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid);
        await resumed;
        await t.run('INSERT INTO t (n) VALUES (?)', [2]);
      });
      const outcome = tx.then(
        () => 'committed',
        (err: unknown) => (isConnectionError(err) ? 'connection error' : String(err)),
      );
      await admin.get('SELECT pg_terminate_backend(?) AS ended', [await pid]);
      // The connection's end reaches this process as an 'error' on the checked-out client: heard, not thrown.
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(errors.length).toBeGreaterThan(0);
      resume();
      expect(await outcome).toBe('connection error');
      // Nothing of it stayed, and the next transaction runs on a fresh connection.
      expect(await sql.transaction((t) => t.get('SELECT count(*) AS n FROM t'))).toEqual({ n: 0 });
      await sql.transaction((t) => t.run('INSERT INTO t (n) VALUES (?)', [3]));
      expect(await sql.all('SELECT n FROM t')).toEqual([{ n: 3 }]);
    } finally {
      await sql.close();
      await admin.close();
    }
  });

  it('numbers ? parameters outside quoted strings and names', async () => {
    expect(numberedParameters('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    expect(numberedParameters(`SELECT '?' AS "what?", x FROM t WHERE y = ? AND z = 'it''s ?'`)).toBe(`SELECT '?' AS "what?", x FROM t WHERE y = $1 AND z = 'it''s ?'`);
    expect(numberedParameters('SELECT 1')).toBe('SELECT 1');
    // And PostgreSQL agrees: the quoted ? stays text, the others are parameters.
    const url = await server.createDatabase('pg_parameters');
    const sql = postgresSql(url);
    try {
      expect(await sql.get(`SELECT '?' AS "q?", CAST(? AS TEXT) AS a, CAST(? AS BIGINT) + 1 AS b`, ['甲', 41])).toEqual({ 'q?': '?', a: '甲', b: 42 });
    } finally {
      await sql.close();
    }
  });
});
