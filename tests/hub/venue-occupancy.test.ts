import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { venueInside } from '../../shared/rules/occupancy.js';
import type { VenueOccupancy } from '../../shared/schemas/sync.js';
import { connectKiosk, enrolKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { entranceRecord, recordBase } from '../support/records.js';

/** A kiosk socket that keeps the latest venue count the hub sent. */
async function door(hub: TestHub, token: string) {
  let latest: VenueOccupancy | undefined;
  const waiters: ((o: VenueOccupancy) => void)[] = [];
  const socket = await connectKiosk(hub.url, token, (s) =>
    s.on('occupancy:venue', (o) => {
      latest = o;
      waiters.splice(0).forEach((w) => w(o));
    }),
  );
  return {
    socket,
    latest: () => latest,
    next: () => new Promise<VenueOccupancy>((resolve) => waiters.push(resolve)),
  };
}

describe('venue occupancy across entrances', () => {
  let hub: TestHub;
  let second: { kiosk: KioskIdentity; token: string };
  const sockets: KioskClient[] = [];
  beforeEach(async () => {
    hub = await startTestHub();
    await hub.store.venues.addEntrance({ id: 'venue-a-2', venueId: hub.kiosk.venueId, name: '侧门' });
    second = await enrolKiosk(hub.store, 'venue-a-2');
  });
  afterEach(async () => {
    sockets.forEach((s) => s.close());
    await hub.close();
  });

  it("tells every door of the venue how many came in through the others, after each synced batch", async () => {
    const front = await door(hub, hub.token);
    const side = await door(hub, second.token);
    sockets.push(front.socket, side.socket);
    await expect.poll(() => side.latest()?.entrances.length).toBe(2);

    // Front door: 3 admitted, 1 refused, 1 exit.
    const heard = side.next();
    await front.socket.emitWithAck('records:push', {
      records: [
        entranceRecord(hub.kiosk, 1),
        entranceRecord(hub.kiosk, 2),
        entranceRecord(hub.kiosk, 3, { decision: 'refuse', reasons: ['fever'] }),
        entranceRecord(hub.kiosk, 4),
        { ...recordBase(hub.kiosk, 5), type: 'occupancy', kind: 'exit', count: 1 },
      ],
    });
    const o = await heard;
    expect(o.entrances).toEqual([
      { kioskId: hub.kiosk.id, entranceName: '正门', inside: 2 },
      { kioskId: second.kiosk.id, entranceName: '侧门', inside: 0 },
    ]);
    // The side door with 1 of its own sees 3 in the venue; the front door counts itself locally.
    expect(venueInside(1, second.kiosk.id, o)).toBe(3);
    expect(venueInside(2, hub.kiosk.id, o)).toBe(2);

    // Closing out the front door resets its share.
    const after = side.next();
    await front.socket.emitWithAck('records:push', { records: [{ ...recordBase(hub.kiosk, 6), type: 'occupancy', kind: 'close_out', count: 2 }] });
    expect((await after).entrances[0]).toMatchObject({ inside: 0 });
  });

  it('sends the current count to a door as it connects', async () => {
    const front = await door(hub, hub.token);
    sockets.push(front.socket);
    await front.socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
    const side = await door(hub, second.token);
    sockets.push(side.socket);
    await expect.poll(() => side.latest()?.entrances.find((e) => e.kioskId === hub.kiosk.id)?.inside).toBe(1);
  });
});
