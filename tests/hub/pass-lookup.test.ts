import { describe, expect } from 'vitest';
import { minuteOf } from '../../shared/rules/pass-code.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { enrolKiosk, patronForm, seedVenue, type TestHub } from '../support/hub.js';
import { hubTest } from '../support/hub-test.js';

describe('pass:lookup (a typed code, online)', () => {
  async function issue(hub: TestHub, kioskId: string) {
    const secret = (await hub.store.kiosks.byId(kioskId))!.codeSecret;
    const res = await fetch(`${hub.url}/api/passes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(await patronForm(hub.url, await liveToken(secret, kioskId, slotAt(Date.now())))), people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false }),
    });
    expect(res.status).toBe(201);
    return (await hub.store.passes.get(((await res.json()) as { id: string }).id))!;
  }

  hubTest("answers the signed pass of the kiosk's own venue, and nothing of another venue's", async ({ hub, socket }) => {
    const mine = await issue(hub, hub.kiosk.id);
    const other = await enrolKiosk(hub.store, await seedVenue(hub.store, 'venue-b'));
    const theirs = await issue(hub, other.kiosk.id);
    expect(await socket.emitWithAck('pass:lookup', { code: mine.code, minute: mine.codeMinute })).toEqual({ ok: true, data: { signed: mine.signed } });
    expect(await socket.emitWithAck('pass:lookup', { code: theirs.code, minute: theirs.codeMinute })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await socket.emitWithAck('pass:lookup', { code: mine.code, minute: minuteOf(Date.now()) - 40 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  hubTest('refuses a malformed lookup naming the field', async ({ socket }) => {
    expect(await socket.emitWithAck('pass:lookup', { code: '<script>', minute: 1 } as never)).toMatchObject({ ok: false, error: { code: 'invalid', field: 'code' } });
    expect(await socket.emitWithAck('pass:lookup', { code: 'ABC234', minute: 'x' } as never)).toMatchObject({ ok: false, error: { code: 'invalid', field: 'minute' } });
  });
});
