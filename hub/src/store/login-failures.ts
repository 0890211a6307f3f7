import type { Sql } from './sql.js';

/**
 * Failed logins counted per account name (docs/security.md "Rate limits"): after a few wrong
 * passwords for one name, each further try waits a growing delay, whatever address it comes from.
 * Kept in the database, so a restart does not wipe the count. Names are counted whether or not an
 * account has them, so the waits never tell which names exist.
 */

/** Wrong passwords for one name before any wait; the one that reaches it starts a guessing run. */
export const FREE_TRIES = 5;
/** The longest wait after one wrong password (a browser known to the account counts apart: services/login-guard.ts). */
export const MAX_LOGIN_DELAY_MS = 5 * 60_000;
/** A run with no try for this long has ended: it is summarised, and the count starts again. */
export const RUN_QUIET_MS = 30 * 60_000;
/** Distinct addresses a run remembers for its summary. */
const MAX_ADDRESSES = 20;

/** The wait after `failures` wrong passwords in a row: none, then 1 s, 2 s, 4 s … up to 5 minutes. */
export function loginDelayMs(failures: number): number {
  return failures < FREE_TRIES ? 0 : Math.min(1000 * 2 ** (failures - FREE_TRIES), MAX_LOGIN_DELAY_MS);
}

/** A guessing run: FREE_TRIES or more wrong passwords for one name with no long pause. */
export interface GuessingRun {
  name: string;
  failures: number;
  startedAt: number;
  lastFailedAt: number;
  /** Up to 20 distinct client addresses the wrong passwords came from. */
  addresses: string[];
}

/**
 * An admitted try: it holds a place as if it fails until it is settled (failed, released or
 * succeeded). `heldFrom`/`heldTo`: the name's next allowed try before and after this one held it
 * (to give the slot back).
 */
export type Admission = { ok: true; heldFrom: number; heldTo: number } | { ok: false; retryAfterMs: number };

export interface Failure {
  /** Wrong passwords in a row for this name, this one included. */
  failures: number;
  /** How long the next try must wait. */
  delayMs: number;
  /** This failure started a guessing run (it reached FREE_TRIES). */
  runStarted: boolean;
  /** An earlier run of this name that had gone quiet and is over: to be summarised. */
  ended: GuessingRun | undefined;
}

export interface LoginFailureRepository {
  /**
   * Before the password is checked: refused with the time left while the name must wait.
   * Otherwise admitted, and the try is counted as if it fails until it is settled: tries in flight
   * count with the wrong passwords already recorded, so tries sent side by side are slowed exactly
   * as tries sent one after another (below FREE_TRIES too).
   */
  admit(name: string, now: number): Promise<Admission>;
  /** The try was wrong: recorded, and its place in flight settled. */
  failed(name: string, address: string, now: number): Promise<Failure>;
  /**
   * A try that was neither right nor wrong (the right password, the code still to come; or it
   * ended in an error): its place in flight and the slot it held are given back, so the try with
   * the code need not wait for it.
   */
  release(name: string, admission: Admission & { ok: true }): Promise<void>;
  /** The right password: the count is forgotten (its place in flight settled); the run it ends, if the name was being guessed. */
  succeeded(name: string, now: number): Promise<GuessingRun | undefined>;
  /** Runs (and counts below a run) with no try for RUN_QUIET_MS: forgotten; the runs are returned to be summarised. */
  endQuiet(now: number): Promise<GuessingRun[]>;
}

interface Row {
  name: string;
  failures: number;
  first_failed_at: number;
  last_failed_at: number;
  next_try_at: number;
  run_started_at: number | null;
  addresses: string;
}

/** Names log in without regard to case or Unicode form (accounts.name is COLLATE NOCASE). */
export const throttleKey = (name: string) => name.normalize('NFC').toLowerCase();

const run = (r: Row): GuessingRun | undefined =>
  r.run_started_at === null
    ? undefined
    : { name: r.name, failures: r.failures, startedAt: r.run_started_at, lastFailedAt: r.last_failed_at, addresses: JSON.parse(r.addresses) as string[] };

const SELECT = 'SELECT name, failures, first_failed_at, last_failed_at, next_try_at, run_started_at, addresses FROM login_failures WHERE name = ?';
const PUT = `INSERT INTO login_failures (name, failures, first_failed_at, last_failed_at, next_try_at, run_started_at, addresses)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, first_failed_at = excluded.first_failed_at, last_failed_at = excluded.last_failed_at,
    next_try_at = excluded.next_try_at, run_started_at = excluded.run_started_at, addresses = excluded.addresses`;

