import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { EntranceRecord } from '../../shared/schemas/record.js';
import { testClock, type TestClock } from '../support/policy-street.js';
import { DAY, HOUR, MIN, cstAt, cstIso, cstMidnight } from '../support/clock.js';
import { connectKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

/**
 * Kiosk times from nowhere (docs/inspectors-guide.md "Kiosk times"): a real hub on 127.0.0.1 over a
 * real SQLite file, records pushed over the kiosk socket. A kiosk time further from the hub's receipt
 * than the policy allows, or with an offset no clock has, is refused naming `kioskTime`; the rest of
 * the batch is kept; nothing refused opens a window or stands inside.
 */

describe('kiosk times the hub refuses', () => {
  let hub: TestHub;
  let clock: TestClock;
  let socket: KioskClient;
  beforeEach(async () => {
    // The hub's clock: 14:00 venue time today (UTC+8).
    clock = testClock(cstAt(cstMidnight(0), 14));
    hub = await startTestHub({ now: clock.now });
    socket = await connectKiosk(hub.url, hub.token);
  });
  afterEach(async () => {
    socket.close();
    await hub.close();
  });

  const admit = (seq: number, kioskTime: string): EntranceRecord => entranceRecord(hub.kiosk, seq, { kioskTime });

  it('refuses year 9999, year 1, +23:59, a kiosk time 40 days back or beyond a day ahead, naming kioskTime, and keeps the rest of the batch', async () => {
    const now = clock.now();
    const batch = [
      admit(1, cstIso(now - 5 * MIN)),
      admit(2, '9999-12-31T23:59:59+08:00'),
      admit(3, '0001-01-01T00:00:00Z'),
      admit(4, cstIso(now).replace('+08:00', '+23:59')),
      admit(5, cstIso(now - 40 * DAY)),
      admit(6, cstIso(now + DAY + HOUR)),
      admit(7, cstIso(now - 3 * DAY)), // an offline weekend: normal
      admit(8, cstIso(now + 2 * MIN)), // a clock a little fast: drift
      admit(9, cstIso(now + 3 * HOUR)), // a clock hours fast: still a real admission, kept
    ];
    const res = await socket.emitWithAck('records:push', { records: batch });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => [r.index, r.status, r.status === 'rejected' ? r.error.field : undefined])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'kioskTime'],
      [2, 'rejected', 'kioskTime'],
      [3, 'rejected', 'kioskTime'],
      [4, 'rejected', 'kioskTime'],
      [5, 'rejected', 'kioskTime'],
      [6, 'accepted', undefined],
      [7, 'accepted', undefined],
      [8, 'accepted', undefined],
    ]);
    const far = res.data.results[1]!;
    expect(far.status === 'rejected' && far.error.message).toMatch(/after the hub received it; the policy allows 1440 min/);
    const stored = (await hub.store.sql.all<{ seq: number }>('SELECT seq FROM entrance_records ORDER BY seq')).map((r) => r.seq);
    expect(stored).toEqual([1, 7, 8, 9]);
    // No running figure or flag window from nowhere.
    const windows = [
      ...(await hub.store.sql.all<{ start: number }>('SELECT start FROM window_facts')),
      ...(await hub.store.sql.all<{ start: number }>('SELECT DISTINCT start FROM street_days')),
    ].map((r) => r.start);
    // Hours, days and ISO weeks of the records kept (the weekend's week starts at most 10 days back).
    expect(windows.filter((ms) => ms < now - 10 * DAY || ms > now + DAY)).toEqual([]);
    const keys = (await hub.store.sql.all<{ window_key: string }>('SELECT window_key FROM flags')).map((r) => r.window_key);
    expect(keys.filter((k) => /^[+-]|^0001|^9999/.test(k))).toEqual([]);
    // Inside at the door: the three admissions of today, the fast clocks' counted from their arrival (the
    // weekend's is outside the 36 h the count restarts after).
    expect((await hub.store.occupancy.byVenue(hub.kiosk.venueId, now)).map((d) => d.inside)).toEqual([3]);
  });

  it('takes the allowance from the policy in force', async () => {
    const now = clock.now();
    await hub.store.policies.activate({ ...NORMAL_POLICY, flags: { ...NORMAL_POLICY.flags, kioskTimePastDays: 60, kioskTimeFutureMinutes: 1 } }, now - MIN);
    const res = await socket.emitWithAck('records:push', { records: [admit(1, cstIso(now - 40 * DAY)), admit(2, cstIso(now + 2 * MIN))] });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
  });

  it('answers a resend the hub already holds as a duplicate, even once it is past the allowance', async () => {
    // Stored, its ack lost, then the tablet stayed off for longer than the allowance.
    const stored = admit(1, cstIso(clock.now() - 5 * MIN));
    const first = await socket.emitWithAck('records:push', { records: [stored] });
    expect(first.ok && first.data.results[0]!.status).toBe('accepted');
    clock.advance(40 * DAY);
    const fresh = admit(2, cstIso(clock.now() - 40 * DAY));
    const res = await socket.emitWithAck('records:push', { records: [stored, fresh] });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(['duplicate', 'rejected']);
    expect(await hub.store.records.count()).toBe(1);
  });
});
