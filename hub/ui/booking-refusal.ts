/**
 * What the booking pages say when the hub refuses (never the hub's English):
 * every answer POST /api/bookings and its cancel can give, by status, code and
 * field, mapped to the patron's words (hub/src/pages/patron-text.ts keys,
 * sent in the page's data-texts). The hub's English message is for logs and
 * is never shown. Pure, so tests check it against the texts.
 */
export type RefusalKey =
  | 'networkError'
  | 'bookRateLimited'
  | 'bookServerError'
  | 'bookTicketExpired'
  | 'bookFull'
  | 'bookSlotClosed'
  | 'bookPolicyClosed'
  | 'bookOffText'
  | 'bookPhoneLimit'
  | 'invalidField'
  | 'venueMissingText'
  | 'cancelStarted'
  | 'cancelUsed'
  | 'bookingMissingText';

export interface Refusal {
  key: RefusalKey;
  /** The form field to mark; none: said under the form. */
  field?: string;
  /** The page's slots (and ticket) are stale: fetch them again. */
  refresh?: boolean;
}

interface Answer {
  status: number;
  code?: string | undefined;
  field?: string | undefined;
}

/** The first text of a refusal of POST /api/bookings. */
export function bookingRefusal({ status, code, field }: Answer): Refusal {
  if (status === 429) return { key: 'bookRateLimited' };
  if (status === 410) return { key: 'bookTicketExpired', refresh: true };
  if (status === 404) return { key: 'venueMissingText' };
  if (status === 409) {
    if (field === 'slotStart') return { key: 'bookFull', field, refresh: true };
    if (field === 'policy') return { key: 'bookPolicyClosed' };
    if (field === 'phone') return { key: 'bookPhoneLimit', field };
    if (field === 'venueId') return { key: 'bookOffText' };
  }
  if (status === 400 && code === 'invalid') {
    // A start the venue no longer offers (begun past its grace, beyond the days ahead): the list was stale.
    if (field === 'slotStart') return { key: 'bookSlotClosed', field, refresh: true };
    if (field === 'ticket') return { key: 'bookTicketExpired', refresh: true };
    if (field) return { key: 'invalidField', field };
  }
  return { key: 'bookServerError' };
}

/** The text of a refusal of POST /api/bookings/:id/cancel. */
export function cancelRefusal({ status, code }: Answer): Refusal {
  if (status === 429) return { key: 'bookRateLimited' };
  if (status === 404) return { key: 'bookingMissingText' };
  // 'expired': the door's entry window has opened; 'conflict': someone was admitted on it.
  if (status === 409) return { key: code === 'expired' ? 'cancelStarted' : 'cancelUsed' };
  return { key: 'bookServerError' };
}

/** Every key either function can answer, for the page's data-texts. */
export const REFUSAL_KEYS: readonly RefusalKey[] = [
  'networkError',
  'bookRateLimited',
  'bookServerError',
  'bookTicketExpired',
  'bookFull',
  'bookSlotClosed',
  'bookPolicyClosed',
  'bookOffText',
  'bookPhoneLimit',
  'invalidField',
  'venueMissingText',
  'cancelStarted',
  'cancelUsed',
  'bookingMissingText',
];

/** Seconds from a Retry-After header (seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const n = Number(header);
  if (Number.isFinite(n)) return Math.max(1, Math.ceil(n));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}
