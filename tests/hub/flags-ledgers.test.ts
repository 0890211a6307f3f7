import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHub } from '../../hub/src/app.js';
import { backfill, sweep } from '../../hub/src/services/flags.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import type { OpeningHours, VenueType } from '../../shared/schemas/venue.js';
import { cstAt, cstDate, cstIso, cstMonday, DAY } from '../support/clock.js';
import { connectKiosk, enrolKiosk, hubOptions, tempDir, type KioskClient } from '../support/hub.js';
import { entranceRecord, recordBase } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * The venue's ledgers judged by a real hub (000 §2(2)(2)–(3); 003 §27; 003's test table): records
 * pushed over the kiosk socket to a hub on 127.0.0.1 over a real SQLite file, then the sweep run with
 * a controlled clock. The days are anchored on last week's Wednesday (UTC+8), so no run straddles an
 * ISO week whatever the wall clock reads.
 */

type Door = 'night' | 'shop' | 'cinema';

interface Hub {
  store: Store;
  app: FastifyInstance;
  doors: Record<Door, { kiosk: KioskIdentity; socket: KioskClient }>;
  clock: { now: number };
  close(): Promise<void>;
}

async function addVenue(store: Store, id: string, type: VenueType, openingHours: OpeningHours) {
  await store.venues.addCommunity({ id: `c-${id}`, name: `社区 ${id}` });
  await store.venues.add({ id, communityId: `c-${id}`, name: id, type, address: '测试路1号', ratedCapacity: 200, openingHours, utcOffsetMinutes: 480, officers: {} });
  await store.venues.addStaff({ id: `${id}-staff-1`, venueId: id, name: '王芳', role: '门岗', pin: '1234' });
  await store.venues.addEntrance({ id: `${id}-1`, venueId: id, name: '正门' });
}

