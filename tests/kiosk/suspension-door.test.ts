import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getSuspensions } from '../../kiosk/src/db.js';
import { SyncClient } from '../../kiosk/src/sync/sync-client.js';
import { decideEntry } from '../../shared/rules/decide-entry.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { VenueSuspensions } from '../../shared/schemas/suspension.js';
import { cstDate, DAY } from '../support/clock.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';

/**
 * The door under a suspension order (停业整顿, 000 §5(2)): the kiosk's sync client against a real
 * hub keeps the orders it is sent in IndexedDB before the door applies them, so a tablet that
 * reboots with no network still refuses everyone; a lift pushed later clears them.
 */

const PASSWORD = 'a long enough password';
const green = { scan: { outcome: 'scanned' as const }, temperature: { outcome: 'measured' as const, celsius: 36.5 }, mask: { outcome: 'worn' as const }, healthCode: { outcome: 'green' as const }, itinerary: { outcome: 'local' as const } };
const venue = { type: 'ktv' as const, openingHours: null, utcOffsetMinutes: 480 };

describe('suspension orders at the door', () => {
  let hub: TestHub;
  let client: SyncClient | undefined;

  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    hub = await startTestHub();
    await hub.store.accounts.create({ name: 'inspector', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, Date.now());
  });
  afterEach(async () => {
    client?.stop();
    await hub.close();
  });

  it('keeps the order in IndexedDB across a reboot offline, refuses with it, and forgets it once lifted', async () => {
    const heard: VenueSuspensions[] = [];
    client = new SyncClient(hub.token, { url: hub.url, onSuspensions: (s) => heard.push(s) });
    client.start();
    const until = async (n: number) => {
      const end = Date.now() + 5000;
      while (heard.length < n) {
        if (Date.now() > end) throw new Error(`heard ${heard.length} of ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(1); // the (empty) list on connect
    expect(heard[0]).toEqual({ venueId: 'venue-a', suspensions: [] });

    const inspector = inspectorSession(hub.url);
    await inspector.login('inspector', PASSWORD);
    const order = (await inspector.post('/api/venues/venue-a/suspensions', { from: cstDate(Date.now()), to: cstDate(Date.now() + DAY), reason: '未落实扫码测温，责令停业整顿' })).json();
    await until(2);
    expect(heard[1]!.suspensions).toEqual([expect.objectContaining({ id: order.id, reason: '未落实扫码测温，责令停业整顿' })]);

    // The tablet reboots with no hub: only IndexedDB is left, and the door still refuses.
    client.stop();
    client = undefined;
    await closeDb();
    const kept = await getSuspensions();
    expect(kept).toEqual(heard[1]);
    expect(decideEntry(NORMAL_POLICY, venue, green, Date.now(), kept!.suspensions)).toEqual({ decision: 'refuse', reasons: ['venue_suspended'] });

    // Back online after the order was lifted: the connect list clears it.
    await inspector.post(`/api/suspensions/${order.id}/lift`, { note: '复查合格' });
    heard.length = 0;
    client = new SyncClient(hub.token, { url: hub.url, onSuspensions: (s) => heard.push(s) });
    client.start();
    await until(1);
    expect(heard[0]).toEqual({ venueId: 'venue-a', suspensions: [] });
    const cleared = await getSuspensions();
    expect(cleared).toEqual({ venueId: 'venue-a', suspensions: [] });
    expect(decideEntry(NORMAL_POLICY, venue, green, Date.now(), cleared!.suspensions).decision).toBe('admit');
  });
});
