import type { SyncRecord } from '../schemas/record.js';
import type { VenueOccupancy } from '../schemas/sync.js';

/**
 * People inside, from one door's records of the day in sequence order
 * (the count the cap of 004 §3.3–3.5 is held against): an admission adds
 * one, undoing an admission takes it back, an exit takes `count` (never below
 * zero), a head count sets the number, closing out sets zero. A head count or a close-out supersedes the
 * admissions before it: undoing one of those afterwards changes nothing.
 *
 * At `now`, an admission stamped later than `now` is not counted inside: a clock set back (or a
 * time from nowhere) must not leave someone "inside" until the next close-out. Exits, head counts
 * and close-outs still count whenever stamped (they only lower or reset the figure). The hub
 * refuses kiosk times beyond the policy's drift allowance (rules/kiosk-time.ts), so what it holds
 * is never far ahead.
 */
export function occupancyFrom(records: readonly SyncRecord[], now = Infinity): number {
  const admitted = new Set<string>();
  let inside = 0;
  for (const r of records) {
    if (r.type === 'entrance' && now !== Infinity && Date.parse(r.kioskTime) > now) continue;
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

/**
 * One door's count as the hub keeps it running, record by record in sequence
 * order, so it never refolds the day: the same figure occupancyFrom gives over
 * the records since the door's last close-out.
 */
export interface DoorCount {
  inside: number;
  /** Seq of the last head count or close-out (0: none): undoing an admission before it changes nothing. */
  resetSeq: number;
  /** Highest seq stepped. */
  lastSeq: number;
  /**
   * Kiosk time of the head count the figure starts from, else of the earliest
   * record since the close-out (null: none). The count restarts after 36 h
   * without a close-out, so a figure older than that is counted again.
   */
  sinceMs: number | null;
}

export type DoorStep = { seq: number; ms: number } & (
  | { kind: 'admit' }
  /** An admission of this door undone; `targetSeq` is the admission's seq. */
  | { kind: 'undo'; targetSeq: number }
  | { kind: 'exit'; count: number }
  | { kind: 'headcount'; count: number }
  | { kind: 'close_out' }
  /** A record that does not change the count (a refusal, a ledger entry). */
  | { kind: 'none' }
);

export const EMPTY_DOOR: DoorCount = { inside: 0, resetSeq: 0, lastSeq: 0, sinceMs: null };

/** occupancyFrom, one record at a time. */
export function stepDoor(c: DoorCount, s: DoorStep): DoorCount {
  const lastSeq = Math.max(c.lastSeq, s.seq);
  const since = (ms: number) => (c.sinceMs === null ? ms : Math.min(c.sinceMs, ms));
  switch (s.kind) {
    case 'admit':
      return { ...c, inside: c.inside + 1, lastSeq, sinceMs: since(s.ms) };
    case 'undo':
      return { ...c, inside: s.targetSeq > c.resetSeq ? Math.max(0, c.inside - 1) : c.inside, lastSeq, sinceMs: since(s.ms) };
    case 'exit':
      return { ...c, inside: Math.max(0, c.inside - s.count), lastSeq, sinceMs: since(s.ms) };
    case 'headcount':
      return { inside: s.count, resetSeq: s.seq, lastSeq, sinceMs: s.ms };
    case 'close_out':
      return { inside: 0, resetSeq: s.seq, lastSeq, sinceMs: null };
    default:
      return { ...c, lastSeq, sinceMs: c.sinceMs };
  }
}
