import { describe, expect, it } from 'vitest';
import { correctedIds, occupancyFrom, venueInside } from '../../shared/rules/occupancy.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import type { VenueOccupancy } from '../../shared/schemas/sync.js';
import { entranceRecord } from '../support/records.js';

const kiosk = { id: 'k', venueId: 'v' };
let seq = 0;
const admit = () => entranceRecord(kiosk, ++seq);
const refuse = () => entranceRecord(kiosk, ++seq, { decision: 'refuse', reasons: ['fever'] });
const base = () => ({ id: crypto.randomUUID(), venueId: 'v', kioskId: 'k', seq: ++seq, kioskTime: '2026-11-23T14:00:00.000+08:00', operatorId: 's' });
const occ = (kind: 'exit' | 'headcount' | 'close_out', count: number): SyncRecord => ({ ...base(), type: 'occupancy', kind, count });
const undo = (id: string): SyncRecord => ({ ...base(), type: 'correction', correctsId: id, reason: 'undo' });

describe('occupancyFrom', () => {
  it('adds admissions only, and takes exits away', () => {
    expect(occupancyFrom([admit(), admit(), refuse(), admit(), occ('exit', 2)])).toBe(1);
  });
  it('never goes below zero', () => {
    expect(occupancyFrom([admit(), occ('exit', 5), admit()])).toBe(1);
  });
  it('takes back an undone admission once, and ignores undoing a refusal', () => {
    const a = admit();
    const r = refuse();
    expect(occupancyFrom([a, r, undo(a.id), undo(a.id), undo(r.id)])).toBe(0);
  });
  it('takes back one undone admission of several, leaving the others inside', () => {
    const a = admit();
    expect(occupancyFrom([a, admit(), admit(), undo(a.id)])).toBe(2);
  });
  it('a head count sets the number; closing out sets zero', () => {
    expect(occupancyFrom([admit(), admit(), occ('headcount', 7), admit()])).toBe(8);
    expect(occupancyFrom([admit(), admit(), occ('close_out', 2)])).toBe(0);
  });
  it('a head count or close-out supersedes earlier admissions: undoing one afterwards changes nothing', () => {
    const a = admit();
    expect(occupancyFrom([a, occ('close_out', 1), admit(), undo(a.id)])).toBe(1);
    const b = admit();
    expect(occupancyFrom([b, admit(), occ('headcount', 5), undo(b.id)])).toBe(5);
  });

  it('counts nobody in or out for the door\'s other records (ledgers, venue checks)', () => {
    const disinfection: SyncRecord = { ...base(), type: 'disinfection', kind: 'ventilation', area: '大厅', officer: '王', doneAt: '2026-11-23T14:00:00.000+08:00' };
    const venueCheck: SyncRecord = { ...base(), type: 'venue_check', oneMetreLine: true, noticesPosted: true };
    expect(occupancyFrom([admit(), disinfection, venueCheck, admit()])).toBe(2);
  });

  it('lists what was undone', () => {
    const a = admit();
    expect([...correctedIds([a, undo(a.id)])]).toEqual([a.id]);
  });
});

describe('venueInside', () => {
  const others: VenueOccupancy = {
    venueId: 'v',
    at: '2026-11-23T14:00:00.000+08:00',
    entrances: [
      { kioskId: 'k', entranceName: '北门', inside: 5 },
      { kioskId: 'k2', entranceName: '南门', inside: 4 },
      { kioskId: 'k3', entranceName: '东门', inside: 3 },
    ],
  };
  it('adds the other entrances as the hub counted them to this door\'s own count, never this door twice', () => {
    expect(venueInside(6, 'k', others)).toBe(13);
  });
  it('is this door\'s own count before the hub has counted anything', () => {
    expect(venueInside(6, 'k', undefined)).toBe(6);
  });
});
