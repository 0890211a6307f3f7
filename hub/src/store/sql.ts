import type Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The one way the repositories speak to a database, SQLite or PostgreSQL
 * (docs/architecture.md "One store, two databases"). Every repository is
 * written once against this interface, in the SQL both databases share;
 * where they differ (JSON, scalar max/min) dialect.ts holds the fragment.
 *
 * - Parameters are positional `?` in the text. PostgreSQL's `$1, $2, …` are
 *   made from them here (outside quotes), once per distinct text.
 * - Integers come back as numbers on both (PostgreSQL's int8 and numeric are
 *   parsed: counts and millisecond times fit a double).
 * - Column aliases in camelCase must be quoted (`AS "kioskId"`): PostgreSQL
 *   folds unquoted names to lower case.
 * - `transaction(fn)` runs fn on one connection; called on a transaction it
 *   is a savepoint, so a throw undoes that part alone.
 */
export type Dialect = 'sqlite' | 'postgres';

export type Param = string | number | bigint | null | Buffer;

export interface Sql {
  readonly dialect: Dialect;
  all<R = Record<string, unknown>>(text: string, params?: readonly Param[]): Promise<R[]>;
  get<R = Record<string, unknown>>(text: string, params?: readonly Param[]): Promise<R | undefined>;
  /** A statement that returns no rows; `changes` is the rows it inserted, updated or deleted. */
  run(text: string, params?: readonly Param[]): Promise<{ changes: number }>;
  /** Several statements, no parameters (schema changes). */
  exec(text: string): Promise<void>;
  /** fn in a transaction (BEGIN IMMEDIATE in SQLite), or a savepoint when called on one. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends Sql {
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// SQLite (better-sqlite3): synchronous underneath, one connection.

/**
 * Wraps an open better-sqlite3 connection. Statements are prepared once per
 * distinct text and kept. The connection is one: while a transaction is open
 * (it may await between statements), a statement from outside it waits until
 * it ends, so nothing foreign lands in it; with none open a statement runs at
 * once, in the same tick.
 */
export function sqliteSql(db: Database.Database): SqlDatabase {
  const statements = new Map<string, Database.Statement>();
  const prepared = (text: string) => {
    let s = statements.get(text);
    if (!s) statements.set(text, (s = db.prepare(text)));
    return s;
  };
  /** The transaction holding the connection, and those waiting for it. */
  let holder = false;
  const waiting: (() => void)[] = [];

  const direct = {
    all: <R>(text: string, params: readonly Param[] = []) => prepared(text).all(...params) as R[],
    get: <R>(text: string, params: readonly Param[] = []) => prepared(text).get(...params) as R | undefined,
    run: (text: string, params: readonly Param[] = []) => ({ changes: prepared(text).run(...params).changes }),
  };

  /** Waits until no transaction holds the connection; the caller acts in the same tick it returns. */
  async function untilFree(): Promise<void> {
    while (holder) await new Promise<void>((resolve) => waiting.push(resolve));
  }
  const whenFree = async <T>(f: () => T): Promise<T> => {
    await untilFree();
    return f();
  };

  function inside(depth: number): Sql {
    const tx: Sql = {
      dialect: 'sqlite',
      all: async (text, params) => direct.all(text, params),
      get: async (text, params) => direct.get(text, params),
      run: async (text, params) => direct.run(text, params),
      exec: async (text) => void db.exec(text),
      async transaction(fn) {
        const name = `sp${depth}`;
        db.exec(`SAVEPOINT ${name}`);
        try {
          const value = await fn(inside(depth + 1));
          db.exec(`RELEASE ${name}`);
          return value;
        } catch (err) {
          db.exec(`ROLLBACK TO ${name}`);
          db.exec(`RELEASE ${name}`);
          throw err;
        }
      },
    };
    return tx;
  }

  return {
    dialect: 'sqlite',
    all: (text, params) => (holder ? whenFree(() => direct.all(text, params)) : settled(() => direct.all(text, params))),
    get: (text, params) => (holder ? whenFree(() => direct.get(text, params)) : settled(() => direct.get(text, params))),
    run: (text, params) => (holder ? whenFree(() => direct.run(text, params)) : settled(() => direct.run(text, params))),
    exec: (text) => whenFree(() => void db.exec(text)),
    async transaction(fn) {
      await untilFree();
      holder = true;
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const value = await fn(inside(1));
          db.exec('COMMIT');
          return value;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        holder = false;
        // Every waiter looks again; the first to run takes the connection, the others wait on.
        for (const wake of waiting.splice(0)) wake();
      }
    },
    async close() {
      await untilFree();
      if (db.open) db.close();
    },
  };
}

