import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import type { ContactPurge } from '../store/passes.js';

/** How the job signs its audit entries: no account acts, the hub does. */
export const RETENTION_JOB_NAME = '保留期限清理 / retention job';
export const RETENTION_EVERY_MS = 60 * 60_000;

/**
 * One pass of the retention job (003 §25; docs/security.md "Retention"): contact
 * numbers past their period are removed (store.passes.purgeContacts: those given
 * on passes and on bookings). What it removed
 * goes to the app log and the audit log; a pass with nothing to remove writes
 * only a debug line. An hourly audit entry saying "nothing" would bury the
 * entries that matter (who looked at whose numbers) under 8,760 a year, and
 * the rows that remain are themselves the proof of what was not yet due.
 */
export async function purgeExpiredContacts(store: Store, now: number, log: FastifyBaseLogger): Promise<ContactPurge> {
  const result = await store.passes.purgeContacts(now);
  const applied = result.rules
    .filter((r) => r.removed > 0)
    .map((r) => ({
      of: r.of,
      by: r.by,
      days: r.days,
      cutoff: r.cutoff,
      removed: r.removed,
      ...(r.communityIds ? { communityIds: r.communityIds } : {}),
      ...(r.policyVersions ? { policyVersions: r.policyVersions } : {}),
    }));
  if (result.removed === 0) {
    log.debug({ at: now }, 'retention: no contact number past its period');
    return result;
  }
  log.info({ removed: result.removed, rules: applied }, `retention: removed ${result.removed} contact numbers past their period`);
  await store.audit.record({
    at: now,
    accountId: null,
    accountName: RETENTION_JOB_NAME,
    action: 'contact_purge',
    target: null,
    detail: { removed: result.removed, rules: applied },
  });
  return result;
}

/**
 * Runs the job now and then every hour on the app's clock; the timer does not
 * keep the process alive. Returns the stop function (called on close), which
 * waits for a run still going, so the store is never closed under it. A run
 * still going when the next is due is not doubled.
 */
export function startRetentionJob(store: Store, now: () => number, log: FastifyBaseLogger, everyMs = RETENTION_EVERY_MS): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = purgeExpiredContacts(store, now(), log)
      .then(() => undefined)
      .catch((err: unknown) => log.error({ err }, 'retention job failed'))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
