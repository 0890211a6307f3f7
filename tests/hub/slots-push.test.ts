import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slotAt } from '../../shared/rules/slots.js';
import { dayStart } from '../../shared/rules/flags/window.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import type { BookingSettings, VenueSlots } from '../../shared/schemas/booking.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { connectKiosk, enrolKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const CST = 480;
const SETTINGS: BookingSettings = { mode: 'optional', slotMinutes: 60, slotCap: 10, maxParty: 5, daysAhead: 3 };
/** This hour's slot on the venue's clock (UTC+8); the hub's clock stands 30 minutes into it. */
const SLOT = slotAt(Date.now(), 60, CST);
const HUB_NOW = SLOT.start + 30 * MIN;

/** A kiosk socket that keeps every slots:venue it hears, in order with its own acknowledgements. */
async function door(hub: TestHub, token: string) {
  const heard: VenueSlots[] = [];
  const log: string[] = [];
  const waiters: ((s: VenueSlots) => void)[] = [];
  const socket = await connectKiosk(hub.url, token, (s) =>
    s.on('slots:venue', (v) => {
      heard.push(v);
      log.push('slots');
      waiters.splice(0).forEach((w) => w(v));
    }),
  );
  return {
    socket,
    heard,
    log,
    next: () => new Promise<VenueSlots>((resolve) => waiters.push(resolve)),
    /** Pushes a batch, noting its acknowledgement in the log the moment it arrives. */
    push: (records: unknown[]) =>
      new Promise<void>((resolve) =>
        socket.emit('records:push', { records }, (res) => {
          log.push(res.ok ? 'ack' : 'refused');
          resolve();
        }),
      ),
  };
}

/** An admission at `minutesIn` into the slot, on the kiosk's clock. */
const admitted = (kiosk: KioskIdentity, seq: number, minutesIn: number, over: Partial<EntranceRecord> = {}) =>
  entranceRecord(kiosk, seq, { kioskTime: toIsoWithOffset(SLOT.start + minutesIn * MIN, CST), ...over });

async function book(hub: TestHub, people: number, slotStart = SLOT.start) {
  const id = randomUUID();
  const res = await hub.store.bookings.book(
    {
      id,
      venueId: hub.kiosk.venueId,
      slotStart,
      slotEnd: slotStart + 60 * MIN,
      people,
      party: Array.from({ length: people }, () => ({ h: 'green' as const, i: 'local' as const })),
      code: 'ABC234',
      codeMinute: Math.floor((slotStart - 15 * MIN) / MIN),
      codeNumber: 0,
      bookedAt: HUB_NOW - 60 * MIN,
      policyVersion: 1,
      verdict: 'enter',
      signed: 'VCP1.x.y',
      contact: null,
    },
    SETTINGS.slotCap,
  );
  if (!res.ok) throw new Error('slot full');
  return res.booking;
}

describe('slots:venue to the kiosks (docs/bookings.md "At the door")', () => {
  let hub: TestHub;
  let side: { kiosk: KioskIdentity; token: string };
  const sockets: KioskClient[] = [];
  beforeEach(async () => {
    hub = await startTestHub({ now: () => HUB_NOW });
    await hub.store.venues.addEntrance({ id: 'venue-a-2', venueId: hub.kiosk.venueId, name: '侧门' });
    side = await enrolKiosk(hub.store, 'venue-a-2');
  });
  afterEach(async () => {
    sockets.forEach((s) => s.close());
    await hub.close();
  });

  it('sends a door the rest of the day\'s slots (and the next day\'s first) as it connects, with the bookings made while it was away', async () => {
    await hub.store.bookings.saveSettings(hub.kiosk.venueId, SETTINGS, 'admin', HUB_NOW - DAY);
    await book(hub, 3);
    await book(hub, 2, SLOT.end);
    const front = await door(hub, hub.token);
    sockets.push(front.socket);
    await expect.poll(() => front.heard.length).toBe(1);
    const [pushed] = front.heard;
    expect(pushed).toMatchObject({ venueId: hub.kiosk.venueId, mode: 'optional', at: HUB_NOW });
    expect(pushed!.slots.slice(0, 2)).toEqual([
      // 30 minutes in, past the 15-minute grace and nobody came: the 3 seats went back to walk-ins.
      { start: SLOT.start, end: SLOT.end, cap: 10, booked: 3, arrivedBooked: 0, walkIns: 0, seatsLeft: 10 },
      { start: SLOT.end, end: SLOT.end + 60 * MIN, cap: 10, booked: 2, arrivedBooked: 0, walkIns: 0, seatsLeft: 8 },
    ]);
    // Every hour to the venue's midnight, so a door cut off for hours still knows what was booked
    // in the slots it will still admit; in the day's last hour, the next day's first too (early entry reaches it).
    const midnight = dayStart(HUB_NOW, CST) + DAY;
    const expected = Math.max(2, (midnight - SLOT.start) / (60 * MIN));
    expect(pushed!.slots.map((s) => s.start)).toEqual(Array.from({ length: expected }, (_, i) => SLOT.start + i * 60 * MIN));
    expect(pushed!.slots.slice(2).every((s) => s.booked === 0 && s.seatsLeft === 10)).toBe(true);
  });

  it('after a batch that admitted people, every door of the venue hears the new count, the sender after its acknowledgement', async () => {
    await hub.store.bookings.saveSettings(hub.kiosk.venueId, SETTINGS, 'admin', HUB_NOW - DAY);
    const booking = await book(hub, 2);
    const front = await door(hub, hub.token);
    const other = await door(hub, side.token);
    sockets.push(front.socket, other.socket);
    await expect.poll(() => front.heard.length + other.heard.length).toBe(2);

    const heardByOther = other.next();
    await front.push([
      admitted(hub.kiosk, 1, 5),
      admitted(hub.kiosk, 2, 6),
      admitted(hub.kiosk, 3, 7, { decision: 'refuse', reasons: ['slot_full'] }),
      admitted(hub.kiosk, 4, 8, { pass: { id: booking.id, code: booking.code, minute: booking.codeMinute, person: 0, people: 2, via: 'qr', src: 'booking' } }),
    ]);
    const current = (await heardByOther).slots[0];
    // 30 minutes in, past the 15-minute grace: only the booked person who came still holds a seat.
    expect(current).toMatchObject({ start: SLOT.start, booked: 2, arrivedBooked: 1, walkIns: 2, seatsLeft: 10 - 1 - 2 });
    await expect.poll(() => front.log).toEqual(['slots', 'ack', 'slots']);
    expect(front.heard.at(-1)!.slots[0]).toEqual(current);
  });

  it('a resend the hub already had tells the sender its records are in the figures', async () => {
    await hub.store.bookings.saveSettings(hub.kiosk.venueId, SETTINGS, 'admin', HUB_NOW - DAY);
    const front = await door(hub, hub.token);
    sockets.push(front.socket);
    await expect.poll(() => front.heard.length).toBe(1);
    const batch = [admitted(hub.kiosk, 1, 5)];
    await front.push(batch);
    await expect.poll(() => front.heard.length).toBe(2);
    await front.push(batch);
    await expect.poll(() => front.log).toEqual(['slots', 'ack', 'slots', 'ack', 'slots']);
    expect(front.heard.at(-1)!.slots[0]).toMatchObject({ walkIns: 1, seatsLeft: 9 });
  });

  it('a venue taking no bookings tells its door so on connect, so it keeps no figures from before', async () => {
    const front = await door(hub, hub.token);
    sockets.push(front.socket);
    await expect.poll(() => front.heard).toEqual([{ venueId: hub.kiosk.venueId, mode: 'off', slots: [], at: HUB_NOW }]);
  });
});
