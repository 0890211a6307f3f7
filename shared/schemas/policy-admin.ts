import { z } from 'zod';
import { Id } from './common.js';
import { FlagThresholds, Policy } from './policy.js';

/**
 * The street office's policy desk (docs/policy.md): a switch for the whole
 * street or one community, now or at a set time, every version kept with who
 * put it in force and why. Versions are one street-wide sequence; a kiosk
 * enforces the newest version that is street-wide or for its community.
 */

/**
 * A policy as the editor sends it: everything but the version, which the hub
 * assigns. Strict where Policy strips: a misspelt key (or a version) is an
 * error naming it, never silently dropped in favour of a default.
 */
export const PolicyDraft = z.strictObject({ ...Policy.omit({ version: true }).shape, flags: z.strictObject(FlagThresholds.shape).prefault({}) });
export type PolicyDraft = z.infer<typeof PolicyDraft>;

/** Why a switch was made: the order or event behind it, kept with the version and in the audit log. */
export const PolicyReason = z.string().trim().min(2, 'say why (the order or the event behind the switch)').max(500);

/**
 * The levels a policy is put in force at (docs/policy.md "Levels"): the city (004), a district
 * (003's district command), a street (000–003), or one community of a street.
 */
export const PolicyLevelKind = z.enum(['city', 'district', 'street', 'community']);
export type PolicyLevelKind = z.infer<typeof PolicyLevelKind>;

/**
 * POST /api/policy/switch. Without `at`, or with `at` not after the hub's
 * clock, the policy is in force at once; a later `at` schedules it.
 * A street admin switches its street (`communityId` null) or one of its communities; a district
 * admin its district (`level: 'district'`), a city admin the city (`level: 'city'`).
 */
export const PolicySwitchRequest = z.strictObject({
  policy: PolicyDraft,
  /** null: a level above the community (the street unless `level` says otherwise). */
  communityId: Id.nullable(),
  /** The level above a community: the caller's street when not given. */
  level: z.enum(['city', 'district', 'street']).optional(),
  /** When it should take force (ms since the epoch). */
  at: z.int().min(0).optional(),
  reason: PolicyReason,
});
export type PolicySwitchRequest = z.infer<typeof PolicySwitchRequest>;

/** POST /api/policy/schedules/:id/cancel. */
export const CancelScheduleRequest = z.strictObject({ reason: z.string().trim().max(500).optional() });
export type CancelScheduleRequest = z.infer<typeof CancelScheduleRequest>;

/** One version in the history: what, for whom, since when, by whom, why. */
export const PolicyVersion = z.object({
  version: z.int().min(1),
  mode: Policy.shape.mode,
  level: PolicyLevelKind,
  /** null: a level above the community. */
  communityId: Id.nullable(),
  communityName: z.string().nullable(),
  /** The street of a street's or a community's version; the district of a district's. */
  streetId: Id.nullable(),
  districtId: Id.nullable(),
  activatedAt: z.int(),
  /** The account that switched it (or scheduled it); null for versions made outside the dashboard. */
  createdBy: z.string().nullable(),
  note: z.string().nullable(),
  policy: Policy,
});
export type PolicyVersion = z.infer<typeof PolicyVersion>;

export const ScheduleStatus = z.enum(['pending', 'applied', 'cancelled']);
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;

/** A switch set for a later time. */
export const PolicySchedule = z.object({
  id: z.int().min(1),
  level: PolicyLevelKind,
  communityId: Id.nullable(),
  communityName: z.string().nullable(),
  streetId: Id.nullable(),
  districtId: Id.nullable(),
  mode: Policy.shape.mode,
  dueAt: z.int(),
  createdAt: z.int(),
  createdBy: z.string().nullable(),
  note: z.string().nullable(),
  status: ScheduleStatus,
  /** The version it became, once applied. */
  appliedVersion: z.int().nullable(),
  /** When it was applied or cancelled. */
  settledAt: z.int().nullable(),
  policy: PolicyDraft,
});
export type PolicySchedule = z.infer<typeof PolicySchedule>;

/** What one community enforces now. */
export const CommunityPolicy = z.object({
  id: Id,
  name: z.string(),
  /** The newest version covering it (street-wide or its own). */
  policy: Policy,
  /** Its own version is newer than the street's: a community override. */
  override: z.boolean(),
  activatedAt: z.int().nullable(),
  /** Kiosks in service at its venues, and how many of them are connected now: whom a switch reaches. */
  kiosks: z.int().min(0),
  connected: z.int().min(0),
});
export type CommunityPolicy = z.infer<typeof CommunityPolicy>;

