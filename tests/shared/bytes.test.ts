import { describe, expect, it } from 'vitest';
import { fromBase64Url, hmac, newSecret, sameText, toBase64Url, utf8 } from '../../shared/rules/bytes.js';

describe('base64url', () => {
  it.each([
    ['no byte', [], ''],
    ['one byte: no padding', [0xfb], '-w'],
    ['two bytes: no padding', [0xfb, 0xff], '-_8'],
    ['three bytes', [0xfb, 0xff, 0xbf], '-_-_'],
    ['bytes that are "+" and "/" in plain base64', [0xf8, 0x3f, 0xff], '-D__'],
  ])('writes and reads %s', (_name, bytes, text) => {
    expect(toBase64Url(Uint8Array.from(bytes))).toBe(text);
    expect([...fromBase64Url(text)]).toEqual(bytes);
  });

  it.each([
    ['plain base64 "+"', 'ab+c'],
    ['plain base64 "/"', 'ab/c'],
    ['padding', 'ab=='],
    ['a character before valid ones', '.abc'],
    ['a character after valid ones', 'abc.'],
    ['a blank inside', 'ab c'],
  ])('refuses %s', (_name, text) => {
    expect(() => fromBase64Url(text)).toThrow('not base64url');
  });
});

describe('hmac', () => {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  const jefe = toBase64Url(utf8('Jefe'));
  it('is HMAC-SHA256 of the message under the secret (RFC 4231, case 2)', async () => {
    const mac = await hmac(jefe, 'what do ya want for nothing?');
    expect(Buffer.from(mac).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('gives the same MAC again for the same secret, and another for another secret', async () => {
    const a = await hmac(jefe, 'x');
    expect(await hmac(jefe, 'x')).toEqual(a);
    expect(await hmac(newSecret(), 'x')).not.toEqual(a);
  });

  it('draws secrets of 32 random bytes', () => {
    const s = newSecret();
    expect(fromBase64Url(s)).toHaveLength(32);
    expect(newSecret()).not.toBe(s);
  });
});

describe('sameText', () => {
  it.each([
    ['equal texts', 'abcdef', 'abcdef', true],
    ['two empty texts', '', '', true],
    ['the first character differs', 'xbcdef', 'abcdef', false],
    ['the last character differs', 'abcdex', 'abcdef', false],
    ['one is a prefix of the other', 'abcde', 'abcdef', false],
    ['the other is a prefix of the one', 'abcdef', 'abcde', false],
    ['one is empty', '', 'a', false],
  ])('compares in full when %s', (_name, a, b, same) => {
    expect(sameText(a, b)).toBe(same);
  });
});
