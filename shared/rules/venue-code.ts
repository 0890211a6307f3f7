import { hmac, sameText, toBase64Url } from './bytes.js';

/**
 * The venue code (场所码) a patron scans at the door. The kiosk shows
 * a QR of `<hub>/v/<token>`; the token is an HMAC of (kiosk id, 30-second
 * slot) under the venue's secret, which the kiosk received at enrolment. So
 * the kiosk rotates it offline and the hub checks it without reaching the
 * kiosk. A printed poster carries a fixed token per entrance instead; its
 * scans are marked as poster scans.
 *
 *   live:   k.<kioskId>.<slot>.<mac>
 *   poster: p.<entranceId>.<mac>
 */
export const SLOT_MS = 30_000;
/** The hub accepts the current slot and one either side (clock skew, a slow scan). */
export const SLOT_SKEW = 1;
const MAC_BYTES = 12;

export type VenueCodeToken =
  | { kind: 'live'; kioskId: string; slot: number; mac: string }
  | { kind: 'poster'; entranceId: string; mac: string };

export const slotAt = (now: number): number => Math.floor(now / SLOT_MS);

const mac = async (secret: string, message: string) => toBase64Url((await hmac(secret, message)).slice(0, MAC_BYTES));

export async function liveToken(secret: string, kioskId: string, slot: number): Promise<string> {
  return `k.${kioskId}.${slot}.${await mac(secret, `venue-code|${kioskId}|${slot}`)}`;
}

export async function posterToken(secret: string, entranceId: string): Promise<string> {
  return `p.${entranceId}.${await mac(secret, `poster|${entranceId}`)}`;
}

const ID = '[A-Za-z0-9_-]{1,64}';
const MAC = `[A-Za-z0-9_-]{${Math.ceil((MAC_BYTES * 4) / 3)}}`;
const LIVE = new RegExp(`^k\\.(${ID})\\.(\\d{1,12})\\.(${MAC})$`);
const POSTER = new RegExp(`^p\\.(${ID})\\.(${MAC})$`);

/** Splits a token into its parts, or undefined if it is not shaped like one. Says nothing of its MAC. */
export function parseVenueCode(token: string): VenueCodeToken | undefined {
  const live = LIVE.exec(token);
  if (live) return { kind: 'live', kioskId: live[1]!, slot: Number(live[2]), mac: live[3]! };
  const poster = POSTER.exec(token);
  if (poster) return { kind: 'poster', entranceId: poster[1]!, mac: poster[2]! };
  return undefined;
}

export type VenueCodeCheck = { ok: true } | { ok: false; reason: 'forged' | 'expired' };

/**
 * Checks a parsed token against the venue's secret. A live token must be of
 * the current slot ± SLOT_SKEW (a scan); `maxAgeSlots` lets a form opened by
 * a scan be sent later. A MAC that does not match (wrong secret, other kiosk,
 * altered slot) is `forged`, checked before the time so an old photo of a
 * genuine code is told apart from a made-up one.
 */
export async function verifyVenueCode(
  code: VenueCodeToken,
  secret: string,
  now: number,
  maxAgeSlots = SLOT_SKEW,
): Promise<VenueCodeCheck> {
  const expected =
    code.kind === 'live'
      ? await liveToken(secret, code.kioskId, code.slot)
      : await posterToken(secret, code.entranceId);
  if (!sameText(expected.slice(expected.lastIndexOf('.') + 1), code.mac)) return { ok: false, reason: 'forged' };
  const age = code.kind === 'live' ? slotAt(now) - code.slot : 0;
  if (age > maxAgeSlots || age < -SLOT_SKEW) return { ok: false, reason: 'expired' };
  return { ok: true };
}
