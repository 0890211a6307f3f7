import { describe, expect, it } from 'vitest';
import { newSecret, toBase64Url } from '../../shared/rules/bytes.js';
import { CODES_PER_MINUTE, checkPassCode, makePassCode, minuteOf, passExpiresAt } from '../../shared/rules/pass-code.js';
import { MAX_PARTY, PassCode } from '../../shared/schemas/pass.js';

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

  it.each([
    ['the 32nd pass of the minute, for one', 31, 1],
    ['a pass halfway through the minute\'s numbers, for four', 500, 4],
    ['the last pass of the minute, for the largest party', CODES_PER_MINUTE - 1, MAX_PARTY],
    ['the first pass of the minute, for the largest party', 0, MAX_PARTY],
  ])('gives back the minute and the party size of %s', async (_name, n, people) => {
    const code = await makePassCode(secret, 'venue-1', MIN, n, people);
    expect(await checkPassCode(code, secret, 'venue-1', NOW, 10)).toEqual({ ok: true, minute: MIN, people });
  });

  it('binds the MAC to the pass number: one pass\'s MAC under the next one\'s number is not a code', async () => {
    // A fixed secret, so the 3-character MACs are known not to collide by chance.
    const fixed = toBase64Url(Uint8Array.from({ length: 32 }, (_, i) => i));
    const a = await makePassCode(fixed, 'venue-1', MIN, 31, 2);
    const b = await makePassCode(fixed, 'venue-1', MIN, 32, 2);
    // Numbers 31 and 32 share their first digit.
    expect(a.slice(0, 2)).toBe(b.slice(0, 2));
    expect(await checkPassCode(b.slice(0, 3) + a.slice(3), fixed, 'venue-1', NOW, 10)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses pass numbers outside the minute\'s range', async () => {
    for (const n of [-1, 1.5, CODES_PER_MINUTE]) {
      await expect(makePassCode(secret, 'venue-1', MIN, n, 1), String(n)).rejects.toThrow(new RangeError(`pass number ${n} out of range`));
    }
  });

  it('does not know a code with a character outside the alphabet, even where it would stand for a valid digit', async () => {
    // The minute of residue 30 is written 'Z', the last letter; an unknown character must not be read as it.
    const minute = MIN - ((MIN % 31) + 1);
    expect(minute % 31).toBe(30);
    const code = await makePassCode(secret, 'venue-1', minute, 3, 1);
    expect(code[0]).toBe('Z');
    const now = minute * 60_000 + 30_000;
    expect(await checkPassCode(code, secret, 'venue-1', now, 10)).toMatchObject({ ok: true });
    for (const bad of ['0', 'O', 'z', '-']) {
      expect(await checkPassCode(bad + code.slice(1), secret, 'venue-1', now, 10), bad).toEqual({ ok: false, reason: 'unknown' });
    }
  });

  it('stays valid to the end of the minute its minutes after the issue minute, as its signed pass, then is expired', async () => {
    const code = await makePassCode(secret, 'venue-1', MIN, 0, 1);
    const end = passExpiresAt(MIN, 10);
    expect(end).toBe((MIN + 11) * 60_000);
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
