import { z } from 'zod';
import { Id } from './common.js';
import { BookingSettings } from './booking-settings.js';
import { Policy } from './policy.js';
import { Officers, StaffMember, VenueRules } from './venue.js';

/** Letters and digits without look-alikes (no 0/O, 1/I/L), for every code people type. */
export const ENROL_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * A code people type, of `length` characters from an alphabet without look-alikes
 * (no 0/O, 1/I/L). Case, spaces and dashes are forgiven. `what` names it in errors.
 */
export function typedCode(length: number, what: string) {
  return z
    .string()
    .trim()
    .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
    .pipe(
      z
        .string()
        .length(length, `${what} has ${length} characters`)
        .regex(new RegExp(`^[${ENROL_ALPHABET}]+$`), `${what} has letters and digits 2–9 only`),
    );
}

/** One-time enrolment code: 8 characters, shown as XXXX-XXXX. */
export const EnrolmentCode = typedCode(8, 'the code');

export const EnrolRequest = z.object({ code: EnrolmentCode });
export type EnrolRequest = z.infer<typeof EnrolRequest>;

/**
 * What a kiosk keeps about its venue: who it is, the facts the door
 * decision reads, its entrances, its officers and the staff who may work the door.
 */
export const VenueProfile = VenueRules.extend({
  id: Id,
  name: z.string(),
  communityName: z.string(),
  address: z.string(),
  entrances: z.array(z.object({ id: Id, name: z.string() })),
  officers: Officers,
  staff: z.array(StaffMember),
  /** Reservations at this venue; absent on a profile from before them: none. */
  booking: BookingSettings.optional(),
});
export type VenueProfile = z.infer<typeof VenueProfile>;

export const EnrolResponse = z.object({
  kioskId: Id,
  entranceId: Id,
  entranceName: z.string(),
  token: z.string(),
  venue: VenueProfile,
  policy: Policy,
  /** This kiosk's own secret for its rotating venue code. */
  codeSecret: z.string().min(16),
  /** The venue's secret for typed pass codes, shared by its kiosks. */
  passCodeSecret: z.string().min(16),
  /** Where this entrance's printable poster is (the hub signs its code; kiosks cannot). */
  posterPath: z.string().startsWith('/posters/'),
  /** The address phones reach the hub at, if set (PUBLIC_URL); else the page's own origin. */
  publicUrl: z.string().optional(),
  /** The hub's public key that signs passes (ECDSA P-256, JWK), verified offline. */
  passKey: z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() }),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

/**
 * The venue's secret for typed pass codes as the hub now holds it
 * (`venue:secret`, on every connect and after a rotation). Revoking a stolen
 * tablet rotates it; `previous` still checks codes of passes issued
 * up to `rotatedAt`, which expire within the policy's pass validity.
 */
export const VenueSecret = z.object({
  passCodeSecret: z.string().min(16),
  previous: z.string().min(16).nullable(),
  /** Hub time of the last rotation; null when the secret was never rotated. */
  rotatedAt: z.int().min(0).nullable(),
});
export type VenueSecret = z.infer<typeof VenueSecret>;

/** Formats a raw code for people: ABCD2345 → ABCD-2345. */
export function formatEnrolmentCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
