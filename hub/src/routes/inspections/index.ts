import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id } from '../../../../shared/schemas/common.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import type { Flag } from '../../../../shared/schemas/flags.js';
import { Inspection, InspectionList, InspectionSubmit } from '../../../../shared/schemas/inspection.js';
import { STREET_ROLES } from '../../../../shared/schemas/account.js';
import { requireAccount, venueInScope, venueParamInScope, venuePlace } from '../../auth.js';
import { HttpError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { InspectionClientIdError, InspectionCloseError } from '../../store/inspections.js';

const VenueParams = z.object({ id: Id });
const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });
const ErrorBody = z.object({ error: ApiError });

export interface InspectionRouteOptions {
  store: Store;
  now: () => number;
  /** Tells connected dashboards a flag changed (sockets/dashboards.ts): the rectifications an inspection closed. */
  pushFlags: (flags: Flag[]) => Promise<void>;
}

/**
 * On-site inspections (000 §3 "逐一过滤", the inspection ledger): an inspector
 * files the checklist of a venue of their community (the street admin: any
 * venue), the hub stamps its own time and the signed-in account. Scoped and
 * authorised like the other dashboard routes (before the body is validated),
 * CSRF on the write, every inspection audit-logged. A form sent again with the same
 * `clientId` is answered 200 with the inspection already stored.
 */
export const inspectionRoutes: FastifyPluginAsyncZod<InspectionRouteOptions> = async (app, { store, now, pushFlags }) => {
  const signedIn = requireAccount(store, now);
  // An inspection is the street's own act (its admin and inspectors); admins above a street read them.
  const streetStaff = requireAccount(store, now, STREET_ROLES);
  const venueInScopeFirst = venueParamInScope(store);

  app.get(
    '/api/venues/:id/inspections',
    { preValidation: [signedIn, venueInScopeFirst], schema: { params: VenueParams, querystring: ListQuery, response: { 200: InspectionList, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      await venueInScope(store, request.account!, request.params.id);
      return { items: await store.inspections.list(request.params.id, request.query.limit) };
    },
  );

  app.post(
    '/api/venues/:id/inspections',
    {
      onRequest: app.csrfProtection,
      preValidation: [streetStaff, venueInScopeFirst],
      schema: { params: VenueParams, body: InspectionSubmit, response: { 200: Inspection, 201: Inspection, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (request, reply) => {
      const account = request.account!;
      const venueId = request.params.id;
      await venueInScope(store, account, venueId);
      let inspection: Inspection;
      try {
        const saved = await store.inspections.record(venueId, request.body, account.id, now());
        inspection = saved.inspection;
        // The same filling-in sent again (a reply lost on the way to the phone): the one stored.
        if (!saved.created) return reply.code(200).send(inspection);
      } catch (err) {
        if (err instanceof InspectionCloseError || err instanceof InspectionClientIdError) throw new HttpError(409, 'conflict', err.message, err.field);
        throw err;
      }
      await store.audit.record({
        at: now(),
        accountId: account.id,
        accountName: account.name,
        action: 'inspection',
        target: String(inspection.id),
        detail: { venueId, failed: inspection.failed, closed: inspection.closed },
        where: await venuePlace(store, account, venueId),
      });
      const closed = (await Promise.all(inspection.closed.map((id) => store.flags.get(id)))).filter((f): f is Flag => f !== undefined);
      if (closed.length > 0) await pushFlags(closed);
      return reply.code(201).send(inspection);
    },
  );
};
