/**
 * Door PINs, hashed with PBKDF2-SHA256 through WebCrypto, which both the hub
 * (Node 20's globalThis.crypto) and the kiosk (a secure browser context) have.
 * A 4–6 digit PIN cannot resist an offline search; it records who is on duty
 * and keeps a colleague's name off a record, which is all it is for.
 */
const ITERATIONS = 100_000;

const toB64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export function newPinSalt(): string {
  return toB64(crypto.getRandomValues(new Uint8Array(16)));
}

export async function hashPin(pin: string, salt: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: fromB64(salt), iterations: ITERATIONS }, key, 256);
  return toB64(new Uint8Array(bits));
}

export async function verifyPin(pin: string, salt: string, expected: string): Promise<boolean> {
  const actual = await hashPin(pin, salt);
  // Constant-time comparison of equal-length base64 strings.
  let diff = actual.length ^ expected.length;
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) diff |= actual.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
