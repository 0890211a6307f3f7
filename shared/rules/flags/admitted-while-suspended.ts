import type { RaisedFlag } from '../../schemas/flags.js';
import { suspensionBinding, type OrderedSuspensionWindow } from '../suspension.js';
import { capIds, groupBy, hourKey, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance } from './window.js';

/** An order as the rule reads it: its span, when it was ordered, whether it was lifted, and what the evidence names. */
export interface HeldSuspension extends OrderedSuspensionWindow {
  id: number;
  from: string;
  to: string;
  reason: string;
}

/**
 * `admitted_while_suspended` — admissions while an inspector's suspension
 * order holds the venue (停业整顿, 000 §5(2)): from the first day's midnight
 * at the venue to the midnight after the last, or until it was lifted, and
 * never before the order was given (an order entered for a day already begun
 * binds from the instant it was ordered: suspensionBinding). Every
 * such admission is a violation: the door was told to admit nobody (a kiosk
 * kept offline through the order still admitted; `kioskIds` says which).
 *
 * Per batch, over each venue-local hour the batch touches, judged from all
 * the hour's entrance records (so the count is the hour's, not the batch's).
 * Window: the hour, as `admitted_while_closed`.
 */
export function admittedWhileSuspended(venue: FlagVenue, entrances: readonly HeldEntrance[], suspensions: readonly HeldSuspension[]): RaisedFlag[] {
  if (suspensions.length === 0) return [];
  const inside = standingAdmissions(entrances).flatMap((e) => {
    const s = suspensionBinding(suspensions, kioskTimeMs(e));
    return s ? [{ e, s }] : [];
  });
  const byHour = groupBy(inside, ({ e }) => hourKey(kioskTimeMs(e), venue.utcOffsetMinutes));
  return [...byHour].map(([windowKey, hits]) => {
    hits.sort((a, b) => kioskTimeMs(a.e) - kioskTimeMs(b.e) || (a.e.record.id < b.e.record.id ? -1 : 1));
    const orders = [...new Map(hits.map(({ s }) => [s.id, s])).values()].sort((a, b) => a.id - b.id);
    return {
      venueId: venue.id,
      rule: 'admitted_while_suspended' as const,
      severity: 'violation' as const,
      windowKey,
      evidence: {
        recordIds: capIds(hits.map(({ e }) => e.record.id)),
        count: hits.length,
        suspensions: orders.map((s) => ({ id: s.id, from: s.from, to: s.to, reason: s.reason, liftedAt: s.liftedAt ?? null })),
        kioskIds: [...new Set(hits.map(({ e }) => e.record.kioskId))].sort(),
      },
    };
  });
}
