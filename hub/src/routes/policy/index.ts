import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { looserThan } from '../../../../shared/rules/policy-floor.js';
import { ADMIN_ROLES, type AccountView } from '../../../../shared/schemas/account.js';
import {
  CancelScheduleRequest,
  PolicyHistory,
  PolicyLevelView,
  PolicyOverview,
  PolicyRollup,
  PolicySchedule,
  PolicySwitchRequest,
  PolicySwitchResult,
  type PolicyDraft,
} from '../../../../shared/schemas/policy-admin.js';
import { EMERGENCY_POLICY, NORMAL_POLICY, Policy } from '../../../../shared/schemas/policy.js';
import { assertScope, requireAccount, scopeOf } from '../../auth.js';
import { HttpError } from '../../errors.js';
import { overbookedSlots } from '../../services/bookings.js';
import { connectedByCommunity, levelScope, switchPolicy } from '../../services/policy-switch.js';
import { pushPolicyChange } from '../../sockets/dashboards.js';
import { connectedKiosks, type KioskServer } from '../../sockets/kiosks.js';
import type { Store } from '../../store/index.js';
import { inForceAtStreet, type PolicyScope } from '../../store/policies.js';

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

/** The level an act is at, with what the audit log and the floor check need. */
interface Target {
  kind: 'city' | 'district' | 'street' | 'community';
  scope: PolicyScope;
  /** The street and district the act concerns (null above them). */
  streetId: string | null;
  districtId: string | null;
}

/**
 * The policy desks (docs/policy.md): a street admin's for its street (what is
 * in force where, the history of versions, a switch for the street or one
 * community now or at a set time, cancelling a scheduled one), and one act
 * for the city: the city admin switches the city, a district admin its
 * district (004 §1–3). No level below may switch to a policy looser than
 * the floor the levels above it have in force (409 naming the fields); every
 * door enforces the meet of its levels (shared/rules/policy-floor.ts).
 * Every write needs the CSRF token and is audit-logged; the street admin's
 * dashboards hear of it at once ('policy:changed'). Kiosks and dashboards are
 * told before the audit entry is written: what is done is done, and a failed
 * audit write is logged rather than answered as a failure (a retried switch
 * would be a second version).
 */
