import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, type Enrolment } from '../../kiosk/src/db.js';
import { checkPassInput, passUse } from '../../kiosk/src/pass-check.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { EnrolResponse } from '../../shared/schemas/enrolment.js';
import { CST, MIN } from '../support/clock.js';
import { connectKiosk, patronForm, startTestHub, type KioskClient, type TestHub } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';

/**
 * A pass issued by a real hub and judged by the kiosk's own check (000 §2(2)(1) 扫码): the
 * deadline the patron's page shows is the one the door keeps, for the QR and the typed code.
 */
describe('a pass at the door, by the deadline its page shows', () => {
  let clock = Date.now();
  let hub: TestHub;
  let socket: KioskClient | undefined;

  beforeEach(async () => {
    clock = Date.now();
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    hub = await startTestHub({ now: () => clock });
  });
  afterEach(async () => {
    socket?.close();
    await hub.close();
  });

  /** A tablet enrolled through the hub's route, holding what a real kiosk holds. */
  async function enrol(): Promise<Enrolment> {
    const code = await hub.store.kiosks.issueEnrolmentCode(hub.kiosk.entranceId, clock, 60 * MIN);
    const res = await fetch(`${hub.url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(res.status).toBe(201);
    return { ...EnrolResponse.parse(await res.json()), enrolledAt: clock };
  }

  async function issue(e: Enrolment) {
    const venueCode = await liveToken(e.codeSecret, e.kioskId, slotAt(clock));
    const res = await fetch(`${hub.url}/api/passes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(await patronForm(hub.url, venueCode)), people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const page = await (await fetch(`${hub.url}/pass/${id}`)).text();
    return { pass: (await hub.store.passes.get(id))!, page };
  }

  it('shows the very instant it expires, and the kiosk refuses the QR and the typed code 1 s after it', async () => {
    const e = await enrol();
    const { pass, page } = await issue(e);
    const expires = Number(/data-expires="(\d+)"/.exec(page)?.[1]);
    expect(expires).toBe(pass.expiresAt);
    // The page says HH:MM; the deadline is that whole minute, not some second inside it.
    expect(expires % MIN).toBe(0);
    expect(/data-testid="valid-until">([0-9:]+)</.exec(page)?.[1]).toBe(toIsoWithOffset(expires, CST).slice(11, 16));
    expect(expires - pass.issuedAt).toBeGreaterThanOrEqual(e.policy.passValidMinutes * MIN);

    for (const input of [pass.signed, pass.code]) {
      expect(await checkPassInput(input, e, expires - 1000), input).toMatchObject({ ok: true });
      expect(await checkPassInput(input, e, expires), input).toEqual({ ok: false, reason: 'expired' });
      expect(await checkPassInput(input, e, expires + 1000), input).toEqual({ ok: false, reason: 'expired' });
    }
  });

  it('an admission 1 s before the deadline syncs over the kiosk socket and names the pass the hub issued', async () => {
    const e = await enrol();
    const { pass } = await issue(e);
    clock = pass.expiresAt - 1000;
    const checked = await checkPassInput(pass.signed, e, clock);
    if (!checked.ok) throw new Error(checked.reason);
    socket = await connectKiosk(hub.url, e.token);
    const record = entranceRecord({ id: e.kioskId, venueId: e.venue.id }, 1, { kioskTime: new Date(clock).toISOString(), pass: passUse(checked.pass) });
    const res = await socket.emitWithAck('records:push', { records: [record] });
    expect(res).toMatchObject({ ok: true, data: { results: [{ status: 'accepted' }] } });
    const stored = await hub.store.sql.get('SELECT pass_id FROM entrance_records WHERE id = ?', [record.id]);
    expect(stored).toEqual({ pass_id: pass.id });
    const flags = await hub.store.sql.all("SELECT rule FROM flags WHERE rule IN ('pass_unknown', 'pass_reused')");
    expect(flags).toEqual([]);
    // 1 s after the deadline the same door refuses: no record is made, as for any expired pass.
    expect(await checkPassInput(pass.code, e, pass.expiresAt + 1000)).toEqual({ ok: false, reason: 'expired' });
  });
});
