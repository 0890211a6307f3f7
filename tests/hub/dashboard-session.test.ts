import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';

const PASSWORD = 'a long enough password';

describe('a dashboard session ends everywhere', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let socket: Socket | undefined;

  beforeEach(async () => {
    store = await openTestStore(tmp.dir);
    await seedVenue(store);
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    socket?.close();
    await app.close();
    await store.close();
  });

  /** A live dashboard socket on the session's cookie, as the browser opens it. */
  function dashboard(cookie: string): Promise<Socket> {
    const s = io(`${url}/dashboard`, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false });
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }

  it('logging out cuts the live dashboard of that session at once', async () => {
    const s = inspectorSession(app);
    await s.login('admin', PASSWORD);
    socket = await dashboard(`vc_session=${s.cookies().vc_session}`);
    const cut = new Promise<string>((resolve) => socket!.once('disconnect', resolve));
    expect((await s.post('/api/auth/logout', {})).statusCode).toBe(204);
    expect(await cut).toBe('io server disconnect');
    await expect(dashboard(`vc_session=${s.cookies().vc_session ?? 'gone'}`)).rejects.toThrow();
  });

  it('a password reset ends every session of the account', async () => {
    const s = inspectorSession(app);
    await s.login('admin', PASSWORD);
    expect((await s.get('/api/auth/me')).statusCode).toBe(200);
    await store.accounts.setPassword('admin', 'another long password');
    expect((await s.get('/api/auth/me')).statusCode).toBe(401);
  });
});
