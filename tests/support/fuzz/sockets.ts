import fc from 'fast-check';
import { z } from 'zod';
import { PassKey } from '../../../shared/schemas/pass.js';
import { KioskStatus, RetireRequest } from '../../../shared/schemas/kiosk-admin.js';
import { SyncRecord } from '../../../shared/schemas/record.js';
import { PolicyAck } from '../../../shared/schemas/sync.js';
import { ApiError } from '../../../shared/schemas/errors.js';
import { io, type Socket } from 'socket.io-client';
import { KIOSK_NAMESPACE } from '../../../shared/events.js';
import { expandDeep, hostileValue, jsonSchemaOf, payloadFor, shaped } from './arbitraries.js';

/**
 * What the fuzz suite sends on each event a kiosk socket listens to. The suite reads the events
 * from the hub's own socket (`eventNames()`), and fails on one missing here: a new event is fuzzed
 * or the suite says so.
 */
export const KIOSK_EVENTS: Record<string, { schema: z.ZodType; ack: boolean; /** Sent on a spare kiosk: it can end the tablet's service. */ spare?: boolean }> = {
  // Generated as a batch of SyncRecord items (the envelope itself takes any item and checks each).
  'records:push': { schema: z.object({ records: z.array(SyncRecord).min(1).max(8) }), ack: true },
  'policy:ack': { schema: PolicyAck, ack: true },
  'pass:lookup': { schema: PassKey, ack: true },
  'kiosk:status': { schema: KioskStatus, ack: false },
  'kiosk:retire': { schema: RetireRequest, ack: true, spare: true },
};

/** Every acknowledgement: `{ ok: true, data }` or `{ ok: false, error }` (STYLE.md "Sockets"). */
export const AckShape = z.union([z.strictObject({ ok: z.literal(true), data: z.unknown() }), z.strictObject({ ok: z.literal(false), error: ApiError })]);

/** Payloads for an event: from its schema, or anything. */
export const eventPayload = (schema: z.ZodType): fc.Arbitrary<unknown> => payloadFor(schema);

/** Event names no handler listens to, including ones that name Object.prototype's members. */
export const unknownEvent: fc.Arbitrary<string> = fc.constantFrom('records:pull', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'message', 'policy:update', 'kiosk:revoked', 'x'.repeat(1000));

/** An RFC 4122 version-4 UUID made from a counter: unique within the run, and deterministic. */
export function counterUuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * Records a kiosk may store: generated from SyncRecord's shape with hostile values that still fit
 * (unicode at its length limits, numbers at their bounds), made this kiosk's own (ids, venue, a
 * fresh id and seq, the kiosk's clock at `now`, by default the wall clock's), and kept only when
 * SyncRecord accepts them.
 */
export function goodRecords(kiosk: { id: string; venueId: string }, next: () => number, now?: number): fc.Arbitrary<SyncRecord> {
  const js = jsonSchemaOf(SyncRecord);
  return shaped(js, 'keep')
    .map((r) => {
      const n = next();
      return { ...(r as object), id: counterUuid(n), seq: n, kioskId: kiosk.id, venueId: kiosk.venueId, kioskTime: new Date(now ?? Date.now()).toISOString() };
    })
    .filter((r) => SyncRecord.safeParse(r).success) as fc.Arbitrary<SyncRecord>;
}

/** Items SyncRecord refuses: broken shapes of a record, and anything at all. */
export const badRecords: fc.Arbitrary<unknown> = fc
  .oneof({ arbitrary: shaped(jsonSchemaOf(SyncRecord), 'break'), weight: 3 }, { arbitrary: hostileValue, weight: 1 })
  .filter((r) => !SyncRecord.safeParse(r).success);

/**
 * Makes the client's packets carry real deep nesting where a payload holds DEEP_MARK: the text is
 * expanded after the client encoded it (the client cannot serialise such nesting itself).
 */
export function sendDeepNesting(socket: Socket): void {
  const encoder = (socket.io as unknown as { encoder: { encode(p: unknown): unknown[] } }).encoder;
  const encode = encoder.encode.bind(encoder);
  encoder.encode = (packet) => encode(packet).map((part) => (typeof part === 'string' ? expandDeep(part) : part));
}

/**
 * A kiosk socket on a connection of its own (a retired tablet's connection is closed by the hub,
 * and must not take the suite's main kiosk socket with it), with deep nesting sent as such.
 */
export function connectSpareKiosk(url: string, token: string): Promise<Socket> {
  const socket = io(`${url}${KIOSK_NAMESPACE}`, { auth: { token }, forceNew: true, reconnection: false, transports: ['websocket'] });
  sendDeepNesting(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/**
 * A handshake on a namespace with this `auth` (a kiosk's) or these headers (a dashboard's cookie):
 * connected (then closed), or refused with the `connect_error`'s data.
 */
export function handshake(
  url: string,
  namespace: string,
  { auth = {}, headers = {} }: { auth?: Record<string, unknown>; headers?: Record<string, string> },
): Promise<{ connected: true } | { connected: false; data: unknown; message: string }> {
  const socket = io(`${url}${namespace}`, { auth, extraHeaders: headers, forceNew: true, reconnection: false, transports: ['websocket'], autoConnect: false });
  sendDeepNesting(socket);
  socket.connect();
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve({ connected: true });
    });
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      resolve({ connected: false, data: err.data, message: err.message });
    });
  });
}
