import { describe, expect, it } from 'vitest';
import { scansBelowAdmissions } from '../../../shared/rules/flags/index.js';
import { THRESHOLDS, VENUE, at, cleanDay, entrance } from './day.js';

const hour = at(14);
const admissions = (n: number, over = {}) => Array.from({ length: n }, (_, i) => entrance(hour + i * 60_000, over));

describe('scansBelowAdmissions (000 §2(2)(1) 扫码)', () => {
  it('stays silent over every hour of a clean day', () => {
    const day = cleanDay();
    for (const [start, scans] of day.scans) {
      const inHour = day.entrances.filter((e) => Date.parse(e.record.kioskTime) >= start && Date.parse(e.record.kioskTime) < start + 3_600_000);
      expect(scansBelowAdmissions(VENUE, start, inHour, scans, THRESHOLDS)).toEqual([]);
    }
  });

  it.each([
    ['20 admissions, 9 scans: 0.45 per admission', 20, 9, true],
    ['20 admissions, 10 scans: exactly the 0.5 threshold', 20, 10, false],
    ['9 admissions, no scan: below the 10 admissions judged', 9, 0, false],
    ['10 admissions, no scan', 10, 0, true],
  ] as const)('%s', (_n, n, people, fires) => {
    const flags = scansBelowAdmissions(VENUE, hour, admissions(n), { passes: people, people }, THRESHOLDS);
    expect(flags.length).toBe(fires ? 1 : 0);
    if (fires) {
      expect(flags[0]).toMatchObject({ rule: 'scans_below_admissions', severity: 'warning', windowKey: '2026-11-23T14' });
      expect(flags[0]!.evidence).toMatchObject({ admissions: n, scans: people, scansPerAdmission: Math.round((people / n) * 100) / 100 });
    }
  });

  it('does not expect a scan from patrons without a phone', () => {
    const paper = admissions(30, { checks: { scan: { outcome: 'no_phone', shown: 'paper_itinerary' }, temperature: { outcome: 'measured', celsius: 36.5 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } } });
    expect(scansBelowAdmissions(VENUE, hour, [...paper, ...admissions(4)], { passes: 4, people: 4 }, THRESHOLDS)).toEqual([]);
  });

  it('names the admissions that came on no pass, where the scans are missing', () => {
    const withPass = admissions(5, { pass: { code: 'C3D4', minute: 8, person: 0, people: 1, via: 'code', src: 'live' } });
    const without = admissions(10);
    const [flag] = scansBelowAdmissions(VENUE, hour, [...withPass, ...without], { passes: 5, people: 5 }, THRESHOLDS);
    expect(flag!.evidence).toEqual({
      recordIds: without.map((e) => e.record.id),
      admissions: 15,
      scans: 5,
      passes: 5,
      scansPerAdmission: 0.33,
      minScansPerAdmission: 0.5,
    });
  });

  it('expects a scan of an admission that recorded no scan check at all', () => {
    const { scan: _scan, ...noScan } = admissions(1)[0]!.record.checks;
    const flags = scansBelowAdmissions(VENUE, hour, admissions(10, { checks: noScan }), { passes: 0, people: 0 }, THRESHOLDS);
    expect(flags.map((f) => f.evidence.admissions)).toEqual([10]);
  });

  it('reads its thresholds from the policy', () => {
    const strict = { ...THRESHOLDS, minScansPerAdmission: 0.9 };
    expect(scansBelowAdmissions(VENUE, hour, admissions(20), { passes: 17, people: 17 }, strict)).toHaveLength(1);
  });
});
