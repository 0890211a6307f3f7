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
});
