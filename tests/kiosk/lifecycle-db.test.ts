import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  RecordingLocked,
  applyResults,
  closeDb,
  getEnrolment,
  getLeftSince,
  getPassUse,
  getRevocation,
  getShift,
  getVenueOccupancy,
  lockRecording,
  pendingBatch,
  recordingLocked,
  retireRequest,
  saveEnrolment,
  saveLeftSince,
  saveRecord,
  saveRevocation,
  saveShift,
  saveVenueOccupancy,
  saveVenueProfile,
  saveVenueSecret,
  syncCounts,
  unlockRecording,
  whenRecordingAllowed,
  wipeIfRetired,
  type Enrolment,
} from '../../kiosk/src/db.js';
import type { VenueProfile } from '../../shared/schemas/enrolment.js';
import { NORMAL_POLICY } from '../../shared/schemas/policy.js';
import type { ItemResult } from '../../shared/schemas/sync.js';
import { entranceRecord } from '../support/records.js';

const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };

const venue: VenueProfile = {
  id: 'venue-a',
  name: '测试KTV',
  communityName: '测试社区',
  address: '测试路1号',
  type: 'ktv',
  ratedCapacity: 100,
  openingHours: null,
  utcOffsetMinutes: 480,
  entrances: [{ id: 'venue-a-1', name: '正门' }],
  officers: { prevention: { name: '赵敏', phone: '13800000001' } },
  staff: [{ id: 'venue-a-staff-1', name: '王芳', role: '门岗', pinSalt: 's'.repeat(16), pinHash: 'h'.repeat(43) }],
};

const enrolment: Enrolment = {
  kioskId: 'kiosk-1',
  entranceId: 'venue-a-1',
  entranceName: '正门',
  token: 't'.repeat(43),
  venue,
  policy: NORMAL_POLICY,
  codeSecret: 'c'.repeat(43),
  passCodeSecret: 'p'.repeat(43),
  posterPath: '/posters/x',
  passKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
  enrolledAt: 1,
};

/** Saves `n` records and answers them as the hub would: the seqs in `rejected` refused, the rest accepted. */
async function saveAndAnswer(n: number, answer: number, rejected: number[] = []): Promise<void> {
  for (let i = 0; i < n; i++) await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
  const batch = await pendingBatch(answer);
  const results: ItemResult[] = batch.map((s, index) =>
    rejected.includes(s.seq)
      ? { index, status: 'rejected', id: s.id, error: { code: 'invalid', field: 'checks', message: 'refused' } }
      : { index, status: 'accepted', id: s.id },
  );
  await applyResults(batch, results, 1);
}

