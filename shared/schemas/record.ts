import { z } from 'zod';
import { Checks } from './checks.js';
import { Id, MAX_PARTY, Seq, ShortText, Temperature, Timestamp, Uuid } from './common.js';
import { PassKey, PassUse } from './pass.js';

/** Machine-readable reasons a patron was refused (see rules/decide-entry.ts). */
export const ReasonCode = z.enum([
  'venue_closed_by_policy',
  'outside_opening_hours',
  'fever',
  'mask_refused',
  'health_code_yellow',
  'health_code_red',
  'itinerary_high_risk',
  'itinerary_medium_risk',
  'no_test_or_commitment',
  'test_and_commitment_required',
  // No negative test where the policy accepts no commitment instead (000 §2(2)(1)).
  'no_negative_test',
  // Not vaccinated where the policy refuses it under the three-code check (004 §3.11).
  'unvaccinated',
  // Reservations and staggered entry (003 §13; rules/slot-door.ts).
  'booking_required',
  'slot_full',
  'booking_outside_slot',
  'booking_cancelled',
  // An inspector's suspension order for this venue (停业整顿, 000 §5(2); rules/suspension.ts).
  'venue_suspended',
  // Staff held the party of a pass because one of them had a fever (docs/door-guide.md "A party with one fever").
  'party_held',
]);
export type ReasonCode = z.infer<typeof ReasonCode>;

/**
 * What every kiosk record carries. `id` is made by the kiosk; `(kioskId, seq)`
 * is the kiosk's own gap-free counter over all record types. Either identifies
 * the record, so a resend is recognised. `operatorId` is the staff member on
 * duty, so the hub can count per checker and per entrance.
 */
const RecordBase = z.object({
  id: Uuid,
  venueId: Id,
  kioskId: Id,
  seq: Seq,
  kioskTime: Timestamp,
  operatorId: Id,
});

/**
 * What staff chose for the companions on a pass after one of them (`feverPerson`,
 * 0-based on the pass) was refused for fever: check each `separately`, or hold
 * the whole party (`held`, refused without checks). The seeds are silent; a
 * street office asks (docs/door-guide.md "A party with one fever").
 */
export const PartyChoice = z.object({
  feverPerson: z.int().min(0).max(MAX_PARTY - 1),
  choice: z.enum(['separately', 'held']),
});
export type PartyChoice = z.infer<typeof PartyChoice>;

/** One patron at one entrance: every check's outcome and the decision. */
export const EntranceRecord = RecordBase.extend({
  type: z.literal('entrance'),
  policyVersion: z.int().min(1),
  checks: Checks,
  decision: z.enum(['admit', 'refuse']),
  reasons: z.array(ReasonCode).max(ReasonCode.options.length),
  /** The patron's pass, when staff scanned or typed one. */
  pass: PassUse.optional(),
  /** A companion of a pass holder refused for fever: what staff chose for them. */
  party: PartyChoice.optional(),
})
  .refine((r) => (r.decision === 'refuse') === r.reasons.length > 0, {
    path: ['reasons'],
    message: 'a refusal needs at least one reason and an admission none',
  })
  .refine((r) => r.party === undefined || (r.pass !== undefined && r.pass.person !== r.party.feverPerson && r.party.feverPerson < r.pass.people), {
    path: ['party'],
    message: 'a party choice names another person of the same pass',
  })
  .refine((r) => (r.party?.choice === 'held') === r.reasons.includes('party_held'), {
    path: ['party'],
    message: 'a held companion is refused with party_held, and party_held needs the held choice',
  });
export type EntranceRecord = z.infer<typeof EntranceRecord>;

/** Undo of an entrance record, kept as its own record: nothing at the door is ever deleted. */
export const CorrectionRecord = RecordBase.extend({
  type: z.literal('correction'),
  correctsId: Uuid,
  reason: ShortText,
});
export type CorrectionRecord = z.infer<typeof CorrectionRecord>;

/**
 * People leaving and head counts: the count inside that the cap is held
 * against (004 §3.3–3.5; 003 §13 控制接待人员上限). `exit`: `count`
 * people left. `headcount`: staff counted `count` people inside. `close_out`:
 * at closing, `count` people still counted inside were closed out to zero.
 */
export const OccupancyRecord = RecordBase.extend({
  type: z.literal('occupancy'),
  kind: z.enum(['exit', 'headcount', 'close_out']),
  count: z.int().min(0).max(100_000),
  /** An exit the patron declared with "I have left" on their pass: counted once per pass. */
  pass: PassKey.optional(),
})
  .refine((r) => r.kind !== 'exit' || r.count >= 1, { path: ['count'], message: 'at least one person leaves' })
  .refine((r) => r.kind === 'exit' || r.pass === undefined, { path: ['pass'], message: 'only an exit names a pass' });
export type OccupancyRecord = z.infer<typeof OccupancyRecord>;

/** Venue-level door checks per opening: the one-metre line and the posted notices (000 §2(2)(1), 002). */
export const VenueCheckRecord = RecordBase.extend({
  type: z.literal('venue_check'),
  oneMetreLine: z.boolean(),
  noticesPosted: z.boolean(),
  note: ShortText.optional(),
});
export type VenueCheckRecord = z.infer<typeof VenueCheckRecord>;

/** Ventilation and disinfection ledger (000 §2(2)(3)): what, where, who, when. */
export const DisinfectionRecord = RecordBase.extend({
  type: z.literal('disinfection'),
  kind: z.enum(['disinfection', 'ventilation']),
  area: ShortText,
  officer: ShortText,
  doneAt: Timestamp,
});
export type DisinfectionRecord = z.infer<typeof DisinfectionRecord>;

/** A staff member's daily temperature (000 §2(2)(2)). */
export const StaffTemperatureRecord = RecordBase.extend({
  type: z.literal('staff_temperature'),
  staffId: Id,
  celsius: Temperature,
});
export type StaffTemperatureRecord = z.infer<typeof StaffTemperatureRecord>;

/** A staff member's latest test date and vaccination (000 §2(2)(2); 003 table row 9). */
export const StaffHealthRecord = RecordBase.extend({
  type: z.literal('staff_health'),
  staffId: Id,
  lastTestDate: z.iso.date(),
  vaccination: z.enum(['booster', 'complete', 'incomplete', 'none']),
});
export type StaffHealthRecord = z.infer<typeof StaffHealthRecord>;

/** Everything a kiosk syncs, through one outbox and one `records:push`. */
export const SyncRecord = z.discriminatedUnion('type', [
  EntranceRecord,
  CorrectionRecord,
  OccupancyRecord,
  VenueCheckRecord,
  DisinfectionRecord,
  StaffTemperatureRecord,
  StaffHealthRecord,
]);
export type SyncRecord = z.infer<typeof SyncRecord>;
export type SyncRecordType = SyncRecord['type'];
