import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PUSH_BYTES } from '../../shared/schemas/sync.js';
import { connectKiosk, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

/**
 * docs/architecture.md "Batches and their size": a push larger than MAX_PUSH_BYTES is answered
 * `too_large` on a connection that stays up (the socket's buffer is larger than the limit); a
 * record that large alone is refused by itself, so the kiosk can move on.
 */
let hub: TestHub | undefined;
let socket: KioskClient | undefined;
afterEach(async () => {
  socket?.close();
  await hub?.close();
});

describe('records:push larger than the hub takes', () => {
  it('refuses a push of several records over the limit whole, naming records, and keeps the connection', async () => {
    hub = await startTestHub();
    socket = await connectKiosk(hub.url, hub.token);
    const big = 'x'.repeat(Math.ceil(MAX_PUSH_BYTES / 2));
    const res = await socket.emitWithAck('records:push', { records: [{ note: big }, { note: big }, entranceRecord(hub.kiosk, 1)] });
    expect(res).toMatchObject({ ok: false, error: { code: 'too_large', field: 'records' } });
    expect(socket.connected).toBe(true);
    const next = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
    expect(next.ok && next.data.results.map((r) => r.status)).toEqual(['accepted']);
    expect(await hub.store.records.count()).toBe(1);
  });

  it('refuses a single record over the limit by itself, so the kiosk marks it and goes on', async () => {
    hub = await startTestHub();
    socket = await connectKiosk(hub.url, hub.token);
    const record = { ...entranceRecord(hub.kiosk, 1), note: 'x'.repeat(MAX_PUSH_BYTES) };
    const res = await socket.emitWithAck('records:push', { records: [record] });
    expect(res).toMatchObject({ ok: true, data: { results: [{ index: 0, status: 'rejected', id: record.id, error: { code: 'too_large', field: 'records.0' } }] } });
    expect(await hub.store.records.count()).toBe(0);
  });
});
