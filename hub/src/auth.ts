import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AccountView, Role } from '../../shared/schemas/account.js';
import { createHmac } from 'node:crypto';
import { HttpError } from './errors.js';
import type { HubKeys } from './keys.js';
import type { Store } from './store/index.js';
import type { AuditPlace } from './store/audit.js';
import type { Place } from './store/organisation.js';
import { accountScope, inScope, type Scope } from './store/scope.js';

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
export function requireAccount(store: Store, now: () => number, roles?: readonly Role[], opts: { beforePasswordChange?: boolean } = {}): preHandlerAsyncHookHandler {
  const lookup = sessionAccount(store, now);
  return async (request: FastifyRequest) => {
    const account = await lookup(request.cookies[SESSION_COOKIE]);
    if (!account) throw new HttpError(401, 'unauthorized', 'log in first');
    if (account.mustChangePassword && !opts.beforePasswordChange) {
      throw new HttpError(403, 'forbidden', 'the password must be changed first: it was a one-time password');
    }
    if (roles && !roles.includes(account.role)) throw new HttpError(403, 'forbidden', `this needs ${roles.map((r) => ROLE_WORDS[r]).join(' or ')}`);
    request.account = account;
  };
}

const ROLE_WORDS: Record<Role, string> = {
  city_admin: 'the city admin',
  district_admin: 'a district admin',
  street_admin: 'the street admin',
  community_inspector: 'a community inspector',
};

/**
 * A route hook after `requireAccount`: when the street's setting says so (any street the account
 * covers, above a street), 403 unless this session
 * was verified with the second factor (TOTP) at login or by confirming enrolment.
 */
export function requireTotpWhenSet(store: Store): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const account = request.account!;
    if (account.totpVerified) return;
    // Above a street, the strictest of the streets it covers: tracing there reaches their contacts.
    const streets = await streetsCovered(store, account);
    const settings = await Promise.all(streets.map((id) => store.streetSettings.security(id)));
    if (settings.some((s) => s.tracingRequiresTotp)) {
      throw new HttpError(403, 'forbidden', 'tracing needs a login with the authenticator code: set up the second factor and log in with it');
    }
  };
}

/** The ids of the streets an account covers: its own (or its community's), its district's, or every one. */
export async function streetsCovered(store: Store, account: AccountView): Promise<string[]> {
  if (account.streetId !== null) return [account.streetId];
  return (await store.organisation.streets()).filter((s) => account.districtId === null || s.districtId === account.districtId).map((s) => s.id);
}

/** What an account may see: the whole city, a district, a street, or one community (store/scope.ts). */
export const scopeOf = (account: AccountView): Scope => accountScope(account);

/**
 * Where an account's own act is audited (store/audit.ts AuditPlace): a street admin's and an
 * inspector's in their street, a district admin's in its district, the city admin's in the city.
 */
export const accountPlace = (account: AccountView): AuditPlace => ({ streetId: account.streetId, districtId: account.districtId });

/** Where an act on a venue is audited: the venue's street (whoever acted); the account's own place if the venue is unknown. */
export async function venuePlace(store: Store, account: AccountView, venueId: string): Promise<AuditPlace> {
  const place = await store.organisation.placeOfVenue(venueId);
  return place ? { streetId: place.streetId, districtId: place.districtId } : accountPlace(account);
}

/** Throws 403 unless the account may see things at this place (a community, with its street and district). */
export function assertPlace(account: AccountView, place: Place): void {
  if (!inScope(accountScope(account), place)) {
    throw new HttpError(403, 'forbidden', account.role === 'community_inspector' ? 'this venue is not in your community' : 'this is not in your area');
  }
}

/** Throws 403 unless the account may see things of this community (404-free: an unknown community is nobody's). */
export async function assertScope(store: Store, account: AccountView, communityId: string): Promise<void> {
  if (account.role === 'city_admin') return;
  const place = await store.organisation.placeOfCommunity(communityId);
  if (!place) throw new HttpError(403, 'forbidden', 'this is not in your area');
  assertPlace(account, place);
}

/** The venue's community, checked against the account: 404 if there is no such venue, 403 if not theirs. */
export async function venueInScope(store: Store, account: AccountView, venueId: string): Promise<string> {
  const place = await store.organisation.placeOfVenue(venueId);
  if (!place) throw new HttpError(404, 'not_found', 'no such venue', 'id');
  assertPlace(account, place);
  return place.communityId;
}

/**
 * A route hook run after `requireAccount`, before the query or body is validated (docs/security.md
 * "Order of checks"): the venue named by `:id` must be in the account's scope (403), whatever was
 * sent with it. An id that names no venue is left to the handler's 404.
 */
export function venueParamInScope(store: Store): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const id = (request.params as { id?: unknown }).id;
    const place = typeof id === 'string' ? await store.organisation.placeOfVenue(id) : undefined;
    if (place) assertPlace(request.account!, place);
  };
}

/**
 * A route hook run after `requireAccount`, before the query is validated: the community named by
 * the query's `communityId` must be in the account's scope (403), whatever else was sent. An id
 * that names no community is left to the handler's 404.
 */
export function communityQueryInScope(store: Store): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const id = (request.query as { communityId?: unknown } | undefined)?.communityId;
    const place = typeof id === 'string' ? await store.organisation.placeOfCommunity(id) : undefined;
    if (place) assertPlace(request.account!, place);
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
