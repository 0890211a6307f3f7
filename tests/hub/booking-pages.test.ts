import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { HubKeys } from '../../hub/src/keys.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { verifyPass } from '../../shared/rules/pass-signature.js';
import { passVerdict } from '../../shared/rules/pass-verdict.js';
import { liveToken, slotAt as codeSlotAt } from '../../shared/rules/venue-code.js';
import type { BookingSettings } from '../../shared/schemas/booking.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { bookingRefusal, cancelRefusal, REFUSAL_KEYS, retryAfterSeconds } from '../../hub/ui/booking-refusal.js';
import { patronText, type PatronKey } from '../../hub/src/pages/patron-text.js';
import { cstAt, cstDate, cstMonday, DAY } from '../support/clock.js';

/**
 * The hub's clock starts at 12:00:10 at the venue (UTC+8) on the Monday of the current week there,
 * by the wall clock; the booking page's days ("today", the days ahead) are the venue's, in UTC+8.
 */
const MONDAY = cstMonday(0);
const NOON = cstAt(MONDAY, 12, 0, 10);
/** Venue-local wall time (UTC+8) `days` after that Monday, as epoch ms. */
const venueMs = (h: number, m = 0, days = 0) => cstAt(MONDAY + days * DAY, h, m);
/** The venue-local date `days` after that Monday, as the page's ?date= and data-date carry it. */
const dateOf = (days: number) => cstDate(MONDAY + days * DAY);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const SETTINGS: BookingSettings = { mode: 'optional', slotMinutes: 60, slotCap: 3, maxParty: 4, daysAhead: 2 };

