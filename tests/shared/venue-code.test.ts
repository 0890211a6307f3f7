import { describe, expect, it } from 'vitest';
import { newSecret } from '../../shared/rules/bytes.js';
import { SLOT_MS, liveToken, parseVenueCode, posterToken, slotAt, verifyVenueCode } from '../../shared/rules/venue-code.js';

const secret = newSecret();
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0); // a slot edge: 2026-11-23T02:00:00Z is a multiple of 30 s

async function check(token: string, s: string, now: number) {
  const parsed = parseVenueCode(token);
  if (!parsed) throw new Error(`unparsable ${token}`);
  return verifyVenueCode(parsed, s, now);
}

describe('venue code token', () => {
  it('rotates at the 30-second slot edge and not within a slot', async () => {
    expect(T0 % SLOT_MS).toBe(0);
    expect(slotAt(T0 - 1)).toBe(slotAt(T0) - 1);
    expect(slotAt(T0 + SLOT_MS - 1)).toBe(slotAt(T0));
    const before = await liveToken(secret, 'kiosk-a', slotAt(T0 - 1));
    const at = await liveToken(secret, 'kiosk-a', slotAt(T0));
    const late = await liveToken(secret, 'kiosk-a', slotAt(T0 + SLOT_MS - 1));
    expect(at).not.toBe(before);
    expect(late).toBe(at);
  });

  it('accepts the current slot and one either side, and calls two slots away expired', async () => {
    const token = await liveToken(secret, 'kiosk-a', slotAt(T0));
    expect(await check(token, secret, T0)).toEqual({ ok: true });
    expect(await check(token, secret, T0 - 1)).toEqual({ ok: true }); // kiosk one slot ahead
    expect(await check(token, secret, T0 + 2 * SLOT_MS - 1)).toEqual({ ok: true }); // one slot late
    expect(await check(token, secret, T0 + 2 * SLOT_MS)).toEqual({ ok: false, reason: 'expired' });
    expect(await check(token, secret, T0 - SLOT_MS - 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('calls a token under another secret forged, even when its slot is old', async () => {
    const other = await liveToken(newSecret(), 'kiosk-a', slotAt(T0));
    expect(await check(other, secret, T0)).toEqual({ ok: false, reason: 'forged' });
    const oldOther = await liveToken(newSecret(), 'kiosk-a', slotAt(T0) - 100);
    expect(await check(oldOther, secret, T0)).toEqual({ ok: false, reason: 'forged' });
  });

  it('binds the kiosk and the slot: either changed in the token breaks the MAC', async () => {
    const token = await liveToken(secret, 'kiosk-a', slotAt(T0));
    const mac = token.split('.')[3];
    expect(await check(`k.kiosk-b.${slotAt(T0)}.${mac}`, secret, T0)).toEqual({ ok: false, reason: 'forged' });
    expect(await check(`k.kiosk-a.${slotAt(T0) + 1}.${mac}`, secret, T0)).toEqual({ ok: false, reason: 'forged' });
  });

  it('poster tokens never expire and are bound to their entrance', async () => {
    const token = await posterToken(secret, 'door-1');
    expect(parseVenueCode(token)).toMatchObject({ kind: 'poster', entranceId: 'door-1' });
    expect(await check(token, secret, T0 + 365 * 86_400_000)).toEqual({ ok: true });
    const mac = token.split('.')[2];
    expect(await check(`p.door-2.${mac}`, secret, T0)).toEqual({ ok: false, reason: 'forged' });
  });

  it('does not parse what is not shaped like a token', () => {
    for (const bad of ['', 'k.a.1', 'k.a b.1.AAAAAAAAAAAAAAAA', 'x.a.1.AAAAAAAAAAAAAAAA', '<script>', 'k.a.1.AAAA', 'p..AAAAAAAAAAAAAAAA']) {
      expect(parseVenueCode(bad), bad).toBeUndefined();
    }
  });
});
