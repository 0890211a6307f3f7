import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EnrolResponse, VenueProfile, VenueSecret } from '../../shared/schemas/enrolment.js';
import type { ApiError } from '../../shared/schemas/errors.js';
import type { RetireRequest } from '../../shared/schemas/kiosk-admin.js';
import type { VenueSlots } from '../../shared/schemas/booking.js';
import { Policy } from '../../shared/schemas/policy.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import type { VenueSuspensions } from '../../shared/schemas/suspension.js';
import type { ItemResult, VenueOccupancy } from '../../shared/schemas/sync.js';

/**
 * The only module that opens IndexedDB (STYLE.md "Kiosk"). A record is in
 * IndexedDB, committed, before the screen says "saved"; it leaves the outbox
 * (becomes `synced`) only when the hub has acknowledged it.
 */
export type SyncState = 'pending' | 'synced' | 'rejected';

export interface StoredRecord {
  id: string;
  seq: number;
  record: SyncRecord;
  sync: SyncState;
  savedAt: number;
  syncedAt?: number;
  /** The hub's reason, for a rejected record. */
  error?: ApiError;
}

export type Enrolment = EnrolResponse & {
  enrolledAt: number;
  /**
   * The venue's pass-code secret before the hub last rotated it (a
   * tablet of the venue was revoked), and when: typed codes of passes issued
   * up to then still check against it until they expire.
   */
  previousPassCode?: { secret: string; rotatedAt: number };
};

/**
 * What the kiosk remembers of a pass it has seen, keyed by
 * `<code>:<issue minute>` so a scanned QR and a typed code of the same pass
 * meet: which of its people were admitted here, and whether their exit
 * ("I have left") has been counted.
 */
export interface PassUseRecord {
  key: string;
  id?: string;
  people: number;
  admitted: number[];
  exitRecorded: boolean;
  at: number;
  /** A booking's slot start: its people hold seats in that slot, whenever in its window they came. */
  slot?: number;
}

/**
 * The venue's slots as the hub last pushed them, kept so an offline
 * reload still knows the bookings. `heldThrough`: when they arrived, the hub
 * held every record of this kiosk up to this sequence number, so its figures
 * count those and the door adds only what it admitted after (slot-seats.ts).
 */
export type DoorSlots = VenueSlots & { heldThrough: number };

/**
 * Bookings of this venue the hub said were cancelled, id →
 * slot end (epoch ms): their signed QR would still verify offline, so the
 * door refuses them ('booking_cancelled'). Kept across reloads and offline;
 * an id is forgotten once its slot is over (the QR no longer admits anyway).
 */
export type CancelledBookings = Record<string, number>;

/** Who is working the door now (every record carries the operator). */
export interface Shift {
  staffId: string;
  name: string;
  startedAt: number;
}

/**
 * The hub refused this tablet (revoked by the street office, or its
 * token no longer known). Kept so an offline reload still shows the notice and
 * the door stays shut; cleared only if the hub accepts the tablet again.
 */
export interface Revocation {
  at: number;
  /** The street office's reason, when the hub said it before cutting the socket. */
  reason?: string;
}

interface KioskDb extends DBSchema {
  settings:
    | { key: 'enrolment'; value: Enrolment }
    | { key: 'shift'; value: Shift }
    | { key: 'venueOccupancy'; value: VenueOccupancy }
    | { key: 'leftSince'; value: number }
    | { key: 'venueSlots'; value: DoorSlots }
    | { key: 'cancelledBookings'; value: CancelledBookings }
    | { key: 'revoked'; value: Revocation }
    | { key: 'suspensions'; value: VenueSuspensions }
    | { key: 'spokenPrompts'; value: boolean };
  counters: { key: 'seq'; value: number };
  records: {
    key: string;
    value: StoredRecord;
    indexes: { bySyncSeq: [SyncState, number]; bySeq: number };
  };
  passes: { key: string; value: PassUseRecord };
}

