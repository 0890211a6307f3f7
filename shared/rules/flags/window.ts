import type { Policy } from '../../schemas/policy.js';
import type { EntranceRecord } from '../../schemas/record.js';
import type { OpeningHours, VenueRules } from '../../schemas/venue.js';

/**
 * What every flag rule shares: the venue as the rules see it, entrance
 * records as the hub holds them, and the windows a flag is de-duplicated by
 * (one open flag per venue, rule and window). Windows are read in
 * the venue's local time, as an inspector reads the log.
 */

/** The venue a rule judges: its door rules and its id. */
export interface FlagVenue extends VenueRules {
  id: string;
}

/** An entrance record as the hub keeps it: when it arrived, and whether a later correction undid it. */
export interface HeldEntrance {
  record: EntranceRecord;
  receivedAt: number;
  corrected: boolean;
}

/** The policy a record was decided under, by its version (the hub falls back to the one in force). */
export type PolicyOf = (version: number) => Policy;
/** The policy the street had in force at an instant (the hub's activation history). */
export type PolicyAt = (ms: number) => Policy;

/** Evidence names at most this many record ids: enough to open, small enough to push. */
export const EVIDENCE_IDS_MAX = 50;
export const capIds = (ids: readonly string[]): string[] => [...new Set(ids)].slice(0, EVIDENCE_IDS_MAX);

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const local = (ms: number, offsetMinutes: number) => new Date(ms + offsetMinutes * 60_000);

/** `2026-11-23T14`: the venue-local hour of an instant. */
export const hourKey = (ms: number, offsetMinutes: number): string => local(ms, offsetMinutes).toISOString().slice(0, 13);
/** `2026-11-23`: the venue-local day of an instant. */
export const dayKey = (ms: number, offsetMinutes: number): string => local(ms, offsetMinutes).toISOString().slice(0, 10);

/** Start (ms) of the venue-local hour holding `ms` (offsets that are not whole hours included). */
export const hourStart = (ms: number, offsetMinutes: number): number =>
  Math.floor((ms + offsetMinutes * 60_000) / HOUR_MS) * HOUR_MS - offsetMinutes * 60_000;

/** Start (ms) of the venue-local day holding `ms`. */
export const dayStart = (ms: number, offsetMinutes: number): number =>
  Math.floor((ms + offsetMinutes * 60_000) / DAY_MS) * DAY_MS - offsetMinutes * 60_000;

/** `2026-W48`: the ISO week (Monday first) of the venue-local day holding `ms`. */
export function weekKey(ms: number, offsetMinutes: number): string {
  const d = local(ms, offsetMinutes);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  // The Thursday of this week decides the ISO year.
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Start (ms) of the venue-local ISO week (Monday 00:00) holding `ms`. */
export function weekStart(ms: number, offsetMinutes: number): number {
  const start = dayStart(ms, offsetMinutes);
  const day = (local(start, offsetMinutes).getUTCDay() + 6) % 7;
  return start - day * DAY_MS;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When the venue's current opening began, if it is open at `now`;
 * -Infinity when it never closes, undefined when it is closed.
 */
export function openSince(hours: OpeningHours, now: number, offsetMinutes: number): number | undefined {
  if (hours === null) return -Infinity;
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  if (open === close) return -Infinity;
  const midnight = dayStart(now, offsetMinutes);
  const m = Math.floor((now - midnight) / 60_000);
  if (open < close) return m >= open && m < close ? midnight + open * 60_000 : undefined;
  if (m >= open) return midnight + open * 60_000;
  return m < close ? midnight - DAY_MS + open * 60_000 : undefined;
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Counts per name, for evidence (`{ temperature: 3, mask: 1 }`). */
export function tally(names: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

/** Admissions that stand: admitted and not undone by a correction. */
export const standingAdmissions = (entrances: readonly HeldEntrance[]): HeldEntrance[] =>
  entrances.filter((e) => e.record.decision === 'admit' && !e.corrected);

export const kioskTimeMs = (e: HeldEntrance): number => Date.parse(e.record.kioskTime);
