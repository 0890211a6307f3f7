import { PassPayload } from '../schemas/pass.js';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.js';
import { CLOCK_SKEW_MS } from './pass-code.js';

/**
 * The pass QR: `VCP1.<payload>.<signature>`, both base64url. The
 * payload is the JSON of PassPayload; the signature is ECDSA P-256 / SHA-256
 * (WebCrypto's raw r‖s form) by the hub over `VCP1.<payload>`. ECDSA P-256
 * rather than Ed25519 because every tablet browser's WebCrypto has it.
 * Kiosks get the public key (JWK) at enrolment and verify with no network.
 */
const PREFIX = 'VCP1.';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function generatePassKeys(): Promise<{ privateKey: JsonWebKey; publicKey: JsonWebKey }> {
  const pair = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  return {
    privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey),
    publicKey: await crypto.subtle.exportKey('jwk', pair.publicKey),
  };
}

/** Imported keys by their JWK object: the hub signs every pass with the same one. */
const imported = new WeakMap<JsonWebKey, Promise<CryptoKey>>();
function importKey(jwk: JsonWebKey, use: 'sign' | 'verify'): Promise<CryptoKey> {
  let key = imported.get(jwk);
  if (!key) {
    // Stryker disable next-line BooleanLiteral: whether the key could be exported is unobservable, the CryptoKey never leaves this module.
    key = crypto.subtle.importKey('jwk', jwk, ALGORITHM, false, [use]);
    imported.set(jwk, key);
  }
  return key;
}

export async function signPass(payload: PassPayload, privateKey: JsonWebKey): Promise<string> {
  const key = await importKey(privateKey, 'sign');
  const body = PREFIX + toBase64Url(utf8(JSON.stringify(PassPayload.parse(payload))));
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, key, utf8(body)));
  return `${body}.${toBase64Url(signature)}`;
}

export type PassCheck =
  | { ok: true; pass: PassPayload }
  | { ok: false; reason: 'not_a_pass' | 'tampered' | 'expired' | 'not_yet_valid' | 'other_venue'; pass?: PassPayload };

/** Does this text look like a pass (as opposed to a venue code or a typed pass code)? */
export const looksLikePass = (text: string): boolean => text.trim().startsWith(PREFIX);

/**
 * Verifies a scanned pass for `venueId` at `now`: the signature over the exact
 * bytes, then the payload's shape, then the venue and the time. Expired from
 * `exp` on, the instant the patron's page shows; valid from `iat` less the
 * clock allowance typed codes have too (a kiosk slower than the hub). A pass
 * used already is the kiosk's question.
 */
export async function verifyPass(text: string, publicKey: JsonWebKey, venueId: string, now: number): Promise<PassCheck> {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || `${parts[0]}.` !== PREFIX) return { ok: false, reason: 'not_a_pass' };
  let payloadBytes: Uint8Array<ArrayBuffer>;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    payloadBytes = fromBase64Url(parts[1]!);
    signature = fromBase64Url(parts[2]!);
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  const key = await importKey(publicKey, 'verify');
  const genuine = await crypto.subtle.verify(SIGN, key, signature, utf8(`${PREFIX}${parts[1]}`));
  if (!genuine) return { ok: false, reason: 'tampered' };
  let parsed;
  try {
    parsed = PassPayload.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes)));
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  // Signed by the hub yet not a pass of this version: treat as unusable, never trust it partly.
  if (!parsed.success) return { ok: false, reason: 'tampered' };
  const pass = parsed.data;
  if (pass.venue !== venueId) return { ok: false, reason: 'other_venue', pass };
  if (now >= pass.exp * 1000) return { ok: false, reason: 'expired', pass };
  if (now < pass.iat * 1000 - CLOCK_SKEW_MS) return { ok: false, reason: 'not_yet_valid', pass };
  return { ok: true, pass };
}
