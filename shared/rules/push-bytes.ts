import { MAX_PUSH_BYTES } from '../schemas/sync.js';

const encoder = new TextEncoder();

/** A value's size as JSON in UTF-8 bytes, as the socket sends it. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

/**
 * The longest prefix of `records` whose `records:push` payload (`{"records":[…]}`) fits in
 * `maxBytes`; always at least the first record, so a record too large alone is still sent once and
 * answered (the hub refuses it, naming the field) rather than held in the outbox for ever.
 * `sent` picks what of an item goes on the wire (the kiosk's outbox rows carry more).
 */
export function withinPushBytes<T>(records: readonly T[], maxBytes = MAX_PUSH_BYTES, sent: (item: T) => unknown = (item) => item): T[] {
  // '{"records":[' + ']}' and a comma between records.
  let size = 14;
  let n = 0;
  for (const r of records) {
    const next = size + jsonBytes(sent(r)) + (n > 0 ? 1 : 0);
    if (n > 0 && next > maxBytes) break;
    size = next;
    n++;
  }
  return records.slice(0, n);
}
