import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AccountView, LoginRequest } from '../../../../shared/schemas/account.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { SESSION_COOKIE, csrfToken, requireAccount, setSessionCookie } from '../../auth.js';
import { HttpError } from '../../errors.js';
import { SESSION_IDLE_MS } from '../../store/accounts.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });

/** Log in, log out, who am I, and the CSRF token every state change carries. */
export interface AuthRouteOptions {
  store: Store;
  now: () => number;
  /** A session ended: live dashboards on it are cut at once. */
  sessionEnded: () => Promise<unknown>;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, { store, now, sessionEnded }) => {
  app.get('/api/auth/csrf', { schema: { response: { 200: z.object({ token: z.string() }) } } }, async (request, reply) => ({
    token: csrfToken(request, reply),
  }));

  app.post(
    '/api/auth/login',
    {
      onRequest: app.csrfProtection,
      // Password guessing is slow by design: 10 tries per address per 5 minutes.
      config: { rateLimit: { max: 10, timeWindow: '5 minutes' } },
      schema: { body: LoginRequest, response: { 200: AccountView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody } },
    },
    async (request, reply) => {
      const { name, password } = request.body;
      const account = await store.accounts.verify(name, password);
      const at = now();
      if (!account) {
        await store.audit.record({ at, accountId: null, accountName: name, action: 'login_failed', detail: { ip: request.ip } });
        throw new HttpError(401, 'unauthorized', 'wrong name or password', 'password');
      }
      setSessionCookie(request, reply, await store.accounts.startSession(account.id, at), SESSION_IDLE_MS);
      await store.audit.record({ at, accountId: account.id, accountName: account.name, action: 'login', detail: { ip: request.ip } });
      return account;
    },
  );

  app.post(
    '/api/auth/logout',
    { onRequest: app.csrfProtection, preValidation: requireAccount(store, now), schema: { response: { 204: z.null(), 401: ErrorBody } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await store.accounts.endSession(token);
      const account = request.account!;
      await store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action: 'logout' });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await sessionEnded();
      return reply.code(204).send(null);
    },
  );

  app.get('/api/auth/me', { preValidation: requireAccount(store, now), schema: { response: { 200: AccountView, 401: ErrorBody } } }, async (request) => request.account!);
};