/** GET /api/policy. */
export const PolicyOverview = z.object({
  /** The street-wide version in force (the normal preset, version 1, before any switch). */
  street: z.object({ policy: Policy, activatedAt: z.int().nullable(), createdBy: z.string().nullable(), note: z.string().nullable() }),
  communities: z.array(CommunityPolicy),
  /** Switches set for later, soonest first. */
  schedules: z.array(PolicySchedule),
  presets: z.object({ normal: Policy, emergency: Policy }),
  /** The newest version of all, whatever its scope: the acknowledgement view follows it. */
  latest: PolicyVersion.nullable(),
  /** What the city and the street's district have in force (their meet): no switch here may be looser (null: neither switched). */
  floor: Policy.nullable(),
});
export type PolicyOverview = z.infer<typeof PolicyOverview>;

/** GET /api/policy/history: newest first. */
export const PolicyHistory = z.object({ items: z.array(PolicyVersion) });
export type PolicyHistory = z.infer<typeof PolicyHistory>;

/** POST /api/policy/switch: in force now, or scheduled. */
export const PolicySwitchResult = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('switched'), version: PolicyVersion, kiosks: z.int().min(0), connected: z.int().min(0) }),
  z.object({ kind: z.literal('scheduled'), schedule: PolicySchedule }),
]);
export type PolicySwitchResult = z.infer<typeof PolicySwitchResult>;

/**
 * `policy:changed` to the street admin's dashboards: a version took force
 * (now or by schedule), or a schedule was set or cancelled. Screens re-read
 * what they show.
 */
export const PolicyChange = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('switched'),
    version: z.int().min(1),
    mode: Policy.shape.mode,
    communityId: Id.nullable(),
    at: z.int(),
    by: z.string().nullable(),
    scheduleId: z.int().nullable(),
  }),
  z.object({ kind: z.literal('scheduled'), scheduleId: z.int(), mode: Policy.shape.mode, communityId: Id.nullable(), dueAt: z.int(), by: z.string().nullable() }),
  z.object({ kind: z.literal('cancelled'), scheduleId: z.int(), communityId: Id.nullable(), by: z.string().nullable() }),
]);
export type PolicyChange = z.infer<typeof PolicyChange>;

/** A kiosk in service that does not yet enforce the version in force for its community. */
export const PendingDoor = z.object({
  kioskId: Id,
  venueName: z.string(),
  communityName: z.string(),
  /** The version in force for its community, and the one it acknowledged (null: none yet). */
  due: z.int(),
  acked: z.int().nullable(),
  lastSeenAt: z.int().nullable(),
  connected: z.boolean(),
});
export type PendingDoor = z.infer<typeof PendingDoor>;

/** Doors (kiosks in service) of one street and how many enforce the version now expected for their community. */
export const StreetAcks = z.object({
  id: Id,
  name: z.string(),
  doors: z.int().min(0),
  acked: z.int().min(0),
  connected: z.int().min(0),
  /** The newest time a door of the street was heard from (null: none ever). */
  lastSeenAt: z.int().nullable(),
  pending: z.array(PendingDoor),
});
export type StreetAcks = z.infer<typeof StreetAcks>;

/**
 * GET /api/policy/rollup: the acknowledgement roll-up (docs/policy.md "Acknowledgement roll-up"),
 * per district and street in the caller's area.
 */
export const PolicyRollup = z.object({
  districts: z.array(
    z.object({ id: Id, name: z.string(), doors: z.int().min(0), acked: z.int().min(0), connected: z.int().min(0), streets: z.array(StreetAcks) }),
  ),
});
export type PolicyRollup = z.infer<typeof PolicyRollup>;

/** A level's own newest version, as the level desk shows it (null: that level never switched). */
export const LevelVersionView = z
  .object({ policy: Policy, activatedAt: z.int(), createdBy: z.string().nullable(), note: z.string().nullable() })
  .nullable();

/**
 * GET /api/policy/level: the level the caller switches (a city admin the city, a district admin
 * its district, a street admin its street), its own newest version, the floor the levels above
 * set (null: none switched), what is in force there, and its pending switches.
 */
export const PolicyLevelView = z.object({
  level: z.enum(['city', 'district', 'street']),
  id: Id.nullable(),
  name: z.string(),
  own: LevelVersionView,
  floor: Policy.nullable(),
  inForce: Policy,
  schedules: z.array(PolicySchedule),
  presets: z.object({ normal: Policy, emergency: Policy }),
});
export type PolicyLevelView = z.infer<typeof PolicyLevelView>;
