/**
 * An instant as ISO 8601 in local time with its offset, e.g.
 * 2026-11-23T18:30:05.123+08:00, so a record shows the wall-clock time at
 * the door and still names one instant. `offsetMinutes` is east of UTC
 * (the negation of Date#getTimezoneOffset).
 */
export function toIsoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
