import { z } from 'zod';
import { Id } from './common.js';

/**
 * Who may use the inspectors' side of the hub, at the seeds' levels (docs/architecture.md
 * "Streets as tenants"): the city admin sees every street of the deployment (004 is the city's);
 * a district admin the streets of one district (003's 区指挥部); the street admin one street; a
 * community inspector only the venues of their community (each community checks the venues of its
 * own list, 000 §3 and §4(1); docs/inspectors-guide.md "Logging in").
 */
export const Role = z.enum(['city_admin', 'district_admin', 'street_admin', 'community_inspector']);
export type Role = z.infer<typeof Role>;

/** The roles that administer: a street, a district's streets, or the city's. */
export const ADMIN_ROLES = ['street_admin', 'district_admin', 'city_admin'] as const satisfies readonly Role[];
/**
 * The roles that act for one street: its admin and the inspectors of its communities. A street's
 * own acts (its venue registry, kiosks, suspensions, bookings, inspections, flag actions) are
 * theirs; an admin above a street reads them but does not act in the street's place.
 */
export const STREET_ROLES = ['street_admin', 'community_inspector'] as const satisfies readonly Role[];
/** The roles above a street: they oversee streets and may act for all of them at once. */
export const OVERSIGHT_ROLES = ['district_admin', 'city_admin'] as const satisfies readonly Role[];

/** An account name: what a person types to log in. */
export const AccountName = z
  .string()
  .trim()
  .min(2)
  .max(40)
  .regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, "_", "." and "-" only');

/** A second-factor code: six digits from the authenticator app (TOTP, RFC 6238). */
export const TotpCode = z.string().regex(/^\d{6}$/, 'six digits');

/** `code` only for an account with a second factor: the hub asks for it (401, field `code`). */
export const LoginRequest = z.strictObject({ name: AccountName, password: z.string().min(1).max(200), code: TotpCode.optional() });
export type LoginRequest = z.infer<typeof LoginRequest>;

/** What the dashboard knows of the person logged in. */
export const AccountView = z.object({
  id: Id,
  name: z.string(),
  role: Role,
  /** The community an inspector covers; null for an admin. */
  communityId: Id.nullable(),
  communityName: z.string().nullable(),
  /** The street of a street admin or an inspector (their community's); null above a street. */
  streetId: Id.nullable(),
  streetName: z.string().nullable(),
  /** The district of a district admin, or of the street of one below; null for the city admin. */
  districtId: Id.nullable(),
  districtName: z.string().nullable(),
  /** The password is a one-time one (npm run admin): nothing but changing it until it is changed. */
  mustChangePassword: z.boolean(),
  /** A second factor (TOTP) is enrolled: login asks for its code. */
  totpEnrolled: z.boolean(),
  /** This session was verified with the second factor (at login, or by confirming enrolment). */
  totpVerified: z.boolean(),
});
export type AccountView = z.infer<typeof AccountView>;

/** The shortest password a person may choose (a one-time one from npm run admin has 16 characters). */
export const MIN_PASSWORD_LENGTH = 10;

/** POST /api/auth/password: the current password, and a new one that is long enough and not the same. */
export const ChangePasswordRequest = z
  .strictObject({
    current: z.string().min(1).max(200),
    next: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
  })
  .refine((r) => r.next !== r.current, { path: ['next'], message: 'the new password must differ from the current one' });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

/** A TOTP secret being enrolled: shown once, as the otpauth:// URI and its QR code. */
export const TotpEnrolment = z.object({ uri: z.string(), qrSvg: z.string() });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;

/** The account's current password: asked again wherever a session changes how the account logs in. */
const CurrentPassword = z.string().min(1).max(200);

/** POST /api/auth/totp/enrol: the current password, so a stolen session alone cannot bind an authenticator. */
export const TotpEnrolRequest = z.strictObject({ password: CurrentPassword });
export type TotpEnrolRequest = z.infer<typeof TotpEnrolRequest>;

/** POST /api/auth/totp/confirm: the current password again, and a code from the new secret. */
export const TotpConfirm = z.strictObject({ password: CurrentPassword, code: TotpCode });
export type TotpConfirm = z.infer<typeof TotpConfirm>;

/** Street-wide security settings, changed by a street admin (audited). */
export const StreetSecurity = z.strictObject({
  /** Tracing (POST /api/tracing/*) only from a session verified with TOTP. */
  tracingRequiresTotp: z.boolean(),
});
export type StreetSecurity = z.infer<typeof StreetSecurity>;
