import { ENROL_ALPHABET } from '../schemas/enrolment.js';
import { MAX_PARTY } from '../schemas/pass.js';
import { hmac } from './bytes.js';

/**
 * The 6-character pass code, which a kiosk checks with no network:
 *
 *   [issue minute mod 31][number within that minute: 2 chars][MAC: 3 chars]
 *
 * over a 31-letter alphabet. The MAC is an HMAC under the venue's secret (the
 * same one the venue code uses) of (venue, issue minute, number, party size),
 * so a kiosk of the venue can recompute it: the minute is the one of the last
 * 31 that has the code's residue, and the party size is found by trying 1–6.
 *
 * What it gives: a typed code is genuine for this venue, not expired, and for
 * how many people. What it cannot give: the declared answers, which only the
 * signed QR carries (or the hub, when online). 3 MAC characters leave a random
 * guess a 6 in 29,791 chance; at a door where staff type the code that is an
 * acceptable residue, and the hub cross-checks every pass when records sync.
 */
const A = ENROL_ALPHABET;
const N = A.length; // 31
const MAC_SPACE = N ** 3;
/** Codes per venue per minute. */
export const CODES_PER_MINUTE = N * N;
/**
 * How far a kiosk's clock may run behind the hub's that issued a pass: a pass
 * issued by the hub at 14:00:30 is 14:00:10 on a tablet 20 s slow, and must not
 * be refused as "not yet valid". Only the start of a pass gets this allowance,
 * never its end: the door honours the expiry the patron's page shows
 * (docs/architecture.md "Passes and the kiosk's clock").
 */
export const CLOCK_SKEW_MS = 2 * 60_000;

export const minuteOf = (ms: number): number => Math.floor(ms / 60_000);

/**
 * When a pass issued in `minute` stops being valid, epoch ms: the end of the
 * minute `validMinutes` after the issue minute. A pass so lasts at least
 * `validMinutes`, its page's "valid until HH:MM" is the very instant, and a
 * typed code, which carries only its minute, ends when the signed QR does.
 */
export const passExpiresAt = (minute: number, validMinutes: number): number => (minute + validMinutes + 1) * 60_000;

async function macDigits(secret: string, venueId: string, minute: number, n: number, people: number): Promise<string> {
  const h = await hmac(secret, `pass-code|${venueId}|${minute}|${n}|${people}`);
  let v = (((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0) % MAC_SPACE;
  let s = '';
  for (let i = 0; i < 3; i++) {
    s = A[v % N]! + s;
    v = Math.floor(v / N);
  }
  return s;
}

/** The code for the `n`-th pass (0-based) issued at the venue in `minute`. */
export async function makePassCode(secret: string, venueId: string, minute: number, n: number, people: number): Promise<string> {
  if (!Number.isInteger(n) || n < 0 || n >= CODES_PER_MINUTE) throw new RangeError(`pass number ${n} out of range`);
  return A[minute % N]! + A[Math.floor(n / N)]! + A[n % N]! + (await macDigits(secret, venueId, minute, n, people));
}

export type PassCodeCheck =
  | { ok: true; minute: number; people: number }
  | { ok: false; reason: 'unknown' | 'expired' };

/**
 * Checks a normalised code (PassCode) typed at a kiosk of `venueId`. `unknown`
 * means mistyped, forged, or issued for another venue: the kiosk cannot tell
 * which, and says so.
 */
export async function checkPassCode(
  code: string,
  secret: string,
  venueId: string,
  now: number,
  validMinutes: number,
): Promise<PassCodeCheck> {
  const digits = [...code].map((c) => A.indexOf(c));
  if (code.length !== 6 || digits.some((d) => d < 0)) return { ok: false, reason: 'unknown' };
  // The one minute of the 31 ending a skew ahead of now whose residue matches (a kiosk slower than the hub).
  const latest = minuteOf(now + CLOCK_SKEW_MS);
  const minute = latest - ((latest - digits[0]! + N * 2) % N);
  const n = digits[1]! * N + digits[2]!;
  const mac = code.slice(3);
  for (let people = 1; people <= MAX_PARTY; people++) {
    if ((await macDigits(secret, venueId, minute, n, people)) !== mac) continue;
    return now >= passExpiresAt(minute, validMinutes) ? { ok: false, reason: 'expired' } : { ok: true, minute, people };
  }
  return { ok: false, reason: 'unknown' };
}