/** f's value or error as a promise, run now. */
function settled<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (err) {
    return Promise.reject(err);
  }
}

// ---------------------------------------------------------------------------
// PostgreSQL (pg): a pool of connections.

/** int8 (counts, millisecond times) and numeric (sums) as JS numbers: every such value the hub keeps fits a double. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** `?` to `$n`, outside quoted strings and names. */
export function numberedParameters(text: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') out += `$${++n}`;
    else out += ch;
  }
  return out;
}

export interface PostgresOptions {
  /** Connections in the pool (default 24: CONCURRENT_WRITES writes side by side, the rest for reads; three hubs stay under PostgreSQL's default 100 connections). */
  max?: number;
  /** Told of each error of an idle connection (the server restarted): the pool drops it and makes another. */
  onError?: (err: Error) => void;
}

export function postgresSql(url: string, options: PostgresOptions = {}): SqlDatabase {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 24, types, connectionTimeoutMillis: 5_000 });
  pool.on('error', (err) => options.onError?.(err));
  // Every connection has a listener for its errors, checked out or not: a server restart never ends the process.
  pool.on('connect', (client) => client.on('error', (err) => options.onError?.(err)));
  const texts = new Map<string, { text: string; name: string }>();
  const query = (text: string) => {
    let q = texts.get(text);
    if (!q) texts.set(text, (q = { text: numberedParameters(text), name: `q${texts.size}` }));
    return q;
  };
  /** The last query sent on each transaction's connection. */
  const inTurn = new WeakMap<pg.PoolClient, Promise<unknown>>();
  const on = (client: pg.Pool | pg.PoolClient) => {
    // A transaction's connection takes one query at a time (pg queues the rest, and will refuse them
    // in its next major version): statements a repository sends together (Promise.all) wait in turn.
    const send = (text: string, params: readonly Param[]): Promise<pg.QueryResult> => {
      const q = query(text);
      const config = { name: q.name, text: q.text, values: params as unknown[] };
      if (client instanceof pg.Pool) return client.query(config);
      const run = (inTurn.get(client) ?? Promise.resolve()).then(() => client.query(config));
      inTurn.set(client, run.catch(() => {}));
      return run;
    };
    return {
    async all<R>(text: string, params: readonly Param[] = []) {
      return (await send(text, params)).rows as R[];
    },
    async get<R>(text: string, params: readonly Param[] = []) {
      return (await send(text, params)).rows[0] as R | undefined;
    },
    async run(text: string, params: readonly Param[] = []) {
      return { changes: (await send(text, params)).rowCount ?? 0 };
    },
    async exec(text: string) {
      await client.query(text);
    },
    };
  };

  function inside(client: pg.PoolClient, depth: number): Sql {
    return {
      dialect: 'postgres',
      ...on(client),
      async transaction(fn) {
        const name = `sp${depth}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const value = await fn(inside(client, depth + 1));
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return value;
        } catch (err) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          throw err;
        }
      },
    };
  }

  return {
    dialect: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      // Checked out, a client has none of the pool's listeners: its connection dying now (the server
      // restarted or shut down) would be an unhandled 'error' and end the process. Heard here instead;
      // the statement under way fails with it, and the connection is not given back.
      const onError = (err: Error) => {
        broken ??= err;
        options.onError?.(err);
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        try {
          const value = await fn(inside(client, 1));
          await client.query('COMMIT');
          return value;
        } catch (err) {
          await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
          throw err;
        }
      } catch (err) {
        broken ??= isConnectionError(err) ? err : undefined;
        throw err;
      } finally {
        client.off('error', onError);
        // A connection that failed mid-transaction is not given back to be used again.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** Errors that mean the connection (not the statement) failed: the server went away or restarted. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE')) return true;
  return err instanceof Error && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(err.message);
}
