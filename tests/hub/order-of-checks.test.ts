import type { FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { cstDate } from '../support/clock.js';

/**
 * docs/security.md "Order of checks": a scoped route authorises first and validates after, so a
 * caller learns nothing of a schema they may not use; every 4xx, the ones Fastify and Node answer
 * before any route included, has the `{ error: { code, field?, message } }` shape.
 */
const PASSWORD = 'a long enough password';

describe('order of checks and the shape of every 4xx', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let flagB: number;
  let suspensionB: number;

  beforeEach(async () => {
    store = await openTestStore(tmp.dir);
    await seedVenue(store, 'venue-a');
    await seedVenue(store, 'venue-b');
    const flag = await store.sql.get<{ id: number }>(
      "INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at) VALUES ('venue-b', 'skipped_check', 'warning', 'w1', '{}', ?, ?) RETURNING id",
      [Date.now(), Date.now()],
    );
    flagB = flag!.id;
    const today = cstDate(Date.now());
    suspensionB = (await store.suspensions.order('venue-b', { from: today, to: today, reason: '整改' }, 'someone', Date.now()))!.id;
    await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, Date.now());
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none') }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  it.each([
    ['another community’s venue log with a bad filter', 'GET', '/api/venues/venue-b/records?from=yesterday&page=-1', undefined],
    ['another community’s venue day with a bad date', 'GET', '/api/venues/venue-b/day?date=31.12.', undefined],
    ['another community’s venue ledgers with a bad query', 'GET', '/api/venues/venue-b/ledgers?from=x', undefined],
    ['an action on another community’s flag with a bad body', 'POST', () => `/api/flags/${flagB}/actions`, { action: 'burn' }],
    ['a suspension order for another community’s venue with a bad body', 'POST', '/api/venues/venue-b/suspensions', { from: 'soon' }],
    ['lifting another community’s suspension with a bad body', 'POST', () => `/api/suspensions/${suspensionB}/lift`, { note: 42 }],
    ['an on-site inspection of another community’s venue with a bad body', 'POST', '/api/venues/venue-b/inspections', { items: { entrance_mask: 'fine' } }],
    ['another community’s inspections with a bad query', 'GET', '/api/venues/venue-b/inspections?limit=lots', undefined],
    ['booking settings (street admin only) with a bad body', 'POST', '/api/venues/venue-b/booking', { slotMinutes: 'seven' }],
    ['a policy switch (street admin only) with a bad body', 'POST', '/api/policy/switch', { mode: 'panic' }],
    ['a registry venue (street admin only) with a bad body', 'POST', '/api/registry/venues', { capacity: -1 }],
  ])('answers 403 before 400: %s', async (_what, method, path, body) => {
    const inspector = inspectorSession(url);
    await inspector.login('inspector-a', PASSWORD);
    const target = typeof path === 'function' ? path() : path;
    const res = method === 'GET' ? await inspector.get(target) : await inspector.post(target, body);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden' });
  });

  it('answers 401 before 400 without a session', async () => {
    const res = await inspectorSession(url).post('/api/venues/venue-a/booking', { slotMinutes: 'seven' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'unauthorized' });
  });

  it('still validates what an authorised caller sends, naming the field', async () => {
    const inspector = inspectorSession(url);
    await inspector.login('inspector-a', PASSWORD);
    const res = await inspector.get('/api/venues/venue-a/day?date=31.12.');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid', field: 'date' });
  });

  /** One raw HTTP exchange, as a client that is not a browser sends it. */
  function raw(request: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(request));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = text.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) });
      });
    });
  }

  it.each([
    ['a bad percent-encoding in the path', 'GET /v/%E0%A4%A HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n', 400, { code: 'invalid', field: 'url' }],
    ['headers larger than Node takes', `GET /api/health HTTP/1.1\r\nHost: hub\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431, { code: 'too_large', field: 'headers' }],
    ['a request that is not HTTP', 'HELLO THERE\r\n\r\n', 400, { code: 'invalid' }],
  ])('answers %s with the shared error shape', async (_what, request, status, error) => {
    const res = await raw(request);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: expect.objectContaining({ ...error, message: expect.any(String) }) });
  });
});
