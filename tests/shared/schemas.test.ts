import { describe, expect, it } from 'vitest';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import { EnrolmentCode } from '../../shared/schemas/enrolment.js';
import { zodToApiError } from '../../shared/schemas/errors.js';
import { EntranceRecord, SyncRecord } from '../../shared/schemas/record.js';
import { entranceRecord } from '../support/records.js';

const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };

function errorOf(value: unknown) {
  const r = SyncRecord.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return zodToApiError(r.error);
}

describe('EntranceRecord', () => {
  it('accepts a routine record', () => {
    expect(EntranceRecord.safeParse(entranceRecord(kiosk, 1)).success).toBe(true);
  });

  it.each([
    ['a temperature outside 34–42 °C', { temperature: { outcome: 'measured', celsius: 45 } }, 'checks.temperature.celsius'],
    ['a temperature with two decimals', { temperature: { outcome: 'measured', celsius: 36.55 } }, 'checks.temperature.celsius'],
    ['a skip without a reason', { mask: { outcome: 'skipped' } }, 'checks.mask.reason'],
    ['a blank skip reason', { healthCode: { outcome: 'skipped', reason: '  ' } }, 'checks.healthCode.reason'],
    ['an unknown outcome', { healthCode: { outcome: 'blue' } }, 'checks.healthCode.outcome'],
    ['a check given as null', { scan: null }, 'checks.scan'],
  ])('rejects %s, naming the field', (_name, patch, field) => {
    const base = entranceRecord(kiosk, 1);
    expect(errorOf({ ...base, checks: { ...base.checks, ...patch } }).field).toBe(field);
  });

  it('rejects a refusal without a reason, and an admission with one', () => {
    expect(errorOf(entranceRecord(kiosk, 1, { decision: 'refuse', reasons: [] })).field).toBe('reasons');
    expect(errorOf(entranceRecord(kiosk, 1, { decision: 'admit', reasons: ['fever'] })).field).toBe('reasons');
  });

  it('rejects a bad id, seq and time, each by name', () => {
    expect(errorOf({ ...entranceRecord(kiosk, 1), id: 'not-a-uuid' }).field).toBe('id');
    expect(errorOf({ ...entranceRecord(kiosk, 1), seq: 0 }).field).toBe('seq');
    expect(errorOf({ ...entranceRecord(kiosk, 1), kioskTime: 'yesterday' }).field).toBe('kioskTime');
    expect(errorOf({ ...entranceRecord(kiosk, 1), venueId: "x'; DROP TABLE venues;--" }).field).toBe('venueId');
  });
});

describe('EnrolmentCode', () => {
  it('forgives case, spaces and the dash', () => {
    expect(EnrolmentCode.parse(' abcd-2345 ')).toBe('ABCD2345');
  });
  it('refuses look-alike characters', () => {
    expect(EnrolmentCode.safeParse('ABCD-0O1I').success).toBe(false);
  });
});

describe('toIsoWithOffset', () => {
  it('writes local wall-clock time with the offset, naming the same instant', () => {
    const ms = Date.UTC(2026, 10, 23, 16, 30, 5, 123);
    const s = toIsoWithOffset(ms, 480);
    expect(s).toBe('2026-11-24T00:30:05.123+08:00');
    expect(Date.parse(s)).toBe(ms);
    expect(toIsoWithOffset(ms, -210)).toBe('2026-11-23T13:00:05.123-03:30');
    expect(toIsoWithOffset(ms, 0)).toBe('2026-11-23T16:30:05.123+00:00');
    expect(toIsoWithOffset(ms, 345)).toBe('2026-11-23T22:15:05.123+05:45');
  });
});
