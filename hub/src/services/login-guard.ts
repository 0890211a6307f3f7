import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { HubKeys } from '../keys.js';
import { FREE_TRIES, throttleKey, type Failure, type GuessingRun } from '../store/login-failures.js';
import type { Store } from '../store/index.js';

/**
 * What a wrong password or code writes (docs/security.md "Rate limits"): an audit entry
 * `login_failed` per try up to FREE_TRIES; the try that reaches it starts a guessing run, written
 * once to the log and the audit log (`login_guessing`); later tries of the run write nothing; the
 * run's end (the right password, or RUN_QUIET_MS without a try) writes one summary
 * (`login_guessing_ended`). So a run of a thousand guesses is a handful of lines, not a thousand.
 */
export async function recordFailure(
  deps: { store: Store; log: FastifyBaseLogger },
  e: { name: string; address: string; at: number; reason: 'password' | 'code'; failure: Failure; via?: PasswordCheckVia },
): Promise<void> {
  const { store, log } = deps;
  const { failure } = e;
  if (failure.ended) await endRun(deps, failure.ended, 'quiet', e.at);
  if (failure.failures <= FREE_TRIES) {
    await store.audit.record({ at: e.at, accountId: null, accountName: e.name, action: 'login_failed', detail: { ip: e.address, reason: e.reason, failures: failure.failures, ...(e.via && e.via !== 'login' ? { via: e.via } : {}) } });
  }
  if (failure.runStarted) {
    log.warn({ account: e.name, failures: failure.failures, ip: e.address }, 'login guessing: wrong passwords for one account, each further try now waits longer');
    await store.audit.record({ at: e.at, accountId: null, accountName: e.name, action: 'login_guessing', detail: { failures: failure.failures, ip: e.address } });
  }
}

/** One summary line per run, in the log and the audit log. */
export async function endRun(deps: { store: Store; log: FastifyBaseLogger }, run: GuessingRun, outcome: 'success' | 'quiet', at: number): Promise<void> {
  const detail = { failures: run.failures, startedAt: run.startedAt, lastFailedAt: run.lastFailedAt, addresses: run.addresses, outcome };
  deps.log.warn({ account: run.name, ...detail }, 'login guessing run ended');
  await deps.store.audit.record({ at, accountId: null, accountName: run.name, action: 'login_guessing_ended', detail });
}

/** Summarises and forgets the runs that went quiet (called every minute by the hub, app.ts). */
export async function endQuietRuns(deps: { store: Store; log: FastifyBaseLogger }, now: number): Promise<number> {
  const runs = await deps.store.loginFailures.endQuiet(now);
  for (const run of runs) await endRun(deps, run, 'quiet', now);
  return runs.length;
}

/** How long a browser stays known for an account after its last successful login. */
export const KNOWN_BROWSER_DAYS = 180;

/**
 * A browser that has logged in as an account before (docs/security.md "Rate limits"): a signed
 * cookie set at each successful login, one per account name, sent only to `/api/auth/`. Its tries
 * for that name are counted under a name of their own, so a guesser elsewhere who keeps the
 * account slowed does not keep its owner out; wrong passwords from the known browser are slowed
 * the same way, on their own count. The cookie is an HMAC under a key derived from the hub's key
 * file: nobody can make one without a successful login.
 */
export function knownBrowsers(keys: HubKeys) {
  const key = createHmac('sha256', Buffer.from(keys.contactKey, 'base64')).update('known-browser').digest();
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  const cookieName = (name: string) => `vc_known_${mac(`cookie\0${throttleKey(name)}`).replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}`;
  const sign = (name: string, browserId: string) => mac(`browser\0${throttleKey(name)}\0${browserId}`);
  /** This browser's id for `name`, if its cookie is one the hub signed for that name. */
  const browserOf = (request: FastifyRequest, name: string): string | undefined => {
    const value = request.cookies[cookieName(name)];
    const [id, signature] = value?.split('.') ?? [];
    if (!id || !signature || !/^[0-9a-f]{32}$/.test(id)) return undefined;
    const good = Buffer.from(sign(name, id));
    const given = Buffer.from(signature);
    return good.length === given.length && timingSafeEqual(good, given) ? id : undefined;
  };
  return {
    /** The name a try is counted under: the account's, or its own for a browser known to it (never a name one can type). */
    countedAs: (request: FastifyRequest, name: string): string => {
      const id = browserOf(request, name);
      return id ? `${name} (known browser ${id})` : name;
    },
    /** After a successful login: this browser is known for `name` (its id kept if it already was). */
    remember(request: FastifyRequest, reply: FastifyReply, name: string): void {
      const id = browserOf(request, name) ?? randomBytes(16).toString('hex');
      reply.setCookie(cookieName(name), `${id}.${sign(name, id)}`, {
        path: '/api/auth/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge: KNOWN_BROWSER_DAYS * 86_400,
      });
    },
  };
}
export type KnownBrowsers = ReturnType<typeof knownBrowsers>;

/** Where a password (or code) was checked, for the audit entry of a wrong one. */
export type PasswordCheckVia = 'login' | 'password_change' | 'totp_enrol' | 'totp_confirm';

/** One admitted try of an account's password; settled once (later calls do nothing). */
export interface PasswordTry {
  /** Wrong: counted toward the wait, and written as docs/security.md "A guessing run is logged once" says. */
  failed(reason: 'password' | 'code'): Promise<void>;
  /** Right: the count of this name (or of this known browser) is forgotten; a run it ends is summarised. */
  succeeded(): Promise<void>;
  /** Neither (the code still to come, or an error): its place and the slot it held are given back. */
  release(): Promise<void>;
}

/**
 * Every check of an account's password, at login and wherever a session must give it again
 * (changing it, setting up a second factor), counted per account by the same rule
 * (`login_failures`): `begin` before the password is checked, refused with the wait while the name
 * must wait; the try is then counted as if it fails until it is settled, so tries sent side by
 * side are slowed as tries sent one by one.
 */
export function passwordTries(deps: { store: Store; log: FastifyBaseLogger; known: KnownBrowsers }) {
  const { store, known } = deps;
  return {
    async begin(request: FastifyRequest, name: string, at: number, via: PasswordCheckVia): Promise<PasswordTry | { retryAfterMs: number }> {
      const counted = known.countedAs(request, name);
      const admission = await store.loginFailures.admit(counted, at);
      if (!admission.ok) return { retryAfterMs: admission.retryAfterMs };
      let settled = false;
      const once = (f: () => Promise<void>) => async () => {
        if (settled) return;
        settled = true;
        await f();
      };
      return {
        failed: async (reason) =>
          once(async () => {
            const failure = await store.loginFailures.failed(counted, request.ip, at);
            await recordFailure(deps, { name: counted, address: request.ip, at, reason, failure, via });
          })(),
        succeeded: once(async () => {
          const ended = await store.loginFailures.succeeded(counted, at);
          if (ended) await endRun(deps, ended, 'success', at);
        }),
        release: once(() => store.loginFailures.release(counted, admission)),
      };
    },
  };
}
export type PasswordTries = ReturnType<typeof passwordTries>;

/** 429 for a try during the account's wait: how long, in the body (ms) and in `Retry-After` (s). */
export function tooSoon(reply: FastifyReply, retryAfterMs: number) {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .send({ error: { code: 'rate_limited' as const, message: `too many wrong passwords for this account: try again in ${seconds} s`, retryAfterMs } });
}
