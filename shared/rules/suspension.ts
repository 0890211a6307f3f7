/**
 * 停业整顿 (000 §5(2)): which suspension order, if any, holds a venue at an
 * instant. Pure; the door, the flag rule and the street overview all ask here.
 */

const DAY_MS = 86_400_000;

/** An order's span, and when it was lifted early (null or absent: it was not). */
export interface SuspensionWindow {
  startsAt: number;
  endsAt: number;
  liftedAt?: number | null;
}

/** The order in force at `at`: started, not ended, not lifted before `at`. */
export function suspensionAt<S extends SuspensionWindow>(suspensions: readonly S[], at: number): S | undefined {
  return suspensions.find((s) => s.startsAt <= at && at < s.endsAt && (s.liftedAt == null || at < s.liftedAt));
}

/** An order as the hub keeps it: also when it was ordered. */
export interface OrderedSuspensionWindow extends SuspensionWindow {
  orderedAt: number;
}

/**
 * The order an admission made at `at` went against, for judging after the fact: in force at `at`
 * and already ordered by then. An order may be entered with a first day that has begun (ordered at
 * 15:00 for today); admissions before anyone ordered it broke nothing, so each order binds from
 * max(startsAt, orderedAt). The door needs no such care: it only knows orders already given.
 */
export function suspensionBinding<S extends OrderedSuspensionWindow>(suspensions: readonly S[], at: number): S | undefined {
  return suspensionAt(
    suspensions.filter((s) => s.orderedAt <= at),
    at,
  );
}

/** The venue-local date (`YYYY-MM-DD`) at `now`: an order may not start before it. */
export function venueToday(now: number, utcOffsetMinutes: number): string {
  return new Date(now + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** An order from `from` to `to` (venue-local dates, both included), as instants: the first day's midnight to the midnight after the last. */
export function suspensionSpan(from: string, to: string, utcOffsetMinutes: number): { startsAt: number; endsAt: number } {
  const midnight = (date: string) => Date.parse(`${date}T00:00:00.000Z`) - utcOffsetMinutes * 60_000;
  return { startsAt: midnight(from), endsAt: midnight(to) + DAY_MS };
}

/** Orders the door must still know at `now`: not over and not lifted (current and future ones). */
export function suspensionsAhead<S extends SuspensionWindow>(suspensions: readonly S[], now: number): S[] {
  return suspensions.filter((s) => now < s.endsAt && (s.liftedAt == null || now < s.liftedAt));
}
