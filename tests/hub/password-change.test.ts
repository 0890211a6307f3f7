import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectDashboard } from '../support/hub.js';
import { ADMIN_PASSWORD, startLoginHub, type LoginHub } from '../support/login-hub.js';
import { onPostgres } from '../support/store.js';

/** docs/security.md "The inspectors' side": a one-time password from npm run admin is changed at first login. */

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run admin -- …` on the hub's store (its data folder, or DATABASE_URL on PostgreSQL), as the street office runs it; its output. */
function admin(location: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const where = onPostgres ? { DATABASE_URL: location } : { DATA_DIR: dirname(location) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], { cwd: root, env: { ...process.env, ...where } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const NEW_PASSWORD = 'a password of my own';

describe('POST /api/auth/password', () => {
  let hub: LoginHub;
  beforeEach(async () => {
    hub = await startLoginHub();
  });
  afterEach(async () => hub.close());

  it('lets a session with a one-time password from npm run admin do nothing but change it; then ends every other session', async () => {
    const made = await admin(hub.dbFile, 'create', '新网格员', '--role', 'community_inspector', '--community', 'c-venue-a');
    expect(made.code, made.out).toBe(0);
    expect(made.out).toMatch(/must be changed at the first login/);
    const oneTime = /one-time password: (\S+)/.exec(made.out)![1]!;

    const first = hub.browser();
    const login = await first.login('新网格员', oneTime);
    expect(login.json()).toMatchObject({ name: '新网格员', mustChangePassword: true });
    const second = hub.browser('203.0.113.9');
    await second.login('新网格员', oneTime);

    // Everything but who-am-I, the change and logging out answers 403 until it is changed.
    expect((await first.get('/api/auth/me')).json()).toMatchObject({ mustChangePassword: true });
    for (const res of [await first.get('/api/street'), await first.get('/api/flags'), await first.get('/api/venues/venue-a')]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/password must be changed first/) });
    }
    // Its live feed is refused too.
    await expect(connectDashboard(hub.url, `vc_session=${first.cookies().vc_session}`)).rejects.toThrow();

    // The change: the current password right, long enough, not the same.
    const same = await first.post('/api/auth/password', { current: oneTime, next: oneTime });
    expect([same.statusCode, same.json().error.field]).toEqual([400, 'next']);
    const short = await first.post('/api/auth/password', { current: oneTime, next: 'short' });
    expect([short.statusCode, short.json().error.field]).toEqual([400, 'next']);
    const wrong = await first.post('/api/auth/password', { current: 'not it at all', next: NEW_PASSWORD });
    expect([wrong.statusCode, wrong.json().error.field]).toEqual([400, 'current']);
    const changed = await first.post('/api/auth/password', { current: oneTime, next: NEW_PASSWORD });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ name: '新网格员', mustChangePassword: false });

    // This session goes on with everything; the other one has ended; only the new password logs in.
    expect((await first.get('/api/street')).statusCode).toBe(200);
    expect((await second.get('/api/auth/me')).statusCode).toBe(401);
    expect((await hub.browser('203.0.113.10').post('/api/auth/login', { name: '新网格员', password: oneTime })).statusCode).toBe(401);
    expect((await hub.browser('203.0.113.11').login('新网格员', NEW_PASSWORD)).json()).toMatchObject({ mustChangePassword: false });
    const actions = (await hub.store.audit.list({ limit: 20 })).map((e) => e.action);
    expect(actions).toContain('password_changed');
  });

  it('makes a password reset by npm run admin one-time as well', async () => {
    const reset = await admin(hub.dbFile, 'reset-password', 'admin');
    expect(reset.code, reset.out).toBe(0);
    const oneTime = /new one-time password for admin: (\S+)/.exec(reset.out)![1]!;
    const b = hub.browser();
    expect((await b.login('admin', oneTime)).json()).toMatchObject({ mustChangePassword: true });
    expect((await b.get('/api/audit')).statusCode).toBe(403);
    expect((await b.post('/api/auth/logout', {})).statusCode).toBe(204);
  });

  it('lets anyone change their own password from the dashboard, ending their other sessions', async () => {
    const here = hub.browser();
    const there = hub.browser('203.0.113.2');
    await here.login('admin', ADMIN_PASSWORD);
    await there.login('admin', ADMIN_PASSWORD);
    const live = await connectDashboard(hub.url, `vc_session=${there.cookies().vc_session}`);
    const cut = new Promise<void>((resolve) => live.once('disconnect', () => resolve()));
    expect((await here.post('/api/auth/password', { current: ADMIN_PASSWORD, next: NEW_PASSWORD })).statusCode).toBe(200);
    await cut; // the other session's live dashboard is cut at once
    expect((await there.get('/api/auth/me')).statusCode).toBe(401);
    expect((await here.get('/api/auth/me')).statusCode).toBe(200);
    // Without a session: 401 before anything is validated.
    expect((await hub.browser('203.0.113.3').post('/api/auth/password', { current: 'x' })).statusCode).toBe(401);
  });
});
