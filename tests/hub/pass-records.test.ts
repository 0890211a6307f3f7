import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredPass } from '../../hub/src/store/passes.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import type { PassLeft, PassUse } from '../../shared/schemas/pass.js';
import type { EntranceRecord, SyncRecord } from '../../shared/schemas/record.js';
import { connectKiosk, enrolKiosk, patronForm, seedVenue, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord, recordBase } from '../support/records.js';

/**
 * Entrance records that name a patron's pass (docs/architecture.md "Patron QR flow"), "I have left" pushed to
 * the venue's kiosks, and the pass_reused flag: a real hub on 127.0.0.1, passes
 * issued over HTTP, records pushed by real socket.io clients.
 */

/** A kiosk socket that keeps every pass:left it hears. */
async function listening(connect: (listen: (s: KioskClient) => void) => Promise<KioskClient>) {
  const heard: PassLeft[] = [];
  const socket = await connect((s) => s.on('pass:left', (l) => heard.push(l)));
  return { socket, heard };
}

/** A pass issued through POST /api/passes for the live code of the hub's kiosk, as a patron's phone gets it. */
async function issuePass(hub: TestHub, people = 1): Promise<StoredPass> {
  const secret = (await hub.store.kiosks.byId(hub.kiosk.id))!.codeSecret;
  const res = await fetch(`${hub.url}/api/passes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(await patronForm(hub.url, await liveToken(secret, hub.kiosk.id, slotAt(Date.now())))),
      people: Array.from({ length: people }, () => ({ healthCode: 'green', itinerary: 'local' })),
      commitment: true,
    }),
  });
  expect(res.status).toBe(201);
  return (await hub.store.passes.get(((await res.json()) as { id: string }).id))!;
}

interface FlagRow {
  venue_id: string;
  rule: string;
  severity: string;
  window_key: string;
  evidence: string;
}

describe('entrance records naming a pass', () => {
  let hub: TestHub;
  let second: { kiosk: KioskIdentity; token: string };
  const sockets: KioskClient[] = [];

  beforeEach(async () => {
    hub = await startTestHub();
    await hub.store.venues.addEntrance({ id: 'venue-a-2', venueId: hub.kiosk.venueId, name: '侧门' });
    second = await enrolKiosk(hub.store, 'venue-a-2');
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await hub.close();
  });

  const scanned = (pass: StoredPass, over: Partial<PassUse> = {}): PassUse => ({
    id: pass.id,
    code: pass.code,
    minute: pass.codeMinute,
    person: 0,
    people: pass.people.length,
    via: 'qr',
    src: 'live',
    ...over,
  });

  async function door(token: string): Promise<KioskClient> {
    const socket = await connectKiosk(hub.url, token);
    sockets.push(socket);
    return socket;
  }

  async function push(socket: KioskClient, ...records: SyncRecord[]): Promise<void> {
    const res = await socket.emitWithAck('records:push', { records });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.data.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));
  }

  const passColumns = (id: string) => hub.store.sql.get('SELECT pass_id, pass_person FROM entrance_records WHERE id = ?', [id]);
  const flags = () => hub.store.sql.all<FlagRow>('SELECT venue_id, rule, severity, window_key, evidence FROM flags ORDER BY id');

  it('stores the pass id and the person of a scanned QR', async () => {
    const pass = await issuePass(hub);
    const r = entranceRecord(hub.kiosk, 1, { pass: scanned(pass) });
    await push(await door(hub.token), r);
    expect(await passColumns(r.id)).toEqual({ pass_id: pass.id, pass_person: 0 });
  });

  it('resolves a typed code to its pass by venue, code and minute', async () => {
    const [other, pass] = [await issuePass(hub), await issuePass(hub)];
    const typed = entranceRecord(hub.kiosk, 1, { pass: scanned(pass, { id: undefined, via: 'code' }) });
    // The same code from another minute is not this pass.
    const wrongMinute = entranceRecord(hub.kiosk, 2, { pass: scanned(pass, { id: undefined, via: 'code', minute: pass.codeMinute - 31 }) });
    await push(await door(hub.token), typed, wrongMinute);
    expect(other.code).not.toBe(pass.code);
    expect(await passColumns(typed.id)).toEqual({ pass_id: pass.id, pass_person: 0 });
    expect(await passColumns(wrongMinute.id)).toMatchObject({ pass_id: null });
  });

  it('does not take a pass id from another venue', async () => {
    const pass = await issuePass(hub);
    await seedVenue(hub.store, 'venue-b');
    const elsewhere = await enrolKiosk(hub.store, 'venue-b-1');
    const r = entranceRecord(elsewhere.kiosk, 1, { pass: scanned(pass) });
    await push(await door(elsewhere.token), r);
    expect(await passColumns(r.id)).toMatchObject({ pass_id: null });
    // The offline check let it through; the hub flags a pass it never issued there.
    expect(await flags()).toMatchObject([{ venue_id: 'venue-b', rule: 'pass_unknown', severity: 'warning', window_key: `record:${r.id}` }]);
  });

  it('flags a person beyond the pass party as an unknown pass', async () => {
    const pass = await issuePass(hub);
    const r = entranceRecord(hub.kiosk, 1, { pass: scanned(pass, { person: 3, people: 4 }) });
    await push(await door(hub.token), r);
    expect(await passColumns(r.id)).toMatchObject({ pass_id: null });
    expect((await flags()).map((f) => f.rule)).toEqual(['pass_unknown']);
  });

  describe('pass_reused', () => {
    it('flags one person of a pass admitted at two kiosks once, naming both records and both kiosks', async () => {
      const pass = await issuePass(hub);
      const front = entranceRecord(hub.kiosk, 1, { pass: scanned(pass) });
      const side = entranceRecord(second.kiosk, 1, { pass: scanned(pass, { id: undefined, via: 'code' }) });
      await push(await door(hub.token), front);
      expect(await flags()).toEqual([]);
      await push(await door(second.token), side);

      const rows = await flags();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ venue_id: 'venue-a', rule: 'pass_reused', severity: 'warning', window_key: `${pass.id}#0` });
      expect(JSON.parse(rows[0]!.evidence)).toEqual({ passId: pass.id, person: 0, recordIds: [front.id, side.id], kioskIds: [hub.kiosk.id, second.kiosk.id] });
    });

    it('keeps one row per pass and person when admitted again, with every admission in the evidence', async () => {
      const pass = await issuePass(hub);
      const [a, b, c] = [entranceRecord(hub.kiosk, 1, { pass: scanned(pass) }), entranceRecord(second.kiosk, 1, { pass: scanned(pass) }), entranceRecord(hub.kiosk, 2, { pass: scanned(pass) })];
      const [frontDoor, sideDoor] = [await door(hub.token), await door(second.token)];
      await push(frontDoor, a);
      await push(sideDoor, b);
      await push(frontDoor, c);
      const rows = await flags();
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.evidence)).toMatchObject({ recordIds: [a.id, b.id, c.id], kioskIds: [hub.kiosk.id, second.kiosk.id] });
    });

    it('does not flag two people of one pass, one at each door', async () => {
      const pass = await issuePass(hub, 2);
      await push(await door(hub.token), entranceRecord(hub.kiosk, 1, { pass: scanned(pass, { person: 0 }) }));
      await push(await door(second.token), entranceRecord(second.kiosk, 1, { pass: scanned(pass, { person: 1 }) }));
      expect(await flags()).toEqual([]);
    });

    it('does not count a refusal, before or after the admission', async () => {
      const [first, then] = [await issuePass(hub), await issuePass(hub)];
      const refused: Partial<EntranceRecord> = { decision: 'refuse', reasons: ['fever'] };
      const [frontDoor, sideDoor] = [await door(hub.token), await door(second.token)];
      await push(frontDoor, entranceRecord(hub.kiosk, 1, { pass: scanned(first), ...refused }));
      await push(sideDoor, entranceRecord(second.kiosk, 1, { pass: scanned(first) }));
      await push(frontDoor, entranceRecord(hub.kiosk, 2, { pass: scanned(then) }));
      await push(sideDoor, entranceRecord(second.kiosk, 2, { pass: scanned(then), ...refused }));
      expect(await flags()).toEqual([]);
    });

    it('does not count an admission the kiosk undid with a correction before the other door admitted', async () => {
      const pass = await issuePass(hub);
      const undone = entranceRecord(hub.kiosk, 1, { pass: scanned(pass) });
      await push(await door(hub.token), undone, { ...recordBase(hub.kiosk, 2), type: 'correction', correctsId: undone.id, reason: '扫错了人' });
      await push(await door(second.token), entranceRecord(second.kiosk, 1, { pass: scanned(pass) }));
      expect(await flags()).toEqual([]);
    });

    it('withdraws the flag when the undoing correction syncs after the other door, and reopens it on a new admission', async () => {
      const pass = await issuePass(hub);
      const undone = entranceRecord(hub.kiosk, 1, { pass: scanned(pass) });
      const side = entranceRecord(second.kiosk, 1, { pass: scanned(pass) });
      const [frontDoor, sideDoor] = [await door(hub.token), await door(second.token)];
      await push(frontDoor, undone);
      await push(sideDoor, side);
      expect(await flags()).toHaveLength(1);
      await push(frontDoor, { ...recordBase(hub.kiosk, 2), type: 'correction', correctsId: undone.id, reason: '扫错了人' });
      const status = async () => (await hub.store.sql.get<{ status: string; evidence: string }>('SELECT status, evidence FROM flags'))!;
      expect((await status()).status).toBe('withdrawn');
      expect(JSON.parse((await status()).evidence)).toMatchObject({ recordIds: [side.id], corrected: [undone.id] });
      await push(frontDoor, entranceRecord(hub.kiosk, 3, { pass: scanned(pass) }));
      expect((await status()).status).toBe('open');
    });
  });
});

