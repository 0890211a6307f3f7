import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import { PASSES_PER_ADDRESS_MINUTE } from '../../hub/src/routes/patron/index.js';
import { decryptContact } from '../../hub/src/services/contact-cipher.js';
import type { HubKeys } from '../../hub/src/keys.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { locationOf, onPostgres, openTestStore } from '../support/store.js';
import { checkPassCode } from '../../shared/rules/pass-code.js';
import { verifyPass } from '../../shared/rules/pass-signature.js';
import { liveToken, posterToken, slotAt } from '../../shared/rules/venue-code.js';
import type { PassRequest } from '../../shared/schemas/pass.js';
import { cstAt, cstMidnight } from '../support/clock.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';

describe('patron pass routes', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let keys: HubKeys;
  let dbFile: string;
  let kioskId: string;
  let secret: string;
  let kioskSecret: string;
  let posterSecret: string;
  let now = cstAt(cstMidnight(0), 12, 0, 10); // 12:00:10 today at the venue (UTC+8), 10 s into a code's minute

  beforeEach(async () => {
    store = await openTestStore(tmp.dir);
    dbFile = locationOf(store);
    const entranceId = await seedVenue(store);
    kioskId = (await enrolKiosk(store, entranceId)).kiosk.id;
    secret = (await store.venues.codeSecret('venue-a'))!;
    kioskSecret = (await store.kiosks.byId(kioskId))!.codeSecret;
    posterSecret = (await store.venues.posterSecret('venue-a'))!;
    const opts = await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now });
    keys = opts.keys;
    app = await buildHub(opts);
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const token = (at = now) => liveToken(kioskSecret, kioskId, slotAt(at));
  /** The ticket the hub signs into the page it serves for a code, as the page's form sends it back. */
  const ticketFor = async (venueCode: string) => /data-ticket="([^"]+)"/.exec((await app.inject(`/v/${venueCode}`)).body)?.[1] ?? 'none';
  const declare = async (over: Partial<PassRequest> = {}) => {
    const venueCode = over.venueCode ?? (await token());
    return {
      venueCode,
      ticket: await ticketFor(venueCode),
      people: [{ healthCode: 'green', itinerary: 'local' }],
      commitment: false,
      ...over,
    };
  };
  const post = (payload: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/passes',
      headers: { 'content-type': 'application/json' },
      payload: payload === undefined ? '' : JSON.stringify(payload),
    });

  describe('GET /v/:token', () => {
    it('shows the venue, the checks asked there and the declaration, in Chinese by default', async () => {
      const res = await app.inject(`/v/${await token()}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('测试KTV');
      expect(res.body).toContain('出示行程卡');
      expect(res.body).toContain('name="people.0.healthCode"');
      expect(res.body).toContain('<html lang="zh-CN">');
    });

    it('falls back to Chinese for a language it does not know', async () => {
      const res = await app.inject(`/v/${await token()}?lang=<script>`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<html lang="zh-CN">');
    });

    it('allows WebAssembly only to the kiosk, not to patron pages', async () => {
      const patron = await app.inject(`/v/${await token()}`);
      expect(patron.headers['content-security-policy']).not.toContain('wasm-unsafe-eval');
      const kiosk = await app.inject('/kiosk/');
      expect(kiosk.headers['content-security-policy']).toContain("'wasm-unsafe-eval'");
    });

    it('takes stylesheets from the hub only, and the patron page has no style attribute (docs/security.md "Headers, CSP and input")', async () => {
      const patron = await app.inject(`/v/${await token()}`);
      const styleSrc = String(patron.headers['content-security-policy']).split(';').find((d) => d.trim().startsWith('style-src'));
      expect(styleSrc?.trim()).toBe("style-src 'self' 'unsafe-inline'");
      expect(patron.body).not.toMatch(/\sstyle="/);
    });

    it('switches to English and remembers it in a cookie', async () => {
      const res = await app.inject(`/v/${await token()}?lang=en`);
      expect(res.body).toContain('Itinerary card');
      const cookie = res.cookies.find((c) => c.name === 'lang');
      expect(cookie).toMatchObject({ value: 'en', httpOnly: true, sameSite: 'Lax' });
      const again = await app.inject({ url: `/v/${await token()}`, cookies: { lang: 'en' } });
      expect(again.body).toContain('<html lang="en">');
    });

    it('accepts the slot either side and calls an older photo of the code expired (410)', async () => {
      expect((await app.inject(`/v/${await token(now - 30_000)}`)).statusCode).toBe(200);
      const old = await app.inject(`/v/${await token(now - 90_000)}`);
      expect(old.statusCode).toBe(410);
      expect(old.body).toContain('此码已过期');
    });

    it('does not take a live code signed with the venue secret instead of the kiosk\'s own, nor a poster signed by a kiosk', async () => {
      expect((await app.inject(`/v/${await liveToken(secret, kioskId, slotAt(now))}`)).statusCode).toBe(404);
      expect((await app.inject(`/v/${await posterToken(secret, 'venue-a-1')}`)).statusCode).toBe(404);
      expect((await app.inject(`/v/${await posterToken(kioskSecret, 'venue-a-1')}`)).statusCode).toBe(404);
    });

    it('answers 404 for a forged code, an unknown kiosk and a string that is no code', async () => {
      const forged = (await token()).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      for (const t of [forged, `k.kiosk-nobody.${slotAt(now)}.AAAAAAAAAAAAAAAA`, '%3Cscript%3Ealert(1)%3C%2Fscript%3E']) {
        const res = await app.inject(`/v/${t}`);
        expect(res.statusCode, t).toBe(404);
        expect(res.body).not.toContain('<script>alert');
      }
    });
  });

  describe('POST /api/passes', () => {
    it('issues a signed pass the kiosk verifies offline, with a code it can check', async () => {
      const res = await post(await declare({ people: [{ healthCode: 'green', itinerary: 'local' }, { label: '孩子', healthCode: 'green', itinerary: 'local' }] }));
      expect(res.statusCode).toBe(201);
      const { id, url } = res.json();
      expect(url).toBe(`/pass/${id}`);
      const pass = (await store.passes.get(id))!;
      expect(pass).toMatchObject({ venueId: 'venue-a', kioskId, source: 'live', verdict: 'enter', leftAt: null });
      const verified = await verifyPass(pass.signed, keys.passSigning.publicKey, 'venue-a', now);
      expect(verified).toMatchObject({ ok: true, pass: { id, code: pass.code, entrance: 'venue-a-1', people: [{ h: 'green' }, { n: '孩子' }] } });
      expect(await checkPassCode(pass.code, secret, 'venue-a', now, 10)).toMatchObject({ ok: true, people: 2 });
    });

    it('gives passes of the same minute different codes', async () => {
      const codes = new Set<string>();
      for (let i = 0; i < 5; i++) codes.add((await store.passes.get((await post(await declare())).json().id))!.code);
      expect(codes.size).toBe(5);
    });

    it('keeps the phone number encrypted: the database file has no plaintext number', async () => {
      const res = await post(await declare({ phone: '+86 139 1234 5678' }));
      const pass = (await store.passes.get(res.json().id))!;
      expect(pass.contact).toMatch(/^v1\./);
      expect(decryptContact(pass.contact!, keys.contactKey)).toBe('13912345678');
      expect(JSON.stringify(await store.sql.all('SELECT * FROM passes'))).not.toContain('13912345678');
      // The bytes at rest: a SQLite file (and its WAL) only; PostgreSQL's files are the server's.
      if (onPostgres) return;
      await store.close();
      const bytes = (await import('node:fs')).readFileSync(dbFile);
      const wal = (await import('node:fs')).existsSync(`${dbFile}-wal`) ? (await import('node:fs')).readFileSync(`${dbFile}-wal`) : Buffer.alloc(0);
      expect(Buffer.concat([bytes, wal]).includes('13912345678')).toBe(false);
      store = await openStore(dbFile);
    });

    it('accepts a form sent within 15 minutes of the scan, and refuses an older one with 410', async () => {
      const venueCode = await token();
      const ticket = await ticketFor(venueCode);
      now += 14 * 60_000;
      expect((await post(await declare({ venueCode, ticket }))).statusCode).toBe(201);
      now += 2 * 60_000;
      const late = await post(await declare({ venueCode, ticket }));
      expect(late.statusCode).toBe(410);
      expect(late.json().error).toMatchObject({ code: 'expired', field: 'venueCode' });
    });

    it('refuses a form without the ticket of a page this hub served for that code', async () => {
      const venueCode = await token();
      const other = await ticketFor(await posterToken(posterSecret, 'venue-a-1'));
      for (const ticket of ['1.AAAAAAAAAAAAAAAAAAAAAA', other, `${now}.${'A'.repeat(22)}`]) {
        const res = await post(await declare({ venueCode, ticket }));
        expect(res.statusCode, ticket).toBe(400);
        expect(res.json().error.field).toBe('ticket');
      }
      // A photo of the screen taken two minutes ago: no page, so no ticket.
      expect((await app.inject(`/v/${await token(now - 120_000)}`)).body).not.toContain('data-ticket');
      expect(await store.passes.count()).toBe(0);
    });

    it('marks poster scans as such', async () => {
      const res = await post(await declare({ venueCode: await posterToken(posterSecret, 'venue-a-1') }));
      expect((await store.passes.get(res.json().id))!).toMatchObject({ source: 'poster', kioskId: null });
    });

    it('says "may not enter" with the door rules, e.g. a red code', async () => {
      const res = await post(await declare({ people: [{ healthCode: 'red', itinerary: 'local' }] }));
      const page = await app.inject(res.json().url);
      expect(page.body).toContain('data-verdict="refuse"');
      expect(page.body).toContain('健康码红码');
    });
  });

  // docs/security.md "Passes, codes and tablets": one form, one pass; a phone no faster than a door.
  describe('one form, one pass', () => {
    it('answers a form sent again with the pass it already made (200), and stores no second one', async () => {
      const body = await declare();
      const first = await post(body);
      const again = await post(body);
      expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
      expect(again.json()).toEqual(first.json());
      expect(await store.passes.count()).toBe(1);
    });

    it('gives five sends of one form racing each other the same single pass', async () => {
      const body = await declare();
      const answers = await Promise.all(Array.from({ length: 5 }, () => post(body)));
      expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
      expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
      expect(await store.passes.count()).toBe(1);
    });

    it('serves every page its own ticket, so two phones at the same instant get two passes', async () => {
      const venueCode = await token();
      const [a, b] = [await declare({ venueCode }), await declare({ venueCode })];
      expect(a.ticket).not.toBe(b.ticket);
      const ids = [(await post(a)).json().id, (await post(b)).json().id];
      expect(new Set(ids).size).toBe(2);
    });

    it('refuses a ticket from a page served before tickets named one form', async () => {
      const old = await declare();
      const [servedAt, , mac] = old.ticket.split('.');
      const res = await post({ ...old, ticket: `${servedAt}.${mac}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid', field: 'ticket' });
    });

    it('lets one phone (its device cookie) make six passes a minute, then 429 with the shared error shape; another phone at the same address goes on', async () => {
      const page = await app.inject(`/v/${await token()}`);
      const cookie = page.cookies.find((c) => c.name === 'vc_device')!;
      expect(cookie).toMatchObject({ path: '/api/passes', httpOnly: true, sameSite: 'Strict' });
      const send = async (device: string) =>
        app.inject({ method: 'POST', url: '/api/passes', headers: { 'content-type': 'application/json', cookie: `vc_device=${device}` }, payload: JSON.stringify(await declare()) });
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await send(cookie.value)).statusCode);
      expect(codes).toEqual([201, 201, 201, 201, 201, 201, 429]);
      const refused = await send(cookie.value);
      expect(refused.json().error).toMatchObject({ code: 'rate_limited' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await send(randomUUID())).statusCode).toBe(201);
    });

    it(`keeps the per-address limit under the per-phone one: ${PASSES_PER_ADDRESS_MINUTE} a minute from one address, however many device cookies it sends or drops`, async () => {
      const body = JSON.stringify(await declare());
      // A script that makes up a fresh device cookie for every send (or sends none) is no phone.
      const from = (remoteAddress: string, device?: string) =>
        app.inject({
          method: 'POST',
          url: '/api/passes',
          remoteAddress,
          headers: { 'content-type': 'application/json', ...(device ? { cookie: `vc_device=${device}` } : {}) },
          payload: body,
        });
      const codes = new Set<number>();
      for (let i = 0; i < PASSES_PER_ADDRESS_MINUTE; i++) codes.add((await from('198.51.100.20', i % 2 ? randomUUID() : undefined)).statusCode);
      // The same form each time: its one pass (201), then that pass again (200); never a limit yet.
      expect([...codes].sort()).toEqual([200, 201]);
      for (const refused of [await from('198.51.100.20', randomUUID()), await from('198.51.100.20')]) {
        expect(refused.statusCode).toBe(429);
        expect(refused.json().error).toMatchObject({ code: 'rate_limited' });
      }
      // Another address is not held up by it.
      expect((await from('198.51.100.21', randomUUID())).statusCode).toBe(200);
      expect(await store.passes.count()).toBe(1);
    });
  });

  describe('hostile input', () => {
    const bad: [string, (d: Record<string, unknown>) => unknown, string][] = [
      ['no body', () => undefined, ''],
      ['not an object', () => 'people', ''],
      ['venueCode wrong type', (d) => ({ ...d, venueCode: 42 }), 'venueCode'],
      ['venueCode oversized', (d) => ({ ...d, venueCode: 'k.'.padEnd(5000, 'x') }), 'venueCode'],
      ['people not an array', (d) => ({ ...d, people: 'me' }), 'people'],
      ['people empty', (d) => ({ ...d, people: [] }), 'people'],
      ['too many people', (d) => ({ ...d, people: Array(7).fill({ healthCode: 'green', itinerary: 'local' }) }), 'people'],
      ['healthCode not an option', (d) => ({ ...d, people: [{ healthCode: 'blue', itinerary: 'local' }] }), 'people.0.healthCode'],
      ['healthCode wrong type', (d) => ({ ...d, people: [{ healthCode: 1, itinerary: 'local' }] }), 'people.0.healthCode'],
      ['itinerary <script>', (d) => ({ ...d, people: [{ healthCode: 'green', itinerary: '<script>alert(1)</script>' }] }), 'people.0.itinerary'],
      ['label <script>', (d) => ({ ...d, people: [{ label: '<script>alert(1)</script>', healthCode: 'green', itinerary: 'local' }] }), 'people.0.label'],
      ['label oversized', (d) => ({ ...d, people: [{ label: '孩'.repeat(500), healthCode: 'green', itinerary: 'local' }] }), 'people.0.label'],
      ['test time not a time', (d) => ({ ...d, people: [{ healthCode: 'green', itinerary: 'local', lastNegativeTestAt: 'yesterday' }] }), 'people.0.lastNegativeTestAt'],
      ['vaccination wrong', (d) => ({ ...d, people: [{ healthCode: 'green', itinerary: 'local', vaccination: ['complete'] }] }), 'people.0.vaccination'],
      ['unknown field in a person', (d) => ({ ...d, people: [{ healthCode: 'green', itinerary: 'local', admin: true }] }), 'people.0'],
      ['commitment wrong type', (d) => ({ ...d, commitment: 'yes' }), 'commitment'],
      ['phone <script>', (d) => ({ ...d, phone: '<script>alert(1)</script>' }), 'phone'],
      ['phone oversized', (d) => ({ ...d, phone: '1'.repeat(10_000) }), 'phone'],
      ['phone wrong type', (d) => ({ ...d, phone: 13912345678 }), 'phone'],
      ['unknown top-level field', (d) => ({ ...d, verdict: 'enter' }), ''],
      ['unknown field named with markup', (d) => ({ ...d, '<img src=x onerror=alert(1)>': 1 }), ''],
      ['venueCode <script>', (d) => ({ ...d, venueCode: '<script>alert(1)</script>' }), 'venueCode'],
      ['label with a control character', (d) => ({ ...d, people: [{ label: 'a\u0000b', healthCode: 'green', itinerary: 'local' }] }), 'people.0.label'],
      ['label with a bidi override', (d) => ({ ...d, people: [{ label: '\u202Eevil', healthCode: 'green', itinerary: 'local' }] }), 'people.0.label'],
    ];
    it.each(bad)('%s → 400 naming the field, nothing stored, nothing executable', async (_name, make, field) => {
      const res = await post(make(await declare()));
      expect(res.statusCode).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('invalid');
      if (field) expect(error.field).toBe(field);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body).not.toMatch(/<script|<img/i);
      expect(await store.passes.count()).toBe(0);
    });

    it('a 20 kB body is refused whole as too large', async () => {
      const res = await post({ ...(await declare()), pad: 'x'.repeat(20_000) });
      expect(res.statusCode).toBe(413);
      expect(await store.passes.count()).toBe(0);
    });
  });

  describe('GET /pass/:id and "I have left"', () => {
    it('shows the pass with its code, QR, clock and validity, and records leaving once', async () => {
      const { id } = (await post(await declare())).json();
      const page = await app.inject(`/pass/${id}`);
      expect(page.statusCode).toBe(200);
      const pass = (await store.passes.get(id))!;
      expect(page.body).toContain(`data-code="${pass.code}"`);
      expect(page.body).toContain('<svg');
      expect(page.body).toContain('data-testid="clock"');
      expect(page.body).toContain('可以入场');
      expect(page.body).toContain('<body class="">');
      now += 11 * 60_000;
      // Expired is shown by the server too, for a phone whose script never arrived: plainly, with
      // nothing that looks valid from a metre away (no big answer, no live clock).
      const expired = (await app.inject(`/pass/${id}`)).body;
      expect(expired).toContain('<body class="expired">');
      expect(expired).toContain('data-testid="expired"');
      expect(expired).toContain('凭证已过期');
      expect(expired).not.toContain('data-testid="verdict"');
      expect(expired).not.toContain('data-testid="clock"');
      expect(expired).not.toContain('可以入场');
      now -= 11 * 60_000;
      const left = await app.inject({ method: 'POST', url: `/api/passes/${id}/left` });
      expect(left.json()).toEqual({ leftAt: now });
      now += 1000;
      expect((await app.inject({ method: 'POST', url: `/api/passes/${id}/left` })).json()).toEqual({ leftAt: now - 1000 });
      expect(await store.passes.leftSince('venue-a', 0)).toEqual([{ id, code: pass.code, minute: pass.codeMinute, people: 1, at: now - 1000 }]);
    });

    it('answers a page, not an error dump, for an unknown or malformed id', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', '<script>x</script>']) {
        const res = await app.inject(`/pass/${encodeURIComponent(id)}`);
        expect(res.statusCode).toBe(404);
        expect(res.body).toContain('找不到此通行凭证');
        expect(res.body).not.toContain('<script>x');
      }
      expect((await app.inject({ method: 'POST', url: '/api/passes/not-a-uuid/left' })).statusCode).toBe(400);
    });
  });

  describe('GET /posters/:token', () => {
    it('prints an A4 poster whose QR leads to the patron page', async () => {
      const t = await posterToken(posterSecret, 'venue-a-1');
      const res = await app.inject(`/posters/${t}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('@page{size:A4');
      expect(res.body).toContain(`/v/${t}`);
      expect((await app.inject(`/posters/${await token()}`)).statusCode).toBe(404);
    });
  });

  it('escapes a venue name that holds markup', async () => {
    await store.sql.run("UPDATE venues SET name = '<script>alert(1)</script>' WHERE id = 'venue-a'");
    const res = await app.inject(`/v/${await token()}`);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