/** A KTV open 18:00–02:00, a supermarket open 08:00–22:00 and a cinema open 09:00–23:00, each with a connected kiosk. */
async function startHub(now: number): Promise<Hub> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  await addVenue(store, 'venue-night', 'ktv', { open: '18:00', close: '02:00' });
  await addVenue(store, 'venue-shop', 'supermarket', { open: '08:00', close: '22:00' });
  await addVenue(store, 'venue-cinema', 'cinema_theatre', { open: '09:00', close: '23:00' });
  const night = await enrolKiosk(store, 'venue-night-1');
  const shop = await enrolKiosk(store, 'venue-shop-1');
  const cinema = await enrolKiosk(store, 'venue-cinema-1');
  const clock = { now };
  const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'no-kiosk-build'), now: () => clock.now }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const doors = {
    night: { kiosk: night.kiosk, socket: await connectKiosk(url, night.token) },
    shop: { kiosk: shop.kiosk, socket: await connectKiosk(url, shop.token) },
    cinema: { kiosk: cinema.kiosk, socket: await connectKiosk(url, cinema.token) },
  };
  return {
    store,
    app,
    doors,
    clock,
    async close() {
      for (const door of Object.values(doors)) door.socket.close();
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}

/** Last week's Wednesday, local midnight (UTC+8). */
const WEDNESDAY = cstMonday(-1) + 2 * DAY;
const at = (day: number, hh: number, mm = 0) => cstAt(WEDNESDAY + day * DAY, hh, mm);

describe('ledgers judged by the hub', () => {
  let hub: Hub;
  afterEach(async () => {
    await hub.close();
  });

  /** Pushes records at a door, made at the given venue-local instants, and expects each accepted. */
  async function push(door: Door, records: SyncRecord[]) {
    const res = await hub.doors[door].socket.emitWithAck('records:push', { records });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
  }
  let seq = 0;
  const admission = (door: Door, ms: number) => entranceRecord(hub.doors[door].kiosk, ++seq, { kioskTime: cstIso(ms), operatorId: `venue-${door}-staff-1` });
  const base = (door: Door, ms: number) => ({ ...recordBase(hub.doors[door].kiosk, ++seq, `venue-${door}-staff-1`), kioskTime: cstIso(ms) });
  const ledgerFlags = async (from: number, now: number) =>
    (await sweep(hub.store, now)).filter((f) => f.rule === 'ledger_not_kept' || f.rule === 'staff_health').filter((f) => f.openedAt >= from);

  /**
   * Wednesday night, 18:00 to 02:00 Thursday: staff temperature before opening, admissions either side
   * of midnight, the disinfection after closing at 02:30, a test that day with the booster. Thursday
   * night: admissions, no disinfection, no staff temperature.
   */
  async function pushTwoNights() {
    seq = 0;
    hub = await startHub(at(1, 3));
    const staff = 'venue-night-staff-1';
    await push('night', [
      { ...base('night', at(0, 17, 30)), type: 'staff_temperature', staffId: staff, celsius: 36.5 },
      { ...base('night', at(0, 17, 40)), type: 'staff_health', staffId: staff, lastTestDate: cstDate(at(0, 12)), vaccination: 'booster' },
      admission('night', at(0, 19)),
      admission('night', at(0, 23, 30)),
      admission('night', at(1, 0, 30)),
      admission('night', at(1, 1, 45)),
      { ...base('night', at(1, 2, 31)), type: 'disinfection', kind: 'disinfection', area: '包厢', officer: '孙丽', doneAt: cstIso(at(1, 2, 30)) },
    ]);
    hub.clock.now = at(2, 3);
    await push('night', [admission('night', at(1, 20)), admission('night', at(2, 1))]);
  }
  const THURSDAY_GAPS = () => [`${cstDate(at(1, 12))}:disinfection`, `${cstDate(at(1, 12))}:staff_temperature`];

  it('judges a KTV open 18:00–02:00 once per night: the tail after midnight is not a day of its own', async () => {
    await pushTwoNights();
    // Thursday 10:01, the night of Wednesday is over: kept.
    expect(await ledgerFlags(0, at(1, 10, 1))).toEqual([]);
    // Friday 10:01, the night of Thursday is over: its gaps, under Thursday's date; nothing for Friday's
    // calendar day, which holds only that night's tail.
    const thursday = await ledgerFlags(0, at(2, 10, 1));
    expect(thursday.map((f) => f.windowKey).sort()).toEqual(THURSDAY_GAPS());
    expect(thursday.find((f) => f.windowKey.endsWith(':disinfection'))!.evidence).toMatchObject({ entries: 0, required: 1, admissions: 2 });
    expect(await ledgerFlags(0, at(3, 10, 1))).toEqual([]);
  });

  it('judges the same nights alike when stored history is judged after the fact (backfill)', async () => {
    await pushTwoNights();
    expect(await backfill(hub.store, at(0, 0), at(3, 12))).toBeGreaterThan(0);
    const flags = (await hub.store.flags.list({ ...WHOLE_CITY, venueId: 'venue-night' })).filter((f) => f.rule === 'ledger_not_kept');
    expect(flags.map((f) => f.windowKey).sort()).toEqual(THURSDAY_GAPS());
  });

  it('raises a staff fever as the reading arrives: a violation when that member worked the door that day', async () => {
    seq = 0;
    hub = await startHub(at(0, 20));
    await push('night', [admission('night', at(0, 19))]);
    await push('night', [{ ...base('night', at(0, 19, 30)), type: 'staff_temperature', staffId: 'venue-night-staff-1', celsius: 38.1 }]);
    // Judged after the acknowledgement, as every batch is.
    await expect.poll(async () => (await hub.store.flags.list({ ...WHOLE_CITY, venueId: 'venue-night' })).filter((f) => f.rule === 'staff_health')).toMatchObject([
      { severity: 'violation', windowKey: `${cstDate(at(0, 12))}:fever`, evidence: { finding: 'fever', staff: [{ staffId: 'venue-night-staff-1', celsius: 38.1, onDuty: true }], thresholdC: 37.3 } },
    ]);
  });

  it('asks a supermarket for two disinfections a day after a local case (003 §27) and its staff for the booster (000 §2(2)(2))', async () => {
    seq = 0;
    hub = await startHub(at(0, 7));
    const { version: _v, ...emergency } = EMERGENCY_POLICY;
    await hub.store.policies.activate(emergency, at(0, 7), { communityId: 'c-venue-shop' });
    hub.clock.now = at(0, 21);
    const staff = 'venue-shop-staff-1';
    await push('shop', [
      { ...base('shop', at(0, 7, 30)), type: 'staff_temperature', staffId: staff, celsius: 36.4 },
      { ...base('shop', at(0, 7, 35)), type: 'staff_health', staffId: staff, lastTestDate: cstDate(at(-2, 12)), vaccination: 'complete' },
      { ...base('shop', at(0, 7, 40)), type: 'disinfection', kind: 'disinfection', area: '卖场', officer: '孙丽', doneAt: cstIso(at(0, 7, 40)) },
      admission('shop', at(0, 9)),
      admission('shop', at(0, 15)),
    ]);
    const day = await ledgerFlags(0, at(1, 0, 1));
    expect(day.filter((f) => f.venueId === 'venue-shop').map((f) => [f.rule, f.windowKey, f.evidence.required])).toEqual([
      ['ledger_not_kept', `${cstDate(at(0, 12))}:disinfection`, 2],
    ]);
    // The week after: the staff member on duty without the booster; one test that week where 003 table row 13 asks two.
    const week = (await ledgerFlags(0, cstMonday(0) + 60_000)).filter((f) => f.venueId === 'venue-shop');
    expect(week.map((f) => [f.rule, f.windowKey.split(':')[1], f.evidence])).toEqual([
      ['ledger_not_kept', 'staff_tests', expect.objectContaining({ staff: [{ staffId: staff, tests: 1 }], required: 2 })],
      ['staff_health', 'booster', expect.objectContaining({ staff: [{ staffId: staff, vaccination: 'complete' }] })],
    ]);
  });

  it('asks cinema staff for a test every 5 days (003 table row 17), reading tests entered days before', async () => {
    seq = 0;
    hub = await startHub(at(-4, 9));
    const staff = (n: number) => `venue-cinema-staff-${n}`;
    await hub.store.venues.addStaff({ id: staff(2), venueId: 'venue-cinema', name: '李强', role: '门岗', pin: '5678' });
    // Entered on Saturday before: staff 1 tested that day (4 days before Wednesday), staff 2 on the Friday (5 days before).
    await push('cinema', [
      { ...base('cinema', at(-4, 9)), type: 'staff_health', staffId: staff(1), lastTestDate: cstDate(at(-4, 12)), vaccination: 'booster' },
      { ...base('cinema', at(-4, 9, 5)), type: 'staff_health', staffId: staff(2), lastTestDate: cstDate(at(-5, 12)), vaccination: 'booster' },
    ]);
    hub.clock.now = at(0, 22);
    const worked = (n: number, ms: number) => entranceRecord(hub.doors.cinema.kiosk, ++seq, { kioskTime: cstIso(ms), operatorId: staff(n) });
    await push('cinema', [
      ...[1, 2].map((n) => ({ ...base('cinema', at(0, 8, 30 + n)), type: 'staff_temperature' as const, staffId: staff(n), celsius: 36.6 })),
      { ...base('cinema', at(0, 8, 40)), type: 'disinfection', kind: 'ventilation', area: '影厅', officer: '孙丽', doneAt: cstIso(at(0, 8, 40)) },
      worked(1, at(0, 10)),
      worked(2, at(0, 14)),
    ]);
    const flags = (await ledgerFlags(0, at(1, 0, 1))).filter((f) => f.venueId === 'venue-cinema');
    expect(flags.map((f) => [f.windowKey, f.evidence.staff])).toEqual([[`${cstDate(at(0, 12))}:staff_tests`, [{ staffId: staff(2), lastTestDate: cstDate(at(-5, 12)) }]]]);
  });
});
