import { z } from 'zod';
import { Id, ShortText } from './common.js';
import { Note } from './flags.js';

/**
 * 停业整顿 (000 §5(2)): an inspector's order that one venue admit nobody
 * from one venue-local date to another (both days included), with the reason
 * the door shows. Ordering it and lifting it early are audit-logged; its
 * kiosks are told at once and keep it offline (docs/inspectors-guide.md
 * "Suspending a venue").
 */

/** A venue-local calendar date, `YYYY-MM-DD`, in the years a street office works in. */
const OrderDate = z.iso.date().refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'a date between 2000 and 2100');

/** POST /api/venues/:id/suspensions: the order. */
export const SuspensionOrder = z
  .strictObject({ from: OrderDate, to: OrderDate, reason: Note })
  .refine((o) => o.to >= o.from, { path: ['to'], message: 'the last day is on or after the first' });
export type SuspensionOrder = z.infer<typeof SuspensionOrder>;

/** POST /api/suspensions/:id/lift: lifting an order before its last day is over, with why. */
export const SuspensionLift = z.strictObject({ note: Note });
export type SuspensionLift = z.infer<typeof SuspensionLift>;

/** An order as the door needs it: when it starts and ends (ms, venue-local midnights) and what to show. */
export const DoorSuspension = z.object({
  id: z.int().min(1),
  venueId: Id,
  from: z.iso.date(),
  to: z.iso.date(),
  /** Venue-local midnight starting `from`. */
  startsAt: z.int(),
  /** Venue-local midnight ending `to`. */
  endsAt: z.int(),
  reason: ShortText.pipe(z.string().max(1000)),
});
export type DoorSuspension = z.infer<typeof DoorSuspension>;

/** An order as the hub keeps it: who ordered it, and whether and why it was lifted early. */
export const Suspension = DoorSuspension.extend({
  orderedAt: z.int(),
  orderedBy: z.string().nullable(),
  liftedAt: z.int().nullable(),
  liftedBy: z.string().nullable(),
  liftNote: z.string().nullable(),
});
export type Suspension = z.infer<typeof Suspension>;

/**
 * `suspensions:venue`: the venue's orders not yet over and not lifted, sent
 * on connect and whenever one is ordered or lifted. The list replaces what
 * the door kept, so a lift reaches a tablet that was offline through it.
 */
export const VenueSuspensions = z.object({ venueId: Id, suspensions: z.array(DoorSuspension).max(100) });
export type VenueSuspensions = z.infer<typeof VenueSuspensions>;
