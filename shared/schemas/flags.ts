import { z } from 'zod';
import { Id, ShortText } from './common.js';

/**
 * Compliance flags: the signals that a venue skips checks
 * (docs/inspectors-guide.md "Flags"), each raised by a named rule in
 * shared/rules/flags/ that names its seed section,
 * stored with its evidence, one open flag per venue, rule and window.
 */
export const FlagRule = z.enum([
  'skipped_check',
  'admitted_despite_risk',
  'scans_below_admissions',
  'invented_temperatures',
  'kiosk_silent',
  'over_capacity',
  'admitted_while_closed',
  'ledger_not_kept',
  'staff_health',
  'clock_skew',
  'pass_reused',
  'pass_unknown',
  'slot_over_cap',
  'admitted_without_booking',
  'missing_check',
  'no_phone_share',
  'admitted_while_suspended',
]);
export type FlagRule = z.infer<typeof FlagRule>;

export const Severity = z.enum(['info', 'warning', 'violation']);
export type Severity = z.infer<typeof Severity>;

/**
 * A flag's life: open → acknowledged → rectification ordered (deadline) →
 * rectified (after a visit) or escalated. `withdrawn`: the evidence went away
 * (an admission undone).
 */
export const FlagStatus = z.enum(['open', 'acknowledged', 'rectification_ordered', 'rectified', 'escalated', 'withdrawn']);
export type FlagStatus = z.infer<typeof FlagStatus>;

/** A flag as a rule raises it, before it is stored. */
export const RaisedFlag = z.object({
  venueId: Id,
  rule: FlagRule,
  severity: Severity,
  /** The window it covers, e.g. `2026-11-23T14` (an hour) or `2026-W47` (a week); one open flag per window. */
  windowKey: z.string().min(1).max(100),
  /** Record ids, counts and figures that triggered it: what an inspector opens. */
  evidence: z.record(z.string(), z.unknown()),
});
export type RaisedFlag = z.infer<typeof RaisedFlag>;

export const Flag = RaisedFlag.extend({
  id: z.int(),
  venueName: z.string(),
  communityId: Id,
  status: FlagStatus,
  openedAt: z.int(),
  updatedAt: z.int(),
  /** Rectification deadline (ms), once ordered. */
  deadline: z.int().nullable(),
  note: z.string().nullable(),
});
export type Flag = z.infer<typeof Flag>;

/** Free text an inspector writes (a note, a finding). Plain text; shown escaped. */
export const Note = ShortText.pipe(z.string().max(1000));

/** POST /api/flags/:id/actions: acting on a flag (000 §5: warn, order rectification, escalate). */
export const FlagAction = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge') }),
  z.strictObject({ action: z.literal('order_rectification'), deadline: z.iso.date(), note: Note }),
  z.strictObject({ action: z.literal('mark_rectified'), visitedAt: z.iso.datetime({ offset: true }), note: Note }),
  z.strictObject({ action: z.literal('escalate'), note: Note }),
  /** A false signal (a 24-hour venue's quiet night, a lapse undone): closed with the inspector's reason, kept, audit-logged. */
  z.strictObject({ action: z.literal('withdraw'), note: Note }),
]);
export type FlagAction = z.infer<typeof FlagAction>;
