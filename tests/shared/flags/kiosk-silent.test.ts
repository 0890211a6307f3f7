import { describe, expect, it } from 'vitest';
import { kioskSilent, type KioskHeard } from '../../../shared/rules/flags/index.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import { KIOSKS, THRESHOLDS, VENUE, at, cleanDay } from './day.js';

const kiosk = (lastRecordAt: number | null, over: Partial<KioskHeard> = {}): KioskHeard => ({ id: 'kiosk-1', enrolledAt: at(9, 0, 0, 1), lastRecordAt, connected: true, ...over });

describe('kioskSilent (004 §5(4): the log shows what a door does when nobody watches)', () => {
  it('stays silent every minute of a clean day at a busy door', () => {
    const { entrances } = cleanDay();
    for (let now = at(10); now < at(23); now += 60_000) {
      const heard = KIOSKS.map((id) => {
        const last = entrances.filter((e) => e.record.kioskId === id && e.receivedAt <= now).at(-1);
        return kiosk(last?.receivedAt ?? null, { id });
      });
      // The clean day's doors never go an hour without a patron while patrons arrive (10:00–22:00).
      const flags = kioskSilent(VENUE, NORMAL_POLICY, heard, THRESHOLDS, now);
      if (now < at(22, 30)) expect(flags).toEqual([]);
    }
  });

  it.each([
    ['59 minutes after the last record', at(14), at(14, 59), false],
    ['60 minutes after it', at(14), at(15), true],
    ['60 minutes after opening, nothing since yesterday', at(22, 0, 0, 22), at(11), true],
    ['59 minutes after opening', at(22, 0, 0, 22), at(10, 59), false],
    ['outside opening hours', at(14), at(23, 30), false],
  ] as const)('%s', (_n, last, now, fires) => {
    const flags = kioskSilent(VENUE, NORMAL_POLICY, [kiosk(last)], THRESHOLDS, now);
    expect(flags.length).toBe(fires ? 1 : 0);
  });

  it('keys one silence by the kiosk and the hour it began, whatever its length', () => {
    const first = kioskSilent(VENUE, NORMAL_POLICY, [kiosk(at(14, 20))], THRESHOLDS, at(15, 30));
    const later = kioskSilent(VENUE, NORMAL_POLICY, [kiosk(at(14, 20), { connected: true })], THRESHOLDS, at(17));
    expect(first).toEqual(later);
    expect(first[0]).toMatchObject({ rule: 'kiosk_silent', severity: 'warning', windowKey: 'kiosk-1@2026-11-23T14', evidence: { kioskId: 'kiosk-1', since: at(14, 20), connected: true } });
  });

  it('does not expect a venue closed by the emergency policy to record anyone', () => {
    expect(kioskSilent(VENUE, EMERGENCY_POLICY, [kiosk(at(9))], THRESHOLDS, at(15))).toEqual([]);
  });

  it('counts a new kiosk from its enrolment', () => {
    expect(kioskSilent(VENUE, NORMAL_POLICY, [kiosk(null, { enrolledAt: at(14, 30) })], THRESHOLDS, at(15))).toEqual([]);
  });

  it('flags a kiosk that never sent a record, from the start of the opening', () => {
    expect(kioskSilent(VENUE, NORMAL_POLICY, [kiosk(null, { connected: false })], THRESHOLDS, at(11, 30))).toEqual([
      {
        venueId: VENUE.id,
        rule: 'kiosk_silent',
        severity: 'warning',
        windowKey: 'kiosk-1@2026-11-23T10',
        evidence: { kioskId: 'kiosk-1', since: at(10), lastRecordAt: null, connected: false, silentMinutes: 60 },
      },
    ]);
  });

  it('judges each kiosk on its own and reads the silence from the policy', () => {
    const heard = [kiosk(at(14, 50), { id: 'kiosk-1' }), kiosk(at(13, 50), { id: 'kiosk-2' })];
    expect(kioskSilent(VENUE, NORMAL_POLICY, heard, THRESHOLDS, at(15)).map((f) => f.windowKey)).toEqual(['kiosk-2@2026-11-23T13']);
    expect(kioskSilent(VENUE, NORMAL_POLICY, heard, { ...THRESHOLDS, kioskSilentMinutes: 10 }, at(15)).map((f) => f.windowKey)).toEqual(['kiosk-1@2026-11-23T14', 'kiosk-2@2026-11-23T13']);
  });
});
