import type { SyncRecord } from '../schemas/record.js';
import type { VenueOccupancy } from '../schemas/sync.js';

/**
 * People inside, from one door's records of the day in sequence order
 * (the count the cap of 004 §3.3–3.5 is held against): an admission adds
 * one, undoing an admission takes it back, an exit takes `count` (never below
 * zero), a head count sets the number, closing out sets zero. A head count or a close-out supersedes the
 * admissions before it: undoing one of those afterwards changes nothing.
 */
export function occupancyFrom(records: readonly SyncRecord[]): number {
  const admitted = new Set<string>();
  let inside = 0;
  for (const r of records) {
    switch (r.type) {
      case 'entrance':
        if (r.decision === 'admit') {
          admitted.add(r.id);
          inside += 1;
        }
        break;
      case 'correction':
        if (admitted.delete(r.correctsId)) inside = Math.max(0, inside - 1);
        break;
      case 'occupancy':
        if (r.kind === 'exit') {
          inside = Math.max(0, inside - r.count);
        } else {
          inside = r.kind === 'headcount' ? r.count : 0;
          admitted.clear();
        }
        break;
      // Stryker disable next-line ConditionalExpression: the last case only breaks, so without it other records fall out of the switch just the same.
      default:
        break;
    }
  }
  return inside;
}

/** Records corrected (undone) by a later correction record in the list. */
export function correctedIds(records: readonly SyncRecord[]): Set<string> {
  return new Set(records.flatMap((r) => (r.type === 'correction' ? [r.correctsId] : [])));
}

/**
 * Inside the whole venue, as this kiosk sees it: its own count (always
 * current, even offline) plus the other entrances as the hub last counted them.
 */
export function venueInside(ownInside: number, ownKioskId: string, others: VenueOccupancy | undefined): number {
  return ownInside + (others?.entrances.filter((e) => e.kioskId !== ownKioskId).reduce((n, e) => n + e.inside, 0) ?? 0);
}
