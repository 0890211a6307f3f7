import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { HubKeys } from '../../hub/src/keys.js';
import { decryptContact } from '../../hub/src/services/contact-cipher.js';
import { bookingTicket, slotsForDay } from '../../hub/src/services/bookings.js';
import { purgeExpiredContacts } from '../../hub/src/services/retention.js';
import type { Store } from '../../hub/src/store/index.js';
import { onPostgres, openTestStore } from '../support/store.js';
import { queryPlan } from '../support/query-plan.js';
import { TRACING_SQL } from '../../hub/src/store/tracing.js';
import type { PassUse } from '../../shared/schemas/pass.js';
import type { TracingResult } from '../../shared/schemas/tracing.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { bookingSettings, M, H, DAY, T0, SLOT, PASSWORD, GREEN } from '../support/booking-clock.js';

const SETTINGS = bookingSettings(20);

describe('bookings at the door, in tracing and under retention (003 §13, 003 §25)', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let keys: HubKeys;
  let now = T0;
  const kiosks = new Map<string, { id: string; seq: number }>();

  beforeEach(async () => {
    now = T0;
    store = await openTestStore(tmp.dir);
    kiosks.clear();
    for (const venueId of ['venue-a', 'venue-b']) {
      const { kiosk } = await enrolKiosk(store, await seedVenue(store, venueId, { type: 'museum' }));
      kiosks.set(venueId, { id: kiosk.id, seq: 0 });
      await store.bookings.saveSettings(venueId, SETTINGS, 'seed', T0 - DAY);
    }
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, T0);
    const opts = await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now });
    keys = opts.keys;
    app = await buildHub(opts);
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function book(venueId: string, people: number, phone?: string): Promise<string> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/bookings',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        venueId,
        slotStart: SLOT,
        ticket: await bookingTicket(store, venueId, now),
        people: Array.from({ length: people }, () => GREEN),
        commitment: false,
        ...(phone ? { phone } : {}),
      }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  /** The venue's door admits someone on `pass` at `at`, as the kiosk's batch does; returns the record id. */
  async function admit(venueId: string, at: number, pass?: PassUse): Promise<string> {
    const k = kiosks.get(venueId)!;
    const record = entranceRecord({ id: k.id, venueId }, ++k.seq, { kioskTime: new Date(at).toISOString(), ...(pass ? { pass } : {}) });
    expect(await store.records.ingest([record], at)).toEqual([{ status: 'accepted' }]);
    return record.id;
  }
  async function onBooking(id: string, person = 0, over: Partial<PassUse> = {}): Promise<PassUse> {
    const b = (await store.bookings.get(id))!;
    return { id, code: b.code, minute: b.codeMinute, person, people: b.people, via: 'qr', src: 'booking', ...over };
  }
  const linked = (recordId: string) => store.sql.get<{ pass_id: string | null; pass_person: number | null }>('SELECT pass_id, pass_person FROM entrance_records WHERE id = ?', [recordId]);
  const flagsOf = (venueId: string) => store.sql.all<{ rule: string; window_key: string }>('SELECT rule, window_key FROM flags WHERE venue_id = ? ORDER BY id', [venueId]);

  describe('entrance records on a booking', () => {
    it('link to the booking, so the slot counts the arrivals', async () => {
      const id = await book('venue-a', 2);
      const first = await admit('venue-a', SLOT - 10 * M, await onBooking(id, 0));
      const second = await admit('venue-a', SLOT + 2 * M, await onBooking(id, 1));
      expect(await linked(first)).toEqual({ pass_id: id, pass_person: 0 });
      expect(await linked(second)).toEqual({ pass_id: id, pass_person: 1 });
      const slot = (await slotsForDay(store, 'venue-a', SLOT, SLOT + 20 * M)).find((s) => s.start === SLOT);
      expect(slot).toMatchObject({ booked: 2, arrivedBooked: 2, walkIns: 0, seatsLeft: 18 });
      expect(await flagsOf('venue-a')).toEqual([]);
    });

    it('a typed booking code (no id, no source) is found by its code and minute', async () => {
      const id = await book('venue-a', 1);
      const b = (await store.bookings.get(id))!;
      const rec = await admit('venue-a', SLOT, { code: b.code, minute: b.codeMinute, person: 0, people: 1, via: 'code' });
      expect((await linked(rec))!.pass_id).toBe(id);
    });

    it('raises pass_unknown for a booking the hub never issued at that venue, or a person beyond the party', async () => {
      const atB = await book('venue-b', 1);
      const elsewhere = await admit('venue-a', SLOT, { ...(await onBooking(atB)) });
      const forged = await admit('venue-a', SLOT, { ...(await onBooking(atB)), id: '00000000-0000-4000-8000-000000000000' });
      const own = await book('venue-a', 1);
      const beyond = await admit('venue-a', SLOT, await onBooking(own, 1, { people: 2 }));
      for (const r of [elsewhere, forged, beyond]) expect((await linked(r))!.pass_id).toBeNull();
      expect(await flagsOf('venue-a')).toEqual([elsewhere, forged, beyond].map((r) => ({ rule: 'pass_unknown', window_key: `record:${r}` })));
    });

    it('one person admitted twice on a booking is flagged pass_reused and counted once', async () => {
      const id = await book('venue-a', 1);
      await admit('venue-a', SLOT, await onBooking(id));
      await admit('venue-a', SLOT + M, await onBooking(id));
      expect((await flagsOf('venue-a')).map((f) => f.rule)).toEqual(['pass_reused']);
      expect((await slotsForDay(store, 'venue-a', SLOT, SLOT)).find((s) => s.start === SLOT)).toMatchObject({ booked: 1, arrivedBooked: 1 });
    });
  });

  describe('tracing', () => {
    async function trace(from: number, to: number): Promise<TracingResult> {
      const admin = inspectorSession(app);
      await admin.login('admin', PASSWORD);
      const res = await admin.post('/api/tracing', { visits: [{ venueId: 'venue-a', from, to }], stayMinutes: 60, reason: 'case 2026-17 at venue-a' });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    }

    it('lists who booked with the contact number: the slot as presence until a door records them, then their records, once', async () => {
      const noShow = await book('venue-a', 2, '13900000001');
      const came = await book('venue-a', 1, '13900000002');
      const cancelled = await book('venue-a', 1, '13900000003');
      await app.inject({ method: 'POST', url: `/api/bookings/${cancelled}/cancel` });
      const rec = await admit('venue-a', SLOT + 5 * M, await onBooking(came));

      const result = await trace(SLOT + 30 * M, SLOT + 40 * M);
      const rows = new Map(result.rows.map((r) => [r.passId, r]));
      expect(rows.get(noShow)).toMatchObject({
        kind: 'booking',
        passCode: (await store.bookings.get(noShow))!.code,
        timeIn: SLOT,
        timeOut: SLOT + H,
        timeOutKnown: false,
        decision: null,
        records: [],
        people: 2,
        contact: '13900000001',
      });
      expect(rows.get(came)).toMatchObject({ timeIn: SLOT + 5 * M, timeOut: SLOT + 65 * M, decision: 'admit', contact: '13900000002', entranceId: 'venue-a-1' });
      expect(rows.get(came)!.records.map((r) => r.id)).toEqual([rec]);
      expect(result.rows.filter((r) => r.records.some((x) => x.id === rec))).toHaveLength(1);
      expect(rows.has(cancelled)).toBe(false);
      expect(result.contactsRevealed).toBe(2);

      // A window before the slot finds nobody who booked it.
      expect((await trace(SLOT - 3 * H, SLOT - 2 * H)).rows).toEqual([]);
    });

    it('reads bookings by venue and slot from an index, never a scan of the table', async () => {
      const plans = [
        await queryPlan(store.sql, TRACING_SQL.bookingsInRange, ['venue-a', 0, SLOT]),
        await queryPlan(store.sql, TRACING_SQL.booking, ['x']),
      ];
      if (onPostgres) {
        for (const plan of plans) expect(plan).not.toMatch(/Seq Scan/);
        expect(plans[0]).toMatch(/Index (Only )?Scan (using|on) bookings_venue_slot/);
        expect(plans[1]).toMatch(/Index Scan using bookings_pkey on bookings/);
        return;
      }
      expect(plans[0]).toMatch(/SEARCH bookings USING (COVERING )?INDEX bookings_venue_slot/);
      expect(plans[1]).toMatch(/SEARCH bookings USING INDEX sqlite_autoindex_bookings_1/);
    });
  });

  describe('retention', () => {
    const contacts = () => store.sql.all<{ id: string; kept: number }>('SELECT id, CASE WHEN contact IS NOT NULL THEN 1 ELSE 0 END AS kept FROM bookings ORDER BY booked_at');

    it('removes a booking\'s number the period after its slot ended, keeping the booking', async () => {
      const early = await book('venue-a', 1, '13900000001');
      now = T0 + DAY; // booked the next day for the slot three days on
      const later = await bookAt('venue-a', SLOT + 3 * DAY, '13900000002');
      const slotEnd = SLOT + H;

      expect((await purgeExpiredContacts(store, slotEnd + 28 * DAY, app.log)).removed).toBe(0);
      const first = await purgeExpiredContacts(store, slotEnd + 28 * DAY + 1, app.log);
      expect(first.removed).toBe(1);
      expect(first.rules.filter((r) => r.removed > 0)).toEqual([
        expect.objectContaining({ of: 'bookings', by: 'policy', days: 28, removed: 1, communityIds: ['c-venue-a', 'c-venue-b'] }),
      ]);
      expect(await contacts()).toEqual([
        { id: early, kept: 0 },
        { id: later, kept: 1 },
      ]);
      // Counted from the slot, not from when it was booked (a day after the first).
      expect((await purgeExpiredContacts(store, T0 + DAY + 28 * DAY + 1, app.log)).removed).toBe(0);
      expect((await purgeExpiredContacts(store, slotEnd + 3 * DAY + 28 * DAY + 1, app.log)).removed).toBe(1);
      expect(await store.bookings.count()).toBe(2);
      const [entry] = (await store.audit.list({ limit: 10 })).filter((a) => a.action === 'contact_purge');
      expect(entry!.detail).toMatchObject({ removed: 1, rules: [expect.objectContaining({ of: 'bookings' })] });
    });

    async function bookAt(venueId: string, slotStart: number, phone: string): Promise<string> {
      const res = await app.inject({
        method: 'POST',
        url: '/api/bookings',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ venueId, slotStart, ticket: await bookingTicket(store, venueId, now), people: [GREEN], commitment: false, phone }),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    }
  });

  it('seals a booking\'s number at rest, readable with the hub\'s contact key only', async () => {
    await book('venue-a', 1, '13911112222');
    const raw = (await store.sql.get<{ contact: string }>('SELECT contact FROM bookings'))!;
    expect(raw.contact).toMatch(/^v1\./);
    expect(raw.contact).not.toContain('13911112222');
    expect(decryptContact(raw.contact, keys.contactKey)).toBe('13911112222');
  });
});
