import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../hub/src/sockets/ingest.js';
import { SyncRecord } from '../../shared/schemas/record.js';
import { MAX_PUSH_BYTES, PushResult } from '../../shared/schemas/sync.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { connectDashboard, connectKiosk, enrolKiosk, patronForm, type KioskClient } from '../support/hub.js';
import { hostileString, hostileValue, jsonSchemaOf, payloadFor, shaped } from '../support/fuzz/arbitraries.js';
import { DASHBOARD_NAMESPACE, KIOSK_NAMESPACE } from '../../shared/events.js';
import { ApiError } from '../../shared/schemas/errors.js';
import { KioskStatus } from '../../shared/schemas/kiosk-admin.js';
import { startFuzzHub, uncaughtDuring, type FuzzHub, type Identity } from '../support/fuzz/hub.js';
import { ErrorBody, headerSafe, requestsFor, routeName, type FuzzRequest } from '../support/fuzz/routes.js';
import { AckShape, KIOSK_EVENTS, badRecords, eventPayload, connectSpareKiosk, goodRecords, handshake, sendDeepNesting, unknownEvent } from '../support/fuzz/sockets.js';

/**
 * docs/security.md "Fuzzing": every HTTP route the hub declares and every event its kiosk socket
 * listens to get generated payloads (tests/support/fuzz/). Whatever arrives, the hub answers
 * without a 5xx or an error in its log, in the shared error shape, stores nothing from a payload
 * its schema refuses, and keeps exactly the good records of a mixed batch.
 *
 * `npm test` runs it with a fixed seed and few runs; `npm run test:fuzz` sets FUZZ_SEED (random,
 * printed first) and FUZZ_RUNS (many). A failure names the seed and the request; replay it with
 * `npm run test:fuzz -- --seed <seed> --runs <runs>`.
 */
const env = z
  .object({ FUZZ_SEED: z.coerce.number().int().default(20_161_616), FUZZ_RUNS: z.coerce.number().int().min(1).default(12) })
  .parse({ FUZZ_SEED: process.env.FUZZ_SEED || undefined, FUZZ_RUNS: process.env.FUZZ_RUNS || undefined });
const SEED = env.FUZZ_SEED;
const RUNS = env.FUZZ_RUNS;
const settings = { seed: SEED, numRuns: RUNS, endOnFailure: true };
/** Room for a long run (npm run test:fuzz); the fixed run takes a few seconds a test. */
const timeout = 30_000 + RUNS * 1_500;

/** Object.prototype as the run left it: a key set there by a payload shows on every object. */
const polluted = () => ['polluted'].filter((k) => k in {});

