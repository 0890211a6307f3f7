import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { StreetSecurity } from '../../../../shared/schemas/account.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { accountPlace, requireAccount } from '../../auth.js';
import { HttpError } from '../../errors.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });

export interface StreetSecurityRouteOptions {
  store: Store;
  now: () => number;
}

/**
 * The street's security settings (docs/security.md "The inspectors' side"): whether tracing needs a
 * session verified with the second factor. Street admins read them; changing them is audited and
 * needs a TOTP-verified session, so a stolen password alone cannot switch the requirement off.
 */
export const streetSecurityRoutes: FastifyPluginAsyncZod<StreetSecurityRouteOptions> = async (app, { store, now }) => {
  // Per street: its own admin's alone (a district or city admin has no street of its own to set).
  const admin = requireAccount(store, now, ['street_admin']);

  app.get(
    '/api/street/security',
    { preValidation: admin, schema: { response: { 200: StreetSecurity, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => store.streetSettings.security(request.account!.streetId!),
  );

  app.post(
    '/api/street/security',
    {
      onRequest: app.csrfProtection,
      preValidation: [
        admin,
        async (request) => {
          if (!request.account!.totpVerified) throw new HttpError(403, 'forbidden', 'changing this needs a login with the authenticator code');
        },
      ],
      schema: { body: StreetSecurity, response: { 200: StreetSecurity, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } },
    },
    async (request) => {
      const account = request.account!;
      const streetId = account.streetId!;
      const before = await store.streetSettings.security(streetId);
      const at = now();
      await store.streetSettings.setSecurity(streetId, request.body, at, account.id);
      await store.audit.record({ at, accountId: account.id, accountName: account.name, action: 'street_setting_changed', detail: { before, after: request.body }, where: accountPlace(account) });
      return request.body;
    },
  );
};
