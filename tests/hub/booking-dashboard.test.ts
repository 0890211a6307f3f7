import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookingTicket } from '../../hub/src/services/bookings.js';
import type { BookingSettings } from '../../shared/schemas/booking.js';
import type { Flag } from '../../shared/schemas/flags.js';
import type { PolicyDraft } from '../../shared/schemas/policy-admin.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { connectDashboard, connectKiosk, type DashboardClient, type KioskClient } from '../support/hub.js';
import { cstAt, cstDate, cstMidnight, DAY } from '../support/clock.js';
import { startPolicyStreet, testClock, type PolicyStreet } from '../support/policy-street.js';
import { entranceRecord } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * The inspectors' side of bookings (003 §13; docs/inspectors-guide.md): a venue's slots
 * for a day (booked, arrived, walk-ins, seats left), the bookings a policy
 * switch left over their slot's cap, and the booking flags raised live from a
 * kiosk's batch. A real hub on 127.0.0.1 over a real SQLite file, signed in
 * over HTTP; the hub's clock starts at 10:00 venue time (UTC+8) today, the day
 * the wall clock reads in UTC+8 when the file loads. Days, slots and windows are
 * the venue's, in UTC+8.
 */

/** Midnight (UTC+8) starting the test's day. */
const TODAY = cstMidnight(0);
/** Venue-local wall time (UTC+8) on the test's day, as epoch ms. */
const cst = (hh: number, mm = 0) => cstAt(TODAY, hh, mm);
/** The venue-local dates the slot queries take: the test's day and the one after. */
const DATE = cstDate(TODAY);
const NEXT_DATE = cstDate(TODAY + DAY);
/** The flag window of the 10:00–11:00 slot, as the booking rules key it (venue-local date and slot start). */
const SLOT_10 = `${DATE}T10:00`;
const SETTINGS: BookingSettings = { mode: 'optional', slotMinutes: 60, slotCap: 10, maxParty: 6, daysAhead: 7 };
const { version: _v, ...NORMAL } = NORMAL_POLICY;

