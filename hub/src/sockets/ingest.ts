import { SyncRecord } from '../../../shared/schemas/record.js';
import { MAX_PUSH_BYTES, RecordsPush, type ItemResult, type PushResult } from '../../../shared/schemas/sync.js';
import { jsonBytes } from '../../../shared/rules/push-bytes.js';
import { Uuid } from '../../../shared/schemas/common.js';
import { zodToApiError, type Ack, type ApiError } from '../../../shared/schemas/errors.js';
import { FlagThresholds } from '../../../shared/schemas/policy.js';
import { policiesFor } from '../../../shared/rules/flags/policies-for.js';
import { kioskTimeRefusal } from '../../../shared/rules/kiosk-time.js';
import type { KioskIdentity } from '../store/kiosks.js';
import type { Store } from '../store/index.js';

/**
 * One `records:push` from one kiosk: validate each item on its own, refuse
 * what is not this kiosk's to send, store the rest in one transaction, and
 * answer per item. A bad item never blocks the good ones, and nothing is left
 * without an answer.
 */
export async function ingestBatch(
  store: Store,
  kiosk: KioskIdentity,
  payload: unknown,
  receivedAt: number,
): Promise<{ ack: Ack<PushResult>; accepted: SyncRecord[] }> {
  const envelope = RecordsPush.safeParse(payload);
  if (!envelope.success) {
    const error = zodToApiError(envelope.error);
    const tooBig = envelope.error.issues.some((i) => i.code === 'too_big');
    return { ack: { ok: false, error: tooBig ? { ...error, code: 'too_large' } : error }, accepted: [] };
  }
  const items = envelope.data.records;
  // An item nested deeper than any record is refused before anything measures or reads it: JSON
  // text parses at any depth, but serialising it again (to count its bytes) would overflow the
  // stack and lose the whole batch, good records included. It is counted as null below.
  const tooDeep = items.map((item) => nestedDeeperThan(item, MAX_RECORD_DEPTH));
  // Larger than a kiosk ever sends (it cuts its batches to MAX_PUSH_BYTES): refused whole, saying
  // so, or, for a single record that large alone, that record refused so the kiosk can move on.
  const bytes = jsonBytes({ records: items.map((item, i) => (tooDeep[i] ? null : item)) });
  if (bytes > MAX_PUSH_BYTES) {
    const error: ApiError = { code: 'too_large', field: 'records', message: `the push is ${bytes} bytes; at most ${MAX_PUSH_BYTES} are taken at once` };
    if (items.length > 1) return { ack: { ok: false, error }, accepted: [] };
    return { ack: { ok: true, data: { results: [rejected(0, idOf(items[0]), { ...error, field: 'records.0', message: `this record alone is ${bytes} bytes` })] } }, accepted: [] };
  }
  const results: (ItemResult | undefined)[] = new Array(items.length);
  const valid: SyncRecord[] = [];
  const validIndex: number[] = [];
  const allowance = await kioskTimeAllowance(store, kiosk.venueId);

  const late: { index: number; record: SyncRecord; reason: string }[] = [];
  items.forEach((item, index) => {
    if (tooDeep[index]) {
      results[index] = rejected(index, idOf(item), { code: 'invalid', field: `records.${index}`, message: `nested deeper than ${MAX_RECORD_DEPTH} levels; no record is` });
      return;
    }
    const parsed = SyncRecord.safeParse(item);
    if (!parsed.success) {
      // An item that is no record at all (a number, null, an array) has no field of its own: the
      // error names the item in the batch, so every rejection says where it is.
      const error = zodToApiError(parsed.error);
      results[index] = rejected(index, idOf(item), error.field ? error : { ...error, field: `records.${index}` });
      return;
    }
    const r = parsed.data;
    const denied = authorise(kiosk, r);
    if (denied) {
      results[index] = rejected(index, r.id, denied);
      return;
    }
    const refusal = kioskTimeRefusal(r.kioskTime, receivedAt, allowance);
    if (refusal) {
      late.push({ index, record: r, reason: refusal });
      return;
    }
    valid.push(r);
    validIndex.push(index);
  });

  // A record outside the allowance that the hub already holds is a resend (its ack was lost, and the
  // tablet was then offline longer than the allowance): answered as the duplicate it is, not refused.
  for (const { index, record, reason } of late) {
    results[index] = (await store.records.holds(record))
      ? { index, status: 'duplicate', id: record.id }
      : rejected(index, record.id, { code: 'invalid', field: 'kioskTime', message: `kioskTime ${record.kioskTime}: ${reason}` });
  }

  const outcomes = await store.records.ingest(valid, receivedAt);
  const accepted = valid.filter((_, k) => outcomes[k]?.status === 'accepted');
  outcomes.forEach((o, k) => {
    const index = validIndex[k]!;
    const id = valid[k]!.id;
    results[index] =
      o.status === 'conflict'
        ? rejected(index, id, { code: 'conflict', field: o.field, message: o.message })
        : { index, status: o.status, id };
  });
  return { ack: { ok: true, data: { results: results as ItemResult[] } }, accepted };
}

/** How far a kiosk time may be from its receipt, by the policy in force at the kiosk's venue (the defaults for a venue the hub no longer has). */
async function kioskTimeAllowance(store: Store, venueId: string): Promise<FlagThresholds> {
  const venue = await store.flags.facts.venue(venueId);
  if (!venue) return FlagThresholds.parse({});
  return policiesFor(await store.flags.facts.policies(), venue).active.flags;
}

/** A kiosk may only send its own records, for its own venue. */
function authorise(kiosk: KioskIdentity, r: SyncRecord): ApiError | undefined {
  if (r.kioskId !== kiosk.id) {
    return { code: 'forbidden', field: 'kioskId', message: `this connection is kiosk ${kiosk.id}, not ${r.kioskId}` };
  }
  if (r.venueId !== kiosk.venueId) {
    return { code: 'forbidden', field: 'venueId', message: `kiosk ${kiosk.id} is enrolled at venue ${kiosk.venueId}` };
  }
  return undefined;
}

/** Deeper than any record (an entrance record with a pass is four levels), with room to spare. */
export const MAX_RECORD_DEPTH = 32;

/** Whether arrays and objects nest more than `max` levels in `value`; a walk with its own stack, so any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function rejected(index: number, id: string | undefined, error: ApiError): ItemResult {
  return id === undefined ? { index, status: 'rejected', error } : { index, status: 'rejected', id, error };
}

/** The item's id if it carries a well-formed one, so the kiosk can match the rejection. */
function idOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || !('id' in item)) return undefined;
  const id = Uuid.safeParse(item.id);
  return id.success ? id.data : undefined;
}
