import { z } from 'zod';
import { ApiError, MAX_RETRY_AFTER_MS } from './errors.js';
import { Uuid } from './common.js';

/** Largest batch a kiosk may push at once; the hub refuses larger ones whole. */
export const MAX_BATCH = 500;

/**
 * Largest `records:push` payload, as JSON in UTF-8 bytes: the kiosk cuts its batches to fit
 * (shared/rules/push-bytes.ts), and the hub answers a larger one `too_large` on field `records`.
 * The socket's own buffer (the hub's `maxHttpBufferSize`) is `PUSH_BUFFER_BYTES`, above it, so a
 * push between the two is answered rather than cutting the connection.
 */
export const MAX_PUSH_BYTES = 1_000_000;
export const PUSH_BUFFER_BYTES = 4 * MAX_PUSH_BYTES;

/**
 * `records:push` payload. Items are checked one by one against SyncRecord on
 * the hub, so one malformed record is reported and the others are stored.
 */
export const RecordsPush = z.object({
  records: z.array(z.unknown()).min(1).max(MAX_BATCH),
});
export type RecordsPush = z.infer<typeof RecordsPush>;

/** The hub's verdict on one item of a batch, by its index in the batch. */
export const ItemResult = z.discriminatedUnion('status', [
  z.object({ index: z.int().min(0), status: z.literal('accepted'), id: Uuid }),
  z.object({ index: z.int().min(0), status: z.literal('duplicate'), id: Uuid }),
  z.object({
    index: z.int().min(0),
    status: z.literal('rejected'),
    id: Uuid.optional(),
    error: ApiError,
  }),
]);
export type ItemResult = z.infer<typeof ItemResult>;

export const PushResult = z.object({
  results: z.array(ItemResult),
  /**
   * Backpressure: the hub stored this batch but is behind; the kiosk waits
   * this long before its next batch (docs/architecture.md "Backpressure").
   */
  retryAfterMs: z.int().min(0).max(MAX_RETRY_AFTER_MS).optional(),
});
export type PushResult = z.infer<typeof PushResult>;

/** What the kiosk sends in the socket.io handshake (`auth`). */
export const KioskAuth = z.object({
  token: z.string().min(20).max(200),
  /** The hub time of the last "I have left" the kiosk has seen; the hub sends the ones after it. */
  leftSince: z.int().min(0).optional(),
  /**
   * Its app version, backlog and clock; optional so an older kiosk app
   * still connects. Left unparsed here: the hub checks it on its own with
   * KioskStatus and ignores it when malformed, so a bad report never gets a
   * valid token refused (which the tablet would take for a revocation).
   */
  status: z.unknown().optional(),
});
export type KioskAuth = z.infer<typeof KioskAuth>;

/** `policy:ack` payload: the version the kiosk now enforces. */
export const PolicyAck = z.object({ version: z.int().min(1) });
export type PolicyAck = z.infer<typeof PolicyAck>;

/**
 * People inside a venue per entrance, as the hub last counted them from every
 * kiosk's records (`occupancy:venue`). A kiosk adds the other entrances to its
 * own count, so the cap holds for the venue, not the door.
 */
export const VenueOccupancy = z.object({
  venueId: z.string(),
  entrances: z.array(z.object({ kioskId: z.string(), entranceName: z.string(), inside: z.int().min(0) })),
  at: z.string(),
});
export type VenueOccupancy = z.infer<typeof VenueOccupancy>;
