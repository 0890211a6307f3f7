import { currentLang, t } from './i18n.js';

/** Dates and numbers as the dashboard shows them. Instants (ms) show in the browser's time zone. */

const pad = (n: number) => String(n).padStart(2, '0');

export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function todayIso(): string {
  return isoDate(new Date());
}

/** Today at a venue (its UTC offset), whatever the browser's zone: a venue's day log, orders and ledgers are the venue's days. */
export function venueTodayIso(offsetMinutes: number, now = Date.now()): string {
  return new Date(now + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

export function fmtDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${isoDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fmtDate(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : isoDate(new Date(ms));
}

/** How long ago, in words, for "last seen". */
export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return t('never');
  const min = Math.floor((now - ms) / 60_000);
  if (min < 1) return t('justNow');
  if (min < 60) return t('minutesAgo', { n: min });
  if (min < 48 * 60) return t('hoursAgo', { n: Math.floor(min / 60) });
  return fmtDate(ms);
}

/** A rate 0..1 as a percentage. */
export function pct(rate: number | null | undefined, digits = 1): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(digits)} %`;
}

export function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString(currentLang(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The wall-clock time at the door, as the kiosk wrote it (ISO with offset). */
export function kioskClock(kioskTime: string): string {
  return kioskTime.slice(11, 19);
}

/** China Standard Time; the venue payload does not carry its offset (yet). */
export const DEFAULT_OFFSET_MIN = 480;

/** An instant from a venue-local date and "HH:MM". */
export function venueInstant(date: string, hhmm: string, offsetMinutes = DEFAULT_OFFSET_MIN): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, hh, mm) - offsetMinutes * 60_000;
}

/** ISO week (YYYY-Www) of a date. */
export function isoWeek(d: Date): string {
  const day = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow);
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${pad(week)}`;
}

/** The Monday of an ISO week, as a local date. */
function weekMonday(week: string): Date {
  const [y, w] = week.split('-W').map(Number) as [number, number];
  const jan4 = new Date(y, 0, 4);
  const monday = new Date(y, 0, 4 - ((jan4.getDay() || 7) - 1) + (w - 1) * 7);
  return monday;
}

/** Monday and Sunday of an ISO week, as dates. */
export function weekRange(week: string): [string, string] {
  const m = weekMonday(week);
  const sunday = new Date(m);
  sunday.setDate(m.getDate() + 6);
  return [isoDate(m), isoDate(sunday)];
}

export function shiftWeek(week: string, deltaWeeks: number): string {
  const m = weekMonday(week);
  m.setDate(m.getDate() + deltaWeeks * 7);
  return isoWeek(m);
}

/** The last full week: the one before the week we are in. */
export function lastFullWeek(now = new Date()): string {
  return shiftWeek(isoWeek(now), -1);
}

/**
 * An instant as ISO 8601 with this browser's offset, e.g. 2026-11-23T18:30:00+08:00.
 * Same as shared/rules/time.ts toIsoWithOffset; not imported, because a module
 * shared with the patron page would become a chunk of its own in the build.
 */
export function localIsoWithOffset(ms: number): string {
  const offset = -new Date(ms).getTimezoneOffset();
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
