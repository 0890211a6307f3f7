import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { decryptContact, encryptContact } from './contact-cipher.js';

/**
 * The street admins' second factor: TOTP (RFC 6238) through the maintained `otpauth` library,
 * with the defaults every authenticator app reads (SHA-1, 6 digits, 30 s). A secret is 160 random
 * bits, stored sealed with the hub's contact key (AES-256-GCM, contact-cipher.ts) and shown only
 * once, at enrolment.
 */
const ISSUER = 'Venue check-in hub';
const PERIOD_S = 30;
/** One step either side for clock drift between the phone and the hub, as the library advises. */
const WINDOW = 1;

function totpOf(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

/** A new secret for `label` (the account name): sealed for storage, and the URI and QR code to show once. */
export async function newTotpSecret(label: string, contactKey: string): Promise<{ sealed: string; uri: string; qrSvg: string }> {
  const secret = new OTPAuth.Secret({ size: 20 });
  const uri = totpOf(secret.base32, label).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { sealed: encryptContact(secret.base32, contactKey), uri, qrSvg };
}

/** The time step a code is good for, if `code` is right for the sealed secret at `now` (±1 step); else undefined. */
export function totpStep(sealed: string, contactKey: string, code: string, now: number): number | undefined {
  const totp = totpOf(decryptContact(sealed, contactKey), 'check');
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
}

/** The code of a secret at `now`, as an authenticator app shows it (the tests' phone). */
export function totpCode(secretBase32: string, now: number): string {
  return totpOf(secretBase32, 'code').generate({ timestamp: now });
}
