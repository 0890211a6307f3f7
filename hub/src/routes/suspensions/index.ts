import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id } from '../../../../shared/schemas/common.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { Suspension, SuspensionLift, SuspensionOrder } from '../../../../shared/schemas/suspension.js';
import { STREET_ROLES } from '../../../../shared/schemas/account.js';
import { assertScope, requireAccount, venueInScope, venueParamInScope, venuePlace } from '../../auth.js';
import { HttpError } from '../../errors.js';
import { pushSuspensions, type KioskServer } from '../../sockets/kiosks.js';
import type { Store } from '../../store/index.js';
import { SuspensionLiftError, SuspensionOrderError } from '../../store/suspensions.js';

const VenueParams = z.object({ id: Id });
const SuspensionParams = z.object({ id: z.coerce.number().int().min(1) });
const ErrorBody = z.object({ error: ApiError });

export interface SuspensionRouteOptions {
  store: Store;
  io: KioskServer;
  now: () => number;
}

/**
 * Suspension orders (停业整顿, 000 §5(2)): an inspector orders one venue of
 * their community to admit nobody from a date to a date, and may lift the
 * order early. Scoped like flag actions (an inspector acts on their own
 * community's venues, the street admin on all); both acts need the CSRF token
 * and are audit-logged; the venue's kiosks are told at once.
 */
export const suspensionRoutes: FastifyPluginAsyncZod<SuspensionRouteOptions> = async (app, { store, io, now }) => {
  const signedIn = requireAccount(store, now);
  // Ordering and lifting are the street's own acts (its admin and inspectors); admins above a street read them.
  const streetStaff = requireAccount(store, now, STREET_ROLES);
  type Account = NonNullable<FastifyRequest['account']>;
  // Audited in the venue's street.
  const audit = async (account: Account, venueId: string, action: string, target: string, detail: Record<string, unknown>) =>
    store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action, target, detail, where: await venuePlace(store, account, venueId) });

  // Authorised before the body is validated (docs/security.md "Order of checks").
  const venueInScopeFirst = venueParamInScope(store);
  const suspensionInScopeFirst = async (request: FastifyRequest) => {
    const id = Number((request.params as { id?: unknown }).id);
    const found = Number.isSafeInteger(id) ? await store.suspensions.get(id) : undefined;
    const communityId = found && (await store.dashboard.venueCommunity(found.venueId));
    if (communityId) await assertScope(store, request.account!, communityId);
  };

  /** The kiosks hear after the answer is decided; a failed push is logged (they read the orders again on connect). */
  const tellKiosks = (venueId: string) =>
    pushSuspensions(store, io, venueId, now()).catch((err: unknown) => app.log.error({ err, venueId }, 'could not push suspension orders to kiosks'));

  app.get(
    '/api/venues/:id/suspensions',
    { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams, response: { 200: z.object({ items: z.array(Suspension) }), 403: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      await venueInScope(store, request.account!, request.params.id);
      return { items: await store.suspensions.list(request.params.id) };
    },
  );

  app.post(
    '/api/venues/:id/suspensions',
    {
      onRequest: app.csrfProtection,
      preValidation: [streetStaff, venueInScopeFirst],
      schema: { params: VenueParams, body: SuspensionOrder, response: { 201: Suspension, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
    },
    async (request, reply) => {
      const account = request.account!;
      await venueInScope(store, account, request.params.id);
      let order: Suspension | undefined;
      try {
        order = await store.suspensions.order(request.params.id, request.body, account.id, now());
      } catch (err) {
        if (err instanceof SuspensionOrderError) throw new HttpError(400, 'invalid', err.message, err.field);
        throw err;
      }
      if (!order) throw new HttpError(404, 'not_found', 'no such venue', 'id');
      await audit(account, order.venueId, 'suspension_order', String(order.id), { venueId: order.venueId, from: order.from, to: order.to, reason: order.reason });
      await tellKiosks(order.venueId);
      return reply.code(201).send(order);
    },
  );

  app.post(
    '/api/suspensions/:id/lift',
    {
      onRequest: app.csrfProtection,
      preValidation: [streetStaff, suspensionInScopeFirst],
      schema: { params: SuspensionParams, body: SuspensionLift, response: { 200: Suspension, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (request) => {
      const account = request.account!;
      const found = await store.suspensions.get(request.params.id);
      if (!found) throw new HttpError(404, 'not_found', 'no such suspension', 'id');
      await venueInScope(store, account, found.venueId);
      let lifted: Suspension;
      try {
        lifted = await store.suspensions.lift(found.id, request.body.note, account.id, now());
      } catch (err) {
        if (err instanceof SuspensionLiftError) throw new HttpError(409, 'conflict', err.message, 'id');
        throw err;
      }
      await audit(account, lifted.venueId, 'suspension_lift', String(lifted.id), { venueId: lifted.venueId, from: lifted.from, to: lifted.to, note: request.body.note });
      await tellKiosks(lifted.venueId);
      return lifted;
    },
  );
};
