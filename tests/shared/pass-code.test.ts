import { describe, expect, it } from 'vitest';
import { newSecret } from '../../shared/rules/bytes.js';
import { CLOCK_SKEW_MS, CODES_PER_MINUTE, checkPassCode, makePassCode, minuteOf } from '../../shared/rules/pass-code.js';
import { PassCode } from '../../shared/schemas/pass.js';

const secret = newSecret();
const NOW = Date.UTC(2026, 10, 23, 2, 0, 30);
const MIN = minuteOf(NOW);

describe('pass code', () => {
  it('is 6 characters of the enrolment alphabet and parses as a PassCode', async () => {
    for (const n of [0, 1, 30, 31, CODES_PER_MINUTE - 1]) {
      const code = await makePassCode(secret, 'venue-1', MIN, n, 2);
      expect(PassCode.parse(code.toLowerCase().replace(/^(...)/, '$1-'))).toBe(code);
    }
    await expect(makePassCode(secret, 'venue-1', MIN, CODES_PER_MINUTE, 1)).rejects.toThrow(RangeError);
  });

  it('gives back the minute and the party size at the kiosk', async () => {
    const code = await makePassCode(secret, 'venue-1', MIN, 17, 3);
    expect(await checkPassCode(code, secret, 'venue-1', NOW, 10)).toEqual({ ok: true, minute: MIN, people: 3 });
  });

  it('stays valid to the end of its minutes plus the clock allowance, then is expired', async () => {
    const code = await makePassCode(secret, 'venue-1', MIN, 0, 1);
    const end = (MIN + 10) * 60_000 + CLOCK_SKEW_MS;
    expect(await checkPassCode(code, secret, 'venue-1', end - 1, 10)).toMatchObject({ ok: true });
    expect(await checkPassCode(code, secret, 'venue-1', end, 10)).toEqual({ ok: false, reason: 'expired' });
  });

  it('accepts a code from a hub clock a little ahead of the kiosk', async () => {
    const code = await makePassCode(secret, 'venue-1', MIN + 1, 4, 1);
    expect(await checkPassCode(code, secret, 'venue-1', NOW, 10)).toEqual({ ok: true, minute: MIN + 1, people: 1 });
  });

  it('does not know a code of another venue, another secret, or a mistyped one', async () => {
    const code = await makePassCode(secret, 'venue-1', MIN, 5, 1);
    expect(await checkPassCode(code, secret, 'venue-2', NOW, 10)).toEqual({ ok: false, reason: 'unknown' });
    expect(await checkPassCode(code, newSecret(), 'venue-1', NOW, 10)).toEqual({ ok: false, reason: 'unknown' });
    const typo = code.slice(0, 5) + (code[5] === 'A' ? 'B' : 'A');
    expect(await checkPassCode(typo, secret, 'venue-1', NOW, 10)).toEqual({ ok: false, reason: 'unknown' });
    expect(await checkPassCode('ABC', secret, 'venue-1', NOW, 10)).toEqual({ ok: false, reason: 'unknown' });
  });
});