describe('booking pages', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let keys: HubKeys;
  let kioskId: string;
  let now = NOON;

  beforeEach(async () => {
    now = NOON;
    store = await openTestStore(tmp.dir);
    const entranceId = await seedVenue(store);
    kioskId = (await enrolKiosk(store, entranceId)).kiosk.id;
    await store.bookings.saveSettings('venue-a', SETTINGS, 'test', now);
    const opts = await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now });
    keys = opts.keys;
    app = await buildHub(opts);
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const page = (url: string, lang?: 'en') => app.inject({ url, ...(lang ? { cookies: { lang } } : {}) });
  /** The slots the page lists: start, seats it shows, whether the radio is disabled. */
  const listedSlots = (body: string) =>
    [...body.matchAll(/data-testid="slot" data-start="(\d+)" data-seats="(\d+)">\s*<input type="radio" name="slotStart" value="\d+" ?(disabled)?/g)].map(
      (m) => ({ start: Number(m[1]), seats: Number(m[2]), disabled: m[3] === 'disabled' }),
    );
  const ticketOf = (body: string) => /data-ticket="([^"]+)"/.exec(body)?.[1] ?? 'none';
  /** What hub/ui/booking.ts sends for the form as the page served it. */
  const bookThroughPage = async (slotStart: number, people = 1, phone?: string) => {
    const served = await page('/book/venue-a');
    const payload = {
      venueId: /data-venue-id="([^"]+)"/.exec(served.body)![1],
      slotStart,
      ticket: ticketOf(served.body),
      people: Array.from({ length: people }, (_, i) => ({ ...(i ? { label: `孩子${i}` } : {}), healthCode: 'green', itinerary: 'local' })),
      commitment: true,
      ...(phone ? { phone } : {}),
    };
    return app.inject({ method: 'POST', url: '/api/bookings', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
  };

  describe('refusals in the patron\'s words (hub/ui/booking-refusal.ts)', () => {
    const zh = patronText('zh-CN');
    const en = patronText('en');
    // Every answer POST /api/bookings and its cancel can give: status, code, field.
    const bookAnswers = [
      [429, 'rate_limited', undefined, 'bookRateLimited'],
      [500, 'internal', undefined, 'bookServerError'],
      [410, 'expired', 'ticket', 'bookTicketExpired'],
      [400, 'invalid', 'ticket', 'bookTicketExpired'],
      [409, 'conflict', 'slotStart', 'bookFull'],
      [409, 'conflict', 'policy', 'bookPolicyClosed'],
      [409, 'conflict', 'venueId', 'bookOffText'],
      [409, 'conflict', 'phone', 'bookPhoneLimit'],
      [400, 'invalid', 'slotStart', 'bookSlotClosed'],
      [400, 'invalid', 'people', 'invalidField'],
      [400, 'invalid', 'phone', 'invalidField'],
      [400, 'invalid', undefined, 'bookServerError'],
      [404, 'not_found', 'venueId', 'venueMissingText'],
    ] as const;
    it.each(bookAnswers)('booking answered %i %s on %s: says %s', (status, code, field, key) => {
      expect(bookingRefusal({ status, code, field }).key).toBe(key);
    });
    it.each([
      [409, 'expired', 'cancelStarted'],
      [409, 'conflict', 'cancelUsed'],
      [404, 'not_found', 'bookingMissingText'],
      [429, 'rate_limited', 'bookRateLimited'],
      [500, 'internal', 'bookServerError'],
    ] as const)('cancel answered %i %s: says %s', (status, code, key) => {
      expect(cancelRefusal({ status, code }).key).toBe(key);
    });

    it('has every refusal text in Chinese and in English, different and never the hub\'s English message', () => {
      for (const key of REFUSAL_KEYS) {
        const k = key as PatronKey;
        expect(zh(k), key).toMatch(/[\u4e00-\u9fff]/);
        expect(en(k), key).toMatch(/^[\x20-\x7e’…]+$/);
        expect(zh(k)).not.toBe(en(k));
      }
      expect(zh('bookPhoneLimit', { n: 2 })).toContain('2个有效预约');
      expect(en('bookRateLimited', { s: 30 })).toContain('30 seconds');
    });

    it('reads Retry-After in seconds or as a date', () => {
      expect(retryAfterSeconds('42', 0)).toBe(42);
      expect(retryAfterSeconds(new Date(90_000).toUTCString(), 0)).toBe(90);
      expect(retryAfterSeconds(null, 0)).toBeUndefined();
    });

    it('puts every refusal text on both booking pages, in the page\'s language', async () => {
      const page = await app.inject('/book/venue-a?lang=en');
      const texts = JSON.parse(decodeEntities(/id="book"[^>]*data-texts="([^"]*)"/.exec(page.body)![1]!)) as Record<string, string>;
      for (const key of REFUSAL_KEYS) expect(texts[key], key).toBe(en(key as PatronKey, { n: 2, s: '{s}' }));
      expect(texts.bookRateLimited).toContain('{s}');
    });
  });

  describe('GET /book/:venueId', () => {
    it('shows the venue, the checks, the days and the day\'s slots with seats left, in Chinese by default', async () => {
      const res = await page('/book/venue-a');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<html lang="zh-CN">');
      expect(res.body).toContain('测试KTV');
      expect(res.body).toContain('出示行程卡');
      expect(res.body).toContain('每个预约最多4人');
      expect(res.body).toContain('name="people.0.healthCode"');
      expect(res.body).toContain('data-max-party="4"');
      // Today, tomorrow and the day after (daysAhead 2), today chosen.
      expect([...res.body.matchAll(/data-testid="day" data-date="([\d-]+)"/g)].map((m) => m[1])).toEqual([dateOf(0), dateOf(1), dateOf(2)]);
      expect(res.body).toContain(`data-date="${dateOf(0)}" aria-current="date"`);
      // The noon slot is under way but still within its grace; earlier ones are gone; the last starts at 23:00.
      const slots = listedSlots(res.body);
      expect(slots.map((s) => s.start)).toEqual(Array.from({ length: 12 }, (_, i) => venueMs(12 + i)));
      expect(slots.every((s) => s.seats === 3 && !s.disabled)).toBe(true);
      expect(res.body).toContain('12:00–13:00');
      expect(res.body).toContain('余3位');
    });

    it('drops the slot under way once its grace is over (15 min by default)', async () => {
      now = venueMs(12, 16);
      expect(listedSlots((await page('/book/venue-a')).body)[0]!.start).toBe(venueMs(13));
    });

    it('lists another day\'s slots from ?date=, and falls back to today for a day out of range or no date at all', async () => {
      const tomorrow = listedSlots((await page(`/book/venue-a?date=${dateOf(1)}`)).body);
      expect(tomorrow).toHaveLength(24);
      expect(tomorrow[0]!.start).toBe(venueMs(0, 0, 1));
      // Three days ahead (daysAhead is 2), yesterday, and strings that are no date.
      for (const date of [dateOf(3), dateOf(-1), 'tomorrow', '<b>']) {
        const res = await page(`/book/venue-a?date=${encodeURIComponent(date)}`);
        expect(res.statusCode, date).toBe(200);
        expect(listedSlots(res.body)[0]!.start, date).toBe(venueMs(12));
      }
    });

    it('switches to English and keeps the chosen day in the language link', async () => {
      const tuesday = dateOf(1);
      const res = await app.inject(`/book/venue-a?date=${tuesday}&lang=en`);
      expect(res.body).toContain('<html lang="en">');
      expect(res.body).toContain('Up to 4 people per booking');
      expect(res.body).toContain('3 left');
      // The day after a Monday, as the page words it: "Tue 24 Nov" (day of the month unpadded).
      expect(res.body).toContain(`Tue ${Number(tuesday.slice(8, 10))} ${MONTHS[Number(tuesday.slice(5, 7)) - 1]}`);
      expect(res.body).toContain(`href="/book/venue-a?date=${tuesday}&amp;lang=zh-CN"`);
      expect(res.cookies.find((c) => c.name === 'lang')?.value).toBe('en');
    });

    it('shows a full slot as full and disables it, and its seats as taken elsewhere', async () => {
      expect((await bookThroughPage(venueMs(14), 3)).statusCode).toBe(201);
      expect((await bookThroughPage(venueMs(15), 2)).statusCode).toBe(201);
      const res = await page('/book/venue-a');
      const slots = listedSlots(res.body);
      expect(slots.find((s) => s.start === venueMs(14))).toEqual({ start: venueMs(14), seats: 0, disabled: true });
      expect(slots.find((s) => s.start === venueMs(15))).toEqual({ start: venueMs(15), seats: 1, disabled: false });
      expect(res.body).toContain('已满');
      expect(res.body).toContain('余1位');
    });

    it('escapes a venue name with markup everywhere it is shown', async () => {
      await store.venues.addCommunity({ id: 'c-x', name: '测试社区' });
      await store.venues.add({
        id: 'venue-x',
        communityId: 'c-x',
        name: '<img src=x onerror=alert(1)>"剧场',
        type: 'cinema_theatre',
        address: '测试路2号',
        ratedCapacity: 200,
        openingHours: null,
        utcOffsetMinutes: 480,
        officers: { prevention: { name: '赵敏', phone: '13800000001' } },
      });
      await store.venues.addEntrance({ id: 'venue-x-1', venueId: 'venue-x', name: '正门' });
      await store.bookings.saveSettings('venue-x', SETTINGS, 'test', now);
      const res = await page('/book/venue-x');
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('<img src=x');
      expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;剧场');
      await store.bookings.saveSettings('venue-x', { ...SETTINGS, mode: 'off' }, 'test', now);
      const off = await page('/book/venue-x');
      expect(off.body).not.toContain('<img src=x');
      expect(off.body).toContain('&lt;img src=x');
    });

    it('says clearly that a venue taking no bookings takes none, with no form', async () => {
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, mode: 'off' }, 'test', now);
      const res = await page('/book/venue-a');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('data-kind="bookOff"');
      expect(res.body).toContain('本场所不接受预约');
      expect(res.body).not.toContain('id="book"');
      expect((await page('/book/venue-a', 'en')).body).toContain('No bookings at this venue');
    });

    it('answers a 404 page for an unknown venue and an id that is no id, never echoing markup', async () => {
      for (const url of ['/book/venue-nobody', '/book/%3Cscript%3Ealert(1)%3C%2Fscript%3E']) {
        const res = await page(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).toContain('找不到此场所');
        expect(res.body).not.toContain('<script>alert');
      }
    });
  });

  describe('booking through the page and the booking page', () => {
    it('books from the page\'s form post, shows the slot, when to enter, the signed QR and code; cancel frees the seats', async () => {
      const made = await bookThroughPage(venueMs(14), 2, '139 1234 5678');
      expect(made.statusCode).toBe(201);
      const { id, url } = made.json() as { id: string; url: string };
      expect(url).toBe(`/booking/${id}`);

      const res = await page(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('14:00–15:00');
      expect(res.body).toContain('可于 13:45 起入场');
      expect(res.body).toContain('15分钟内到达');
      expect(res.body).toContain('data-verdict="enter"');
      expect(res.body).toContain('孩子1');
      expect(res.body).toContain('28天后自动删除');
      expect(res.body).toContain('data-testid="cancel"');
      // The QR is the stored signed booking; the kiosk verifies it like a pass, from 13:45 to 15:00.
      const signed = /data-testid="booking-qr" data-signed="([^"]+)"/.exec(res.body)![1]!;
      const stored = (await store.sql.get<{ signed: string; code: string; people: number }>('SELECT signed, code, people FROM bookings WHERE id = ?', [id]))!;
      expect(signed).toBe(stored.signed);
      expect(res.body).toContain(`data-code="${stored.code}"`);
      expect(stored.people).toBe(2);
      expect(await verifyPass(signed, keys.passSigning.publicKey, 'venue-a', venueMs(13, 30))).toMatchObject({ ok: false, reason: 'not_yet_valid' });
      expect(await verifyPass(signed, keys.passSigning.publicKey, 'venue-a', venueMs(13, 46))).toMatchObject({ ok: true, pass: { src: 'booking', id } });

      expect(listedSlots((await page('/book/venue-a')).body).find((s) => s.start === venueMs(14))?.seats).toBe(1);
      const en = await page(url, 'en');
      expect(en.body).toContain('You may enter from 13:45');

      const cancelled = await app.inject({ method: 'POST', url: `/api/bookings/${id}/cancel` });
      expect(cancelled.statusCode).toBe(200);
      const after = await page(url);
      expect(after.body).toContain('data-state="cancelled"');
      expect(after.body).toContain('此预约已取消');
      expect(after.body).not.toContain('data-testid="booking-qr"');
      expect(after.body).not.toContain('data-testid="cancel"');
      expect(after.body).not.toContain('data-testid="verdict"');
      expect(after.body).not.toContain('data-testid="enter-from"');
      expect(listedSlots((await page('/book/venue-a')).body).find((s) => s.start === venueMs(14))?.seats).toBe(3);
    });

    it('tells the one who comes second for the last seats that the slot is full, naming slotStart', async () => {
      expect((await bookThroughPage(venueMs(16), 2)).statusCode).toBe(201);
      const second = await bookThroughPage(venueMs(16), 2);
      expect(second.statusCode).toBe(409);
      expect(second.json()).toMatchObject({ error: { code: 'conflict', field: 'slotStart' } });
      expect(await store.sql.get('SELECT count(*) AS n FROM bookings')).toEqual({ n: 1 });
    });

    it('judges a booking for tomorrow at its slot, not at the hour the page is read (003 §14 shorter hours)', async () => {
      // The street shortens KTVs to 10:00–20:00; at 21:00 the venue is closed, tomorrow at 14:00 it is open.
      await store.policies.activate(
        { ...(await store.policies.active()), shortenedHours: { default: null, byVenueType: { ktv: { open: '10:00', close: '20:00' } } } },
        now,
        { communityId: null, by: 'admin', note: '003 §14' },
      );
      now = venueMs(21);
      const tomorrow = venueMs(14, 0, 1);
      const made = await bookThroughPage(tomorrow, 2);
      expect(made.statusCode).toBe(201);
      const { url } = made.json() as { url: string };
      const res = await page(url);
      expect(res.body).toContain('data-verdict="enter"');
      expect(res.body).not.toContain('不在营业时间');
      // Read at 21:00 the party would be turned away for the hour: the page did say so before.
      const booking = (await store.bookings.get(url.split('/').pop()!))!;
      const venue = (await store.venues.profile('venue-a'))!;
      expect(passVerdict(await store.policies.activeForVenue('venue-a'), venue, booking.party, now).people[0]!.reasons).toEqual(['outside_opening_hours']);
      // Once the slot is under way, the page judges the present, still open.
      now = venueMs(14, 20, 1);
      expect((await page(url)).body).toContain('data-verdict="enter"');
    });

    it('shows a booking whose slot is over without its QR', async () => {
      const { url } = (await bookThroughPage(venueMs(13), 1)).json() as { url: string };
      now = venueMs(14, 1);
      const res = await page(url);
      expect(res.body).toContain('data-state="over"');
      expect(res.body).toContain('此预约的时段已结束');
      expect(res.body).not.toContain('data-testid="booking-qr"');
      // Nothing on a finished booking looks like a way in: no big answer.
      expect(res.body).not.toContain('data-testid="verdict"');
      expect(res.body).not.toContain('data-testid="enter-from"');
    });

    it('answers a 404 page for an unknown or malformed booking id', async () => {
      for (const url of ['/booking/3f1c4b7e-2a1d-4c5e-9f00-123456789abc', '/booking/nope', '/booking/%3Cb%3E']) {
        const res = await page(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.body).toContain('找不到此预约');
        expect(res.body).not.toContain('<b>');
      }
    });
  });

  describe('the venue-code page', () => {
    const venueCodePage = async () => page(`/v/${await liveToken((await store.kiosks.byId(kioskId))!.codeSecret, kioskId, codeSlotAt(now))}`);

    it('links to booking when the venue takes bookings, and not when it takes none', async () => {
      const optional = await venueCodePage();
      expect(optional.body).toContain('href="/book/venue-a" data-testid="book-link">预约入场');
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, mode: 'required' }, 'test', now);
      expect((await venueCodePage()).body).toContain('本场所须预约入场');
      await store.bookings.saveSettings('venue-a', { ...SETTINGS, mode: 'off' }, 'test', now);
      expect((await venueCodePage()).body).not.toContain('data-testid="book-link"');
    });
  });
});

/** Attribute text as the browser reads it. */
function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
