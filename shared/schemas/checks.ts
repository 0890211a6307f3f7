import { z } from 'zod';
import { ShortText, Temperature } from './common.js';

/**
 * The per-patron checks at the door (000 §2(2)(1), 001 §2(2), 003 §14,
 * 004 §3.8/3.10/3.11).
 *
 * Every check is either done, with its outcome, or `skipped` with the reason
 * staff gave. Skipped is its own outcome and is never stored as passed: it is
 * exactly what inspectors look for.
 */
export const Skipped = z.object({ outcome: z.literal('skipped'), reason: ShortText });

/** 扫码: the patron scanned the venue code; a patron without a phone shows paper instead (not a skip). */
export const ScanCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('scanned') }),
  z.object({ outcome: z.literal('no_phone'), shown: z.enum(['paper_itinerary', 'id_card']) }),
  Skipped,
]);

/** 体温测量 */
export const TemperatureCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('measured'), celsius: Temperature }),
  Skipped,
]);

/** 戴口罩: worn, or provided by staff at the door; refusal refuses entry. */
export const MaskCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.enum(['worn', 'provided', 'refused']) }),
  Skipped,
]);

/** 健康码 colour as shown. */
export const HealthCodeColour = z.enum(['green', 'yellow', 'red']);
export const HealthCodeCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: HealthCodeColour }),
  Skipped,
]);

/** 行程卡: the itinerary case (003 §30 for risk areas, 000/004 §3.8 for starred/other province). */
export const ItineraryCase = z.enum(['local', 'other_province', 'starred', 'medium_risk', 'high_risk']);
export const ItineraryCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: ItineraryCase }),
  Skipped,
]);

/** Negative nucleic-acid test within the policy's window, or none. */
export const TestProofCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.enum(['negative', 'none']) }),
  Skipped,
]);

/** 承诺书 (004 §3.8): signed or not. */
export const CommitmentCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.enum(['signed', 'not_signed']) }),
  Skipped,
]);

/** Vaccination status, asked when the three-code check (三码联查, 004 §3.11) is on. */
export const VaccinationStatus = z.enum(['complete', 'incomplete', 'none']);
export const VaccinationCheck = z.discriminatedUnion('outcome', [
  z.object({ outcome: VaccinationStatus }),
  Skipped,
]);

/**
 * The checks recorded for one patron. A check the policy does not ask at this
 * venue type is absent (not asked), which is not the same as skipped; which
 * door checks are asked is policy data (Policy.doorChecks).
 */
export const Checks = z.object({
  scan: ScanCheck.optional(),
  temperature: TemperatureCheck.optional(),
  mask: MaskCheck.optional(),
  healthCode: HealthCodeCheck.optional(),
  itinerary: ItineraryCheck.optional(),
  /** Asked only when the itinerary calls for it (starred / other province); absent = not asked. */
  testProof: TestProofCheck.optional(),
  commitment: CommitmentCheck.optional(),
  /** Asked only when the three-code check is on; absent = not asked. */
  vaccination: VaccinationCheck.optional(),
});
export type Checks = z.infer<typeof Checks>;
export type CheckName = keyof Checks;
/** The checks asked at the door itself, before any follow-up question. */
export const DoorCheck = z.enum(['scan', 'temperature', 'mask', 'healthCode', 'itinerary']);
export type DoorCheck = z.infer<typeof DoorCheck>;
export type ItineraryOutcome = z.infer<typeof ItineraryCase>;
export const CHECK_NAMES = [
  'scan',
  'temperature',
  'mask',
  'healthCode',
  'itinerary',
  'testProof',
  'commitment',
  'vaccination',
] as const satisfies readonly CheckName[];

/** Names of the checks recorded as skipped, in a fixed order. */
export function skippedChecks(checks: Checks): CheckName[] {
  return CHECK_NAMES.filter((name) => checks[name]?.outcome === 'skipped');
}
