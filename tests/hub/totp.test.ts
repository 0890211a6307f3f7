import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../hub/src/services/totp.js';
import { FREE_TRIES } from '../../hub/src/store/login-failures.js';
import { ADMIN_PASSWORD, INSPECTOR_PASSWORD, startLoginHub, type LoginHub } from '../support/login-hub.js';

/** docs/security.md "The inspectors' side": the street admins' second factor, and tracing that needs it. */

const STEP = 30_000;

/** A code the hub must refuse at `now`: none of the three it accepts (one step either side). */
function wrongCode(secret: string, now: number): string {
  const good = new Set([-1, 0, 1].map((d) => totpCode(secret, now + d * STEP)));
  return ['000000', '111111', '222222', '333333'].find((c) => !good.has(c))!;
}

describe('TOTP for street admins', () => {
  let hub: LoginHub;
  beforeEach(async () => {
    hub = await startLoginHub();
    await hub.store.accounts.create({ name: 'admin2', role: 'street_admin', communityId: null, password: ADMIN_PASSWORD }, hub.clock.now());
  });
  afterEach(async () => hub.close());

  /** Enrols `admin` in a session of its own, as the account screen does; the secret, as the phone reads it from the QR code. */
  async function enrol() {
    const b = hub.browser();
    await b.login('admin', ADMIN_PASSWORD);
    const start = await b.post('/api/auth/totp/enrol', { password: ADMIN_PASSWORD });
    expect(start.statusCode, start.body).toBe(200);
    expect(start.headers['cache-control']).toBe('no-store');
    const { uri, qrSvg } = start.json() as { uri: string; qrSvg: string };
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*admin\?/);
    expect(qrSvg).toMatch(/^<svg/);
    const secret = new URL(uri).searchParams.get('secret')!;
    return { b, secret };
  }

  it('enrols with a code from the phone, keeps the secret sealed, and asks for a code at every login after', async () => {
    const { b, secret } = await enrol();
    const wrong = await b.post('/api/auth/totp/confirm', { password: ADMIN_PASSWORD, code: wrongCode(secret, hub.clock.now()) });
    expect([wrong.statusCode, wrong.json().error.field]).toEqual([400, 'code']);
    const other = hub.browser('203.0.113.5');
    await other.login('admin', ADMIN_PASSWORD);
    const ok = await b.post('/api/auth/totp/confirm', { password: ADMIN_PASSWORD, code: totpCode(secret, hub.clock.now()) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ totpEnrolled: true, totpVerified: true });
    // Sessions that never proved the second factor end; the secret is sealed at rest and never shown again.
    expect((await other.get('/api/auth/me')).statusCode).toBe(401);
    const stored = (await hub.store.sql.get<{ totp_secret: string; totp_pending: string | null }>("SELECT totp_secret, totp_pending FROM accounts WHERE name = 'admin'"))!;
    expect(stored.totp_secret).toMatch(/^v1\./);
    expect(stored.totp_secret).not.toContain(secret);
    expect(stored.totp_pending).toBeNull();
    expect((await b.get('/api/auth/me')).body).not.toContain(secret);
    expect((await hub.store.audit.list({ limit: 5 })).map((e) => e.action)).toContain('totp_enrolled');

    // Login: the password alone asks for the code; a wrong code fails; the right one once.
    hub.clock.advance(2 * STEP);
    const noCode = await hub.browser('203.0.113.6').post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD });
    expect([noCode.statusCode, noCode.json().error.field]).toEqual([401, 'code']);
    expect(noCode.headers['set-cookie'] ?? '', 'no session without the code').not.toMatch(/vc_session=[^;]/);
    const badCode = await hub.browser('203.0.113.6').post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD, code: wrongCode(secret, hub.clock.now()) });
    expect([badCode.statusCode, badCode.json().error.field]).toEqual([401, 'code']);
    const code = totpCode(secret, hub.clock.now());
    const good = await hub.browser('203.0.113.7').post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD, code });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toMatchObject({ totpEnrolled: true, totpVerified: true });
    const replay = await hub.browser('203.0.113.8').post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD, code });
    expect([replay.statusCode, replay.json().error.field], 'a code is good once').toEqual([401, 'code']);
    // A wrong password with a right code is still a wrong password.
    hub.clock.advance(STEP);
    const guess = await hub.browser('203.0.113.9').post('/api/auth/login', { name: 'admin', password: 'a guess', code: totpCode(secret, hub.clock.now()) });
    expect([guess.statusCode, guess.json().error.field]).toEqual([401, 'password']);
  });

  it('counts wrong codes toward the account’s wait, and does not make the owner wait twice for the code step', async () => {
    const { b, secret } = await enrol();
    await b.post('/api/auth/totp/confirm', { password: ADMIN_PASSWORD, code: totpCode(secret, hub.clock.now()) });
    let n = 30;
    const from = () => hub.browser(`203.0.113.${n++}`);
    for (let i = 0; i < 5; i++) {
      hub.clock.advance(STEP);
      const res = await from().post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD, code: wrongCode(secret, hub.clock.now()) });
      expect([res.statusCode, res.json().error.field]).toEqual([401, 'code']);
    }
    const waiting = await from().post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD });
    expect([waiting.statusCode, waiting.json().error.retryAfterMs]).toEqual([429, 1000]);
    hub.clock.advance(1000);
    // The password alone: asked for the code, and the slot it held is given back.
    expect((await from().post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD })).json().error.field).toBe('code');
    const owner = await from().post('/api/auth/login', { name: 'admin', password: ADMIN_PASSWORD, code: totpCode(secret, hub.clock.now()) });
    expect(owner.statusCode, owner.body).toBe(200);
  });

  it('asks for the current password to enrol and to confirm, so a stolen session alone cannot bind its own authenticator; wrong ones count toward the account’s wait', async () => {
    const stolen = hub.browser();
    await stolen.login('admin', ADMIN_PASSWORD);
    // No password, or a wrong one: no secret is made, and nothing is waiting for a code.
    const none = await stolen.post('/api/auth/totp/enrol', {});
    expect([none.statusCode, none.json().error.field]).toEqual([400, 'password']);
    for (let i = 0; i < FREE_TRIES; i++) {
      const wrong = await stolen.post('/api/auth/totp/enrol', { password: `guess-${i}` });
      expect([wrong.statusCode, wrong.json().error.field]).toEqual([400, 'password']);
      expect(wrong.body).not.toContain('otpauth');
    }
    expect(await hub.store.sql.get("SELECT totp_pending FROM accounts WHERE name = 'admin'")).toEqual({ totp_pending: null });
    const failed = (await hub.store.audit.list({ limit: 20 })).filter((e) => e.action === 'login_failed');
    expect(failed).toHaveLength(FREE_TRIES);
    // Counted for this browser, known to the account since its login (docs/security.md "Rate limits").
    expect(failed[0]).toMatchObject({ accountName: expect.stringMatching(/^admin \(known browser [0-9a-f]{32}\)$/), detail: { reason: 'password', via: 'totp_enrol' } });
    // It now waits, even with the right password (as a login would).
    const waiting = await stolen.post('/api/auth/totp/enrol', { password: ADMIN_PASSWORD });
    expect([waiting.statusCode, waiting.json().error.retryAfterMs]).toEqual([429, 1000]);
    hub.clock.advance(1000);

    // The owner: the password, then the code with the password again.
    const { b, secret } = await enrol();
    const code = totpCode(secret, hub.clock.now());
    const noPassword = await b.post('/api/auth/totp/confirm', { code });
    expect([noPassword.statusCode, noPassword.json().error.field]).toEqual([400, 'password']);
    const wrongPassword = await b.post('/api/auth/totp/confirm', { password: 'not the password', code });
    expect([wrongPassword.statusCode, wrongPassword.json().error.field]).toEqual([400, 'password']);
    expect((await b.get('/api/auth/me')).json()).toMatchObject({ totpEnrolled: false });
    const ok = await b.post('/api/auth/totp/confirm', { password: ADMIN_PASSWORD, code: totpCode(secret, hub.clock.now()) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ totpEnrolled: true, totpVerified: true });
  });

  it('lets only street admins enrol', async () => {
    const b = hub.browser();
    await b.login('inspector-a', INSPECTOR_PASSWORD);
    expect((await b.post('/api/auth/totp/enrol', { password: INSPECTOR_PASSWORD })).statusCode).toBe(403);
    expect((await b.post('/api/auth/totp/confirm', { password: INSPECTOR_PASSWORD, code: '123456' })).statusCode).toBe(403);
  });

  it('refuses tracing without a TOTP-verified session once the street turns the setting on, and audits the change', async () => {
    const query = { visits: [{ venueId: 'venue-a', from: hub.clock.now() - 3_600_000, to: hub.clock.now() }], reason: '病例密接排查 测试' };
    const plain = hub.browser('203.0.113.20');
    await plain.login('admin2', ADMIN_PASSWORD);
    expect((await plain.get('/api/street/security')).json()).toEqual({ tracingRequiresTotp: false });
    expect((await plain.post('/api/tracing', query)).statusCode, 'off by default').toBe(200);
    // Only a session that proved the second factor may change the setting.
    const refused = await plain.post('/api/street/security', { tracingRequiresTotp: true });
    expect(refused.statusCode).toBe(403);

    const { b, secret } = await enrol();
    await b.post('/api/auth/totp/confirm', { password: ADMIN_PASSWORD, code: totpCode(secret, hub.clock.now()) });
    const on = await b.post('/api/street/security', { tracingRequiresTotp: true });
    expect(on.statusCode, on.body).toBe(200);
    expect((await b.get('/api/street/security')).json()).toEqual({ tracingRequiresTotp: true });
    expect((await hub.store.audit.list({ limit: 1 }))[0]).toMatchObject({
      action: 'street_setting_changed',
      accountName: 'admin',
      detail: { before: { tracingRequiresTotp: false }, after: { tracingRequiresTotp: true } },
    });

    for (const res of [await plain.post('/api/tracing', query), await plain.post('/api/tracing/export.csv', query)]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/authenticator code/) });
    }
    expect((await plain.post('/api/tracing', { visits: [] })).statusCode, 'before the body is validated').toBe(403);
    expect((await b.post('/api/tracing', query)).statusCode).toBe(200);
    expect((await b.post('/api/tracing/export.csv', query)).statusCode).toBe(200);
  });
});
