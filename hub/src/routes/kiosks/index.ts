import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KIOSK_NAMESPACE } from '../../../../shared/events.js';
import { Id } from '../../../../shared/schemas/common.js';
import { EnrolRequest, EnrolResponse } from '../../../../shared/schemas/enrolment.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { EnrolmentCodeIssued, EnrolmentCodeRequest, KioskListQuery, KioskView, RevokeRequest } from '../../../../shared/schemas/kiosk-admin.js';
import { posterToken } from '../../../../shared/rules/venue-code.js';
import type { FastifyRequest } from 'fastify';
import { ADMIN_ROLES } from '../../../../shared/schemas/account.js';
import { assertScope, requireAccount, scopeOf, venueInScope, venuePlace } from '../../auth.js';
import type { AuditPlace } from '../../store/audit.js';
import { HttpError } from '../../errors.js';
import type { HubKeys } from '../../keys.js';
import { pushKiosk } from '../../sockets/dashboards.js';
import { connectedKioskIds, cutKiosk, kioskRoom, liveKioskView, venueRoom } from '../../sockets/kiosks.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });
const IdParams = z.object({ id: Id });
const HOUR_MS = 3_600_000;

/**
 * POST /api/kiosks/enrol: a new tablet spends a one-time code and gets its token and venue.
 * The street admin's side of the kiosk lifecycle: list the kiosks, issue an
 * enrolment code per entrance, revoke a lost or stolen tablet.
 */
export interface KioskRouteOptions {
  store: Store;
  keys: HubKeys;
  now: () => number;
  publicUrl: string | undefined;
}

