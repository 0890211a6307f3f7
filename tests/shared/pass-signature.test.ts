import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8 } from '../../shared/rules/bytes.js';
import { CLOCK_SKEW_MS } from '../../shared/rules/pass-code.js';
import { generatePassKeys, looksLikePass, signPass, verifyPass } from '../../shared/rules/pass-signature.js';
import type { PassPayload } from '../../shared/schemas/pass.js';

/**
 * Key pairs made with WebCrypto itself, not generatePassKeys: a fault in that
 * function then fails its own test below instead of this file's loading.
 */
async function jwkPair(): Promise<{ privateKey: JsonWebKey; publicKey: JsonWebKey }> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  return { privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey), publicKey: await crypto.subtle.exportKey('jwk', pair.publicKey) };
}
const keys = await jwkPair();
const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const payload = (over: Partial<PassPayload> = {}): PassPayload => ({
  v: 1,
  id: randomUUID(),
  code: 'ABC234',
  venue: 'venue-1',
  entrance: 'door-1',
  src: 'live',
  iat: NOW / 1000,
  exp: NOW / 1000 + 600,
  pv: 1,
  people: [{ h: 'green', i: 'local' }, { n: '孩子', h: 'green', i: 'local' }],
  ...over,
});

/** A body signed with the hub's key as signPass signs, whatever the bytes: what a hub bug or an older hub could emit. */
async function signedBody(bytes: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('jwk', keys.privateKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const body = `VCP1.${toBase64Url(bytes)}`;
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, utf8(body)));
  return `${body}.${toBase64Url(signature)}`;
}

/** A valid pass's JSON with the bytes of one person's label replaced by 0xFF, which no UTF-8 text holds. */
function notUtf8Label(): Uint8Array {
  const bytes = utf8(JSON.stringify(payload({ people: [{ n: 'QQ', h: 'green', i: 'local' }] })));
  const at = bytes.findIndex((b, i) => b === 0x51 && bytes[i + 1] === 0x51);
  bytes[at] = 0xff;
  bytes[at + 1] = 0xff;
  return bytes;
}

describe('pass signature', () => {
  it('verifies a pass the hub signed and gives back its payload', async () => {
    const p = payload();
    const text = await signPass(p, keys.privateKey);
    expect(looksLikePass(text)).toBe(true);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW)).toEqual({ ok: true, pass: p });
  });

  it('refuses a pass with any single payload or signature byte changed', async () => {
    const text = await signPass(payload(), keys.privateKey);
    const [prefix, body, sig] = text.split('.') as [string, string, string];
    for (const [part, which] of [[body, 'payload'], [sig, 'signature']] as const) {
      const bytes = fromBase64Url(part);
      for (const at of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
        const changed = bytes.slice();
        changed[at] = changed[at]! ^ 0x01;
        const forged = which === 'payload' ? `${prefix}.${toBase64Url(changed)}.${sig}` : `${prefix}.${body}.${toBase64Url(changed)}`;
        expect((await verifyPass(forged, keys.publicKey, 'venue-1', NOW)).ok, `${which} byte ${at}`).toBe(false);
      }
    }
  });

  it('refuses a pass signed by another key as tampered', async () => {
    const other = await jwkPair();
    const text = await signPass(payload(), other.privateKey);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('is valid until exp, the instant the patron sees, with no allowance, and expired from then on', async () => {
    const text = await signPass(payload(), keys.privateKey);
    const end = NOW + 600_000;
    expect((await verifyPass(text, keys.publicKey, 'venue-1', end - 1)).ok).toBe(true);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', end)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW - CLOCK_SKEW_MS - 1)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
  });

  it('refuses a genuine pass of another venue', async () => {
    const text = await signPass(payload({ venue: 'venue-2' }), keys.privateKey);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW)).toMatchObject({ ok: false, reason: 'other_venue' });
  });

  it('generates a P-256 key pair as JWKs: the private one signs, the public one only verifies', async () => {
    const pair = await generatePassKeys();
    expect(pair.privateKey).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
    expect(pair.publicKey).toMatchObject({ kty: 'EC', crv: 'P-256', x: pair.privateKey.x, y: pair.privateKey.y });
    expect(pair.publicKey.d).toBeUndefined();
    const text = await signPass(payload(), pair.privateKey);
    expect((await verifyPass(text, pair.publicKey, 'venue-1', NOW)).ok).toBe(true);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses to sign a payload that is not a pass', async () => {
    await expect(signPass({ ...payload(), people: [] }, keys.privateKey)).rejects.toThrow();
    await expect(signPass({ ...payload(), extra: 1 } as PassPayload, keys.privateKey)).rejects.toThrow();
  });

  it.each([
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b])],
    ['text that is not JSON', utf8('{"v":1,')],
    ['JSON that is not a pass of this version', utf8(JSON.stringify({ ...payload(), v: 2 }))],
    ['a pass with a field more', utf8(JSON.stringify({ ...payload(), phone: '13912345678' }))],
    ['a pass whose label is not UTF-8 (read leniently it would be a valid pass)', notUtf8Label()],
  ])('calls a body signed by the hub yet made of %s tampered, never trusting it partly', async (_name, bytes) => {
    const text = await signedBody(bytes);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('verifies the bytes as signed: the signature over the body signs that body only', async () => {
    const good = await signPass(payload(), keys.privateKey);
    expect(await verifyPass(good, keys.publicKey, 'venue-1', NOW)).toMatchObject({ ok: true });
    // The signature of one pass under the body of another.
    const other = await signPass(payload(), keys.privateKey);
    const [prefix, body] = other.split('.');
    expect(await verifyPass(`${prefix}.${body}.${good.split('.')[2]}`, keys.publicKey, 'venue-1', NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('reads a pass with blanks around it, as a scanner may give it', async () => {
    const p = payload();
    const text = await signPass(p, keys.privateKey);
    expect(looksLikePass(`  ${text}\n`)).toBe(true);
    expect(await verifyPass(`  ${text}\n`, keys.publicKey, 'venue-1', NOW)).toEqual({ ok: true, pass: p });
  });

  it('is valid from iat less the clock allowance', async () => {
    const text = await signPass(payload(), keys.privateKey);
    expect(await verifyPass(text, keys.publicKey, 'venue-1', NOW - CLOCK_SKEW_MS)).toMatchObject({ ok: true });
  });

  it('tells what is not a pass at all', async () => {
    for (const t of ['', 'ABC234', 'https://hub/v/k.x.1.y', 'VCP1.a', 'VCP2.a.b']) {
      expect(await verifyPass(t, keys.publicKey, 'venue-1', NOW), t).toEqual({ ok: false, reason: 'not_a_pass' });
    }
    expect(await verifyPass('VCP1.@@.##', keys.publicKey, 'venue-1', NOW)).toEqual({ ok: false, reason: 'tampered' });
  });
});
