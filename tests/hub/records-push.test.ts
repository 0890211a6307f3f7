import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BATCH } from '../../shared/schemas/sync.js';
import { entranceRecord } from '../support/records.js';
import { connectKiosk, enrolKiosk, startTestHub, type TestHub } from '../support/hub.js';
import { hubTest } from '../support/hub-test.js';
import { DEEP_MARK } from '../support/fuzz/arbitraries.js';
import { sendDeepNesting } from '../support/fuzz/sockets.js';

/** Rows as the database has them. */
const storedRows = (hub: TestHub) => hub.store.sql.all<{ id: string; seq: number; skipped: string }>('SELECT id, seq, skipped FROM entrance_records ORDER BY seq');

describe('records:push over socket.io', () => {
  hubTest('stores a batch sent twice once, and answers the resend with duplicate', async ({ hub, socket }) => {
    const batch = Array.from({ length: 50 }, (_, i) => entranceRecord(hub.kiosk, i + 1));
    const first = await socket.emitWithAck('records:push', { records: batch });
    const second = await socket.emitWithAck('records:push', { records: batch });
    expect(first.ok && first.data.results.map((r) => r.status)).toEqual(Array(50).fill('accepted'));
    expect(second.ok && second.data.results.map((r) => r.status)).toEqual(Array(50).fill('duplicate'));
    const rows = await storedRows(hub);
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.id)).size).toBe(50);
  });

  hubTest('keeps the good records of a batch and names the field of the bad ones', async ({ hub, socket }) => {
    const good1 = entranceRecord(hub.kiosk, 1);
    const feverish = entranceRecord(hub.kiosk, 2, {
      checks: { ...good1.checks, temperature: { outcome: 'measured', celsius: 50 } },
    });
    const noReason = entranceRecord(hub.kiosk, 3, {
      checks: { ...good1.checks, mask: { outcome: 'skipped', reason: '   ' } },
    });
    const notARecord = { hello: 'world' };
    const good2 = entranceRecord(hub.kiosk, 4);
    const res = await socket.emitWithAck('records:push', { records: [good1, feverish, noReason, notARecord, good2] });
    if (!res.ok) throw new Error(res.error.message);
    const [r0, r1, r2, r3, r4] = res.data.results;
    expect(r0).toMatchObject({ index: 0, status: 'accepted', id: good1.id });
    expect(r1).toMatchObject({ index: 1, status: 'rejected', id: feverish.id, error: { code: 'invalid', field: 'checks.temperature.celsius' } });
    expect(r2).toMatchObject({ index: 2, status: 'rejected', id: noReason.id, error: { code: 'invalid', field: 'checks.mask.reason' } });
    expect(r3).toMatchObject({ index: 3, status: 'rejected', error: { code: 'invalid', field: 'type' } });
    expect(r4).toMatchObject({ index: 4, status: 'accepted', id: good2.id });
    expect((await storedRows(hub)).map((r) => r.id)).toEqual([good1.id, good2.id]);
  });

  // Found by the fuzz suite (tests/hub/fuzz.test.ts): a 100,000-deep item made the hub's byte count
  // overflow the stack, and the whole batch was answered `internal`, good records lost with it.
  hubTest('refuses an item nested deeper than any record, and one that is no object, naming each by its place', async ({ hub, socket }) => {
    sendDeepNesting(socket);
    const good = entranceRecord(hub.kiosk, 1);
    const res = await socket.emitWithAck('records:push', { records: [DEEP_MARK, good, 42, null] });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results).toMatchObject([
      { index: 0, status: 'rejected', error: { code: 'invalid', field: 'records.0' } },
      { index: 1, status: 'accepted', id: good.id },
      { index: 2, status: 'rejected', error: { code: 'invalid', field: 'records.2' } },
      { index: 3, status: 'rejected', error: { code: 'invalid', field: 'records.3' } },
    ]);
    expect((await storedRows(hub)).map((r) => r.id)).toEqual([good.id]);
  });

  hubTest('stores a skipped check as skipped', async ({ hub, socket }) => {
    const base = entranceRecord(hub.kiosk, 1);
    const r = entranceRecord(hub.kiosk, 1, {
      checks: { ...base.checks, temperature: { outcome: 'skipped', reason: '测温枪没电' } },
    });
    await socket.emitWithAck('records:push', { records: [r] });
    expect(await storedRows(hub)).toEqual([{ id: r.id, seq: 1, skipped: '["temperature"]' }]);
  });

  hubTest("refuses records that are another kiosk's or another venue's", async ({ hub, socket }) => {
    const res = await socket.emitWithAck('records:push', {
      records: [
        entranceRecord({ id: 'kiosk-someone-else', venueId: hub.kiosk.venueId }, 1),
        entranceRecord({ id: hub.kiosk.id, venueId: 'other-venue' }, 2),
      ],
    });
    expect(res.ok && res.data.results).toMatchObject([
      { status: 'rejected', error: { code: 'forbidden', field: 'kioskId' } },
      { status: 'rejected', error: { code: 'forbidden', field: 'venueId' } },
    ]);
    expect(await storedRows(hub)).toHaveLength(0);
  });

  hubTest('refuses a different record under a sequence number already stored', async ({ hub, socket }) => {
    await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 7)] });
    const res = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 7)] });
    expect(res.ok && res.data.results[0]).toMatchObject({ status: 'rejected', error: { code: 'conflict', field: 'seq' } });
    expect(await storedRows(hub)).toHaveLength(1);
  });

  hubTest('refuses a batch over the limit whole, and a payload that is not a batch', async ({ hub, socket }) => {
    const tooMany = Array.from({ length: MAX_BATCH + 1 }, (_, i) => entranceRecord(hub.kiosk, i + 1));
    const big = await socket.emitWithAck('records:push', { records: tooMany });
    expect(big).toMatchObject({ ok: false, error: { code: 'too_large', field: 'records' } });
    const junk = await socket.emitWithAck('records:push', 'not a batch' as never);
    expect(junk).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await storedRows(hub)).toHaveLength(0);
  });

  hubTest('keeps two kiosks of one venue apart: the same seq from each is two records', async ({ hub, socket }) => {
    const second = await enrolKiosk(hub.store, `${hub.kiosk.venueId}-1`);
    const other = await connectKiosk(hub.url, second.token);
    try {
      const a = await socket.emitWithAck('records:push', { records: [entranceRecord(hub.kiosk, 1)] });
      const b = await other.emitWithAck('records:push', { records: [entranceRecord(second.kiosk, 1)] });
      expect(a.ok && a.data.results[0]?.status).toBe('accepted');
      expect(b.ok && b.data.results[0]?.status).toBe('accepted');
      expect(await storedRows(hub)).toHaveLength(2);
    } finally {
      other.close();
    }
  });
});

