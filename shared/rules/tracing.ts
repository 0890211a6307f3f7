/**
 * The overlap rule of tracing (时空伴随, 003 §25, 004 §3.9; docs/inspectors-guide.md):
 * who was at a venue during a case's visit. Pure: the hub runs it over the
 * candidate rows it reads from the indices, and tests run it over every row.
 *
 * A person's presence at the venue is an interval [start, end]:
 * - an entrance record at kiosk time t: [t, end] where end is the "I have
 *   left" time of the pass it used, when known and not before t, else
 *   t + the assumed stay (the query's `stayMinutes`);
 * - a pass nobody was recorded on (scanned the code, never reached the door,
 *   or a door that has not synced yet): [issued, left ?? issued + stay];
 * - a booking nobody was recorded on: its slot [start, end], the
 *   window it was to enter in (slots last at most 4 hours, within MAX_STAY_MS);
 * - a pass (or booking) with entrance records stands for one party: it is reported once
 *   (listing it once per record would list people twice), and it overlaps
 *   when any of its records does. The row shows the hull, from its first
 *   record to the latest end among them.
 *
 * A "left" time more than MAX_STAY_MS after the entry is cut to that: a
 * patron who taps "I have left" the next day forgot to, and it must not keep
 * them "present" for days. This also bounds how far back the hub reads:
 * every interval ending at or after `from` starts at or after
 * `from - MAX_STAY_MS` (see candidateFrom).
 *
 * Refused patrons and records later undone by a correction stay in: they
 * were at the door. Including too many is the safer error here; the rows say
 * which is which so the street office can judge.
 *
 * An interval overlaps a visit window [from, to] iff start ≤ to and end ≥ from
 * (both ends inclusive: someone who left at the minute the case arrived counts).
 */

export const MINUTE_MS = 60_000;
/** Longest stay the rule assumes or believes: 24 hours. */
export const MAX_STAY_MS = 24 * 60 * MINUTE_MS;
/** Default assumed stay when the patron did not tap "I have left". */
export const DEFAULT_STAY_MINUTES = 120;

export interface VisitWindow {
  venueId: string;
  from: number;
  to: number;
}

export interface Presence {
  start: number;
  end: number;
  /** True when `end` is a patron's "I have left", false when assumed. */
  endKnown: boolean;
}

/** The presence from `start` given the pass's "left" time (or null) and the assumed stay. */
export function presenceFrom(start: number, leftAt: number | null, stayMs: number): Presence {
  if (leftAt !== null && leftAt >= start) return { start, end: Math.min(leftAt, start + MAX_STAY_MS), endKnown: leftAt <= start + MAX_STAY_MS };
  return { start, end: start + Math.min(stayMs, MAX_STAY_MS), endKnown: false };
}

/** The hull of several presences: the earliest start to the latest end (known if that end is). */
function hull(ps: readonly Presence[]): Presence {
  let h = ps[0]!;
  // Stryker disable next-line MethodExpression: the hull of the first presence with itself is that presence, so starting from it again changes nothing.
  for (const p of ps.slice(1)) {
    const last = p.end > h.end || (p.end === h.end && p.endKnown) ? p : h;
    h = { start: Math.min(h.start, p.start), end: last.end, endKnown: last.endKnown };
  }
  return h;
}

export function overlaps(p: { start: number; end: number }, w: { from: number; to: number }): boolean {
  return p.start <= w.to && p.end >= w.from;
}

/** The indices of the visits (at this venue) a presence overlaps, in order. */
export function matchingVisits(venueId: string, p: Presence, visits: readonly VisitWindow[]): number[] {
  const out: number[] = [];
  visits.forEach((v, i) => {
    if (v.venueId === venueId && overlaps(p, v)) out.push(i);
  });
  return out;
}

/**
 * A pass at the venue: the visits it overlaps (any of its records' presences,
 * or its own [issued, left] when no record names it) and the presence to show.
 */
export function matchPass(
  venueId: string,
  pass: { issuedAt: number; leftAt: number | null },
  recordTimes: readonly number[],
  stayMs: number,
  visits: readonly VisitWindow[],
): { presence: Presence; visits: number[] } {
  if (recordTimes.length === 0) {
    const presence = presenceFrom(pass.issuedAt, pass.leftAt, stayMs);
    return { presence, visits: matchingVisits(venueId, presence, visits) };
  }
  const each = recordTimes.map((t) => presenceFrom(t, pass.leftAt, stayMs));
  const matched = new Set(each.flatMap((p) => matchingVisits(venueId, p, visits)));
  return { presence: hull(each), visits: [...matched].sort((a, b) => a - b) };
}

/** The earliest kiosk or issue time a row overlapping a window starting at `from` can have. */
export function candidateFrom(from: number): number {
  return from - MAX_STAY_MS;
}

/**
 * A booking at the venue: like a pass with records (matchPass), and
 * with none, its slot is the presence — the party was due to come in then
 * (a door that has not synced yet, or a no-show: the safer error is to list it).
 */
export function matchBooking(
  venueId: string,
  slot: { start: number; end: number },
  recordTimes: readonly number[],
  stayMs: number,
  visits: readonly VisitWindow[],
): { presence: Presence; visits: number[] } {
  // Stryker disable next-line ObjectLiteral: with records matchPass reads only leftAt, and an absent one fails `leftAt >= start` in presenceFrom as null does.
  if (recordTimes.length > 0) return matchPass(venueId, { issuedAt: slot.start, leftAt: null }, recordTimes, stayMs, visits);
  const presence = { start: slot.start, end: slot.end, endKnown: false };
  return { presence, visits: matchingVisits(venueId, presence, visits) };
}
