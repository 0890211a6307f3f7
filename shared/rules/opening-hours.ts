import { shortenedHours, type Policy } from '../schemas/policy.js';
import type { OpeningHours, VenueRules } from '../schemas/venue.js';
import { openSince } from './flags/window.js';

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls within the venue's opening hours, in the venue's local time. */
export function isOpenAt(hours: OpeningHours, now: number, utcOffsetMinutes: number): boolean {
  if (hours === null) return true;
  const local = new Date(now + utcOffsetMinutes * 60_000);
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  if (open === close) return true; // "00:00–00:00": round the clock
  return open < close ? m >= open && m < close : m >= open || m < close;
}

/**
 * When the venue's current opening began, if it may admit people at `now` under the policy; undefined
 * while it is shut (-Infinity when it is open round the clock). It is open inside both its registered
 * hours and the window the policy shortens its type's hours to (003 §14 "缩短营业时间"), so the current
 * opening began at the later of the two starts.
 *
 * The one rule of "open" under a policy: the door's decision (decideEntry) and banner, the hub's
 * `kiosk_silent` and `admitted_while_closed` rules, the street overview and the booking slots
 * offered (slots.ts slotsOfDay) all call it.
 */
export function openSinceUnder(
  policy: Pick<Policy, 'shortenedHours'>,
  venue: Pick<VenueRules, 'type' | 'openingHours' | 'utcOffsetMinutes'>,
  now: number,
): number | undefined {
  const own = openSince(venue.openingHours, now, venue.utcOffsetMinutes);
  if (own === undefined) return undefined;
  const limit = openSince(shortenedHours(policy, venue.type), now, venue.utcOffsetMinutes);
  return limit === undefined ? undefined : Math.max(own, limit);
}

/** Whether the venue may admit people at `now` under the policy (`openSinceUnder`). */
export function isOpenUnder(
  policy: Pick<Policy, 'shortenedHours'>,
  venue: Pick<VenueRules, 'type' | 'openingHours' | 'utcOffsetMinutes'>,
  now: number,
): boolean {
  return openSinceUnder(policy, venue, now) !== undefined;
}
