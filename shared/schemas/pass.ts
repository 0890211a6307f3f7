import { z } from 'zod';
import { HealthCodeColour, ItineraryCase, VaccinationStatus } from './checks.js';
import { Id, MAX_PARTY, Timestamp, Uuid } from './common.js';
import { typedCode } from './enrolment.js';

/**
 * The patron's pass: what a patron declares on their phone after
 * scanning the venue code, and the signed pass the hub answers with, which
 * the kiosk verifies offline.
 */

export { MAX_PARTY };

/**
 * A short label a parent gives an accompanying person ("孩子", "外婆"). Plain
 * text: markup characters are refused, so nothing typed here is ever executable.
 */
export const PersonLabel = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .regex(/^[^<>&"'`\\{}\p{Cc}\p{Cf}]*$/u, 'letters, digits and spaces only');

/** 11-digit mainland mobile number (optionally +86), kept only for tracing (003 §25). */
export const ContactPhone = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/^\+?86/, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, 'an 11-digit mobile number starting with 1'));

/** One person's declaration, as the patron read it off their own health-code and itinerary apps. */
export const PersonDeclaration = z.strictObject({
  label: PersonLabel.optional(),
  healthCode: HealthCodeColour,
  itinerary: ItineraryCase,
  /** Time of the latest negative nucleic-acid test, if any. */
  lastNegativeTestAt: Timestamp.optional(),
  /** Asked on the page only under the three-code check (004 §3.11). */
  vaccination: VaccinationStatus.optional(),
});
export type PersonDeclaration = z.infer<typeof PersonDeclaration>;

/** POST /api/passes: the declaration for the venue code the patron scanned. */
export const PassRequest = z.strictObject({
  venueCode: z.string().min(1).max(120),
  /** Signed by the hub into the page it served for that code (hub/src/services/form-ticket.ts). */
  ticket: z.string().min(1).max(100),
  people: z.array(PersonDeclaration).min(1).max(MAX_PARTY),
  /** The patron ticked "I agree" under the commitment text (承诺书, 004 §3.8). */
  commitment: z.boolean(),
  phone: ContactPhone.optional(),
});
export type PassRequest = z.infer<typeof PassRequest>;

/**
 * The 6-character code printed on the pass, typed by staff when the camera
 * cannot read the QR. Same alphabet as enrolment codes (no look-alikes);
 * case, spaces and a dash are forgiven. See rules/pass-code.ts.
 */
export const PassCode = typedCode(6, 'the pass code');

/**
 * One person on a signed pass, with short keys to keep the QR small. The
 * values are the check outcomes the kiosk pre-fills; `t` is already judged
 * against the policy's test window, `c` is the party's commitment.
 */
export const PassPerson = z.strictObject({
  n: PersonLabel.optional(),
  h: HealthCodeColour,
  i: ItineraryCase,
  t: z.enum(['negative', 'none']).optional(),
  c: z.enum(['signed', 'not_signed']).optional(),
  v: VaccinationStatus.optional(),
});
export type PassPerson = z.infer<typeof PassPerson>;

/** Where a pass came from: a kiosk's live code, a printed poster, or a booking. */
export const PassSource = z.enum(['live', 'poster', 'booking']);
export type PassSource = z.infer<typeof PassSource>;

/** The signed body of a pass. Times are whole seconds since the epoch. */
export const PassPayload = z.strictObject({
  v: z.literal(1),
  id: Uuid,
  code: PassCode,
  venue: Id,
  entrance: Id,
  /** A scan of a kiosk's live code, of the printed poster, or a booking made ahead. */
  src: PassSource,
  /**
   * Valid from `iat` until `exp`. A booking is valid for its entry window: from
   * its slot's start less the policy's grace until the slot's end (shared/rules/slots.ts).
   */
  iat: z.int().min(0),
  exp: z.int().min(0),
  /** A booking's slot [start, end), seconds since the epoch. */
  slot: z.tuple([z.int().min(0), z.int().min(0)]).optional(),
  /** The policy version the declaration was judged under. */
  pv: z.int().min(1),
  people: z.array(PassPerson).min(1).max(MAX_PARTY),
});
export type PassPayload = z.infer<typeof PassPayload>;

/**
 * What an entrance record keeps of the pass it was admitted on. `id` is known
 * when the QR was scanned; a typed code is resolved to the id by the hub when
 * the record syncs. `minute` is the pass's issue minute (epoch minutes), which
 * with `code` identifies it at the venue.
 */
export const PassKey = z.strictObject({ code: PassCode, minute: z.int().min(0) });
export type PassKey = z.infer<typeof PassKey>;
export const PassUse = PassKey.extend({
  id: Uuid.optional(),
  person: z.int().min(0).max(MAX_PARTY - 1),
  people: z.int().min(1).max(MAX_PARTY),
  via: z.enum(['qr', 'code']),
  src: PassSource.optional(),
});
export type PassUse = z.infer<typeof PassUse>;

/** `pass:left`: the patron tapped "I have left" on the pass page. */
export const PassLeft = PassKey.extend({ id: Uuid, people: z.int().min(1).max(MAX_PARTY), at: z.int().min(0) });
export type PassLeft = z.infer<typeof PassLeft>;

/** POST /api/passes answer: where the pass page is. */
export const PassIssued = z.object({ id: Uuid, url: z.string() });
export type PassIssued = z.infer<typeof PassIssued>;