describe('pass:left to the venue’s kiosks', () => {
  let hub: TestHub;
  const sockets: KioskClient[] = [];

  beforeEach(async () => {
    hub = await startTestHub();
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await hub.close();
  });

  /** POST /api/passes/:id/left, as the pass page's button does; answers the hub's time of leaving. */
  async function leave(pass: StoredPass): Promise<number> {
    const res = await fetch(`${hub.url}/api/passes/${pass.id}/left`, { method: 'POST' });
    expect(res.status).toBe(200);
    return ((await res.json()) as { leftAt: number }).leftAt;
  }

  const expected = (pass: StoredPass, at: number): PassLeft => ({ id: pass.id, code: pass.code, minute: pass.codeMinute, people: 1, at });

  /** A round trip after connecting: whatever the hub sent on connection has arrived once it returns. */
  async function settled(socket: KioskClient): Promise<void> {
    const { version } = await hub.store.policies.active();
    await socket.emitWithAck('policy:ack', { version });
  }

  it('reaches a connected kiosk of the venue as the patron taps "I have left", and no other venue’s', async () => {
    await seedVenue(hub.store, 'venue-b');
    const elsewhere = await enrolKiosk(hub.store, 'venue-b-1');
    const front = await listening((listen) => connectKiosk(hub.url, hub.token, listen));
    const other = await listening((listen) => connectKiosk(hub.url, elsewhere.token, listen));
    sockets.push(front.socket, other.socket);
    const pass = await issuePass(hub);

    const at = await leave(pass);
    await expect.poll(() => front.heard).toEqual([expected(pass, at)]);
    await settled(other.socket);
    expect(other.heard).toEqual([]);
  });

  it('sends a kiosk that reconnects the passes that left at or after its leftSince, oldest first, and not earlier ones', async () => {
    const [before, atCursor, after] = [await issuePass(hub), await issuePass(hub), await issuePass(hub)];
    const beforeAt = await leave(before);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cursor = await leave(atCursor);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const afterAt = await leave(after);
    expect(beforeAt).toBeLessThan(cursor);

    const back = await listening((listen) => connectKiosk(hub.url, { token: hub.token, leftSince: cursor }, listen));
    sockets.push(back.socket);
    // The catch-up is read after the handshake; on PostgreSQL it can land after a round trip's answer.
    await expect.poll(() => back.heard.length).toBeGreaterThanOrEqual(2);
    await settled(back.socket);
    expect(back.heard).toEqual([expected(atCursor, cursor), expected(after, afterAt)]);
  });

  it('sends a fresh kiosk (no leftSince) the passes that left within the lookback', async () => {
    const pass = await issuePass(hub);
    const at = await leave(pass);
    const fresh = await listening((listen) => connectKiosk(hub.url, hub.token, listen));
    sockets.push(fresh.socket);
    await expect.poll(() => fresh.heard.length).toBeGreaterThanOrEqual(1);
    await settled(fresh.socket);
    expect(fresh.heard).toEqual([expected(pass, at)]);
  });
});
