import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { hubOptions, seedVenue, tempDir } from '../support/hub.js';

/** A browser's cookie jar over inject: keeps what the hub sets. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    take(res: LightMyRequestResponse) {
      for (const c of res.cookies) c.value === '' ? cookies.delete(c.name) : cookies.set(c.name, c.value);
      return res;
    },
    get cookies() {
      return Object.fromEntries(cookies);
    },
  };
}

describe('inspectors: log in and out', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;

  beforeEach(async () => {
    store = await openTestStore(tmp.dir);
    await seedVenue(store);
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: 'correct horse battery' }, Date.now());
    await store.accounts.create({ name: '东风网格员', role: 'community_inspector', communityId: 'c-venue-a', password: 'another long secret' }, Date.now());
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }));
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function csrf(j: ReturnType<typeof jar>) {
    return (j.take(await app.inject({ url: '/api/auth/csrf', cookies: j.cookies })).json() as { token: string }).token;
  }
  const login = async (j: ReturnType<typeof jar>, name: string, password: string, token?: string) =>
    j.take(
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        cookies: j.cookies,
        headers: token ? { 'x-csrf-token': token } : {},
        payload: { name, password },
      }),
    );

  it('logs in with the CSRF token, sets a httpOnly SameSite=Strict session cookie, and logs out', async () => {
    const j = jar();
    const res = await login(j, 'admin', 'correct horse battery', await csrf(j));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'admin', role: 'street_admin', communityId: null });
    const session = res.cookies.find((c) => c.name === 'vc_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(session.value.length).toBeGreaterThan(30);
    expect((await app.inject({ url: '/api/auth/me', cookies: j.cookies })).json()).toMatchObject({ name: 'admin' });

    const out = j.take(await app.inject({ method: 'POST', url: '/api/auth/logout', cookies: j.cookies, headers: { 'x-csrf-token': await csrf(j) } }));
    expect(out.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/auth/me', cookies: { vc_session: session.value } })).statusCode).toBe(401);
    const actions = (await store.audit.list({ limit: 10 })).map((e) => e.action);
    expect(actions).toEqual(['logout', 'login']);
  });

  it('refuses a state change without the CSRF token, or with another one', async () => {
    const j = jar();
    await csrf(j);
    expect((await login(j, 'admin', 'correct horse battery')).statusCode).toBe(403);
    expect((await login(j, 'admin', 'correct horse battery', 'made-up-token')).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/auth/me', cookies: j.cookies })).statusCode).toBe(401);
  });

  // docs/security.md "CSRF": the token is bound to the session it was fetched under.
  it('refuses a token and cookie pair minted by someone else beside the admin’s session cookie', async () => {
    const admin = jar();
    await login(admin, 'admin', 'correct horse battery', await csrf(admin));
    const attacker = jar();
    const minted = await csrf(attacker); // the attacker's own pair, fetched with no session
    const forged = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { vc_session: admin.cookies.vc_session!, _csrf: attacker.cookies._csrf! },
      headers: { 'x-csrf-token': minted },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toMatchObject({ code: 'forbidden' });
    // A token fetched under another inspector's session does not pass either.
    const other = jar();
    await login(other, '东风网格员', 'another long secret', await csrf(other));
    const othersToken = await csrf(other);
    const crossed = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { vc_session: admin.cookies.vc_session!, _csrf: other.cookies._csrf! },
      headers: { 'x-csrf-token': othersToken },
    });
    expect(crossed.statusCode).toBe(403);
    // The admin's own token, fetched with their session, does.
    const own = await app.inject({ method: 'POST', url: '/api/auth/logout', cookies: admin.cookies, headers: { 'x-csrf-token': await csrf(admin) } });
    expect(own.statusCode).toBe(204);
  });

  it('makes the CSRF secret cookie Secure behind TLS, like the session cookie', async () => {
    const proxied = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }), { trustProxy: true });
    try {
      const res = await proxied.inject({ url: '/api/auth/csrf', headers: { 'x-forwarded-proto': 'https' } });
      expect(res.cookies.find((c) => c.name === '_csrf')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
      const plain = await proxied.inject({ url: '/api/auth/csrf' });
      expect(plain.cookies.find((c) => c.name === '_csrf')?.secure).toBeFalsy();
    } finally {
      await proxied.close();
    }
  });

  it('answers a wrong password and an unknown name alike, and rate-limits guessing', async () => {
    const j = jar();
    const token = await csrf(j);
    const wrong = await login(j, 'admin', 'wrong', token);
    const unknown = await login(j, 'nobody', 'wrong', token);
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await login(j, 'admin', `guess-${i}`, token)).statusCode);
    expect(codes.slice(-1)).toEqual([429]);
    // Even the right password waits once the address (or the account) is throttled.
    expect((await login(j, 'admin', 'correct horse battery', token)).statusCode).toBe(429);
    // One audit entry per wrong password up to the fifth for the account, then one for the run
    // (docs/security.md "Rate limits"; tests/hub/login-guessing.test.ts).
    const entries = await store.audit.list({ limit: 50 });
    expect(entries.filter((e) => e.action === 'login_failed' && e.accountName === 'admin')).toHaveLength(5);
    expect(entries.filter((e) => e.action === 'login_guessing')).toHaveLength(1);
  });

  it('refuses malformed logins by field and inert names', async () => {
    const j = jar();
    const token = await csrf(j);
    const res = await login(j, "admin' OR '1'='1", 'x', token);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('name');
    expect((await login(j, 'admin', 'x'.repeat(500), token)).json().error.field).toBe('password');
  });
});
