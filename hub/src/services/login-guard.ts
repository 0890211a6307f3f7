import type { FastifyBaseLogger } from 'fastify';
import { FREE_TRIES, type Failure, type GuessingRun } from '../store/login-failures.js';
import type { Store } from '../store/index.js';

/**
 * What a wrong password or code writes (docs/security.md "Rate limits"): an audit entry
 * `login_failed` per try up to FREE_TRIES; the try that reaches it starts a guessing run, written
 * once to the log and the audit log (`login_guessing`); later tries of the run write nothing; the
 * run's end (the right password, or RUN_QUIET_MS without a try) writes one summary
 * (`login_guessing_ended`). So a run of a thousand guesses is a handful of lines, not a thousand.
 */
export async function recordFailure(
  deps: { store: Store; log: FastifyBaseLogger },
  e: { name: string; address: string; at: number; reason: 'password' | 'code'; failure: Failure },
): Promise<void> {
  const { store, log } = deps;
  const { failure } = e;
  if (failure.ended) await endRun(deps, failure.ended, 'quiet', e.at);
  if (failure.failures <= FREE_TRIES) {
    await store.audit.record({ at: e.at, accountId: null, accountName: e.name, action: 'login_failed', detail: { ip: e.address, reason: e.reason, failures: failure.failures } });
  }
  if (failure.runStarted) {
    log.warn({ account: e.name, failures: failure.failures, ip: e.address }, 'login guessing: wrong passwords for one account, each further try now waits longer');
    await store.audit.record({ at: e.at, accountId: null, accountName: e.name, action: 'login_guessing', detail: { failures: failure.failures, ip: e.address } });
  }
}

/** One summary line per run, in the log and the audit log. */
export async function endRun(deps: { store: Store; log: FastifyBaseLogger }, run: GuessingRun, outcome: 'success' | 'quiet', at: number): Promise<void> {
  const detail = { failures: run.failures, startedAt: run.startedAt, lastFailedAt: run.lastFailedAt, addresses: run.addresses, outcome };
  deps.log.warn({ account: run.name, ...detail }, 'login guessing run ended');
  await deps.store.audit.record({ at, accountId: null, accountName: run.name, action: 'login_guessing_ended', detail });
}

/** Summarises and forgets the runs that went quiet (called every minute by the hub, app.ts). */
export async function endQuietRuns(deps: { store: Store; log: FastifyBaseLogger }, now: number): Promise<number> {
  const runs = await deps.store.loginFailures.endQuiet(now);
  for (const run of runs) await endRun(deps, run, 'quiet', now);
  return runs.length;
}