export const kioskRoutes: FastifyPluginAsyncZod<KioskRouteOptions> = async (app, { store, keys, now, publicUrl }) => {
  app.post(
    '/api/kiosks/enrol',
    {
      // A code has 31^8 values, but guessing is still throttled per address.
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        body: EnrolRequest,
        response: { 201: EnrolResponse, 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const outcome = await store.kiosks.enrol(request.body.code, now());
      if (!outcome.ok) {
        if (outcome.reason === 'unknown') throw new HttpError(404, 'not_found', 'no such enrolment code', 'code');
        throw new HttpError(
          410,
          'expired',
          outcome.reason === 'used'
            ? 'this enrolment code was already used; ask the street office for a new one'
            : 'this enrolment code has expired; ask the street office for a new one',
          'code',
        );
      }
      const { kiosk, token } = outcome;
      const [venue, entrance, policy, passCodeSecret, posterSecret, self] = await Promise.all([
        store.venues.profile(kiosk.venueId),
        store.venues.entrance(kiosk.entranceId),
        store.policies.activeFor(kiosk.communityId),
        store.venues.codeSecret(kiosk.venueId),
        store.venues.posterSecret(kiosk.venueId),
        store.kiosks.byId(kiosk.id),
      ]);
      if (!venue || !entrance || !passCodeSecret || !posterSecret || !self) throw new Error(`kiosk ${kiosk.id} enrolled at a missing venue or entrance`);
      request.log.info({ kioskId: kiosk.id, venueId: venue.id }, 'kiosk enrolled');
      return reply.code(201).send({
        kioskId: kiosk.id,
        entranceId: entrance.id,
        entranceName: entrance.name,
        token,
        venue,
        policy,
        codeSecret: self.codeSecret,
        passCodeSecret,
        posterPath: `/posters/${await posterToken(posterSecret, entrance.id)}`,
        ...(publicUrl ? { publicUrl } : {}),
        passKey: keys.passSigning.publicKey as EnrolResponse['passKey'],
      });
    },
  );

  // Admins above a street see its kiosks; enrolling and revoking a street's tablets is its own admin's act.
  const reader = requireAccount(store, now, ADMIN_ROLES);
  const admin = requireAccount(store, now, ['street_admin']);
  const audit = (account: { id: string; name: string }, where: AuditPlace, action: string, target: string, detail: Record<string, unknown>) =>
    store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action, target, detail, where });
  /**
   * Run after `admin`, before the body is validated (docs/security.md "Order of checks"): an
   * entrance or a kiosk of another street is 403 whatever was sent; an unknown one is the handler's 404.
   */
  const entranceParamInScope = async (request: FastifyRequest) => {
    const entrance = await store.venues.entrance((request.params as { id: string }).id);
    if (entrance) await venueInScope(store, request.account!, entrance.venueId);
  };
  const kioskParamInScope = async (request: FastifyRequest) => {
    const kiosk = await store.kiosks.byId((request.params as { id: string }).id);
    if (kiosk) await assertScope(store, request.account!, kiosk.communityId);
  };

  app.get(
    '/api/kiosks',
    { preValidation: reader, schema: { querystring: KioskListQuery, response: { 200: z.object({ items: z.array(KioskView) }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => {
      const account = request.account!;
      // A venue or community asked for must be the account's (403), as a venue page is.
      if (request.query.venueId) await venueInScope(store, account, request.query.venueId);
      if (request.query.communityId) await assertScope(store, account, request.query.communityId);
      const [items, connected] = await Promise.all([store.kiosks.list(scopeOf(account), request.query), connectedKioskIds(app.io)]);
      return { items: items.map((k) => ({ ...k, connected: connected.has(k.id) })) };
    },
  );

  app.post(
    '/api/entrances/:id/enrolment-codes',
    {
      onRequest: app.csrfProtection,
      preValidation: [admin, entranceParamInScope],
      schema: {
        params: IdParams,
        // A bare POST (no body) asks for the default validity.
        body: EnrolmentCodeRequest.prefault({}),
        response: { 201: EnrolmentCodeIssued, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = request.account!;
      const entrance = await store.venues.entrance(request.params.id);
      if (!entrance) throw new HttpError(404, 'not_found', 'no such entrance', 'id');
      const issuedAt = now();
      const expiresAt = issuedAt + request.body.ttlHours * HOUR_MS;
      // Only its hash is stored, and the audit never sees it: the code is shown this once.
      const code = await store.kiosks.issueEnrolmentCode(entrance.id, issuedAt, expiresAt - issuedAt, account.name);
      await audit(account, await venuePlace(store, account, entrance.venueId), 'enrolment_code_issue', entrance.id, { venueId: entrance.venueId, ttlHours: request.body.ttlHours, expiresAt });
      const origin = publicUrl ?? `${request.protocol}://${request.host}`;
      return reply.code(201).send({ code, entranceId: entrance.id, expiresAt, enrolUrl: `${origin}/kiosk/?enrol=${code}` });
    },
  );

  app.post(
    '/api/kiosks/:id/revoke',
    {
      onRequest: app.csrfProtection,
      preValidation: [admin, kioskParamInScope],
      schema: { params: IdParams, body: RevokeRequest, response: { 200: KioskView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (request) => {
      const account = request.account!;
      const outcome = await store.kiosks.revoke(request.params.id, account.name, request.body.reason, now());
      if (!outcome.ok) {
        if (outcome.reason === 'not_found') throw new HttpError(404, 'not_found', 'no such kiosk', 'id');
        throw new HttpError(409, 'conflict', `this kiosk is already ${outcome.kiosk.state}`, 'id');
      }
      // Told why, then cut at once: a stolen tablet gets no grace period. Its token is refused from now on.
      const kiosks = app.io.of(KIOSK_NAMESPACE);
      kiosks.to(kioskRoom(outcome.kiosk.id)).emit('kiosk:revoked', { reason: request.body.reason });
      await cutKiosk(app.io, outcome.kiosk.id);
      // The venue's other doors take the rotated pass-code secret now (never the revoked tablet, cut above).
      kiosks.to(venueRoom(outcome.kiosk.venueId)).except(kioskRoom(outcome.kiosk.id)).emit('venue:secret', outcome.secret);
      request.log.warn({ kioskId: outcome.kiosk.id, venueId: outcome.kiosk.venueId, by: account.name }, 'kiosk revoked; venue pass-code secret rotated');
      const view = (await liveKioskView(store, app.io, outcome.kiosk.id)) ?? { ...outcome.kiosk, connected: false };
      const where = await venuePlace(store, account, outcome.kiosk.venueId);
      if (where.streetId !== null && where.districtId !== null) pushKiosk(app.io, { streetId: where.streetId, districtId: where.districtId }, view);
      // Audited last: the revoke is committed and published whatever happens here, so a failing
      // audit log must not turn it into an error the admin would retry against a revoked kiosk.
      try {
        await audit(account, where, 'kiosk_revoke', outcome.kiosk.id, {
          venueId: outcome.kiosk.venueId,
          entranceId: outcome.kiosk.entranceId,
          reason: request.body.reason,
          backlog: outcome.kiosk.backlog,
          lastContact: outcome.kiosk.lastSeenAt,
          passCodeSecretRotated: true,
        });
      } catch (err) {
        request.log.error({ err, kioskId: outcome.kiosk.id, by: account.name }, 'kiosk revoked but the audit log could not record it');
      }
      return view;
    },
  );
};
