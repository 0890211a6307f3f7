import { z } from 'zod';
import { Checks } from './checks.js';
import { Id, Seq, Timestamp, Uuid } from './common.js';

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
]);
export type ReasonCode = z.infer<typeof ReasonCode>;

/**
 * One patron at one entrance: every check's outcome and the decision.
 * `id` is made by the kiosk; `(kioskId, seq)` is the kiosk's own gap-free
 * counter. Either identifies the record, so a resend is recognised.
 */
export const EntranceRecord = z
  .object({
    type: z.literal('entrance'),
    id: Uuid,
    venueId: Id,
    kioskId: Id,
    seq: Seq,
    kioskTime: Timestamp,
    policyVersion: z.int().min(1),
    checks: Checks,
    decision: z.enum(['admit', 'refuse']),
    reasons: z.array(ReasonCode).max(ReasonCode.options.length),
  })
  .refine((r) => (r.decision === 'refuse') === r.reasons.length > 0, {
    path: ['reasons'],
    message: 'a refusal needs at least one reason and an admission none',
  });
export type EntranceRecord = z.infer<typeof EntranceRecord>;

/**
 * Everything a kiosk syncs. Ledgers and occupancy events (issue 4) join this
 * union and travel through the same outbox and the same `records:push`.
 */
export const SyncRecord = z.discriminatedUnion('type', [EntranceRecord]);
export type SyncRecord = z.infer<typeof SyncRecord>;
