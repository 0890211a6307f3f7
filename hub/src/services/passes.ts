import { CODES_PER_MINUTE, makePassCode, minuteOf, passExpiresAt } from '../../../shared/rules/pass-code.js';
import { signPass } from '../../../shared/rules/pass-signature.js';
import { passPerson, passVerdict, type PassVerdict } from '../../../shared/rules/pass-verdict.js';
import { parseVenueCode, verifyVenueCode, SLOT_SKEW } from '../../../shared/rules/venue-code.js';
import type { VenueProfile } from '../../../shared/schemas/enrolment.js';
import type { PassPerson, PassRequest, PersonDeclaration } from '../../../shared/schemas/pass.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { HttpError } from '../errors.js';
import type { HubKeys } from '../keys.js';
import type { Store } from '../store/index.js';
import type { StoredPass } from '../store/passes.js';
import { encryptContact } from './contact-cipher.js';
import { checkFormTicket } from './form-ticket.js';
import { randomUUID } from 'node:crypto';

/** Any age: a form's time limit is its ticket's (form-ticket.ts); the code only has to be genuine. */
const ANY_AGE = Number.MAX_SAFE_INTEGER;

export type ScannedCode =
  | {
      ok: true;
      venue: VenueProfile;
      entranceId: string;
      entranceName: string;
      kioskId: string | null;
      source: 'live' | 'poster';
      /** The venue's pass-code secret. */
      secret: string;
      /** The hub-only venue secret the form ticket is signed with. */
      ticketSecret: string;
    }
  | { ok: false; reason: 'invalid' | 'expired' };

/**
 * What a scanned venue code stands for. A live code is checked with its
 * kiosk's own secret, a poster code with the venue's poster secret. Invalid:
 * not a token, an unknown or revoked kiosk, an unknown entrance, or a MAC that
 * does not match. Expired: a genuine live code from too long ago (a photo of the screen).
 */
export async function resolveVenueCode(store: Store, token: string, now: number, maxAgeSlots = SLOT_SKEW): Promise<ScannedCode> {
  const code = parseVenueCode(token);
  if (!code) return { ok: false, reason: 'invalid' };
  let entranceId: string;
  let kioskId: string | null = null;
  let codeSecret: string | undefined;
  if (code.kind === 'live') {
    const kiosk = await store.kiosks.byId(code.kioskId);
    if (!kiosk || kiosk.revoked) return { ok: false, reason: 'invalid' };
    entranceId = kiosk.entranceId;
    kioskId = kiosk.id;
    codeSecret = kiosk.codeSecret;
  } else {
    entranceId = code.entranceId;
  }
  const entrance = await store.venues.entrance(entranceId);
  const venue = entrance && (await store.venues.profile(entrance.venueId));
  const secret = entrance && (await store.venues.codeSecret(entrance.venueId));
  const ticketSecret = entrance && (await store.venues.posterSecret(entrance.venueId));
  codeSecret ??= ticketSecret;
  if (!entrance || !secret || !codeSecret || !ticketSecret || !venue) return { ok: false, reason: 'invalid' };
  const check = await verifyVenueCode(code, codeSecret, now, maxAgeSlots);
  if (!check.ok) return { ok: false, reason: check.reason === 'forged' ? 'invalid' : 'expired' };
  return { ok: true, venue, entranceId, entranceName: entrance.name, kioskId, source: code.kind, secret, ticketSecret };
}

/**
 * Each person of a declaration as a signed pass carries them, judged with the
 * door's own rules under `policy` as at `at`, and the party's verdict. Passes
 * and bookings both go through here.
 */
export function judgeParty(
  policy: Policy,
  venue: Pick<VenueProfile, 'type' | 'openingHours' | 'utcOffsetMinutes'>,
  declared: readonly PersonDeclaration[],
  commitment: boolean,
  at: number,
): { people: PassPerson[]; verdict: PassVerdict } {
  const people = declared.map((d) => passPerson(policy, venue.type, d, commitment, at));
  return { people, verdict: passVerdict(policy, venue, people, at).verdict };
}

/**
 * The venue's next code for a party in this minute: passes and bookings are
 * numbered from the same counter (store.passes.nextNumber), so staff typing
 * a code never meet one shared by both. 429 past the codes a minute holds.
 */
export async function takePassCode(
  store: Store,
  venueId: string,
  secret: string,
  now: number,
  people: number,
): Promise<{ code: string; minute: number; n: number }> {
  const minute = minuteOf(now);
  const n = await store.passes.nextNumber(venueId, minute);
  if (n >= CODES_PER_MINUTE) throw new HttpError(429, 'rate_limited', 'too many passes this minute at this venue; try again in a minute');
  return { code: await makePassCode(secret, venueId, minute, n, people), minute, n };
}

/**
 * Issues a pass for a declaration: judged with the door's own rules
 * under the policy in force, numbered, signed, stored with the contact number
 * sealed. Throws HttpError for a code that is not (or no longer) valid.
 */
export async function issuePass(store: Store, keys: HubKeys, req: PassRequest, now: number): Promise<{ pass: StoredPass; made: boolean }> {
  if (!parseVenueCode(req.venueCode)) throw new HttpError(400, 'invalid', 'not shaped like a venue code', 'venueCode');
  const scanned = await resolveVenueCode(store, req.venueCode, now, ANY_AGE);
  if (!scanned.ok) throw new HttpError(404, 'not_found', 'this is not a venue code of this street', 'venueCode');
  const ticket = await checkFormTicket(scanned.ticketSecret, req.venueCode, req.ticket, now);
  if (ticket === 'forged') throw new HttpError(400, 'invalid', 'this form was not served by this hub for this code', 'ticket');
  if (ticket === 'expired') throw new HttpError(410, 'expired', 'this form has expired; scan the code at the door again', 'venueCode');
  // One form, one pass: the same form sent again (a double tap, a retry after a lost answer) gets
  // the pass it already made, and mints no other (docs/security.md "Passes, codes and tablets").
  const earlier = await store.passes.byTicket(req.ticket);
  if (earlier) return { pass: earlier, made: false };
  const { venue } = scanned;
  const policy = await store.policies.activeForVenue(venue.id);
  const { people, verdict } = judgeParty(policy, venue, req.people, req.commitment, now);
  const { code, minute, n } = await takePassCode(store, venue.id, scanned.secret, now, people.length);
  const iat = Math.floor(now / 1000);
  // A whole minute, shown to the patron as is; the typed code ends at the same instant (pass-code.ts).
  const exp = passExpiresAt(minute, policy.passValidMinutes) / 1000;
  const id = randomUUID();
  const signed = await signPass(
    { v: 1, id, code, venue: venue.id, entrance: scanned.entranceId, src: scanned.source, iat, exp, pv: policy.version, people },
    keys.passSigning.privateKey,
  );
  const pass: StoredPass = {
    id,
    venueId: venue.id,
    entranceId: scanned.entranceId,
    kioskId: scanned.kioskId,
    source: scanned.source,
    code,
    codeMinute: minute,
    codeNumber: n,
    issuedAt: now,
    expiresAt: exp * 1000,
    policyVersion: policy.version,
    people,
    verdict,
    signed,
    contact: req.phone ? encryptContact(req.phone, keys.contactKey) : null,
    leftAt: null,
  };
  // Two sends of one form racing each other: the store keeps the first, and both get it.
  const stored = await store.passes.add(pass, req.ticket);
  return { pass: stored, made: stored.id === pass.id };
}
