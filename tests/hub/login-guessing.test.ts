import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endQuietRuns } from '../../hub/src/services/login-guard.js';
import { FREE_TRIES, MAX_LOGIN_DELAY_MS, RUN_QUIET_MS } from '../../hub/src/store/login-failures.js';
import { ADMIN_PASSWORD, INSPECTOR_PASSWORD, startLoginHub, type LoginHub } from '../support/login-hub.js';

/**
 * Guessing one account's password (docs/security.md "Rate limits"): the attack of the outside
 * security pass, wrong passwords spread over many addresses, each from its own address here
 * (X-Forwarded-For through the trusted proxy), so the per-address limit never slows them.
 */
describe('POST /api/auth/login: slowing guesses per account', () => {
  let hub: LoginHub;
  let n = 0;
  /** A try from a fresh address each time (203.0.113.0/24, documentation addresses). */
  const attempt = (name: string, password: string) => hub.browser(`203.0.113.${(n++ % 250) + 1}`).post('/api/auth/login', { name, password });
  const audit = async () => (await hub.store.audit.list({ limit: 500 })).reverse();

  beforeEach(async () => {
    hub = await startLoginHub();
    n = 0;
  });
  afterEach(async () => hub.close());

  it('makes each try past the fifth wrong password wait 1 s, 2 s, 4 s … up to 5 minutes, refused 429 before the password is checked', async () => {
    for (let i = 0; i < FREE_TRIES; i++) expect((await attempt('admin', `guess-${i}`)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const early = await attempt('admin', ADMIN_PASSWORD); // even the right password, during the wait
      expect(early.statusCode).toBe(429);
      expect(early.json().error).toMatchObject({ code: 'rate_limited' });
      const wait = early.json().error.retryAfterMs as number;
      expect(early.headers['retry-after']).toBe(String(Math.ceil(wait / 1000)));
      waits.push(wait);
      hub.clock.advance(wait - 1);
      expect((await attempt('admin', 'another guess')).statusCode, 'one millisecond early').toBe(429);
      hub.clock.advance(1);
      expect((await attempt('admin', `guess-late-${i}`)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, MAX_LOGIN_DELAY_MS, MAX_LOGIN_DELAY_MS, MAX_LOGIN_DELAY_MS]);

    // The owner after the wait: the right password works, and the count starts again.
    hub.clock.advance(MAX_LOGIN_DELAY_MS);
    const owner = await attempt('admin', ADMIN_PASSWORD);
    expect(owner.statusCode).toBe(200);
    expect(owner.json()).toMatchObject({ name: 'admin' });
    expect((await attempt('admin', 'a typo')).statusCode).toBe(401);
    expect((await attempt('admin', ADMIN_PASSWORD)).statusCode, 'no wait after one typo').toBe(200);
  });

  it('slows a name nobody has exactly as a real one, so the waits tell no names, and leaves other accounts alone', async () => {
    for (let i = 0; i < FREE_TRIES; i++) {
      expect((await attempt('admin', `guess-${i}`)).statusCode).toBe(401);
      expect((await attempt('nobody-here', `guess-${i}`)).statusCode).toBe(401);
    }
    const real = await attempt('admin', 'x');
    const made = await attempt('nobody-here', 'x');
    expect([real.statusCode, made.statusCode]).toEqual([429, 429]);
    expect(made.json().error.retryAfterMs).toBe(real.json().error.retryAfterMs);
    expect((await attempt('inspector-a', INSPECTOR_PASSWORD)).statusCode).toBe(200);
    // Names are counted whatever their case, as they log in.
    expect((await attempt('ADMIN', ADMIN_PASSWORD)).statusCode).toBe(429);
  });

  it('keeps the wait across a restart of the hub', async () => {
    for (let i = 0; i < FREE_TRIES + 3; i++) {
      hub.clock.advance(MAX_LOGIN_DELAY_MS);
      expect((await attempt('admin', `guess-${i}`)).statusCode).toBe(401);
    }
    hub.clock.advance(1000);
    await hub.restart();
    const res = await attempt('admin', ADMIN_PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.json().error.retryAfterMs).toBe(8000 - 1000);
  });

  it('keeps the per-address limit: 10 tries per 5 minutes from one address, whatever the names', async () => {
    const office = hub.browser('198.51.100.7');
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await office.post('/api/auth/login', { name: `name-${i}`, password: 'wrong' })).statusCode);
    expect(codes).toEqual(Array(10).fill(401));
    const refused = await office.post('/api/auth/login', { name: 'inspector-a', password: INSPECTOR_PASSWORD });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held up by it.
    expect((await hub.browser('198.51.100.8').post('/api/auth/login', { name: 'inspector-a', password: INSPECTOR_PASSWORD })).statusCode).toBe(200);
  });

  it('writes a guessing run once to the log and the audit log, and one summary when the owner logs in', async () => {
    const tries = 15;
    for (let i = 0; i < tries; i++) {
      hub.clock.advance(MAX_LOGIN_DELAY_MS);
      expect((await attempt('admin', `guess-${i}`)).statusCode).toBe(401);
    }
    let entries = await audit();
    expect(entries.filter((e) => e.action === 'login_failed')).toHaveLength(FREE_TRIES);
    expect(entries.filter((e) => e.action === 'login_guessing')).toHaveLength(1);
    expect(entries.find((e) => e.action === 'login_guessing')).toMatchObject({ accountName: 'admin', detail: { failures: FREE_TRIES } });
    expect(hub.lines.filter((l) => /^login guessing:/.test(l.msg))).toHaveLength(1);

    hub.clock.advance(MAX_LOGIN_DELAY_MS);
    expect((await attempt('admin', ADMIN_PASSWORD)).statusCode).toBe(200);
    entries = await audit();
    const ended = entries.filter((e) => e.action === 'login_guessing_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ accountName: 'admin', detail: { failures: tries, outcome: 'success' } });
    expect((ended[0]!.detail.addresses as string[]).length).toBe(tries);
    expect(entries.map((e) => e.action).filter((a) => a.startsWith('login')).slice(-3)).toEqual(['login_guessing', 'login_guessing_ended', 'login']);
    const logged = hub.lines.filter((l) => /login guessing/.test(l.msg));
    expect(logged.map((l) => l.msg)).toEqual([expect.stringMatching(/^login guessing:/), 'login guessing run ended']);
  });

  it('ends a run that goes quiet with one summary, and counts from zero after it', async () => {
    for (let i = 0; i < FREE_TRIES + 2; i++) {
      hub.clock.advance(MAX_LOGIN_DELAY_MS);
      expect((await attempt('inspector-a', `guess-${i}`)).statusCode).toBe(401);
    }
    hub.clock.advance(RUN_QUIET_MS - 1);
    expect(await endQuietRuns({ store: hub.store, log: hub.app.log }, hub.clock.now())).toBe(0);
    hub.clock.advance(1);
    // What the hub runs every minute.
    expect(await endQuietRuns({ store: hub.store, log: hub.app.log }, hub.clock.now())).toBe(1);
    const ended = (await audit()).filter((e) => e.action === 'login_guessing_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ accountName: 'inspector-a', detail: { failures: FREE_TRIES + 2, outcome: 'quiet' } });
    // A new run starts from scratch: a wrong password is answered 401, and the next try needs no wait.
    expect((await attempt('inspector-a', 'again')).statusCode).toBe(401);
    expect((await attempt('inspector-a', INSPECTOR_PASSWORD)).statusCode).toBe(200);
    expect((await audit()).filter((e) => e.action === 'login_guessing_ended')).toHaveLength(1);
  });

  it('slows wrong passwords sent side by side exactly as ones sent one after another', async () => {
    // Twelve at once from twelve addresses: five are checked (and wrong), the rest told to wait.
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt('admin', `parallel-${i}`)));
    expect(first.filter((r) => r.statusCode === 401)).toHaveLength(FREE_TRIES);
    const refused = first.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(12 - FREE_TRIES);
    expect(new Set(refused.map((r) => r.json().error.retryAfterMs))).toEqual(new Set([1000]));
    expect((await hub.store.audit.list({ limit: 50 })).filter((e) => e.action === 'login_failed')).toHaveLength(FREE_TRIES);
    // After the wait, five at once: one is checked, as one try would be; the next waits 2 s.
    hub.clock.advance(1000);
    const second = await Promise.all(Array.from({ length: 5 }, (_, i) => attempt('admin', `again-${i}`)));
    expect(second.map((r) => r.statusCode).sort()).toEqual([401, 429, 429, 429, 429]);
    expect((await attempt('admin', ADMIN_PASSWORD)).json().error.retryAfterMs).toBe(2000);
    // The owner after the wait.
    hub.clock.advance(2000);
    expect((await attempt('admin', ADMIN_PASSWORD)).statusCode).toBe(200);
  });

  it('lets the owner in from a browser that logged in before while a guesser keeps the account slowed for everyone else', async () => {
    const owner = hub.browser('198.51.100.50');
    await owner.login('admin', ADMIN_PASSWORD);
    expect((await owner.post('/api/auth/logout', {})).statusCode).toBe(204);
    const known = Object.entries(owner.cookies()).find(([name]) => name.startsWith('vc_known_'));
    expect(known, 'the known-browser cookie').toBeDefined();

    // A guess every few minutes, for an hour: the account is never free for anyone else ...
    for (let i = 0; i < FREE_TRIES; i++) expect((await attempt('admin', `guess-${i}`)).statusCode).toBe(401);
    for (let minute = 0; minute < 60; minute += 5) {
      hub.clock.advance(5 * 60_000);
      expect((await attempt('admin', `guess-late-${minute}`)).statusCode).toBe(401);
      const stranger = await attempt('admin', ADMIN_PASSWORD);
      expect(stranger.statusCode, 'the right password from a browser never used for the account').toBe(429);
    }
    // ... but the owner's browser is counted apart, and gets in at once.
    const back = await owner.post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD });
    expect(back.statusCode, back.body).toBe(200);
    // The guesser's run goes on: the owner's login from the known browser does not clear it.
    expect((await attempt('admin', ADMIN_PASSWORD)).statusCode).toBe(429);

    // A forged or altered known-browser cookie is no exemption.
    const [cookieName, value] = known!;
    const other = await fetch(`${hub.url}/api/auth/csrf`, { headers: { 'x-forwarded-for': '198.51.100.52' } });
    const csrfCookie = other.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { token } = (await other.json()) as { token: string };
    const altered = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.52', 'x-csrf-token': token, cookie: `${csrfCookie}; ${cookieName}=${value.slice(0, -2)}xx` },
      body: JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(altered.status, 'counted with everyone else').toBe(429);

    // Wrong passwords from the known browser are slowed too, on its own count.
    for (let i = 0; i < FREE_TRIES; i++) expect((await owner.post('/api/auth/login', { name: 'admin', password: `typo-${i}` })).statusCode).toBe(401);
    expect((await owner.post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD })).json().error).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
  });

  it('counts wrong current passwords given to change the password as wrong logins', async () => {
    const session = hub.browser('198.51.100.60');
    await session.login('inspector-a', INSPECTOR_PASSWORD);
    for (let i = 0; i < FREE_TRIES; i++) {
      const wrong = await session.post('/api/auth/password', { current: `guess-${i}`, next: 'a new long password' });
      expect([wrong.statusCode, wrong.json().error.field]).toEqual([400, 'current']);
    }
    // Even the right current password waits now, and so does a login from this browser: one count.
    const waiting = await session.post('/api/auth/password', { current: INSPECTOR_PASSWORD, next: 'a new long password' });
    expect([waiting.statusCode, waiting.json().error.retryAfterMs]).toEqual([429, 1000]);
    expect(waiting.headers['retry-after']).toBe('1');
    expect((await session.post('/api/auth/login', { name: 'inspector-a', password: INSPECTOR_PASSWORD })).statusCode).toBe(429);
    const entries = (await audit()).filter((e) => e.action.startsWith('login_'));
    expect(entries.filter((e) => e.action === 'login_failed')).toHaveLength(FREE_TRIES);
    expect(entries[0]).toMatchObject({ action: 'login_failed', detail: { reason: 'password', via: 'password_change' } });
    expect(entries.filter((e) => e.action === 'login_guessing')).toHaveLength(1);
    // Side by side, after the wait: one is checked, the others wait.
    hub.clock.advance(1000);
    // (Three: with the tries before, this address's ten per 5 minutes on the route are then used up.)
    const side = await Promise.all(Array.from({ length: 3 }, (_, i) => session.post('/api/auth/password', { current: `more-${i}`, next: 'a new long password' })));
    expect(side.map((r) => r.statusCode).sort()).toEqual([400, 429, 429]);
    hub.clock.advance(2000);
    expect((await session.post('/api/auth/password', { current: INSPECTOR_PASSWORD, next: 'a new long password' })).statusCode).toBe(200);
  });
});