describe('kiosk db: retiring (docs/operations.md "Tablets leaving service")', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('asks nothing of a tablet that never made a record', async () => {
    expect(await retireRequest()).toEqual({ lastSeq: 0, rejectedSeqs: [], pending: 0 });
  });

  it('names the highest seq ever made, the seqs the hub refused, and what is still unsent', async () => {
    await saveAndAnswer(12, 9, [2, 7]);
    expect(await retireRequest()).toEqual({ lastSeq: 12, rejectedSeqs: [2, 7], pending: 3 });
    await applyResults(await pendingBatch(10), (await pendingBatch(10)).map((s, index) => ({ index, status: 'accepted' as const, id: s.id })), 2);
    expect(await retireRequest()).toEqual({ lastSeq: 12, rejectedSeqs: [2, 7], pending: 0 });
  });

  it('gives the refused seqs in order however they were refused', async () => {
    await saveAndAnswer(30, 30, [29, 3, 17]);
    expect((await retireRequest()).rejectedSeqs).toEqual([3, 17, 29]);
  });

  it('takes lastSeq from the counter, so a record made and then lost on the tablet is still owed to the hub', async () => {
    await saveAndAnswer(5, 5);
    const last = await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    await closeDb();
    // Something outside the app (storage eviction, a bug) drops the newest record.
    const raw = await openDB('venue-kiosk');
    await raw.delete('records', last.id);
    raw.close();
    expect(await retireRequest()).toEqual({ lastSeq: 6, rejectedSeqs: [], pending: 0 });
  });

  it('wipes every store in one go: enrolment, shift, counters, records, passes, cursors, revocation', async () => {
    await saveEnrolment(enrolment);
    await saveShift({ staffId: 'venue-a-staff-1', name: '王芳', startedAt: 1 });
    await saveVenueOccupancy({ venueId: 'venue-a', entrances: [], at: new Date(0).toISOString() });
    await saveLeftSince(5);
    await saveRevocation({ at: 1, reason: '丢失' });
    await saveRecord((seq) => entranceRecord(kiosk, seq), 0, {
      key: 'K7M2QX:100',
      update: () => ({ key: 'K7M2QX:100', people: 1, admitted: [0], exitRecorded: false, at: 0 }),
    });
    await saveAndAnswer(3, 4);

    expect(await wipeIfRetired(4)).toBe(true);

    expect(await getEnrolment()).toBeUndefined();
    expect(await getShift()).toBeUndefined();
    expect(await getVenueOccupancy()).toBeUndefined();
    expect(await getLeftSince()).toBeUndefined();
    expect(await getRevocation()).toBeUndefined();
    expect(await getPassUse('K7M2QX:100')).toBeUndefined();
    expect(await syncCounts()).toEqual({ pending: 0, synced: 0, rejected: 0 });
    expect(await retireRequest()).toEqual({ lastSeq: 0, rejectedSeqs: [], pending: 0 });
    // A new enrolment starts its records from 1 again, as the hub expects of a new kiosk.
    expect((await saveRecord((seq) => entranceRecord(kiosk, seq), 0)).seq).toBe(1);
  });
});

describe('kiosk db: the wipe checks again what the hub counted (docs/operations.md "Tablets leaving service")', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('erases nothing if a record was made after the count the hub retired it on', async () => {
    await saveEnrolment(enrolment);
    await saveAndAnswer(3, 3);
    await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    await saveAndAnswer(0, 1);
    // The hub counted 3; the tablet has made 4 since, all synced: still not what the hub let go.
    expect(await wipeIfRetired(3)).toBe(false);
    expect(await getEnrolment()).toEqual(enrolment);
    expect(await retireRequest()).toEqual({ lastSeq: 4, rejectedSeqs: [], pending: 0 });
  });

  it('erases nothing while a record is unsent', async () => {
    await saveEnrolment(enrolment);
    await saveAndAnswer(3, 2);
    expect(await wipeIfRetired(3)).toBe(false);
    expect(await syncCounts()).toEqual({ pending: 1, synced: 2, rejected: 0 });
    expect(await getEnrolment()).toEqual(enrolment);
  });
});

describe('kiosk db: recording locked while retiring (docs/operations.md "Tablets leaving service")', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
    unlockRecording();
  });

  it('refuses every record, pass bookkeeping included, until unlocked; those waiting are let go then', async () => {
    lockRecording();
    expect(recordingLocked()).toBe(true);
    await expect(saveRecord((seq) => entranceRecord(kiosk, seq), 0)).rejects.toBeInstanceOf(RecordingLocked);
    const exit = { key: 'K7M2QX:100', update: () => ({ key: 'K7M2QX:100', people: 1, admitted: [0], exitRecorded: true, at: 0 }) };
    await expect(saveRecord((seq) => entranceRecord(kiosk, seq), 0, exit)).rejects.toBeInstanceOf(RecordingLocked);
    expect(await getPassUse('K7M2QX:100')).toBeUndefined();
    expect(await retireRequest()).toEqual({ lastSeq: 0, rejectedSeqs: [], pending: 0 });

    const order: string[] = [];
    const waiting = whenRecordingAllowed().then(() => order.push('allowed'));
    order.push('unlock');
    unlockRecording();
    await waiting;
    expect(order).toEqual(['unlock', 'allowed']);
    expect((await saveRecord((seq) => entranceRecord(kiosk, seq), 0)).seq).toBe(1);
  });

  it('turns away a save already under way but not yet in its transaction, so none slips in after the count', async () => {
    await saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    const saving = saveRecord((seq) => entranceRecord(kiosk, seq), 0);
    // The save is awaiting the database, its transaction not yet open: the lock is checked after that await.
    lockRecording();
    await expect(saving).rejects.toBeInstanceOf(RecordingLocked);
    expect(await retireRequest()).toEqual({ lastSeq: 1, rejectedSeqs: [], pending: 1 });
  });
});