export function createLoginFailureRepository(sql: Sql): LoginFailureRepository {
  /**
   * Tries admitted and not yet settled, per name, and the next try they hold the name back to.
   * In memory: a try in flight does not outlive the process, and what it settles to (a wrong
   * password) is written to the database as before.
   */
  const inFlight = new Map<string, { tries: number; heldUntil: number }>();
  const settle = (key: string) => {
    const m = inFlight.get(key);
    if (!m) return;
    m.tries -= 1;
    if (m.tries <= 0) inFlight.delete(key);
  };

  async function admit(key: string, now: number): Promise<Admission> {
    const before = await sql.get<Row>(SELECT, [key]);
    // From here to the return nothing awaits: the tries in flight are read and counted at once.
    const r = before && now - before.last_failed_at < RUN_QUIET_MS ? before : undefined;
    const m = inFlight.get(key) ?? { tries: 0, heldUntil: 0 };
    const nextTryAt = Math.max(r?.next_try_at ?? 0, m.heldUntil);
    if (now < nextTryAt) return { ok: false, retryAfterMs: nextTryAt - now };
    // Counted as if it fails: the wrong passwords recorded, the tries in flight, and this one.
    const counted = (r?.failures ?? 0) + m.tries + 1;
    const heldFrom = m.heldUntil;
    m.tries += 1;
    m.heldUntil = Math.max(m.heldUntil, now + loginDelayMs(counted));
    inFlight.set(key, m);
    return { ok: true, heldFrom, heldTo: m.heldUntil };
  }

  async function failed(key: string, address: string, now: number): Promise<Failure> {
    let settled = false;
    try {
      return await sql.transaction(async (tx) => {
        // Race-safe with several hubs on one PostgreSQL: the name's row exists (an empty count
        // where there was none) and is locked before it is read, so two wrong passwords at once
        // count two. SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
        if (tx.dialect === 'postgres') {
          await tx.run("INSERT INTO login_failures (name, failures, first_failed_at, last_failed_at, next_try_at, run_started_at, addresses) VALUES (?, 0, ?, ?, 0, NULL, '[]') ON CONFLICT (name) DO NOTHING", [key, now, now]);
        }
        const before = await tx.get<Row>(tx.dialect === 'postgres' ? `${SELECT} FOR UPDATE` : SELECT, [key]);
        const stale = before !== undefined && now - before.last_failed_at >= RUN_QUIET_MS;
        const r = before && !stale ? before : undefined;
        const failures = (r?.failures ?? 0) + 1;
        const addresses = r ? (JSON.parse(r.addresses) as string[]) : [];
        if (!addresses.includes(address) && addresses.length < MAX_ADDRESSES) addresses.push(address);
        const runStarted = failures === FREE_TRIES;
        const delayMs = loginDelayMs(failures);
        await tx.run(PUT, [key, failures, r?.first_failed_at ?? now, now, now + delayMs, runStarted ? now : (r?.run_started_at ?? null), JSON.stringify(addresses)]);
        // Its place in flight is settled as the wrong password it became is written: an admission
        // meanwhile counts it once, either way (on SQLite it waits for this transaction to end).
        settle(key);
        settled = true;
        return { failures, delayMs, runStarted, ended: stale ? run(before) : undefined };
      });
    } finally {
      if (!settled) settle(key);
    }
  }

  const release = (key: string, admission: { heldFrom: number; heldTo: number }) => {
    const m = inFlight.get(key);
    // The slot goes back unless a later try has held the name further since.
    if (m && m.heldUntil === admission.heldTo) m.heldUntil = admission.heldFrom;
    settle(key);
  };

  async function succeeded(key: string): Promise<GuessingRun | undefined> {
    settle(key);
    // One statement takes the row and removes it: of two hubs seeing the right password at once, one reports the run.
    const r = await sql.get<Row>('DELETE FROM login_failures WHERE name = ? RETURNING name, failures, first_failed_at, last_failed_at, next_try_at, run_started_at, addresses', [key]);
    return r && run(r);
  }

  async function endQuiet(now: number): Promise<GuessingRun[]> {
    // As succeeded: the rows removed are the rows returned, so each run is summarised once.
    const rows = await sql.all<Row>(
      'DELETE FROM login_failures WHERE last_failed_at <= ? RETURNING name, failures, first_failed_at, last_failed_at, next_try_at, run_started_at, addresses',
      [now - RUN_QUIET_MS],
    );
    return rows.flatMap((r) => run(r) ?? []);
  }

  return {
    admit: (name, now) => admit(throttleKey(name), now),
    failed: (name, address, now) => failed(throttleKey(name), address, now),
    release: async (name, admission) => release(throttleKey(name), admission),
    succeeded: (name) => succeeded(throttleKey(name)),
    endQuiet: (now) => endQuiet(now),
  };
}
