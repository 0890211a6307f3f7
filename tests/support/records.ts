import { v7 as uuidv7 } from 'uuid';
import type { EntranceRecord } from '../../shared/schemas/record.js';

/**
 * A routine green patron, admitted now (seq milliseconds apart, in seq order); override any field.
 * Now, not a fixed date: the hub judges a day, hour or week that is over when its records arrive
 * (late ledgers, missing staff tests), so a fixed date would raise flags once it is in the past.
 */
export function entranceRecord(
  kiosk: { id: string; venueId: string },
  seq: number,
  overrides: Partial<EntranceRecord> = {},
): EntranceRecord {
  return {
    type: 'entrance',
    id: uuidv7({ msecs: Date.now() + seq }), // time-ordered, as the kiosk makes them (kiosk/src/door-records.ts)
    venueId: kiosk.venueId,
    kioskId: kiosk.id,
    seq,
    kioskTime: new Date(Date.now() + seq).toISOString(),
    operatorId: 'staff-1',
    policyVersion: 1,
    checks: {
      scan: { outcome: 'scanned' },
      temperature: { outcome: 'measured', celsius: 36.5 },
      mask: { outcome: 'worn' },
      healthCode: { outcome: 'green' },
      itinerary: { outcome: 'local' },
    },
    decision: 'admit',
    reasons: [],
    ...overrides,
  };
}

/**
 * The fields every kiosk record carries, for building ledgers and events in tests, made now (seq
 * milliseconds on, like `entranceRecord`) so an exit or a close-out falls in the same door day as
 * the admissions beside it; a test judging another time overrides `kioskTime`.
 */
export function recordBase(kiosk: { id: string; venueId: string }, seq: number, operatorId = 'venue-a-staff-1') {
  return { id: uuidv7({ msecs: Date.now() + seq }), venueId: kiosk.venueId, kioskId: kiosk.id, seq, kioskTime: new Date(Date.now() + seq).toISOString(), operatorId };
}
