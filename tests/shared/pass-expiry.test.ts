import { describe, expect, it } from 'vitest';
import { newSecret } from '../../shared/rules/bytes.js';
import { CLOCK_SKEW_MS, checkPassCode, makePassCode, minuteOf, passExpiresAt } from '../../shared/rules/pass-code.js';
import { generatePassKeys, signPass, verifyPass } from '../../shared/rules/pass-signature.js';

/**
 * A pass is the patron's 扫码 at the door (000 §2(2)(1)), shown on the phone with "有效至 HH:MM".
 * The door honours that instant for the signed QR and the typed code alike; the only clock
 * allowance is at the start (a kiosk slower than the hub must not call a fresh pass "not yet
 * valid"). docs/architecture.md "Passes and the kiosk's clock" explains what a drifting kiosk does.
 */
const keys = await generatePassKeys();
const secret = newSecret();
const VALID = 10;
const ISSUED = Date.UTC(2026, 10, 23, 2, 0, 37); // 37 s into the issue minute
const MINUTE = minuteOf(ISSUED);
const EXPIRES = passExpiresAt(MINUTE, VALID);
const S = 1000;

const code = await makePassCode(secret, 'venue-1', MINUTE, 4, 1);
const qr = await signPass(
  { v: 1, id: crypto.randomUUID(), code, venue: 'venue-1', entrance: 'door-1', src: 'live', iat: ISSUED / 1000, exp: EXPIRES / 1000, pv: 1, people: [{ h: 'green', i: 'local' }] },
  keys.privateKey,
);

describe('pass expiry at the door (000 §2(2)(1) 扫码; the deadline the patron sees)', () => {
  it('ends on the whole minute the page shows, at least the policy\'s minutes after issue', () => {
    expect(EXPIRES % 60_000).toBe(0);
    expect(EXPIRES - ISSUED).toBeGreaterThanOrEqual(VALID * 60_000);
    expect(EXPIRES - ISSUED).toBeLessThan((VALID + 1) * 60_000);
  });

  // `hub` is the hub's clock (the patron's page); the kiosk reads hub + `drift`.
  it.each([
    ['kiosk in step, just issued', 0, ISSUED, 'ok'],
    ['kiosk in step, 1 s before the deadline', 0, EXPIRES - S, 'ok'],
    ['kiosk in step, at the deadline', 0, EXPIRES, 'expired'],
    ['kiosk in step, 1 s after the deadline', 0, EXPIRES + S, 'expired'],
    ['kiosk in step, 119 s after (the old allowance)', 0, EXPIRES + 119 * S, 'expired'],
    ['kiosk 90 s slow, just issued: not refused as "not yet valid"', -90 * S, ISSUED, 'ok'],
    ['kiosk 90 s fast, 1 s after the deadline', 90 * S, EXPIRES + S, 'expired'],
    ['kiosk 90 s fast, 1 min before the deadline: refused early (patron scans the door code again)', 90 * S, EXPIRES - 60 * S, 'expired'],
    ['kiosk 90 s slow, 1 min after the deadline: its own clock says valid (the hub flags clock_skew past clockSkewMinutes)', -90 * S, EXPIRES + 60 * S, 'ok'],
    ['kiosk slower than the allowance, just issued', -CLOCK_SKEW_MS - S, ISSUED, 'not_yet_valid'],
  ] as const)('%s', async (_case, drift, hub, expected) => {
    const kioskNow = hub + drift;
    const scanned = await verifyPass(qr, keys.publicKey, 'venue-1', kioskNow);
    expect(scanned.ok ? 'ok' : scanned.reason).toBe(expected);
    const typed = await checkPassCode(code, secret, 'venue-1', kioskNow, VALID);
    // A typed code carries its issue minute only, and that minute is still within the allowance: "not yet valid" is the QR's word.
    expect(typed.ok ? 'ok' : typed.reason).toBe(expected === 'not_yet_valid' ? 'ok' : expected);
  });
});