export const policyRoutes: FastifyPluginAsyncZod<PolicyRouteOptions> = async (app, { store, io, now }) => {
  const admin = requireAccount(store, now, ['street_admin']);
  const levelAdmin = requireAccount(store, now, [...ADMIN_ROLES]);
  const audit = (request: FastifyRequest, action: string, target: string, detail: Record<string, unknown>, where: { streetId: string | null; districtId: string | null }) => {
    const account = request.account!;
    // The audit entry names the street or district the act concerns (both null: the city's act).
    return store.audit
      .record({ at: now(), accountId: account.id, accountName: account.name, action, target, detail, where })
      .catch((err: unknown) => request.log.error({ err, action, target }, 'policy desk act done but not audited'));
  };

  /** The street a street admin acts for (a street admin always names one: migration 29's CHECK). */
  const streetOfAdmin = async (account: AccountView) => account.streetId!;
  const districtOfStreet = async (streetId: string) => (await store.organisation.street(streetId))?.districtId ?? null;

  /** Where the caller may switch for this request: its own level only (403 otherwise). */
  async function targetOf(account: AccountView, communityId: string | null, level: 'city' | 'district' | 'street' | undefined): Promise<Target> {
    if (account.role === 'city_admin') {
      if (communityId !== null || level !== 'city') throw new HttpError(403, 'forbidden', 'a city admin switches the city', 'level');
      return { kind: 'city', scope: { communityId: null, city: true }, streetId: null, districtId: null };
    }
    if (account.role === 'district_admin') {
      if (communityId !== null || level !== 'district') throw new HttpError(403, 'forbidden', 'a district admin switches its district', 'level');
      return { kind: 'district', scope: { communityId: null, districtId: account.districtId! }, streetId: null, districtId: account.districtId };
    }
    if (level !== undefined && level !== 'street') throw new HttpError(403, 'forbidden', 'a street admin switches its street or one of its communities', 'level');
    const streetId = await streetOfAdmin(account);
    const districtId = await districtOfStreet(streetId);
    if (communityId === null) return { kind: 'street', scope: { communityId: null, streetId }, streetId, districtId };
    if ((await store.policies.communityName(communityId)) === undefined) throw new HttpError(400, 'invalid', `no community ${communityId}`, 'communityId');
    await assertScope(store, account, communityId);
    return { kind: 'community', scope: { communityId, streetId }, streetId, districtId };
  }

  /** The floor the levels above the target have in force (undefined: none of them switched). */
  async function floorOf(target: Target): Promise<Policy | undefined> {
    if (target.kind === 'city') return undefined;
    if (target.kind === 'district') return (await store.policies.districtLevels(target.districtId!)).city?.policy;
    return (await store.policies.levels(target.streetId!)).floor;
  }

  /** 409 when the policy is looser than the floor above in any field a door enforces, naming them. */
  async function assertNotLooser(target: Target, draft: PolicyDraft): Promise<void> {
    const floor = await floorOf(target);
    if (!floor) return;
    const fields = looserThan(Policy.parse({ ...draft, version: 1 }), floor);
    if (fields.length > 0) {
      throw new HttpError(409, 'conflict', `looser than the policy the ${target.kind === 'district' ? 'city' : 'city or district'} has in force: ${fields.join(', ')}`, 'policy');
    }
  }

  /** Kiosks in service the target covers, and how many of them are connected now. */
  async function reach(target: Target): Promise<{ kiosks: number; connected: number }> {
    const places = await store.policies.covered({ communityId: target.scope.communityId, streetId: target.kind === 'street' || target.kind === 'community' ? target.streetId : null, districtId: target.kind === 'district' ? target.districtId : null });
    const covered = new Set(places.map((p) => p.communityId));
    const communities = (await store.policies.communities()).filter((c) => covered.has(c.id));
    const connected = await connectedByCommunity(io);
    return {
      kiosks: communities.reduce((n, c) => n + c.kiosks, 0),
      connected: communities.reduce((n, c) => n + (connected.get(c.id) ?? 0), 0),
    };
  }

  app.get('/api/policy', { preValidation: admin, schema: { response: { 200: PolicyOverview } } }, async (request) => {
    const streetId = await streetOfAdmin(request.account!);
    const [street, communities, schedules, latest, levels] = await Promise.all([
      store.policies.street(streetId),
      store.policies.communities(streetId),
      store.policies.pendingSchedules(),
      // The newest version covering the street, whatever its level: the acknowledgement view follows it.
      store.policies.history(1, streetId),
      store.policies.levels(streetId),
    ]);
    const connected = await connectedByCommunity(io);
    return {
      floor: levels.floor ?? null,
      street,
      communities: communities.map((c) => ({ ...c, connected: connected.get(c.id) ?? 0 })),
      // The street's own switches and its communities'.
      schedules: schedules.filter((s) => (s.level === 'street' || s.level === 'community') && s.streetId === streetId),
      presets: { normal: NORMAL_POLICY, emergency: EMERGENCY_POLICY },
      latest: latest[0] ?? null,
    };
  });

  // The versions covering the admin's street: the city's, its district's, its own and its communities'.
  app.get('/api/policy/history', { preValidation: admin, schema: { querystring: HistoryQuery, response: { 200: PolicyHistory } } }, async (request) => ({
    items: await store.policies.history(request.query.limit, await streetOfAdmin(request.account!)),
  }));

  // The level the caller switches: its own newest version, the floor above it, what is in force there.
  app.get('/api/policy/level', { preValidation: levelAdmin, schema: { response: { 200: PolicyLevelView } } }, async (request) => {
    const account = request.account!;
    const presets = { normal: NORMAL_POLICY, emergency: EMERGENCY_POLICY };
    if (account.role === 'city_admin') {
      const city = await store.policies.city();
      return { level: 'city' as const, id: null, name: '全市 / City', own: city ?? null, floor: null, inForce: city?.policy ?? NORMAL_POLICY, schedules: await store.policies.pendingSchedules({ kind: 'city', id: null }), presets };
    }
    if (account.role === 'district_admin') {
      const districtId = account.districtId!;
      const { city, district } = await store.policies.districtLevels(districtId);
      const inForce = inForceAtStreet({ street: undefined, district, city });
      return {
        level: 'district' as const,
        id: districtId,
        name: account.districtName ?? districtId,
        own: district ?? null,
        floor: city?.policy ?? null,
        inForce,
        schedules: await store.policies.pendingSchedules({ kind: 'district', id: districtId }),
        presets,
      };
    }
    const streetId = await streetOfAdmin(account);
    const levels = await store.policies.levels(streetId);
    return {
      level: 'street' as const,
      id: streetId,
      name: (await store.organisation.street(streetId))?.name ?? streetId,
      own: levels.street ?? null,
      floor: levels.floor ?? null,
      inForce: await store.policies.active(streetId),
      schedules: await store.policies.pendingSchedules({ kind: 'street', id: streetId }),
      presets,
    };
  });

  // The acknowledgement roll-up: per district and street of the caller's area, the doors that enforce
  // the version now in force for their community, those that do not (and when each was last seen).
  app.get('/api/policy/rollup', { preValidation: levelAdmin, schema: { response: { 200: PolicyRollup } } }, async (request) => {
    const doors = await store.policies.doors(scopeOf(request.account!));
    const online = new Set((await connectedKiosks(io)).map((k) => k.id));
    const districts = new Map<string, { id: string; name: string; doors: number; acked: number; connected: number; streets: Map<string, z.infer<typeof PolicyRollup>['districts'][number]['streets'][number]> }>();
    for (const d of doors) {
      let district = districts.get(d.districtId);
      if (!district) districts.set(d.districtId, (district = { id: d.districtId, name: d.districtName, doors: 0, acked: 0, connected: 0, streets: new Map() }));
      let street = district.streets.get(d.streetId);
      if (!street) district.streets.set(d.streetId, (street = { id: d.streetId, name: d.streetName, doors: 0, acked: 0, connected: 0, lastSeenAt: null, pending: [] }));
      const acked = d.acked !== null && d.acked >= d.due;
      const connected = online.has(d.kioskId);
      for (const x of [district, street]) {
        x.doors += 1;
        if (acked) x.acked += 1;
        if (connected) x.connected += 1;
      }
      if (d.lastSeenAt !== null && (street.lastSeenAt === null || d.lastSeenAt > street.lastSeenAt)) street.lastSeenAt = d.lastSeenAt;
      if (!acked) street.pending.push({ kioskId: d.kioskId, venueName: d.venueName, communityName: d.communityName, due: d.due, acked: d.acked, lastSeenAt: d.lastSeenAt, connected });
    }
    return { districts: [...districts.values()].map((d) => ({ ...d, streets: [...d.streets.values()] })) };
  });

  app.post(
    '/api/policy/switch',
    {
      onRequest: app.csrfProtection,
      preValidation: levelAdmin,
      schema: { body: PolicySwitchRequest, response: { 200: PolicySwitchResult, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody } },
    },
    async (request) => {
      const account = request.account!;
      const { policy, communityId, at, reason, level } = request.body;
      const target = await targetOf(account, communityId, level);
      const t = now();
      if (at !== undefined && at > t + MAX_AHEAD_MS) throw new HttpError(400, 'invalid', 'a switch can be set at most a year ahead', 'at');
      await assertNotLooser(target, policy);
      const where = { streetId: target.streetId, districtId: target.districtId };
      const author = { ...target.scope, by: account.name, note: reason };
      if (at === undefined || at <= t) {
        const active = await switchPolicy(store, io, policy, t, author, request.log);
        const counts = await reach(target);
        // A lower cap can leave booked slots over it: the log keeps how many the switch left
        // for the admin to move or cancel (the desk lists them from GET /api/bookings/overbooked).
        const overbooked = await overbookedSlots(store, t)
          .then((slots) => slots.flatMap((s) => s.bookings))
          .then((bookings) => ({ bookings: bookings.length, people: bookings.reduce((n, b) => n + b.people, 0) }))
          .catch((err: unknown) => (request.log.error({ err }, 'could not count overbooked slots after a switch'), null));
        await audit(request, 'policy_switch', `v${active.version}`, { version: active.version, mode: active.mode, level: target.kind, communityId, reason, ...counts, overbooked }, where);
        return { kind: 'switched' as const, version: (await store.policies.version(active.version))!, ...counts };
      }
      const schedule = await store.policies.schedule(policy, at, t, author);
      await pushPolicyChange(io, store.organisation, { kind: 'scheduled', scheduleId: schedule.id, mode: schedule.mode, communityId, dueAt: at, by: account.name }, levelScope(schedule));
      await audit(request, 'policy_schedule', `schedule:${schedule.id}`, { scheduleId: schedule.id, mode: schedule.mode, level: target.kind, communityId, dueAt: at, reason }, where);
      return { kind: 'scheduled' as const, schedule };
    },
  );

  app.post(
    '/api/policy/schedules/:id/cancel',
    {
      onRequest: app.csrfProtection,
      preValidation: levelAdmin,
      schema: { params: ScheduleParams, body: CancelScheduleRequest, response: { 200: PolicySchedule, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (request) => {
      const account = request.account!;
      // Only the level that set a switch may cancel it; another area's switch, whatever its state, is not theirs to know of.
      const own = async (s: PolicySchedule) =>
        account.role === 'city_admin'
          ? s.level === 'city'
          : account.role === 'district_admin'
            ? s.level === 'district' && s.districtId === account.districtId
            : (s.level === 'street' || s.level === 'community') && s.streetId === (await streetOfAdmin(account));
      const pending = (await store.policies.pendingSchedules()).find((s) => s.id === request.params.id);
      if (pending && !(await own(pending))) throw new HttpError(403, 'forbidden', 'this switch was set by another level or area', 'id');
      // A cancel of a switch no longer pending changes nothing; it only tells its state, to its own level.
      const out = await store.policies.cancelSchedule(request.params.id, now());
      if (!out.schedule || (!out.ok && !(await own(out.schedule)))) throw new HttpError(404, 'not_found', 'no such scheduled switch', 'id');
      if (!out.ok) throw new HttpError(409, 'conflict', `this switch is already ${out.schedule.status}`, 'id');
      const s = out.schedule;
      await pushPolicyChange(io, store.organisation, { kind: 'cancelled', scheduleId: s.id, communityId: s.communityId, by: account.name }, levelScope(s));
      const districtId = s.districtId ?? (s.streetId ? await districtOfStreet(s.streetId) : null);
      await audit(
        request,
        'policy_schedule_cancel',
        `schedule:${s.id}`,
        { scheduleId: s.id, mode: s.mode, level: s.level, communityId: s.communityId, dueAt: s.dueAt, scheduledBy: s.createdBy, reason: request.body.reason ?? null },
        { streetId: s.streetId, districtId },
      );
      return s;
    },
  );
};
