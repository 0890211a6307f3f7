import { describe, expect, it } from 'vitest';
import { hashPin, newPinSalt, verifyPin } from '../../shared/rules/pin.js';

// A fixed salt (16 bytes, base64) so a hash is the same on every run.
const SALT = 'AAECAwQFBgcICQoLDA0ODw==';

describe('door PIN (PBKDF2-SHA256)', () => {
  it('hashes to 32 bytes of base64, the same for the same PIN and salt', async () => {
    const h = await hashPin('4821', SALT);
    expect(h).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await hashPin('4821', SALT)).toBe(h);
  });

  it('gives another hash for another PIN or another salt', async () => {
    const h = await hashPin('4821', SALT);
    expect(await hashPin('4822', SALT)).not.toBe(h);
    expect(await hashPin('4821', 'DwAODQwLCgkIBwYFBAMCAQ==')).not.toBe(h);
  });

  it('draws a new 16-byte salt each time', () => {
    const a = newPinSalt();
    expect(atob(a)).toHaveLength(16);
    expect(newPinSalt()).not.toBe(a);
  });

  it('verifies the right PIN and refuses a wrong one', async () => {
    const expected = await hashPin('4821', SALT);
    expect(await verifyPin('4821', SALT, expected)).toBe(true);
    expect(await verifyPin('4820', SALT, expected)).toBe(false);
    expect(await verifyPin('48210', SALT, expected)).toBe(false);
  });

  it.each([
    ['the first character', (h: string) => (h[0] === 'A' ? 'B' : 'A') + h.slice(1)],
    ['the last character before the padding', (h: string) => h.slice(0, 42) + (h[42] === 'A' ? 'E' : 'A') + h.slice(43)],
    ['a stored hash cut short', (h: string) => h.slice(0, -1)],
    ['a stored hash with a character more', (h: string) => `${h}A`],
    ['an empty stored hash', () => ''],
  ])('refuses the right PIN against a stored hash with %s changed', async (_name, change) => {
    const expected = await hashPin('4821', SALT);
    expect(await verifyPin('4821', SALT, change(expected))).toBe(false);
  });
});
