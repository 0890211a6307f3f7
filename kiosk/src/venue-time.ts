import { dayStart } from '../../shared/rules/flags/window.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';

/**
 * Midnight at the venue of the day `now` falls in. The hub counts a venue's
 * day in the venue's zone (`VenueRules.utcOffsetMinutes`), so the door's today
 * list does too, whatever zone the tablet itself is set to.
 */
export function startOfDay(now: number, utcOffsetMinutes: number): number {
  return dayStart(now, utcOffsetMinutes);
}

/** `HH:MM:SS` at the venue of an instant the kiosk wrote, as the today list shows it. */
export function venueClock(kioskTime: string, utcOffsetMinutes: number): string {
  return toIsoWithOffset(Date.parse(kioskTime), utcOffsetMinutes).slice(11, 19);
}
