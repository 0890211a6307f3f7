import { v7 as uuidv7 } from 'uuid';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import { SyncRecord as SyncRecordSchema, type SyncRecord } from '../../shared/schemas/record.js';
import { RecordingLocked, saveRecord, type Enrolment, type PassUpdate, type PassUseRecord, type Shift, type StoredRecord } from './db.js';
import { t } from './i18n.js';

type Base = 'id' | 'venueId' | 'kioskId' | 'seq' | 'kioskTime' | 'operatorId';
/** The part of a record that is its own: everything but the fields every record carries. */
export type RecordBody = SyncRecord extends infer R ? (R extends SyncRecord ? Omit<R, Base> : never) : never;

/**
 * Saves any kiosk record (entrance, correction, occupancy, ledgers) with the
 * fields every record carries, committed to IndexedDB before it resolves.
 * With a pass update the body may depend on the pass's state in that same
 * transaction (an exit counts the people admitted on the pass).
 */
export function saveDoorRecord(enrolment: Enrolment, shift: Shift, body: RecordBody, now?: number): Promise<StoredRecord>;
export function saveDoorRecord(
  enrolment: Enrolment,
  shift: Shift,
  body: RecordBody | ((pass: PassUseRecord | undefined) => RecordBody),
  now: number,
  pass: PassUpdate,
): Promise<StoredRecord | undefined>;
export function saveDoorRecord(
  enrolment: Enrolment,
  shift: Shift,
  body: RecordBody | ((pass: PassUseRecord | undefined) => RecordBody),
  now = Date.now(),
  pass?: PassUpdate,
): Promise<StoredRecord | undefined> {
  const make = (seq: number, state: PassUseRecord | undefined) =>
    ({
      ...(typeof body === 'function' ? body(state) : body),
      // Time-ordered (RFC 9562 v7, from the record's own instant): the hub's unique id indices then
      // grow at their end instead of at random pages, which keeps ingest flat as the file grows
      // (docs/benchmarks.md). uuid draws on getRandomValues, which a plain-HTTP LAN page also has.
      id: uuidv7({ msecs: now }),
      venueId: enrolment.venue.id,
      kioskId: enrolment.kioskId,
      seq,
      kioskTime: toIsoWithOffset(now, -new Date(now).getTimezoneOffset()),
      operatorId: shift.staffId,
    }) as SyncRecord;
  return pass ? saveRecord(make, now, pass) : saveRecord(make, now);
}

/**
 * Why a record was not saved, in the kiosk's language: the tablet is retiring
 * (recording is locked until it is wiped or the retirement fails), or
 * the browser's storage failed (its own message, the only detail there is).
 */
export function saveFailedText(err: unknown): string {
  if (err instanceof RecordingLocked) return t('retiringNoRecord');
  return `${t('saveFailed')} ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Validates a record body with the shared schema before it is saved, so a
 * form shows the field at fault instead of the hub rejecting it later.
 */
export function validateBody(body: RecordBody): { ok: true } | { ok: false; errors: Record<string, string> } {
  const probe = {
    ...body,
    id: '00000000-0000-4000-8000-000000000000',
    venueId: 'probe',
    kioskId: 'probe',
    seq: 1,
    kioskTime: new Date().toISOString(),
    operatorId: 'probe',
  };
  const parsed = SyncRecordSchema.safeParse(probe);
  if (parsed.success) return { ok: true };
  const errors: Record<string, string> = {};
  for (const i of parsed.error.issues) errors[String(i.path[0] ?? '')] ??= i.message;
  return { ok: false, errors };
}
