import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingTicket } from '../../hub/src/services/bookings.js';
import type { Store } from '../../hub/src/store/index.js';
import { KIOSK_NAMESPACE } from '../../shared/events.js';
import { slotAt } from '../../shared/rules/slots.js';
import { posterToken } from '../../shared/rules/venue-code.js';
import type { BookingSettings } from '../../shared/schemas/booking.js';
import { enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { fromAddress, postBooking, spawnHubs, type HubProcess } from '../support/hub-process.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { onPostgres, openTestStore } from '../support/store.js';

const H = 60 * 60_000;
const SETTINGS: BookingSettings = { mode: 'required', slotMinutes: 60, slotCap: 50, maxParty: 6, daysAhead: 7 };
const PASSWORD = 'correct horse battery';

/**
 * Three real hub processes (hub/src/server.ts) on one PostgreSQL database and one keys file, as a
 * district runs them behind HAProxy (docs/operations.md "A district on PostgreSQL"): every write
 * that decides from a read (seats left, a code spent once, a pass number, a kiosk still in
 * service) stays right when the deciding requests land on different processes at once. On SQLite
 * the processes share one file under its write lock (tests/hub/bookings-concurrency.test.ts runs
 * two); here the database's row locks and constraints are what keep them apart.
 */
// SQLite: one file's write lock serialises every writer; bookings-concurrency.test.ts covers two processes on it.
describe.skipIf(!onPostgres)('three hub processes on one PostgreSQL', () => {
  const tmp = tempDir();
  let store: Store;
  let hubs: HubProcess[];
  let entranceId: string;

  beforeAll(async () => {
    const dataDir = join(tmp.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const opened = await openTestStore(dataDir);
    store = opened;
    entranceId = await seedVenue(store, 'venue-a', { type: 'museum', ratedCapacity: 500 });
    await store.bookings.saveSettings('venue-a', SETTINGS, 'seed', Date.now());
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    hubs = await spawnHubs(3, dataDir, { DATABASE_URL: opened.location });
  }, 90_000);
  afterAll(async () => {
    await Promise.all((hubs ?? []).map((h) => h.stop()));
    await store?.close();
    tmp.remove();
  }, 60_000);

  it('200 simultaneous bookings for 50 seats over the three: exactly 50 stored and booked, 150 told the slot is full', async () => {
    const slotStart = slotAt(Date.now() + H, 60, 480).end;
    const ticket = await bookingTicket(store, 'venue-a', Date.now());
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => postBooking(hubs[i % 3]!.url, i, { venueId: 'venue-a', slotStart, ticket, people: 1 })));

    const won = outcomes.filter((o) => o.status === 201);
    expect(won).toHaveLength(50);
    expect(new Set(won.map((o) => o.body.id)).size).toBe(50);
    const lost = outcomes.filter((o) => o.status !== 201);
    expect(lost).toHaveLength(150);
    for (const o of lost) {
      expect(o.status).toBe(409);
      expect(o.body.error).toEqual({ code: 'conflict', field: 'slotStart', message: 'this slot is full for 1: no seats are left' });
    }
    const stored = await store.sql.get<{ bookings: number; people: number }>(
      'SELECT count(*) AS bookings, coalesce(sum(people), 0) AS people FROM bookings WHERE venue_id = ? AND slot_start = ? AND cancelled_at IS NULL',
      ['venue-a', slotStart],
    );
    expect(stored).toEqual({ bookings: 50, people: 50 });
  }, 60_000);

  it('one enrolment code sent to all three at once enrols exactly one kiosk', async () => {
    const code = await store.kiosks.issueEnrolmentCode(entranceId, Date.now(), 600_000);
    const before = (await store.sql.get<{ n: number }>('SELECT count(*) AS n FROM kiosks'))!.n;
    // Several rounds of the three at once: each round is one chance for the race.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fetch(`${hubs[i % 3]!.url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json', ...fromAddress(i) }, body: JSON.stringify({ code }) }).then(
          async (res) => ({ status: res.status, body: (await res.json()) as { kioskId?: string; error?: { code: string; field?: string } } }),
        ),
      ),
    );
    const enrolled = answers.filter((a) => a.status === 201);
    expect(enrolled).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201)) expect(a).toMatchObject({ status: 410, body: { error: { code: 'expired', field: 'code' } } });
    expect((await store.sql.get<{ n: number }>('SELECT count(*) AS n FROM kiosks'))!.n).toBe(before + 1);
    const spent = await store.sql.get<{ kiosk_id: string }>('SELECT kiosk_id FROM enrolment_codes WHERE used_at IS NOT NULL AND kiosk_id = ?', [enrolled[0]!.body.kioskId!]);
    expect(spent?.kiosk_id).toBe(enrolled[0]!.body.kioskId);
  }, 60_000);

  it('passes issued at once at one venue through all three get codes unique per venue and minute', async () => {
    const venueCode = await posterToken((await store.venues.posterSecret('venue-a'))!, entranceId);
    const issue = async (n: number) => {
      const hub = hubs[n % 3]!;
      // The page each phone opens first, with the form's ticket, from the hub that serves it.
      const page = await (await fetch(`${hub.url}/v/${venueCode}`, { headers: fromAddress(1000 + n) })).text();
      const ticket = /data-ticket="([^"]+)"/.exec(page)?.[1];
      if (!ticket) throw new Error(`no form ticket in the page of ${hub.url}`);
      const res = await fetch(`${hub.url}/api/passes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...fromAddress(1000 + n) },
        body: JSON.stringify({ venueCode, ticket, people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false }),
      });
      return { status: res.status, body: (await res.json()) as { id?: string } };
    };
    const answers = await Promise.all(Array.from({ length: 90 }, (_, n) => issue(n)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const ids = answers.map((a) => a.body.id!);
    const rows = await store.sql.all<{ code: string; code_minute: number; code_n: number }>(
      `SELECT code, code_minute, code_n FROM passes WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    expect(rows).toHaveLength(90);
    // Within one second of each other, but a minute may turn meanwhile: unique per minute is the rule.
    expect(new Set(rows.map((r) => `${r.code_minute} ${r.code}`)).size).toBe(90);
    expect(new Set(rows.map((r) => `${r.code_minute} ${r.code_n}`)).size).toBe(90);
  }, 60_000);

  it('a revoke through B racing batches on a kiosk socket held on A: nothing of it committed after the revoke, and the socket is cut', async () => {
    const storedOf = (kioskId: string) =>
      store.sql.all<{ id: string; received_at: number }>('SELECT id, received_at FROM kiosk_records WHERE kiosk_id = ? ORDER BY id', [kioskId]);
    const admin = inspectorSession(hubs[1]!.url, fromAddress(5000));
    await admin.login('admin', PASSWORD);
    // Several kiosks, each revoked in the middle of its stream of batches: each one more chance for the race.
    for (let round = 0; round < 4; round++) {
      const { kiosk, token } = await enrolKiosk(store, entranceId);
      const socket = io(`${hubs[0]!.url}${KIOSK_NAMESPACE}`, {
        auth: { token, status: { appVersion: 'races-test', pending: 0, rejected: 0, clock: Date.now() } },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const cut = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const acked = new Set<string>();
      let seq = 0;
      let sending = true;
      // Batches back to back, several in flight at once, until the socket goes.
      const pump = (async () => {
        while (sending && socket.connected) {
          const batch = Array.from({ length: 5 }, () => entranceRecord(kiosk, ++seq));
          socket.emit('records:push', { records: batch }, (res: { ok: boolean; data?: { results: { status: string; id?: string }[] } }) => {
            if (res.ok) for (const r of res.data!.results) if (r.status !== 'rejected' && r.id) acked.add(r.id);
          });
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await new Promise((r) => setTimeout(r, 150 + round * 50));
      const revoked = await admin.post(`/api/kiosks/${kiosk.id}/revoke`, { reason: 'lost' });
      // The revoke is committed before it is answered: what is stored of the kiosk now is all there may ever be.
      const answeredAt = Date.now();
      expect(revoked.statusCode).toBe(200);
      const atRevoke = await storedOf(kiosk.id);
      // Cut by A although the revoke went through B (the processes share the revoke through PostgreSQL).
      const reason = await Promise.race([cut, new Promise<string>((r) => setTimeout(() => r('not cut within 10 s'), 10_000))]);
      sending = false;
      await pump;
      socket.disconnect();
      expect(reason).toBe('io server disconnect');
      // Batches A had taken before the cut are answered or dropped within this bound; one committed now came after the revoke.
      await new Promise((r) => setTimeout(r, 500));

      const stored = await storedOf(kiosk.id);
      expect(stored.length).toBeGreaterThan(0);
      // No record of the kiosk committed after the revoke, nor received after it was answered.
      expect(stored.map((r) => r.id)).toEqual(atRevoke.map((r) => r.id));
      expect(stored.filter((r) => r.received_at > answeredAt)).toEqual([]);
      // Every record acknowledged as stored is stored.
      const held = new Set(stored.map((r) => r.id));
      expect([...acked].filter((id) => !held.has(id))).toEqual([]);
    }
  }, 90_000);
});
