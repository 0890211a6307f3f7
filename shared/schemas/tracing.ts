import { z } from 'zod';
import { Id } from './common.js';
import { PersonLabel } from './pass.js';
import { DEFAULT_STAY_MINUTES } from '../rules/tracing.js';

/**
 * Tracing (时空伴随, 003 §25, 004 §3.9; docs/security.md): an admin lists who was at venues
 * during a case's visits: the street admin in its street, a district or city admin over the venues
 * of every street it covers, in one run. The only place contact
 * numbers are ever shown; every run and export is audit-logged with its reason.
 */

/** A case's visit stays within two weeks: the incubation period the plans trace back (003 §25). */
export const MAX_VISIT_WINDOW_MS = 14 * 24 * 60 * 60_000;
export const MAX_VISITS = 20;

const Instant = z.int().min(0).max(8_640_000_000_000);

/** One (venue, window) visit of a case; times are epoch milliseconds. */
export const TracingVisit = z
  .strictObject({ venueId: Id, from: Instant, to: Instant })
  .refine((v) => v.to > v.from, { message: 'must be after from', path: ['to'] })
  .refine((v) => v.to - v.from <= MAX_VISIT_WINDOW_MS, { message: 'a window is at most 14 days; split longer ones into several visits', path: ['to'] });
export type TracingVisit = z.infer<typeof TracingVisit>;

/** POST /api/tracing and /api/tracing/export.csv. */
export const TracingQuery = z.strictObject({
  visits: z.array(TracingVisit).min(1, 'at least one visit').max(MAX_VISITS, `at most ${MAX_VISITS} visits`),
  /** How long a patron is assumed to stay when they did not tap "I have left" (0 to 24 h). */
  stayMinutes: z.int().min(0).max(24 * 60).default(DEFAULT_STAY_MINUTES),
  /** Why this run is needed (a case number, the epidemiological request): kept in the audit log. */
  reason: z.string().trim().min(4, 'state the reason (at least 4 characters)').max(500),
});
export type TracingQuery = z.infer<typeof TracingQuery>;
export type TracingQueryInput = z.input<typeof TracingQuery>;

/** One entrance record behind a row. */
export const TracingRecord = z.object({
  id: z.string(),
  kioskId: z.string(),
  /** The door's clock at the check, epoch ms. */
  at: z.int(),
  decision: z.enum(['admit', 'refuse']),
  /** Undone at the door by a correction record (it is still listed: the patron was there). */
  corrected: z.boolean(),
  /** Which person of the pass (0-based), when the record used one. */
  person: z.int().nullable(),
});
export type TracingRecord = z.infer<typeof TracingRecord>;

export const TracingRow = z.object({
  /** Visits (indices into the query's visits) this row overlaps; at least one. */
  visits: z.array(z.int().min(0)).min(1),
  venueId: Id,
  venueName: z.string(),
  /** The venue's street: a district's or the city's run spans several. */
  streetId: Id,
  streetName: z.string(),
  entranceId: z.string().nullable(),
  entranceName: z.string().nullable(),
  /**
   * `record`: an entrance record without a pass; `pass`: a pass, with the records that used it;
   * `booking`: a booking, with the records that used it, or its slot when nobody came yet.
   */
  kind: z.enum(['record', 'pass', 'booking']),
  timeIn: z.int(),
  timeOut: z.int(),
  /** True when timeOut is the patron's own "I have left", false when it is the assumed stay. */
  timeOutKnown: z.boolean(),
  /** Admitted if any (not undone) record admitted; null for a pass no door recorded. */
  decision: z.enum(['admit', 'refuse']).nullable(),
  /** Every record behind the row was undone by a correction. */
  corrected: z.boolean(),
  records: z.array(TracingRecord),
  passId: z.string().nullable(),
  passCode: z.string().nullable(),
  /** People on the pass (1 for a record without a pass). */
  people: z.int().min(1),
  /** Labels the patron gave accompanying people ("外婆"), in pass order; null where none. */
  labels: z.array(PersonLabel.nullable()),
  /** The contact number in clear, or null when none was given or it was purged after the retention period. */
  contact: z.string().nullable(),
  /** A stored number that could not be decrypted (altered, or sealed under another key file). */
  contactUnreadable: z.boolean(),
});
export type TracingRow = z.infer<typeof TracingRow>;

export const TracingResult = z.object({
  /** The hub's clock when the run was made. */
  at: z.int(),
  stayMinutes: z.int(),
  visits: z.array(z.object({ venueId: Id, venueName: z.string(), streetId: Id, streetName: z.string(), from: z.int(), to: z.int() })),
  /** The streets the run read (each visit's venue's), by name: what the audit entry names too. */
  streets: z.array(z.object({ id: Id, name: z.string() })),
  rows: z.array(TracingRow),
  /** How many rows carry a contact number in clear. */
  contactsRevealed: z.int().min(0),
});
export type TracingResult = z.infer<typeof TracingResult>;