const DB_NAME = 'venue-kiosk';
let dbPromise: Promise<IDBPDatabase<KioskDb>> | undefined;

function db(): Promise<IDBPDatabase<KioskDb>> {
  return (dbPromise ??= openDB<KioskDb>(DB_NAME, 2, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('settings');
        database.createObjectStore('counters');
        const records = database.createObjectStore('records', { keyPath: 'id' });
        records.createIndex('bySyncSeq', ['sync', 'seq']);
        records.createIndex('bySeq', 'seq', { unique: true });
      }
      if (oldVersion < 2) database.createObjectStore('passes', { keyPath: 'key' });
    },
  }));
}

/** Closes the connection (tests, and before deleting the database). */
export async function closeDb(): Promise<void> {
  if (dbPromise) (await dbPromise).close();
  dbPromise = undefined;
}

export async function getEnrolment(): Promise<Enrolment | undefined> {
  const e = (await (await db()).get('settings', 'enrolment')) as Enrolment | undefined;
  if (!e) return undefined;
  // A policy cached by an older build lacks the fields added since: the schema's defaults fill them
  // (shared/schemas/policy.ts), as the hub does for a stored one.
  const policy = Policy.safeParse(e.policy);
  return policy.success ? { ...e, policy: policy.data } : e;
}

export async function saveEnrolment(e: Enrolment): Promise<void> {
  await (await db()).put('settings', e, 'enrolment');
}

/** Replaces the cached policy with one the hub pushed; returns the updated enrolment. */
export async function savePolicy(policy: Policy): Promise<Enrolment | undefined> {
  const tx = (await db()).transaction('settings', 'readwrite');
  const e = (await tx.store.get('enrolment')) as Enrolment | undefined;
  const next = e ? { ...e, policy } : undefined;
  if (next) await tx.store.put(next, 'enrolment');
  await tx.done;
  return next;
}

/**
 * Replaces the cached venue with the one the hub now registers
 * ('venue:profile' on connect and after every registry edit), and the
 * entrance's name with it. Returns the updated enrolment.
 */
export async function saveVenueProfile(venue: VenueProfile): Promise<Enrolment | undefined> {
  const tx = (await db()).transaction('settings', 'readwrite');
  const e = (await tx.store.get('enrolment')) as Enrolment | undefined;
  // A profile of another venue would re-home the tablet behind the street office's back.
  const next = e && e.venue.id === venue.id ? { ...e, venue, entranceName: venue.entrances.find((x) => x.id === e.entranceId)?.name ?? e.entranceName } : undefined;
  if (next) await tx.store.put(next, 'enrolment');
  await tx.done;
  return next;
}

/**
 * Takes the venue's pass-code secret as the hub now holds it (`venue:secret`).
 * Returns the updated enrolment, or undefined if nothing changed.
 */
export async function saveVenueSecret(secret: VenueSecret): Promise<Enrolment | undefined> {
  const tx = (await db()).transaction('settings', 'readwrite');
  const e = (await tx.store.get('enrolment')) as Enrolment | undefined;
  let next: Enrolment | undefined;
  if (e) {
    const { previousPassCode: _old, ...rest } = e;
    next = { ...rest, passCodeSecret: secret.passCodeSecret };
    if (secret.previous !== null && secret.rotatedAt !== null) next.previousPassCode = { secret: secret.previous, rotatedAt: secret.rotatedAt };
    if (JSON.stringify([e.passCodeSecret, e.previousPassCode]) === JSON.stringify([next.passCodeSecret, next.previousPassCode])) next = undefined;
    else await tx.store.put(next, 'enrolment');
  }
  await tx.done;
  return next;
}

export async function getRevocation(): Promise<Revocation | undefined> {
  return (await (await db()).get('settings', 'revoked')) as Revocation | undefined;
}

export async function saveRevocation(r: Revocation | undefined): Promise<void> {
  const d = await db();
  if (r) await d.put('settings', r, 'revoked');
  else await d.delete('settings', 'revoked');
}

