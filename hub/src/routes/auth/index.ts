import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AccountView, ChangePasswordRequest, LoginRequest, TotpConfirm, TotpEnrolRequest, TotpEnrolment } from '../../../../shared/schemas/account.js';
import { ApiError } from '../../../../shared/schemas/errors.js';
import { SESSION_COOKIE, accountPlace, csrfToken, requireAccount, setSessionCookie } from '../../auth.js';
import { HttpError } from '../../errors.js';
import type { HubKeys } from '../../keys.js';
import { knownBrowsers, passwordTries, tooSoon, type PasswordCheckVia } from '../../services/login-guard.js';
import { newTotpSecret, totpStep } from '../../services/totp.js';
import { SESSION_IDLE_MS } from '../../store/accounts.js';
import type { Store } from '../../store/index.js';

const ErrorBody = z.object({ error: ApiError });
/** A login refused for the account's wait says how long it is: up to minutes, beyond a kiosk's retryAfterMs. */
const WaitBody = z.object({ error: ApiError.extend({ retryAfterMs: z.int().min(0) }) });

/** Log in, log out, who am I, the CSRF token every state change carries, one's password and second factor. */
export interface AuthRouteOptions {
  store: Store;
  /** contactKey seals the TOTP secrets. */
  keys: HubKeys;
  now: () => number;
  /** A session ended: live dashboards on it are cut at once. */
  sessionEnded: () => Promise<unknown>;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, { store, keys, now, sessionEnded }) => {
  // Routes a session with a one-time password may still use (auth.ts requireAccount).
  const anyAccount = requireAccount(store, now, undefined, { beforePasswordChange: true });
  const streetAdmin = requireAccount(store, now, ['street_admin']);
  const known = knownBrowsers(keys);
  // Every check of a password, here and where a session gives it again, counts toward the
  // account's wait (docs/security.md "Rate limits").
  const tries = passwordTries({ store, log: app.log, known });

  app.get('/api/auth/csrf', { schema: { response: { 200: z.object({ token: z.string() }) } } }, async (request, reply) => ({
    token: csrfToken(request, reply),
  }));

  app.post(
    '/api/auth/login',
    {
      onRequest: app.csrfProtection,
      // Per address: 10 tries per 5 minutes (a NAT'd office shares one). Per account name: the
      // growing wait below (docs/security.md "Rate limits").
      config: { rateLimit: { max: 10, timeWindow: '5 minutes' } },
      schema: { body: LoginRequest, response: { 200: AccountView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: z.union([WaitBody, ErrorBody]) } },
    },
    async (request, reply) => {
      const { name, password, code } = request.body;
      const at = now();
      // Before the password is checked, so a try during the wait tells nothing and costs no scrypt.
      const attempt = await tries.begin(request, name, at, 'login');
      if ('retryAfterMs' in attempt) return tooSoon(reply, attempt.retryAfterMs);
      try {
        const account = await store.accounts.verify(name, password);
        if (!account) {
          await attempt.failed('password');
          throw new HttpError(401, 'unauthorized', 'wrong name or password', 'password');
        }
        if (account.totpEnrolled) {
          // The second step: the password was right; a missing code is asked for, not counted, and
          // the slot this try held is given back so the try with the code need not wait for it.
          if (!code) {
            await attempt.release();
            throw new HttpError(401, 'unauthorized', 'enter the code from your authenticator app', 'code');
          }
          const totp = await store.accounts.totp(account.id);
          const step = totp.sealed ? totpStep(totp.sealed, keys.contactKey, code, at) : undefined;
          // A code is good once: a step at or before the last one used is refused.
          if (step === undefined || !(await store.accounts.useTotpStep(account.id, step))) {
            await attempt.failed('code');
            throw new HttpError(401, 'unauthorized', 'the code from the authenticator app is not right', 'code');
          }
        }
        await attempt.succeeded();
        setSessionCookie(request, reply, await store.accounts.startSession(account.id, at, { totpVerified: account.totpEnrolled }), SESSION_IDLE_MS);
        // This browser is now known for the name: its tries count apart from everyone else's.
        known.remember(request, reply, name);
        await store.audit.record({ at, accountId: account.id, accountName: account.name, action: 'login', detail: { ip: request.ip, totp: account.totpEnrolled }, where: accountPlace(account) });
        return { ...account, totpVerified: account.totpEnrolled };
      } finally {
        await attempt.release();
      }
    },
  );

  app.post(
    '/api/auth/logout',
    { onRequest: app.csrfProtection, preValidation: anyAccount, schema: { response: { 204: z.null(), 401: ErrorBody } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await store.accounts.endSession(token);
      const account = request.account!;
      await store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action: 'logout', where: accountPlace(account) });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await sessionEnded();
      return reply.code(204).send(null);
    },
  );

  app.get('/api/auth/me', { preValidation: anyAccount, schema: { response: { 200: AccountView, 401: ErrorBody } } }, async (request) => request.account!);

  /**
   * A session giving its account's password again (to change it, or to set up a second factor):
   * counted as a login try is, so a stolen session cannot guess it unslowed. Runs `then` with the
   * try admitted; a wrong password is counted and answered 400 on `field`.
   */
  async function withPassword<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    via: PasswordCheckVia,
    check: () => Promise<boolean>,
    field: string,
    then: () => Promise<T>,
  ): Promise<T | FastifyReply> {
    const account = request.account!;
    const attempt = await tries.begin(request, account.name, now(), via);
    if ('retryAfterMs' in attempt) return tooSoon(reply, attempt.retryAfterMs);
    try {
      if (!(await check())) {
        await attempt.failed('password');
        throw new HttpError(400, 'invalid', 'the current password is not right', field);
      }
      await attempt.succeeded();
      return await then();
    } finally {
      await attempt.release();
    }
  }
  /** The session's account's password is `password`. */
  const isCurrentPassword = async (request: FastifyRequest, password: string) => (await store.accounts.verify(request.account!.name, password))?.id === request.account!.id;

  app.post(
    '/api/auth/password',
    {
      onRequest: app.csrfProtection,
      preValidation: anyAccount,
      // The current password is checked here too: as slow per address, and per account, as the login.
      config: { rateLimit: { max: 10, timeWindow: '5 minutes' } },
      schema: { body: ChangePasswordRequest, response: { 200: AccountView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: z.union([WaitBody, ErrorBody]) } },
    },
    async (request, reply) => {
      const account = request.account!;
      const token = request.cookies[SESSION_COOKIE]!;
      // The check is the change: it is made only if the current password is right.
      return withPassword(
        request,
        reply,
        'password_change',
        () => store.accounts.changePassword(account.id, request.body.current, request.body.next, token),
        'current',
        async () => {
          await store.audit.record({ at: now(), accountId: account.id, accountName: account.name, action: 'password_changed', detail: { oneTime: account.mustChangePassword }, where: accountPlace(account) });
          // Every other session of the account has ended: their live dashboards are cut now.
          await sessionEnded();
          return (await store.accounts.session(token, now()))!;
        },
      );
    },
  );

  app.post(
    '/api/auth/totp/enrol',
    {
      onRequest: app.csrfProtection,
      preValidation: streetAdmin,
      // The current password, so a stolen session alone cannot bind its own authenticator.
      config: { rateLimit: { max: 10, timeWindow: '5 minutes' } },
      schema: { body: TotpEnrolRequest, response: { 200: TotpEnrolment, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: z.union([WaitBody, ErrorBody]) } },
    },
    async (request, reply) => {
      const account = request.account!;
      // Replacing a second factor needs a session that proved the current one.
      if (account.totpEnrolled && !account.totpVerified) throw new HttpError(403, 'forbidden', 'log in with your current authenticator code first');
      return withPassword(request, reply, 'totp_enrol', () => isCurrentPassword(request, request.body.password), 'password', async () => {
        const secret = await newTotpSecret(account.name, keys.contactKey);
        await store.accounts.setTotpPending(account.id, secret.sealed);
        // The secret is in this answer and nowhere else ever again: never cached.
        void reply.header('cache-control', 'no-store');
        return { uri: secret.uri, qrSvg: secret.qrSvg };
      });
    },
  );

  app.post(
    '/api/auth/totp/confirm',
    {
      onRequest: app.csrfProtection,
      preValidation: streetAdmin,
      config: { rateLimit: { max: 10, timeWindow: '5 minutes' } },
      schema: { body: TotpConfirm, response: { 200: AccountView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: z.union([WaitBody, ErrorBody]) } },
    },
    async (request, reply) => {
      const account = request.account!;
      const token = request.cookies[SESSION_COOKIE]!;
      return withPassword(request, reply, 'totp_confirm', () => isCurrentPassword(request, request.body.password), 'password', async () => {
        const at = now();
        const { pendingSealed } = await store.accounts.totp(account.id);
        if (!pendingSealed) throw new HttpError(409, 'conflict', 'start the set-up first: no secret is waiting for its code');
        const step = totpStep(pendingSealed, keys.contactKey, request.body.code, at);
        if (step === undefined) throw new HttpError(400, 'invalid', 'the code is not right for this secret: check the phone’s clock', 'code');
        await store.accounts.confirmTotp(account.id, step, token);
        await store.audit.record({ at, accountId: account.id, accountName: account.name, action: 'totp_enrolled', target: account.id, where: accountPlace(account) });
        await sessionEnded();
        return (await store.accounts.session(token, at))!;
      });
    },
  );
};
