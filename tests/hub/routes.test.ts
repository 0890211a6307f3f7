import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { formatEnrolmentCode } from '../../shared/schemas/enrolment.js';
import { cstAt, cstMidnight } from '../support/clock.js';
import { hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

describe('hub HTTP routes', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let entranceId: string;
  /** The hub's clock: 10:00 today at the venue (UTC+8), by the wall clock. */
  let now = cstAt(cstMidnight(0), 10);

  beforeEach(async () => {
    store = await openTestStore(tmp.dir);
    entranceId = await seedVenue(store);
    app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now }));
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  describe('GET /api/health', () => {
    it('answers ok when the database answers', async () => {
      const res = await app.inject('/api/health');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', database: 'ok' });
    });

    it('answers 503 when the database is gone', async () => {
      await store.close();
      const res = await app.inject('/api/health');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', ready: false, database: 'down' });
    });
  });

  describe('POST /api/kiosks/enrol', () => {
    const enrol = (code: unknown) => app.inject({ method: 'POST', url: '/api/kiosks/enrol', payload: { code } });

    it('spends a code once and returns the venue, the token and the policy', async () => {
      const code = await store.kiosks.issueEnrolmentCode(entranceId, now, 60_000);
      const res = await enrol(formatEnrolmentCode(code).toLowerCase());
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({
        entranceId,
        entranceName: '正门',
        venue: {
          id: 'venue-a',
          name: '测试KTV',
          type: 'ktv',
          communityName: '测试社区',
          ratedCapacity: 100,
          openingHours: null,
          utcOffsetMinutes: 480,
          entrances: [{ id: 'venue-a-1', name: '正门' }],
          officers: { prevention: { name: '赵敏', phone: '13800000001' } },
        },
        policy: { version: 1, mode: 'normal', feverThresholdC: 37.3, closedVenueTypes: [], testAndCommitmentVenueTypes: [] },
      });
      expect(await store.kiosks.authenticate(body.token, now)).toMatchObject({ id: body.kioskId, venueId: 'venue-a' });
      // What the door needs for patrons' passes (docs/architecture.md "Patron QR flow"): its own venue-code secret, the venue's pass-code secret, the pass key, and its poster (signed by the hub).
      expect(body.codeSecret).toBe((await store.kiosks.byId(body.kioskId))!.codeSecret);
      expect(body.passCodeSecret).toBe(await store.venues.codeSecret('venue-a'));
      expect(body.codeSecret).not.toBe(body.passCodeSecret);
      expect(body.passKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
      expect(body.passKey.d).toBeUndefined();
      expect(body.posterPath).toMatch(/^\/posters\/p\.venue-a-1\./);
      expect(JSON.stringify(body)).not.toContain(await store.venues.posterSecret('venue-a'));
      const again = await enrol(code);
      expect(again.statusCode).toBe(410);
      expect(again.json()).toMatchObject({ error: { code: 'expired', field: 'code' } });
    });

    it('spends a code sent twice at once exactly once: one kiosk enrolled, the other request refused', async () => {
      const code = await store.kiosks.issueEnrolmentCode(entranceId, now, 60_000);
      const before = (await store.kiosks.list(WHOLE_CITY, { venueId: 'venue-a' })).length;
      const answers = await Promise.all([enrol(code), enrol(code)]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 410]);
      const kiosks = await store.kiosks.list(WHOLE_CITY, { venueId: 'venue-a' });
      expect(kiosks).toHaveLength(before + 1);
      expect(kiosks.map((k) => k.id)).toContain(answers.find((a) => a.statusCode === 201)!.json().kioskId);
    });

    it('refuses an expired code', async () => {
      const code = await store.kiosks.issueEnrolmentCode(entranceId, now, 60_000);
      now += 60_000;
      const res = await enrol(code);
      expect(res.statusCode).toBe(410);
      expect(res.json().error.message).toMatch(/expired/);
    });

    it('answers 404 for an unknown code and 400 naming the field for a malformed one', async () => {
      expect((await enrol('ABCD-2345')).statusCode).toBe(404);
      for (const bad of ['short', 12345678, '<script>x', null]) {
        const res = await enrol(bad);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: { code: 'invalid', field: 'code' } });
      }
    });

    it('answers 400 for a body that is not JSON', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/kiosks/enrol',
        headers: { 'content-type': 'application/json' },
        payload: '{"code":',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'invalid' } });
    });

    it('rate-limits guessing', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await enrol('ABCD-2345')).statusCode);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
      expect(statuses.slice(10)).toEqual([429, 429]);
    });
  });

  it('answers an unknown route with a plain 404', async () => {
    const res = await app.inject('/api/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('says the kiosk app is not built rather than serving nothing', async () => {
    const res = await app.inject('/kiosk/');
    expect(res.statusCode).toBe(503);
  });
});