describe('booking dashboard', () => {
  let street: PolicyStreet;
  const sockets: { close(): void }[] = [];
  let seq = 0;

  beforeEach(async () => {
    street = await startPolicyStreet(testClock(cst(10)));
    seq = 0;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await street.close();
  });

  const saveSettings = async (settings: BookingSettings, venueId = 'venue-a') => {
    const res = await street.admin.post(`/api/venues/${venueId}/booking`, settings);
    expect(res.statusCode, res.body).toBe(200);
  };

  /** Books `people` green local patrons into the slot starting at `slotStart`, as the booking page posts. */
  async function book(slotStart: number, people: number, venueId = 'venue-a') {
    const ticket = await bookingTicket(street.store, venueId, street.clock.now());
    const res = await fetch(`${street.url}/api/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ venueId, slotStart, ticket, commitment: false, people: Array.from({ length: people }, () => ({ healthCode: 'green', itinerary: 'local' })) }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    // A second apart, so the order of booking is plain.
    street.clock.advance(1000);
    return (await street.store.bookings.get(id))!;
  }

  async function kiosk(): Promise<KioskClient> {
    const socket = await connectKiosk(street.url, street.doors.a.token);
    sockets.push(socket);
    return socket;
  }

  /** Pushes the records as one batch and waits for the hub's answer. */
  async function push(socket: KioskClient, records: EntranceRecord[]) {
    const res = await socket.emitWithAck('records:push', { records });
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.data.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
  }

  /** A patron admitted at venue-local `at`; on a booking when one is given. */
  function admission(at: number, booking?: { id: string; code: string; codeMinute: number; people: number }, person = 0): EntranceRecord {
    seq += 1;
    return entranceRecord(street.doors.a.kiosk, seq, {
      kioskTime: new Date(at).toISOString(),
      ...(booking ? { pass: { id: booking.id, code: booking.code, minute: booking.codeMinute, person, people: booking.people, via: 'qr' as const, src: 'booking' as const } } : {}),
    });
  }

  describe('GET /api/venues/:id/slots', () => {
    it('shows per slot the cap, people booked, booked people arrived, walk-ins and seats left', async () => {
      await saveSettings(SETTINGS);
      const first = await book(cst(14), 3);
      await book(cst(14), 3);
      await book(cst(15), 2);
      const door = await kiosk();
      street.clock.set(cst(14, 20));
      // One of the first party came in the grace period before 14:00; two walk-ins during the slot.
      await push(door, [admission(cst(13, 50), first, 0), admission(cst(14, 5)), admission(cst(14, 10))]);

      const res = await street.inspector.get(`/api/venues/venue-a/slots?date=${DATE}`);
      expect(res.statusCode, res.body).toBe(200);
      const slots = res.json() as { start: number; end: number; cap: number; booked: number; arrivedBooked: number; walkIns: number; seatsLeft: number }[];
      // Open all day: 24 slots of an hour from the venue's midnight.
      expect(slots).toHaveLength(24);
      expect(slots[0]!.start).toBe(cst(0));
      expect(slots.find((s) => s.start === cst(14))).toEqual({ start: cst(14), end: cst(15), cap: 10, booked: 6, arrivedBooked: 1, walkIns: 2, seatsLeft: 7 });
      // Before its grace is over, a slot holds every booked seat.
      expect(slots.find((s) => s.start === cst(15))).toMatchObject({ booked: 2, arrivedBooked: 0, walkIns: 0, seatsLeft: 8 });
    });

    it('shows the days ahead too, and nothing for a venue taking no bookings', async () => {
      await saveSettings(SETTINGS);
      const tomorrow = cst(9) + DAY;
      await book(tomorrow, 4);
      const ahead = (await street.admin.get(`/api/venues/venue-a/slots?date=${NEXT_DATE}`)).json() as { start: number; booked: number }[];
      expect(ahead.find((s) => s.start === tomorrow)).toMatchObject({ booked: 4 });
      const off = await street.admin.get(`/api/venues/venue-b/slots?date=${DATE}`);
      expect(off.statusCode).toBe(200);
      expect(off.json()).toEqual([]);
    });

    it('is cut to the inspector\'s community, names a bad date, and needs a session', async () => {
      await saveSettings(SETTINGS, 'venue-b');
      const other = await street.inspector.get(`/api/venues/venue-b/slots?date=${DATE}`);
      expect(other.statusCode).toBe(403);
      expect(other.json().error).toMatchObject({ code: 'forbidden' });
      expect((await street.admin.get(`/api/venues/venue-b/slots?date=${DATE}`)).statusCode).toBe(200);
      const unknown = await street.inspector.get(`/api/venues/venue-x/slots?date=${DATE}`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toMatchObject({ code: 'not_found', field: 'id' });
      const bad = await street.inspector.get('/api/venues/venue-a/slots?date=2026-02-30x');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ field: 'date' });
      expect((await fetch(`${street.url}/api/venues/venue-a/slots?date=${DATE}`)).status).toBe(401);
    });
  });

  describe('booking settings are the street admin\'s', () => {
    it('an inspector reads them but may not change them', async () => {
      const res = await street.inspector.post('/api/venues/venue-a/booking', SETTINGS);
      expect(res.statusCode).toBe(403);
      expect((await street.inspector.get('/api/venues/venue-a/booking')).json()).toMatchObject({ saved: false, settings: { mode: 'off' } });
    });
  });

  describe('GET /api/bookings/overbooked', () => {
    it('lists, after a switch shrank the cap, the bookings that no longer fit, last booked first', async () => {
      await saveSettings(SETTINGS);
      const early = await book(cst(14), 3);
      const middle = await book(cst(14), 3);
      const last = await book(cst(14), 3);
      await book(cst(15), 2);
      expect((await street.admin.get('/api/bookings/overbooked')).json()).toMatchObject({ bookings: 0, people: 0, slots: [] });

      // The community's policy caps the KTV at 5 % of its 100: 5 seats a slot.
      const policy: PolicyDraft = { ...NORMAL, capPercent: { default: 5, byVenueType: {} } };
      const sw = await street.admin.post('/api/policy/switch', { policy, communityId: 'c-venue-a', reason: '本地病例后降低密度' });
      expect(sw.statusCode, sw.body).toBe(200);

      const res = await street.admin.get('/api/bookings/overbooked');
      expect(res.statusCode, res.body).toBe(200);
      const report = res.json();
      expect(report).toMatchObject({ bookings: 2, people: 6 });
      expect(report.slots).toEqual([
        {
          venueId: 'venue-a',
          venueName: '测试KTV',
          communityId: 'c-venue-a',
          utcOffsetMinutes: 480,
          slotStart: cst(14),
          slotEnd: cst(15),
          cap: 5,
          booked: 9,
          bookings: [last, middle].map((b) => ({ id: b.id, code: b.code, people: 3, bookedAt: b.bookedAt })),
        },
      ]);
      expect(report.slots[0].bookings.map((b: { id: string }) => b.id)).not.toContain(early.id);
      // The switch's audit entry says how many bookings it left over their cap.
      const audit = await street.store.audit.list({ limit: 10 });
      expect(audit.find((a) => a.action === 'policy_switch')?.detail).toMatchObject({ overbooked: { bookings: 2, people: 6 } });
    });

    it('is the street admin\'s only', async () => {
      const res = await street.inspector.get('/api/bookings/overbooked');
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'forbidden' });
    });
  });

  describe('booking flags raised live', () => {
    /** The inspector of venue-a's community, hearing flags as the dashboard does. */
    async function listen(): Promise<{ next(rule: Flag['rule']): Promise<Flag> }> {
      const waiting: { rule: Flag['rule']; resolve: (f: Flag) => void }[] = [];
      const socket: DashboardClient = await connectDashboard(street.url, `vc_session=${street.inspector.cookies().vc_session}`, (s) =>
        s.on('flag:raised', (flag) => {
          for (const w of waiting.filter((w) => w.rule === flag.rule)) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(flag);
          }
        }),
      );
      sockets.push(socket);
      return { next: (rule) => new Promise((resolve) => waiting.push({ rule, resolve })) };
    }

    it('raises slot_over_cap when a batch admits beyond the slot\'s cap, naming the admissions over it', async () => {
      await saveSettings({ ...SETTINGS, slotCap: 2 });
      const dashboard = await listen();
      const door = await kiosk();
      street.clock.set(cst(10, 30));
      const records = [admission(cst(10, 1)), admission(cst(10, 2)), admission(cst(10, 3))];
      const raised = dashboard.next('slot_over_cap');
      await push(door, records);
      const flag = await raised;
      expect(flag).toMatchObject({ venueId: 'venue-a', severity: 'warning', windowKey: SLOT_10, status: 'open' });
      expect(flag.evidence).toMatchObject({ slot: '10:00–11:00', admissions: 3, walkIns: 3, arrivedBooked: 0, overCap: 1, cap: 2, recordIds: [records[2]!.id] });
    });

    it('raises admitted_without_booking for a walk-in once the venue takes visitors by booking only', async () => {
      await saveSettings(SETTINGS);
      const booking = await book(cst(11), 2);
      const door = await kiosk();
      street.clock.set(cst(10, 40));
      // Admitted while bookings were optional: not blamed afterwards.
      await push(door, [admission(cst(10, 35))]);
      await saveSettings({ ...SETTINGS, mode: 'required' });
      street.clock.set(cst(10, 55));
      const dashboard = await listen();
      const raised = dashboard.next('admitted_without_booking');
      // The booked party, early within the grace period, and one walk-in.
      const walkIn = admission(cst(10, 52));
      await push(door, [admission(cst(10, 50), booking, 0), admission(cst(10, 50), booking, 1), walkIn]);
      const flag = await raised;
      expect(flag).toMatchObject({ venueId: 'venue-a', severity: 'warning', windowKey: SLOT_10 });
      expect(flag.evidence).toMatchObject({ slot: '10:00–11:00', admissions: 2, withoutBooking: 1, unknownBooking: 0, recordIds: [walkIn.id] });
      // The booked party counted in its own slot (11:00), which has no flag.
      const flags = await street.store.flags.list({ ...WHOLE_CITY, venueId: 'venue-a' });
      expect(flags.filter((f) => f.rule === 'admitted_without_booking').map((f) => f.windowKey)).toEqual([SLOT_10]);
    });
  });
});