/** The venue's count per entrance as the hub last sent it, kept for an offline reload. */
export async function getVenueOccupancy(): Promise<VenueOccupancy | undefined> {
  return (await (await db()).get('settings', 'venueOccupancy')) as VenueOccupancy | undefined;
}

export async function saveVenueOccupancy(o: VenueOccupancy): Promise<void> {
  await (await db()).put('settings', o, 'venueOccupancy');
}

export async function getVenueSlots(): Promise<DoorSlots | undefined> {
  return (await (await db()).get('settings', 'venueSlots')) as DoorSlots | undefined;
}

export async function saveVenueSlots(s: DoorSlots): Promise<void> {
  await (await db()).put('settings', s, 'venueSlots');
}

/**
 * Adds the hub's cancelled bookings to those kept, in one transaction (a live
 * push and the connect list may cross), dropping those whose slot is over.
 */
export async function saveCancelledBookings(bookings: readonly { id: string; slotEnd: number }[], now: number): Promise<void> {
  const tx = (await db()).transaction('settings', 'readwrite');
  const kept = ((await tx.store.get('cancelledBookings')) as CancelledBookings | undefined) ?? {};
  const next: CancelledBookings = {};
  for (const [id, end] of Object.entries(kept)) if (end > now) next[id] = end;
  for (const b of bookings) if (b.slotEnd > now) next[b.id] = b.slotEnd;
  await Promise.all([tx.store.put(next, 'cancelledBookings'), tx.done]);
}

/** Whether the hub said this booking was cancelled. */
export async function isBookingCancelled(id: string): Promise<boolean> {
  const kept = (await (await db()).get('settings', 'cancelledBookings')) as CancelledBookings | undefined;
  return kept !== undefined && Object.hasOwn(kept, id);
}

/**
 * The venue's suspension orders (停业整顿) as the hub last sent them: kept so a
 * tablet that reboots offline still refuses everyone while one holds.
 */
export async function getSuspensions(): Promise<VenueSuspensions | undefined> {
  return (await (await db()).get('settings', 'suspensions')) as VenueSuspensions | undefined;
}

/** Replaces the orders kept with the hub's list (an empty list: every order was lifted or is over). */
export async function saveSuspensions(s: VenueSuspensions): Promise<void> {
  await (await db()).put('settings', s, 'suspensions');
}

/** Whether this door speaks its prompts aloud (speech.ts): a setting of the tablet, off until staff turn it on. */
export async function getSpokenPrompts(): Promise<boolean> {
  return ((await (await db()).get('settings', 'spokenPrompts')) as boolean | undefined) ?? false;
}

export async function saveSpokenPrompts(on: boolean): Promise<void> {
  await (await db()).put('settings', on, 'spokenPrompts');
}

/**
 * The highest sequence number up to which the hub holds every record of this
 * kiosk, as far as the tablet knows: records go oldest first and leave the
 * outbox only on the hub's acknowledgement, so it is the one before the oldest
 * still pending (or the last made, when none is).
 */
export async function hubHoldsThrough(): Promise<number> {
  const tx = (await db()).transaction(['counters', 'records']);
  const range = IDBKeyRange.bound(['pending', 0], ['pending', Number.MAX_SAFE_INTEGER]);
  const oldest = await tx.objectStore('records').index('bySyncSeq').openKeyCursor(range);
  const last = (await tx.objectStore('counters').get('seq')) ?? 0;
  await tx.done;
  return oldest ? oldest.key[1] - 1 : last;
}

export async function getShift(): Promise<Shift | undefined> {
  return (await (await db()).get('settings', 'shift')) as Shift | undefined;
}

export async function saveShift(s: Shift | undefined): Promise<void> {
  const d = await db();
  if (s) await d.put('settings', s, 'shift');
  else await d.delete('settings', 'shift');
}

/**
 * A change to a pass's bookkeeping made in the same transaction as the record
 * that causes it: the new state, or `undefined` to save nothing at all (the
 * exit of a pass was counted already).
 */
