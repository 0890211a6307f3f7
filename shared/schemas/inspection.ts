import { z } from 'zod';
import { Id, ShortText } from './common.js';

/**
 * The on-site inspection (000 §3 "逐一过滤", the inspection ledger 台账): an
 * inspector at a venue goes through what 000 §2(2) names and marks each point
 * passed, failed or not applicable, with a note where it helps. The hub stamps
 * the time (its own clock) and the inspector (the signed-in account). An
 * inspection may close rectifications of the venue that it saw put right
 * (docs/inspectors-guide.md "On-site inspection").
 */

/**
 * What is checked at the venue, in the order of 000 §2(2): the entrance checks
 * as the log says they are done (扫码 / 测温 / 戴口罩, (1)), the one-metre line
 * ((1)), notices posted (公示, 002), the ledgers kept (台账, (2)–(3)), staff
 * tests and health monitoring ((2)), named officers (防疫专员、消毒专员, (4)).
 */
export const InspectionItem = z.enum([
  'entrance_scan',
  'entrance_temperature',
  'entrance_mask',
  'one_metre_line',
  'notices_posted',
  'ledgers_kept',
  'staff_tests',
  'named_officers',
]);
export type InspectionItem = z.infer<typeof InspectionItem>;
export const INSPECTION_ITEMS = InspectionItem.options;

export const InspectionResult = z.enum(['pass', 'fail', 'not_applicable']);
export type InspectionResult = z.infer<typeof InspectionResult>;

const InspectionNote = ShortText.pipe(z.string().max(500));

/** One point of the checklist: its result and, optionally, what the inspector saw. */
export const InspectionCheck = z.strictObject({ result: InspectionResult, note: InspectionNote.optional() });
export type InspectionCheck = z.infer<typeof InspectionCheck>;

/** Every point of the checklist, each once: a missing or unknown point is named by its field (`items.one_metre_line`). */
export const InspectionChecks = z.strictObject(
  Object.fromEntries(INSPECTION_ITEMS.map((i) => [i, InspectionCheck])) as Record<InspectionItem, typeof InspectionCheck>,
);
export type InspectionChecks = z.infer<typeof InspectionChecks>;

/** At most this many rectifications closed by one inspection. */
export const MAX_CLOSED_PER_INSPECTION = 50;

/** POST /api/venues/:id/inspections: the filled checklist. */
export const InspectionSubmit = z.strictObject({
  /**
   * The form's own id for this filling-in (a UUID the dashboard makes when the checklist opens):
   * saving again after a reply was lost (a phone in the field) answers the inspection already
   * stored rather than storing it twice.
   */
  clientId: z.uuid().optional(),
  items: InspectionChecks,
  note: InspectionNote.optional(),
  /** Flags of this venue whose rectification the inspector saw done (整改已完成): each is closed as rectified. */
  closes: z
    .array(z.int().min(1))
    .max(MAX_CLOSED_PER_INSPECTION)
    .refine((ids) => new Set(ids).size === ids.length, 'each rectification once')
    .default([]),
});
export type InspectionSubmit = z.input<typeof InspectionSubmit>;

/** An inspection as the hub keeps it. */
export const Inspection = z.object({
  id: z.int().min(1),
  venueId: Id,
  /** When (ms, the hub's clock when it was stored). */
  at: z.int(),
  inspectorId: z.string().nullable(),
  inspectorName: z.string().nullable(),
  items: InspectionChecks,
  /** The points marked failed, in checklist order. */
  failed: z.array(InspectionItem),
  note: z.string().nullable(),
  /** The flags this inspection closed as rectified. */
  closed: z.array(z.int().min(1)),
});
export type Inspection = z.infer<typeof Inspection>;

/** GET /api/venues/:id/inspections: newest first. */
export const InspectionList = z.object({ items: z.array(Inspection) });
export type InspectionList = z.infer<typeof InspectionList>;

/** The failed points of a checklist, in checklist order. */
export const failedItems = (items: InspectionChecks): InspectionItem[] => INSPECTION_ITEMS.filter((i) => items[i].result === 'fail');
