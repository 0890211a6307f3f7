import { afterEach, describe, expect, it } from 'vitest';
import { connectKiosk, enrolKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

/**
 * Backpressure (docs/architecture.md "Backpressure and reconnects"): a hub
 * that is behind tells its kiosks how long to wait instead of letting their
 * acks time out. The limits are lowered here so each answer is reached
 * without loading the machine: the answers are what is tested, not a speed.
 */

let hub: TestHub | undefined;
const sockets: KioskClient[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await hub?.close();
  hub = undefined;
});

describe('a hub that is behind', () => {
  it('stores a slow batch and asks the kiosk to pause before its next one', async () => {
    hub = await startTestHub({ kioskLimits: { slowBatchMs: -1 } });
    const socket = await connectKiosk(hub.url, hub.token);
    sockets.push(socket);
    const res = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1), entranceRecord(hub.kiosk, 2)] });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(res.data.retryAfterMs).toBeGreaterThan(0);
    expect(await hub.store.records.count()).toBe(2);
  });

  it('acknowledges without a pause while it keeps up', async () => {
    hub = await startTestHub();
    const socket = await connectKiosk(hub.url, hub.token);
    sockets.push(socket);
    const res = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
    expect(res.ok && res.data.retryAfterMs).toBeUndefined();
  });

  it('refuses a batch unstored while too much waits for a commit, saying when to resend', async () => {
    hub = await startTestHub({ kioskLimits: { maxQueuedRecords: -1 } });
    const socket = await connectKiosk(hub.url, hub.token);
    sockets.push(socket);
    const res = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
    expect(res).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(!res.ok && res.error.retryAfterMs).toBeGreaterThan(0);
    expect(await hub.store.records.count()).toBe(0);
  });

  it('turns a handshake away with a spread-out retryAfterMs while it is taking too many at once, and leaves the tablet enrolled', async () => {
    hub = await startTestHub({ kioskLimits: { maxHandshakes: 0 } });
    const refused = await connectKiosk(hub.url, hub.token).then(
      () => undefined,
      (err: Error & { data?: { code: string; retryAfterMs?: number } }) => err.data,
    );
    expect(refused).toMatchObject({ code: 'rate_limited' });
    expect(refused!.retryAfterMs).toBeGreaterThan(0);
    // Not a revocation: the tablet stays enrolled and retries later.
    expect(await hub.store.kiosks.isActive(hub.kiosk.id)).toBe(true);
  });
});

describe('pushes after a burst of batches', () => {
  it('end with one occupancy figure counting every batch of every door', async () => {
    hub = await startTestHub();
    const doors = [{ kiosk: hub.kiosk, token: hub.token }, await enrolKiosk(hub.store, 'venue-a-1'), await enrolKiosk(hub.store, 'venue-a-1')];
    const heard: number[][] = doors.map(() => []);
    const connected = await Promise.all(
      doors.map((d, i) => connectKiosk(hub!.url, d.token, (s) => s.on('occupancy:venue', (o) => heard[i]!.push(o.entrances.reduce((n, e) => n + e.inside, 0))))),
    );
    sockets.push(...connected);
    await Promise.all(
      doors.map(async (d, i) => {
        for (let b = 0; b < 5; b++) {
          const res = await connected[i]!.emitWithAck('records:push', { records: Array.from({ length: 10 }, (_, r) => entranceRecord(d.kiosk, b * 10 + r + 1)) });
          expect(res.ok).toBe(true);
        }
      }),
    );
    // Every door hears, in the end, a figure with all 150 admissions; never more pushes than batches.
    await expect.poll(() => heard.map((h) => h.at(-1))).toEqual([150, 150, 150]);
    for (const h of heard) expect(h.length).toBeLessThanOrEqual(1 + 15);
  });
});