export interface PassUpdate {
  key: string;
  update(current: PassUseRecord | undefined): PassUseRecord | undefined;
}

/** Thrown by saveRecord while the tablet retires: nothing may be recorded between the hub's count and the wipe. */
export class RecordingLocked extends Error {
  constructor() {
    super('this tablet is retiring: no record can be saved');
    this.name = 'RecordingLocked';
  }
}

let recordingLock: { released: Promise<void>; release: () => void } | undefined;

/**
 * Stops every record from being made (retiring). Taken before the
 * tablet counts what it made and held until it is wiped, or released if the
 * retirement fails. A save already past its check has opened its transaction
 * before this returns, so IndexedDB orders it before any count read after.
 */
export function lockRecording(): void {
  if (recordingLock) return;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  recordingLock = { released, release };
}

export function unlockRecording(): void {
  const lock = recordingLock;
  recordingLock = undefined;
  lock?.release();
}

export function recordingLocked(): boolean {
  return recordingLock !== undefined;
}

/** Resolves at once when records may be saved, else when the lock is released. */
export function whenRecordingAllowed(): Promise<void> {
  return recordingLock?.released ?? Promise.resolve();
}

/** Makes the record from its sequence number and, with a pass update, the pass's new state. */
export type MakeRecord = (seq: number, pass: PassUseRecord | undefined) => SyncRecord;

/**
 * Allocates the next sequence number and stores the record in one
 * transaction; resolves only once the transaction has committed. `make` is
 * synchronous: nothing but IndexedDB may be awaited inside a transaction.
 * With `pass`, the pass's bookkeeping commits with the record or not at all
 * (and `make` sees it); resolves undefined if the update declined.
 */
export async function saveRecord(make: MakeRecord, now: number): Promise<StoredRecord>;
export async function saveRecord(make: MakeRecord, now: number, pass: PassUpdate): Promise<StoredRecord | undefined>;
export async function saveRecord(make: MakeRecord, now: number, pass?: PassUpdate): Promise<StoredRecord | undefined> {
  const database = await db();
  // Checked after the await, right before the transaction opens: nothing yields between the two.
  if (recordingLock) throw new RecordingLocked();
  const tx = database.transaction(['counters', 'records', 'passes'], 'readwrite');
  let passWrite: Promise<unknown> = Promise.resolve();
  let passState: PassUseRecord | undefined;
  if (pass) {
    passState = pass.update(await tx.objectStore('passes').get(pass.key));
    if (!passState) {
      await tx.done;
      return undefined;
    }
    passWrite = tx.objectStore('passes').put(passState);
  }
  const seq = ((await tx.objectStore('counters').get('seq')) ?? 0) + 1;
  const record = make(seq, passState);
  const stored: StoredRecord = { id: record.id, seq, record, sync: 'pending', savedAt: now };
  await Promise.all([passWrite, tx.objectStore('records').add(stored), tx.objectStore('counters').put(seq, 'seq'), tx.done]);
  return stored;
}

/** Forgets passes last touched before `ms`: long expired, and their exits long counted or moot. */
export async function prunePassUses(ms: number): Promise<void> {
  const tx = (await db()).transaction('passes', 'readwrite');
  for (let c = await tx.store.openCursor(); c; c = await c.continue()) if (c.value.at < ms) await c.delete();
  await tx.done;
}

export async function getPassUse(key: string): Promise<PassUseRecord | undefined> {
  return (await db()).get('passes', key);
}

/** The hub time of the last "I have left" this kiosk has handled (sent on connect). */
export async function getLeftSince(): Promise<number | undefined> {
  return (await (await db()).get('settings', 'leftSince')) as number | undefined;
}

export async function saveLeftSince(at: number): Promise<void> {
  await (await db()).put('settings', at, 'leftSince');
}