describe('kiosk db: the venue pass-code secret, rotated when a tablet of the venue is revoked (docs/security.md "Revoked tablets")', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('takes a rotated secret with the previous one and when, forgets a stale previous one, and reports no change as none', async () => {
    await saveEnrolment(enrolment);
    expect(await saveVenueSecret({ passCodeSecret: enrolment.passCodeSecret, previous: null, rotatedAt: null })).toBeUndefined();
    const rotated = await saveVenueSecret({ passCodeSecret: 'n'.repeat(43), previous: enrolment.passCodeSecret, rotatedAt: 5000 });
    expect(rotated).toEqual({ ...enrolment, passCodeSecret: 'n'.repeat(43), previousPassCode: { secret: enrolment.passCodeSecret, rotatedAt: 5000 } });
    expect(await getEnrolment()).toEqual(rotated);
    // A hub without a previous secret (e.g. restored from a backup before the rotation) is followed.
    const { previousPassCode: _p, ...plain } = rotated!;
    expect(await saveVenueSecret({ passCodeSecret: 'n'.repeat(43), previous: null, rotatedAt: null })).toEqual(plain);
    expect(await getEnrolment()).toEqual(plain);
  });

  it('stores nothing when the tablet is not enrolled', async () => {
    expect(await saveVenueSecret({ passCodeSecret: 'n'.repeat(43), previous: null, rotatedAt: null })).toBeUndefined();
    expect(await getEnrolment()).toBeUndefined();
  });
});

describe('kiosk db: venue edits and revocation (docs/door-guide.md "Changes from the street office")', () => {
  beforeEach(async () => {
    await closeDb();
    globalThis.indexedDB = new IDBFactory();
  });

  it('stores the venue the hub pushed, with the entrance renamed, and keeps everything else', async () => {
    await saveEnrolment(enrolment);
    const edited: VenueProfile = {
      ...venue,
      ratedCapacity: 40,
      entrances: [{ id: 'venue-a-1', name: '东门' }, { id: 'venue-a-2', name: '西门' }],
      staff: [...venue.staff, { id: 'venue-a-staff-3', name: '陈晨', role: '门岗', pinSalt: 'q'.repeat(16), pinHash: 'r'.repeat(43) }],
    };
    const next = await saveVenueProfile(edited);
    expect(next).toEqual({ ...enrolment, venue: edited, entranceName: '东门' });
    expect(await getEnrolment()).toEqual(next);
  });

  it('refuses a profile of another venue and leaves the enrolment alone', async () => {
    await saveEnrolment(enrolment);
    expect(await saveVenueProfile({ ...venue, id: 'venue-b', name: '别家' })).toBeUndefined();
    expect(await getEnrolment()).toEqual(enrolment);
  });

  it('stores nothing when the tablet is not enrolled', async () => {
    expect(await saveVenueProfile(venue)).toBeUndefined();
    expect(await getEnrolment()).toBeUndefined();
  });

  it('remembers a revocation across a reload and forgets it when told', async () => {
    await saveRevocation({ at: 5, reason: '设备丢失' });
    await closeDb();
    expect(await getRevocation()).toEqual({ at: 5, reason: '设备丢失' });
    await saveRevocation(undefined);
    expect(await getRevocation()).toBeUndefined();
  });
});
