import type { FastifyBaseLogger } from 'fastify';
import type { KioskServer } from '../sockets/kiosks.js';
import type { Store } from '../store/index.js';
import { publishNewVersions, trackPublishing } from './policy-switch.js';

/**
 * Applies policy switches set for a later time (a switch is made now or at a
 * set time) at every level: a community, a street, a district, the city (004 §1–3). Each due schedule is claimed atomically in
 * the database (store.policies.applySchedule), so several hub processes on
 * one database, or two ticks of one hub, never apply one twice; a hub that
 * was down at the due time applies it as soon as it is back.
 *
 * A claimed schedule's version is in force, so kiosks and dashboards hear of
 * it before anything else can fail (the audit log); and every pass publishes
 * what this hub has not yet (publishNewVersions): a version whose push failed,
 * or one another hub process switched or claimed.
 */

export interface PolicySchedulerDeps {
  store: Store;
  io: KioskServer;
  now: () => number;
  log: FastifyBaseLogger;
}

/** The name the audit log gives the hub when it acts on its own. */
export const SCHEDULER_NAME = '定时切换 / scheduler';

/**
 * One pass: applies every schedule due now, oldest first, then publishes any
 * version in force this hub has not. Returns the versions this call put in
 * force and those it published (another pass may have published some first).
 */
export async function applyDueSchedules({ store, io, now, log }: PolicySchedulerDeps): Promise<{ applied: number[]; published: number[] }> {
  trackPublishing(store, io);
  const applied: number[] = [];
  const published: number[] = [];
  for (const id of await store.policies.dueSchedules(now())) {
    const at = now();
    const done = await store.policies.applySchedule(id, at);
    // Another hub (or another tick) got there first.
    if (!done) continue;
    const { schedule, policy } = done;
    applied.push(policy.version);
    log.info({ scheduleId: id, version: policy.version, communityId: schedule.communityId }, 'scheduled policy applied');
    try {
      published.push(...(await publishNewVersions(store, io)));
    } catch (err) {
      log.error({ err, scheduleId: id, version: policy.version }, 'scheduled policy in force but not yet published; the next pass publishes it');
    }
    await store.audit
      .record({
        at,
        accountId: null,
        accountName: SCHEDULER_NAME,
        action: 'policy_schedule_applied',
        target: `v${policy.version}`,
        detail: {
          scheduleId: id,
          version: policy.version,
          mode: policy.mode,
          level: schedule.level,
          communityId: schedule.communityId,
          dueAt: schedule.dueAt,
          scheduledBy: schedule.createdBy,
          scheduledAt: schedule.createdAt,
          reason: schedule.note,
        },
        // Filed under the street or district it concerns (both null: the city's switch).
        where: { streetId: schedule.streetId, districtId: schedule.districtId },
      })
      .catch((err: unknown) => log.error({ err, scheduleId: id, version: policy.version }, 'scheduled policy applied and published but not audited'));
  }
  published.push(...(await publishNewVersions(store, io)));
  return { applied, published };
}

/**
 * Runs `applyDueSchedules` at once and then every `everyMs`; a pass still
 * running when the next is due is not doubled. Returns the stop function
 * (app.ts awaits it before closing, so no pass writes to a closed store).
 */
export function startPolicyScheduler(deps: PolicySchedulerDeps, everyMs = 5_000): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = applyDueSchedules(deps)
      .then(() => undefined, (err: unknown) => deps.log.error({ err }, 'policy schedule pass failed'))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
