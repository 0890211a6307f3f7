import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AccountView, Role } from '../../shared/schemas/account.js';
import { createHmac } from 'node:crypto';
import { HttpError } from './errors.js';
import type { HubKeys } from './keys.js';
import type { Store } from './store/index.js';

/**
 * The inspectors' side is behind accounts. A session is a random
 * token in an httpOnly, SameSite=Strict cookie, stored hashed on the hub;
 * state changes also need the CSRF token. Every route checks the account and
 * its scope on the server: the dashboard hiding a link is not access control.
 */
export const SESSION_COOKIE = 'vc_session';

declare module 'fastify' {
  interface FastifyRequest {
    account?: AccountView;
  }
}

/** The account of a session cookie value, if any. Also used for the dashboard's socket. */
export function sessionAccount(store: Store, now: () => number) {
  return (token: string | undefined): Promise<AccountView | undefined> =>
    token ? store.accounts.session(token, now()) : Promise.resolve(undefined);
}

/**
 * A route hook, run as `preValidation` so a caller is authorised before what they sent is
 * validated (docs/security.md "Order of checks"): 401 without a valid session; 403 if the role is
 * not among `roles`. A session whose password is a one-time one (npm run admin) gets 403 from
 * every route but those marked `beforePasswordChange` (who am I, change the password, log out):
 * enforced here, so no route can forget it (docs/security.md "The inspectors' side").
 */
export function requireAccount(store: Store, now: () => number, roles?: Role[], opts: { beforePasswordChange?: boolean } = {}): preHandlerAsyncHookHandler {
  const lookup = sessionAccount(store, now);
  return async (request: FastifyRequest) => {
    const account = await lookup(request.cookies[SESSION_COOKIE]);
    if (!account) throw new HttpError(401, 'unauthorized', 'log in first');
    if (account.mustChangePassword && !opts.beforePasswordChange) {
      throw new HttpError(403, 'forbidden', 'the password must be changed first: it was a one-time password');
    }
    if (roles && !roles.includes(account.role)) throw new HttpError(403, 'forbidden', 'this needs the street admin');
    request.account = account;
  };
}

/**
 * A route hook after `requireAccount`: when the street's setting says so, 403 unless this session
 * was verified with the second factor (TOTP) at login or by confirming enrolment.
 */
export function requireTotpWhenSet(store: Store): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    if (request.account!.totpVerified) return;
    if ((await store.streetSettings.security()).tracingRequiresTotp) {
      throw new HttpError(403, 'forbidden', 'tracing needs a login with the authenticator code: set up the second factor and log in with it');
    }
  };
}

/** The venues an account may see: the whole street, or one community. */
export const scopeOf = (account: AccountView) => ({ communityId: account.role === 'street_admin' ? null : account.communityId });

/** Throws 403 unless the account may see things of this community. */
export function assertScope(account: AccountView, communityId: string): void {
  if (account.role !== 'street_admin' && account.communityId !== communityId) {
    throw new HttpError(403, 'forbidden', 'this venue is not in your community');
  }
}

/** The venue's community, checked against the account: 404 if there is no such venue, 403 if not theirs. */
export async function venueInScope(store: Store, account: AccountView, venueId: string): Promise<string> {
  const communityId = await store.dashboard.venueCommunity(venueId);
  if (!communityId) throw new HttpError(404, 'not_found', 'no such venue', 'id');
  assertScope(account, communityId);
  return communityId;
}

/**
 * A route hook run after `requireAccount`, before the query or body is validated (docs/security.md
 * "Order of checks"): the venue named by `:id` must be in the account's scope (403), whatever was
 * sent with it. An id that names no venue is left to the handler's 404.
 */
export function venueParamInScope(store: Store): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const id = (request.params as { id?: unknown }).id;
    const communityId = typeof id === 'string' ? await store.dashboard.venueCommunity(id) : undefined;
    if (communityId) assertScope(request.account!, communityId);
  };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeMs: number): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    // Behind the TLS proxy (TRUST_PROXY) the request is https and the cookie is Secure.
    secure: request.protocol === 'https',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/**
 * What a CSRF token is bound to: the session cookie it was fetched with (a fixed word before
 * login: the plugin refuses an empty one). It is hashed into the token, so a token is good only
 * beside the session it was made for.
 */
export const csrfUserInfo = (request: FastifyRequest): string => request.cookies[SESSION_COOKIE] || 'no-session';

/** The key CSRF tokens are bound with: derived from the hub's key file, so tokens outlive a restart. */
export const csrfHmacKey = (keys: HubKeys): string => createHmac('sha256', Buffer.from(keys.contactKey, 'base64')).update('csrf-token-binding').digest('base64');

/** A CSRF token for this request's session; its secret cookie is Secure behind TLS, like the session cookie. */
export const csrfToken = (request: FastifyRequest, reply: FastifyReply): string =>
  reply.generateCsrf({ userInfo: csrfUserInfo(request), secure: request.protocol === 'https' });