describe('fuzz: every HTTP route', () => {
  let hub: FuzzHub;
  beforeAll(async () => {
    // The hub's clock stands still: the minute's flag sweep and the policy scheduler then find
    // nothing new to write while a request's table counts are compared.
    const at = Date.now();
    hub = await startFuzzHub({ now: () => at });
    // Records with hostile values that still fit (odd unicode, bounds, years 0000 and 9999) for the
    // routes that read and render them, stored as a push stores them (flags are not evaluated).
    let n = 0;
    const records = fc.sample(goodRecords(hub.kiosk, () => ++n, at), { seed: SEED, numRuns: 60 });
    const { ack } = await ingestBatch(hub.store, hub.kiosk, { records }, at);
    expect(ack.ok && ack.data.results.every((r) => r.status === 'accepted')).toBe(true);
    // The kiosk's status report at its bounds (a clock at 0 or far ahead, millions pending), as the list of kiosks shows it.
    const [status] = fc.sample(shaped(jsonSchemaOf(KioskStatus), 'keep').filter((v) => KioskStatus.safeParse(v).success), { seed: SEED, numRuns: 1 });
    await hub.store.kiosks.report(hub.kiosk.id, KioskStatus.parse(status), at);
    // A patron's pass, its venue code and form ticket, so the pass and patron routes find something.
    const venueCode = await liveToken((await hub.store.kiosks.byId(hub.kiosk.id))!.codeSecret, hub.kiosk.id, slotAt(at));
    const form = await patronForm(hub.url, venueCode);
    const res = await fetch(`${hub.url}/api/passes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...form, people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false }),
    });
    expect(res.status).toBe(201);
    hub.knownIds.push(((await res.json()) as { id: string }).id, venueCode, form.ticket);
  });
  afterAll(async () => hub.close());

  it('answers every generated request below 500, in the error shape, and stores nothing it refused', async () => {
    const sessions = new Map<Identity, { cookie: string; csrf: string }>();
    const sessionOf = async (who: Identity) => sessions.get(who) ?? sessions.set(who, await hub.session(who)).get(who)!;
    /** Routes a request reached (not the not-found handler), and routes a request passed every schema of. */
    const reached = new Set<string>();
    const passed = new Set<string>();

    async function send(req: FuzzRequest) {
      const { cookie, csrf } = await sessionOf(req.identity);
      const headers: Record<string, string> = {
        ...req.headers,
        ...(cookie ? { cookie } : {}),
        ...(csrf && req.csrf ? { 'x-csrf-token': csrf } : {}),
        ...(req.contentType ? { 'content-type': req.contentType } : {}),
      };
      const res = await fetch(`${hub.url}${req.path}${req.query ? `?${req.query}` : ''}`, { method: req.method, headers, body: req.body ?? null, redirect: 'manual' });
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
    }

    const caught = await uncaughtDuring(async () => {
      for (const route of hub.routes) {
        const name = routeName(route);
        await fc.assert(
          // One to three requests at once: the same route's handlers interleave as they do under load.
          fc.asyncProperty(fc.array(requestsFor(route, hub.knownIds), { minLength: 1, maxLength: 3 }), async (reqs) => {
            const before = reqs.every((r) => !r.valid) ? await hub.counts() : undefined;
            const logged = hub.errors.length;
            const answers = await Promise.all(reqs.map(send));
            const what = reqs.map((req, i) => `${name}: ${req.method} ${req.path}?${req.query} as ${req.identity} → ${answers[i]!.status} ${answers[i]!.text.slice(0, 300)}`).join('\n');
            reqs.forEach((req, i) => {
              const res = answers[i]!;
              expect(res.status, what).toBeLessThan(500);
              if (!/^no route /.test(ErrorBody.safeParse(safeParse(res.text)).data?.error.message ?? '')) reached.add(name);
              if (req.valid) passed.add(name);
              if (res.status >= 400 && req.method !== 'HEAD') {
                // Pages for people (the patron's and booking pages) answer a page; everything else the error shape.
                const page = res.type.startsWith('text/html') && !req.path.startsWith('/api/');
                if (!page) expect(ErrorBody.safeParse(safeParse(res.text)).success, what).toBe(true);
              }
              // A session this request ended is replaced, so the next requests of this identity are authenticated.
              if (route.url === '/api/auth/logout' && req.identity !== 'anonymous') sessions.delete(req.identity);
            });
            expect(hub.errors.slice(logged), what).toEqual([]);
            if (before) expect(await hub.counts(), `stored from an invalid request: ${what}`).toEqual(before);
            expect(polluted(), what).toEqual([]);
          }),
          settings,
        );
      }
    });
    expect(caught).toEqual([]);
    // Every declared route was reached by at least one request; none is left without fuzzing.
    expect(hub.routes.map(routeName).filter((n) => !reached.has(n))).toEqual([]);
    // Each route with schemas got requests that passed them, so its handler ran, not only its validation.
    const withSchemas = hub.routes.filter((r) => r.schema.params || r.schema.querystring || r.schema.body).map(routeName);
    // How deep the run went, for a long run's reader (npm run test:fuzz sets FUZZ_SEED).
    if (process.env.FUZZ_SEED) console.log(`fuzz seed ${SEED}, ${RUNS} runs per route, ${hub.routes.length} routes; past every schema: ${withSchemas.filter((n) => passed.has(n)).length}/${withSchemas.length}; not: ${withSchemas.filter((n) => !passed.has(n)).join(', ')}`);
  }, timeout);
});

describe('fuzz: every kiosk and dashboard socket event', () => {
  let hub: FuzzHub;
  let socket: KioskClient;
  let seq = 1_000_000;
  beforeAll(async () => {
    hub = await startFuzzHub();
    socket = await connectKiosk(hub.url, hub.token);
    sendDeepNesting(socket);
  });
  afterAll(async () => {
    socket.close();
    await hub.close();
  });

  /** The hub's side of a client socket: the events it listens to. */
  const listened = (client: { id?: string | undefined }) =>
    hub.app.io.of('/kiosk').sockets.get(client.id!)!.eventNames().map(String).filter((e) => !['disconnect', 'disconnecting', 'error'].includes(e));

  it('knows how to fuzz every event the kiosk socket listens to', () => {
    expect(listened(socket).filter((e) => !(e in KIOSK_EVENTS))).toEqual([]);
  });

  it('answers every generated payload in the ack shape, never internal, and stores nothing from a refused one', async () => {
    const { venueId } = hub.kiosk;
    const newSpare = async () => {
      const { kiosk, token } = await enrolKiosk(hub.store, 'venue-a-1');
      return { id: kiosk.id, socket: await connectSpareKiosk(hub.url, token), mayBeCut: false };
    };
    let spare = await newSpare();
    const fuzzed = new Set<string>();
    const caught = await uncaughtDuring(async () => {
      for (const event of listened(socket)) {
        const spec = KIOSK_EVENTS[event]!;
        await fc.assert(
          fc.asyncProperty(eventPayload(spec.schema), fc.boolean(), async (payload, withAck) => {
            if (spec.spare && (spare.mayBeCut || !spare.socket.connected)) {
              spare.socket.close();
              spare = await newSpare();
            }
            const client = spec.spare ? spare.socket : socket;
            const storable =
              event === 'records:push'
                ? [(payload as { records?: unknown } | null)?.records].flat().some((r) => {
                    const p = SyncRecord.safeParse(r);
                    return p.success && p.data.kioskId === hub.kiosk.id && p.data.venueId === venueId;
                  })
                : spec.schema.safeParse(payload).success;
            const before = storable ? undefined : await hub.counts();
            const logged = hub.errors.length;
            const what = `${event} ${JSON.stringify(payload)?.slice(0, 300)}`;
            if (spec.ack && withAck) {
              const ack = await client.timeout(10_000).emitWithAck(event as 'policy:ack', payload as never);
              // Retired: the hub cuts the spare right after this ack.
              if (spec.spare) spare.mayBeCut = (ack as { data?: { outcome?: string } }).data?.outcome === 'retired';
              expect(AckShape.safeParse(ack).success, `${what} → ${JSON.stringify(ack)}`).toBe(true);
              expect((ack as { error?: { code: string } }).error?.code, what).not.toBe('internal');
              if (!storable) expect((ack as { ok: boolean }).ok && event !== 'records:push', what).toBe(false);
            } else {
              // Without a callback, or an event with none: sent, then a round trip so the hub has handled it.
              (client.emit as (e: string, ...a: unknown[]) => void)(event, payload, ...(spec.ack ? ['not a function'] : []));
              // Without an ack the spare may be retired and cut once the hub's transaction ends, which on
              // PostgreSQL can come after the round trip below: the next spare event takes a fresh spare,
              // and a round trip cut short counts only if the spare is still in service.
              if (spec.spare) spare.mayBeCut = true;
              await client
                .timeout(10_000)
                .emitWithAck('pass:lookup', { code: 'x', minute: -1 } as never)
                .catch(async (err: unknown) => {
                  if (!spec.spare || (await hub.store.kiosks.isActive(spare.id))) throw err;
                });
            }
            if (before) expect(await hub.counts(), `stored from a refused payload: ${what}`).toEqual(before);
            expect(hub.errors.slice(logged), what).toEqual([]);
            expect(polluted(), what).toEqual([]);
            fuzzed.add(event);
          }),
          settings,
        );
      }
      // Events nobody listens to, with any payload, on both namespaces: ignored, and the connection stays.
      const dashboard = await connectDashboard(hub.url, (await hub.session('admin')).cookie);
      sendDeepNesting(dashboard);
      await fc.assert(
        fc.asyncProperty(unknownEvent, hostileValue, async (event, payload) => {
          (socket.emit as (e: string, ...a: unknown[]) => void)(event, payload, () => undefined);
          (dashboard.emit as (e: string, ...a: unknown[]) => void)(event, payload);
          await socket.timeout(10_000).emitWithAck('pass:lookup', { code: 'x', minute: -1 } as never);
          expect(socket.connected && dashboard.connected).toBe(true);
        }),
        settings,
      );
      dashboard.close();
    });
    spare.socket.close();
    expect(caught).toEqual([]);
    expect([...fuzzed].sort()).toEqual(Object.keys(KIOSK_EVENTS).sort());
    expect(hub.errors).toEqual([]);
    expect(socket.connected).toBe(true);
  }, timeout);

  it('answers every generated kiosk and dashboard handshake by connecting, or refusing in the error shape', async () => {
    const absent = fc.constant(undefined);
    const auth = fc.record({
      token: fc.oneof(fc.constant(hub.token), hostileValue),
      leftSince: fc.oneof(absent, hostileValue, fc.integer({ min: 0 })),
      status: fc.oneof(absent, payloadFor(KioskStatus)),
    });
    // A dashboard's session cookie: forged, badly percent-encoded, or beside a real one. Below Node's
    // header limit: a larger upgrade request is refused before socket.io sees it (431, as over HTTP).
    const admin = (await hub.session('admin')).cookie;
    const cookie = fc
      .tuple(hostileString, fc.constantFrom('vc_session=', 'vc_session=%E0%A4%A', `${admin}; vc_session=`, ''))
      .map(([v, prefix]) => headerSafe(`${prefix}${v}`).slice(0, 8_000));
    const caught = await uncaughtDuring(async () => {
      await fc.assert(
        fc.asyncProperty(auth, cookie, async (a, c) => {
          const logged = hub.errors.length;
          const what = `${JSON.stringify(a)?.slice(0, 300)} / cookie ${c.slice(0, 100)}`;
          const outcomes = [
            await handshake(hub.url, KIOSK_NAMESPACE, { auth: Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) }),
            await handshake(hub.url, DASHBOARD_NAMESPACE, { headers: { cookie: c } }),
          ];
          for (const outcome of outcomes) {
            if (!outcome.connected) expect(ApiError.safeParse(outcome.data).success, `${what} → ${outcome.message} ${JSON.stringify(outcome.data)}`).toBe(true);
          }
          expect(hub.errors.slice(logged), what).toEqual([]);
          expect(polluted(), what).toEqual([]);
        }),
        settings,
      );
    });
    expect(caught).toEqual([]);
    expect(socket.connected).toBe(true);
  }, timeout);

  it('keeps exactly the good records of a mixed batch and names the field of each bad one', async () => {
    const item = fc.oneof(
      goodRecords(hub.kiosk, () => ++seq).map((record) => ({ good: true as const, record: record as unknown })),
      badRecords.map((record) => ({ good: false as const, record })),
    );
    const caught = await uncaughtDuring(async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (batch) => {
          const records = batch.map((b) => b.record);
          const before = await hub.counts();
          const ack = await socket.timeout(10_000).emitWithAck('records:push', { records });
          const what = JSON.stringify(records).slice(0, 500);
          if (Buffer.byteLength(JSON.stringify({ records })) > MAX_PUSH_BYTES) {
            // Larger than a kiosk ever sends: refused whole (or, alone, its one record), nothing stored.
            expect(await hub.counts(), what).toEqual(before);
            return;
          }
          expect(ack.ok, `${what} → ${JSON.stringify(ack)}`).toBe(true);
          const results = PushResult.parse((ack as { data: unknown }).data).results;
          expect(results.map((r) => r.index)).toEqual(batch.map((_, i) => i));
          batch.forEach((b, i) => {
            const r = results[i]!;
            if (b.good) expect(r.status, `${what} → ${JSON.stringify(r)}`).toBe('accepted');
            else {
              expect(r.status, what).toBe('rejected');
              expect(r.status === 'rejected' && r.error.field, `${what} → ${JSON.stringify(r)}`).toBeTruthy();
            }
          });
          const good = batch.filter((b) => b.good).map((b) => b.record as SyncRecord);
          for (const r of good) expect(await hub.store.records.holds(r)).toBe(true);
          expect((await hub.counts()).kiosk_records! - before.kiosk_records!).toBe(good.length);
          expect(polluted()).toEqual([]);
        }),
        settings,
      );
    });
    expect(caught).toEqual([]);
    expect(hub.errors).toEqual([]);
  }, timeout);
});

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
