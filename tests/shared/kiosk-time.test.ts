import { describe, expect, it } from 'vitest';
import { kioskTimeRefusal } from '../../shared/rules/kiosk-time.js';
import { occupancyFrom } from '../../shared/rules/occupancy.js';
import { Timestamp } from '../../shared/schemas/common.js';
import { FlagThresholds } from '../../shared/schemas/policy.js';
import type { SyncRecord } from '../../shared/schemas/record.js';

const TH = FlagThresholds.parse({});
// The hub's receipt: an instant as data (the rule never reads the clock).
const RECEIVED = Date.parse('2026-11-23T06:00:00Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

describe('kioskTimeRefusal (every window the inspectors read is the kiosk clock: docs/inspectors-guide.md)', () => {
  it.each<[string, string, boolean]>([
    ['sent at once', iso(RECEIVED - 2000), true],
    ['an offline day', iso(RECEIVED - DAY), true],
    ['a tablet kept offline through a closure of 004 §3.1 for a month', iso(RECEIVED - 31 * DAY + MIN), true],
    ['older than the policy\'s month', iso(RECEIVED - 32 * DAY), false],
    ['year 0001', '0001-01-01T00:00:00Z', false],
    ['year 9999', '9999-12-31T23:59:59+08:00', false],
    ['a clock ten minutes fast (drift)', iso(RECEIVED + 10 * MIN), true],
    ['a clock hours fast (a tablet set to the wrong zone): the admission was real', iso(RECEIVED + 8 * 60 * MIN), true],
    ['a day ahead, the allowance\'s edge', iso(RECEIVED + DAY), true],
    ['beyond a day ahead of its receipt', iso(RECEIVED + DAY + MIN), false],
    ['local time with its offset, the same instant', '2026-11-23T14:00:00+08:00', true],
  ])('%s', (_name, kioskTime, taken) => {
    const why = kioskTimeRefusal(kioskTime, RECEIVED, TH);
    expect(why === undefined).toBe(taken);
  });

  it('takes its allowance from the policy', () => {
    expect(kioskTimeRefusal(iso(RECEIVED - 3 * DAY), RECEIVED, { ...TH, kioskTimePastDays: 2 })).toMatch(/3 days before.*allows 2 days/);
    expect(kioskTimeRefusal(iso(RECEIVED + 3 * MIN), RECEIVED, { ...TH, kioskTimeFutureMinutes: 2 })).toMatch(/3 min after.*allows 2 min/);
  });
});

describe('Timestamp: an offset a clock can be set to', () => {
  it.each<[string, boolean]>([
    ['2026-11-23T14:00:00+08:00', true],
    ['2026-11-23T14:00:00.123Z', true],
    ['2026-11-23T14:00:00+05:45', true],
    ['2026-11-23T14:00:00+14:00', true],
    ['2026-11-23T14:00:00-12:00', true],
    ['2026-11-23T14:00:00+23:59', false],
    ['2026-11-23T14:00:00+14:15', false],
    ['2026-11-23T14:00:00-12:30', false],
    ['2026-11-23T14:00:00+08:07', false],
  ])('%s → %s', (value, ok) => {
    expect(Timestamp.safeParse(value).success).toBe(ok);
  });
});

describe('occupancyFrom at an instant (004 §3.3–3.5: the count the cap is held against)', () => {
  const base = { venueId: 'v', kioskId: 'k', operatorId: 's', policyVersion: 1, checks: {}, reasons: [] };
  const admit = (seq: number, kioskTime: string): SyncRecord =>
    ({ ...base, type: 'entrance', id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, seq, kioskTime, decision: 'admit' }) as SyncRecord;

  it('never counts a record stamped after `now` as inside (a clock set back, a time from nowhere)', () => {
    const records = [admit(1, iso(RECEIVED - MIN)), admit(2, '9999-12-31T23:59:59+08:00'), admit(3, iso(RECEIVED + MIN))];
    expect(occupancyFrom(records, RECEIVED)).toBe(1);
    expect(occupancyFrom(records, RECEIVED + MIN)).toBe(2);
  });

  it('still counts an exit or a close-out stamped after `now`: they only lower the figure', () => {
    const exit = { venueId: 'v', kioskId: 'k', operatorId: 's', type: 'occupancy', id: '00000000-0000-4000-8000-000000000009', seq: 9, kioskTime: iso(RECEIVED + MIN), kind: 'exit', count: 1 } as SyncRecord;
    expect(occupancyFrom([admit(1, iso(RECEIVED - 2 * MIN)), admit(2, iso(RECEIVED - MIN)), exit], RECEIVED)).toBe(1);
  });
});