/** The oldest pending records, in sequence order. */
export async function pendingBatch(limit: number): Promise<StoredRecord[]> {
  const range = IDBKeyRange.bound(['pending', 0], ['pending', Number.MAX_SAFE_INTEGER]);
  return (await db()).getAllFromIndex('records', 'bySyncSeq', range, limit);
}

/** Applies the hub's per-item answers to the batch that was sent, in one transaction. */
export async function applyResults(batch: readonly StoredRecord[], results: readonly ItemResult[], now: number): Promise<void> {
  const tx = (await db()).transaction('records', 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const r of results) {
    const sent = batch[r.index];
    if (!sent) continue; // an index the kiosk never sent: ignore rather than corrupt
    const current = await tx.store.get(sent.id);
    if (!current || current.sync !== 'pending') continue;
    if (r.status === 'rejected') writes.push(tx.store.put({ ...current, sync: 'rejected', error: r.error, syncedAt: now }));
    else writes.push(tx.store.put({ ...current, sync: 'synced', syncedAt: now }));
  }
  await Promise.all([...writes, tx.done]);
}

export interface SyncCounts {
  pending: number;
  synced: number;
  rejected: number;
}

export async function syncCounts(): Promise<SyncCounts> {
  const d = await db();
  const count = (state: SyncState) =>
    d.countFromIndex('records', 'bySyncSeq', IDBKeyRange.bound([state, 0], [state, Number.MAX_SAFE_INTEGER]));
  const [pending, synced, rejected] = await Promise.all([count('pending'), count('synced'), count('rejected')]);
  return { pending, synced, rejected };
}

/** Records saved since `ms` (kiosk clock), oldest first: today's door, for occupancy and the log. */
export async function recordsSince(ms: number): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let cursor = await (await db()).transaction('records').store.index('bySeq').openCursor(null, 'prev');
  while (cursor && cursor.value.savedAt >= ms) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out.reverse();
}

/**
 * What the tablet tells the hub when it retires, read in one
 * transaction: the highest sequence number it ever made (the counter, not the
 * records, so nothing made and lost goes unnoticed), the records the hub
 * refused (they can never arrive), and how many still wait to be sent.
 */
export async function retireRequest(): Promise<RetireRequest & { pending: number }> {
  const tx = (await db()).transaction(['counters', 'records']);
  const index = tx.objectStore('records').index('bySyncSeq');
  const state = (s: SyncState) => IDBKeyRange.bound([s, 0], [s, Number.MAX_SAFE_INTEGER]);
  const lastSeq = (await tx.objectStore('counters').get('seq')) ?? 0;
  const pending = await index.count(state('pending'));
  // The index key is [sync, seq]: a key cursor gives the seqs without reading the records.
  const rejectedSeqs: number[] = [];
  for (let c = await index.openKeyCursor(state('rejected')); c; c = await c.continue()) rejectedSeqs.push(c.key[1]);
  await tx.done;
  return { lastSeq, rejectedSeqs, pending };
}

/**
 * Forgets everything on the tablet in one transaction: enrolment, shift,
 * counters, records, passes (a retired tablet goes back to the enrol
 * screen), once the hub has confirmed it holds every record up to `lastSeq`.
 * Only if the tablet still holds exactly what the hub counted: no record made
 * after `lastSeq` and none unsent, checked in the wiping transaction itself so
 * nothing can come between. False, with nothing erased, otherwise.
 */
export async function wipeIfRetired(lastSeq: number): Promise<boolean> {
  const d = await db();
  const stores = [...d.objectStoreNames];
  const tx = d.transaction(stores, 'readwrite');
  const made = (await tx.objectStore('counters').get('seq')) ?? 0;
  const pending = await tx.objectStore('records').index('bySyncSeq').count(IDBKeyRange.bound(['pending', 0], ['pending', Number.MAX_SAFE_INTEGER]));
  if (made !== lastSeq || pending > 0) {
    await tx.done;
    return false;
  }
  await Promise.all([...stores.map((name) => tx.objectStore(name).clear()), tx.done]);
  return true;
}