describe('kiosk socket authentication', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await startTestHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('refuses a socket without a token', async () => {
    await expect(connectKiosk(hub.url)).rejects.toMatchObject({ data: { code: 'unauthorized', field: 'token' } });
  });

  it('refuses a socket with an unknown token', async () => {
    await expect(connectKiosk(hub.url, 'x'.repeat(43))).rejects.toMatchObject({ data: { code: 'unauthorized' } });
  });
});

describe('a batch committed but never acknowledged', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await startTestHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('is stored once: the resend after the lost ack is answered duplicate, record by record', async () => {
    const batch = Array.from({ length: 200 }, (_, i) => entranceRecord(hub.kiosk, i + 1));
    // The hub commits and acks, but the ack never reaches the kiosk (the link dropped, the
    // tablet slept): the kiosk still holds the batch as pending and sends it again.
    const lost = await connectKiosk(hub.url, hub.token);
    lost.emit('records:push', { records: batch }, () => undefined);
    await expect.poll(async () => (await storedRows(hub)).length).toBe(200);
    lost.disconnect();

    const socket = await connectKiosk(hub.url, hub.token);
    try {
      const res = await socket.emitWithAck('records:push', { records: batch });
      expect(res.ok && res.data.results.map((r) => r.status)).toEqual(Array(200).fill('duplicate'));
      expect(await storedRows(hub)).toHaveLength(200);
    } finally {
      socket.close();
    }
  });
});
