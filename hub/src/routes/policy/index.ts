import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../../../shared/schemas/errors.js';
import {
  CancelScheduleRequest,
  PolicyHistory,
  PolicyOverview,
  PolicySchedule,
  PolicySwitchRequest,
  PolicySwitchResult,
} from '../../../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../../../shared/schemas/policy.js';
import { requireAccount } from '../../auth.js';
import { HttpError } from '../../errors.js';
import { overbookedSlots } from '../../services/bookings.js';
import { connectedByCommunity, switchPolicy } from '../../services/policy-switch.js';
import { pushPolicyChange } from '../../sockets/dashboards.js';
import type { KioskServer } from '../../sockets/kiosks.js';
import type { Store } from '../../store/index.js';
import { WHOLE_CITY } from '../../store/scope.js';

const ErrorBody = z.object({ error: ApiError });
const HistoryQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const ScheduleParams = z.object({ id: z.coerce.number().int().min(1) });
/** A switch is set at most a year ahead: further than that is a typo in the year. */
const MAX_AHEAD_MS = 366 * 24 * 3_600_000;

export interface PolicyRouteOptions {
  store: Store;
  io: KioskServer;
  now: () => number;
}

/**
 * The street office's policy desk (docs/policy.md), street admin only:
 * what is in force where, the history of versions, a switch for the street
 * or one community now or at a set time, and cancelling a scheduled one.
 * Every write needs the CSRF token and is audit-logged; the street admin's
 * dashboards hear of it at once ('policy:changed'). Kiosks and dashboards are
 * told before the audit entry is written: what is done is done, and a failed
 * audit write is logged rather than answered as a failure (a retried switch
 * would be a second version).
 */
export const policyRoutes: FastifyPluginAsyncZod<PolicyRouteOptions> = async (app, { store, io, now }) => {
  const admin = requireAccount(store, now, ['street_admin']);
  const audit = (request: FastifyRequest, action: string, target: string, detail: Record<string, unknown>) => {
    const account = request.account!;
    return store.audit
      .record({ at: now(), accountId: account.id, accountName: account.name, action, target, detail })
      .catch((err: unknown) => request.log.error({ err, action, target }, 'policy desk act done but not audited'));
  };

  /** Kiosks in service in the scope, and how many of them are connected now. */
  async function reach(communityId: string | null): Promise<{ kiosks: number; connected: number }> {
    const communities = await store.policies.communities();
    const connected = await connectedByCommunity(io);
    const inScope = communities.filter((c) => communityId === null || c.id === communityId);
    return {
      kiosks: inScope.reduce((n, c) => n + c.kiosks, 0),
      connected: inScope.reduce((n, c) => n + (connected.get(c.id) ?? 0), 0),
    };
  }

  app.get('/api/policy', { preValidation: admin, schema: { response: { 200: PolicyOverview } } }, async () => {
    const [street, communities, schedules, latest] = await Promise.all([
      store.policies.street(),
      store.policies.communities(),
      store.policies.pendingSchedules(),
      store.policies.history(1),
    ]);
    const connected = await connectedByCommunity(io);
    return {
      street,
      communities: communities.map((c) => ({ ...c, connected: connected.get(c.id) ?? 0 })),
      schedules,
      presets: { normal: NORMAL_POLICY, emergency: EMERGENCY_POLICY },
      latest: latest[0] ?? null,
    };
  });

  app.get('/api/policy/history', { preValidation: admin, schema: { querystring: HistoryQuery, response: { 200: PolicyHistory } } }, async (request) => ({
    items: await store.policies.history(request.query.limit),
  }));

  app.post(
    '/api/policy/switch',
    {
      onRequest: app.csrfProtection,
      preValidation: admin,
      schema: { body: PolicySwitchRequest, response: { 200: PolicySwitchResult, 400: ErrorBody, 403: ErrorBody } },
    },
    async (request) => {
      const account = request.account!;
      const { policy, communityId, at, reason } = request.body;
      if (communityId !== null && (await store.policies.communityName(communityId)) === undefined) {
        throw new HttpError(400, 'invalid', `no community ${communityId}`, 'communityId');
      }
      const t = now();
      if (at !== undefined && at > t + MAX_AHEAD_MS) throw new HttpError(400, 'invalid', 'a switch can be set at most a year ahead', 'at');
      if (at === undefined || at <= t) {
        const active = await switchPolicy(store, io, policy, t, { communityId, by: account.name, note: reason }, request.log);
        const counts = await reach(communityId);
        // A lower cap can leave booked slots over it: the log keeps how many the switch left
        // for the admin to move or cancel (the desk lists them from GET /api/bookings/overbooked).
        const overbooked = await overbookedSlots(store, t)
          .then((slots) => slots.flatMap((s) => s.bookings))
          .then((bookings) => ({ bookings: bookings.length, people: bookings.reduce((n, b) => n + b.people, 0) }))
          .catch((err: unknown) => (request.log.error({ err }, 'could not count overbooked slots after a switch'), null));
        await audit(request, 'policy_switch', `v${active.version}`, { version: active.version, mode: active.mode, communityId, reason, ...counts, overbooked });
        return { kind: 'switched' as const, version: (await store.policies.version(active.version))!, ...counts };
      }
      const schedule = await store.policies.schedule(policy, at, t, { communityId, by: account.name, note: reason });
      // Rooms only: the admins of the community's street, or of the admin's own street (sockets/dashboards.ts policyRooms).
      await pushPolicyChange(io, store.organisation, { kind: 'scheduled', scheduleId: schedule.id, mode: schedule.mode, communityId, dueAt: at, by: account.name }, { ...WHOLE_CITY, communityId, streetId: communityId === null ? account.streetId : null });
      await audit(request, 'policy_schedule', `schedule:${schedule.id}`, { scheduleId: schedule.id, mode: schedule.mode, communityId, dueAt: at, reason });
      return { kind: 'scheduled' as const, schedule };
    },
  );

  app.post(
    '/api/policy/schedules/:id/cancel',
    {
      onRequest: app.csrfProtection,
      preValidation: admin,
      schema: { params: ScheduleParams, body: CancelScheduleRequest, response: { 200: PolicySchedule, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (request) => {
      const out = await store.policies.cancelSchedule(request.params.id, now());
      if (!out.schedule) throw new HttpError(404, 'not_found', 'no such scheduled switch', 'id');
      if (!out.ok) throw new HttpError(409, 'conflict', `this switch is already ${out.schedule.status}`, 'id');
      const s = out.schedule;
      await pushPolicyChange(io, store.organisation, { kind: 'cancelled', scheduleId: s.id, communityId: s.communityId, by: request.account!.name }, { ...WHOLE_CITY, communityId: s.communityId, streetId: s.communityId === null ? request.account!.streetId : null });
      await audit(request, 'policy_schedule_cancel', `schedule:${s.id}`, {
        scheduleId: s.id,
        mode: s.mode,
        communityId: s.communityId,
        dueAt: s.dueAt,
        scheduledBy: s.createdBy,
        reason: request.body.reason ?? null,
      });
      return s;
    },
  );
};
