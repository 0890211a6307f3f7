import { z } from 'zod';
import { Id } from './common.js';

/**
 * The kiosk lifecycle: what a kiosk reports about itself, how it
 * retires, and how the street office sees it.
 */

/** What a kiosk tells the hub about itself, in the handshake and whenever its backlog changes (`kiosk:status`). */
export const KioskStatus = z.object({
  /** The kiosk app's build (package version and build time), to see which tablets run an old app. */
  appVersion: z.string().trim().min(1).max(64),
  /** Records in its outbox not yet acknowledged by the hub. */
  pending: z.int().min(0).max(10_000_000),
  /** Records the hub refused (kept on the tablet, never resent). */
  rejected: z.int().min(0).max(10_000_000),
  /** The kiosk's clock (ms since the epoch) when it sent this; the hub compares it with its own. */
  clock: z.int().min(0),
});
export type KioskStatus = z.infer<typeof KioskStatus>;

/**
 * `kiosk:retire`: the tablet asks to leave service. `lastSeq` is the highest
 * record number it ever made and `rejectedSeqs` those the hub refused (they can
 * never arrive); the hub refuses while any other record up to `lastSeq` is missing.
 */
export const RetireRequest = z.object({ lastSeq: z.int().min(0), rejectedSeqs: z.array(z.int().min(1)).max(100_000).default([]) });
export type RetireRequest = z.infer<typeof RetireRequest>;

/**
 * The hub's answer to `kiosk:retire` (in `{ ok: true, data }`): retired, or
 * refused because it still lacks `missing` records the tablet made (a figure
 * the tablet words in its own language). Anything else is an error.
 */
export const RetireAnswer = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('retired'), retiredAt: z.int() }),
  z.object({ outcome: z.literal('missing'), missing: z.int().min(1) }),
]);
export type RetireAnswer = z.infer<typeof RetireAnswer>;

export const KioskState = z.enum(['active', 'retired', 'revoked']);
export type KioskState = z.infer<typeof KioskState>;

/** A kiosk as the street admin sees it (GET /api/kiosks, and live over the dashboard socket). */
export const KioskView = z.object({
  id: Id,
  venueId: Id,
  venueName: z.string(),
  communityId: Id,
  communityName: z.string(),
  entranceId: Id,
  entranceName: z.string(),
  state: KioskState,
  enrolledAt: z.int(),
  /** Its socket is open now, on this hub or (on PostgreSQL) any other hub process on the same database. */
  connected: z.boolean(),
  /** Last time it connected, sent anything, or was seen connected. */
  lastSeenAt: z.int().nullable(),
  appVersion: z.string().nullable(),
  /** The policy version it should enforce (the newest covering its community) and the one it acknowledged. */
  policyVersionDue: z.int().min(1),
  policyVersionAcked: z.int().nullable(),
  policyAckedAt: z.int().nullable(),
  /** Unsynced records it held at its last report (for a revoked kiosk: what it still held at its last contact). */
  backlog: z.int().nullable(),
  /** Its clock minus the hub's at its last report, in ms. */
  clockSkewMs: z.int().nullable(),
  statusAt: z.int().nullable(),
  /** Records the hub holds from it, and the highest record number among them. */
  recordsHeld: z.int().min(0),
  lastSeq: z.int().min(0),
  retiredAt: z.int().nullable(),
  revokedAt: z.int().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type KioskView = z.infer<typeof KioskView>;

/** GET /api/kiosks query: every kiosk of the street, narrowed by venue, community and state. */
export const KioskListQuery = z.strictObject({ venueId: Id.optional(), communityId: Id.optional(), state: KioskState.optional() });
export type KioskListQuery = z.infer<typeof KioskListQuery>;

/** POST /api/entrances/:id/enrolment-codes body: how long the code stays valid (a day by default, at most three). */
export const EnrolmentCodeRequest = z.strictObject({ ttlHours: z.int().min(1).max(72).default(24) });
export type EnrolmentCodeRequest = z.infer<typeof EnrolmentCodeRequest>;

/** POST /api/kiosks/:id/revoke: a lost or stolen tablet. */
export const RevokeRequest = z.object({ reason: z.string().trim().min(2, 'say why (lost, stolen, broken…)').max(200) });
export type RevokeRequest = z.infer<typeof RevokeRequest>;

/** POST /api/entrances/:id/enrolment-codes → the one-time code, shown once. */
export const EnrolmentCodeIssued = z.object({
  code: z.string(),
  entranceId: Id,
  expiresAt: z.int(),
  /** The kiosk page with the code filled in (a QR of it enrols a tablet with one scan). */
  enrolUrl: z.string(),
});
export type EnrolmentCodeIssued = z.infer<typeof EnrolmentCodeIssued>;
