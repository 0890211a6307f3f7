import { describe, expect, it } from 'vitest';
import { clockSkew } from '../../../shared/rules/flags/index.js';
import { THRESHOLDS, VENUE, at, cleanDay } from './day.js';

const rec = (id: string, kioskTimeMs: number) => ({ id, kioskTimeMs });

describe('clockSkew', () => {
  it('stays silent on a clean day, each record sent a second after it was made', () => {
    for (const e of cleanDay().entrances) {
      expect(clockSkew(VENUE, e.record.kioskId, [rec(e.record.id, Date.parse(e.record.kioskTime))], e.receivedAt, at(9), THRESHOLDS)).toEqual([]);
    }
  });

  it.each([
    ['ahead by 5 minutes', at(14, 5), at(14), at(9), 5],
    ['ahead by 4 minutes 59', at(14, 4, 59), at(14), at(9), undefined],
    ['behind by 6 minutes, connected all day', at(13, 54), at(14), at(9), -6],
    ['behind by 6 minutes, connected 1 minute ago (an offline backlog)', at(13, 54), at(14), at(13, 59), undefined],
    ['a day-old backlog from a kiosk that just reconnected', at(14, 0, 0, 22), at(14), at(13, 59, 50), undefined],
  ] as const)('%s', (_n, kioskTime, receivedAt, connectedAt, skew) => {
    const flags = clockSkew(VENUE, 'kiosk-1', [rec('r1', kioskTime)], receivedAt, connectedAt, THRESHOLDS);
    if (skew === undefined) return expect(flags).toEqual([]);
    expect(flags).toEqual([
      { venueId: VENUE.id, rule: 'clock_skew', severity: 'warning', windowKey: 'kiosk-1@2026-11-23', evidence: expect.objectContaining({ kioskId: 'kiosk-1', skewMinutes: skew, recordIds: ['r1'] }) },
    ]);
  });

  it('judges a batch by its newest record when behind, wherever it is in the batch', () => {
    const batch = [rec('old', at(9)), rec('new', at(13, 59, 30))];
    expect(clockSkew(VENUE, 'kiosk-1', batch, at(14), at(8), THRESHOLDS)).toEqual([]);
    expect(clockSkew(VENUE, 'kiosk-1', [...batch].reverse(), at(14), at(8), THRESHOLDS)).toEqual([]);
  });

  it('names the first of two newest records stamped at the same instant', () => {
    const batch = [rec('a', at(13, 50)), rec('b', at(13, 50))];
    expect(clockSkew(VENUE, 'kiosk-1', batch, at(14), at(8), THRESHOLDS).map((f) => f.evidence.recordIds)).toEqual([['a']]);
  });

  it.each([
    ['behind by exactly the threshold (5 minutes)', at(13, 55), at(9), -5],
    ['connected exactly the threshold ago: its backlog is out, so it is sent at once', at(13, 54), at(13, 55), -6],
    ['connected a second less than that: still an offline backlog', at(13, 54), at(13, 55, 1), undefined],
  ] as const)('at the edges: %s', (_n, kioskTime, connectedAt, skew) => {
    const flags = clockSkew(VENUE, 'kiosk-1', [rec('r1', kioskTime)], at(14), connectedAt, THRESHOLDS);
    expect(flags.map((f) => f.evidence.skewMinutes)).toEqual(skew === undefined ? [] : [skew]);
  });

  it('is silent for a kiosk whose connection time the hub does not know, however far behind', () => {
    expect(clockSkew(VENUE, 'kiosk-1', [rec('r1', at(9))], at(14), undefined, THRESHOLDS)).toEqual([]);
  });

  it('names every record ahead and the worst skew, with the kiosk time it read', () => {
    const batch = [rec('a', at(14, 6)), rec('b', at(14, 10)), rec('ok', at(13, 59))];
    expect(clockSkew(VENUE, 'kiosk-1', batch, at(14), at(9), THRESHOLDS)).toEqual([
      {
        venueId: VENUE.id,
        rule: 'clock_skew',
        severity: 'warning',
        windowKey: 'kiosk-1@2026-11-23',
        evidence: { kioskId: 'kiosk-1', recordIds: ['a', 'b'], skewMinutes: 10, kioskTime: new Date(at(14, 10)).toISOString(), receivedAt: at(14) },
      },
    ]);
  });

  it('is silent on an empty batch', () => {
    expect(clockSkew(VENUE, 'kiosk-1', [], at(14), at(9), THRESHOLDS)).toEqual([]);
  });
});
