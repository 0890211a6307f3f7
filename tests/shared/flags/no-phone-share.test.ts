import { describe, expect, it } from 'vitest';
import { baselineDays, binomialTail, judgeNoPhone, noPhoneShare, usualShare } from '../../../shared/rules/flags/index.js';
import type { Checks } from '../../../shared/schemas/checks.js';
import { CLEAN_CHECKS, THRESHOLDS, VENUE, at, cleanDay, entrance, rng } from './day.js';

const NO_PHONE: Checks = { ...CLEAN_CHECKS(36.5), scan: { outcome: 'no_phone', shown: 'paper_itinerary' } };
/** A street of 10,000 admissions over the days before, 5 % of them without a phone. */
const STREET = { admissions: 10_000, noPhone: 500 };
const street = () => STREET;

/** `n` admissions in the 14:00 hour, the first `k` of them without a phone. */
const hour = (n: number, k: number, hh = 14) => Array.from({ length: n }, (_, i) => entrance(at(hh, 0, 0) + i * 10_000, { checks: i < k ? NO_PHONE : CLEAN_CHECKS(36.5) }));

describe('noPhoneShare (000 §2(2)(1) 扫码: a patron without a phone shows paper instead of scanning)', () => {
  it('stays silent on a clean day', () => {
    expect(noPhoneShare(VENUE, cleanDay().entrances, street, THRESHOLDS)).toEqual([]);
  });

  // Defaults: at least 20 admissions, a share of at least max(25 %, 3 × the street's) and a binomial tail of at most 0.1 %.
  it.each<[string, number, number, { admissions: number; noPhone: number }, boolean]>([
    ['every admission recorded as no-phone', 30, 30, STREET, true],
    ['half of a busy hour', 100, 50, STREET, true],
    ['the street\'s own share (5 of 100)', 100, 5, STREET, false],
    ['twice the street\'s share (10 of 100): under the factor', 100, 10, STREET, false],
    ['six of 20: over 25 % and 3 ×, tail 0.03 %', 20, 6, STREET, true],
    ['five of 20: 25 % but the tail 0.26 % > 0.1 %', 20, 5, STREET, false],
    ['19 admissions, all no-phone: too small an hour', 19, 19, STREET, false],
    ['a street where a third goes without a phone: 15 of 30 is not three times that', 30, 15, { admissions: 3000, noPhone: 1000 }, false],
    ['a new street (too few admissions before): the policy\'s usual share 5 % stands in', 30, 12, { admissions: 100, noPhone: 90 }, true],
  ])('000 §2(2)(1): %s', (_name, n, k, streetBefore, fires) => {
    const flags = noPhoneShare(VENUE, hour(n, k), () => streetBefore, THRESHOLDS);
    expect(flags.length).toBe(fires ? 1 : 0);
    if (!fires) return;
    expect(flags[0]).toMatchObject({ venueId: VENUE.id, rule: 'no_phone_share', severity: 'warning', windowKey: '2026-11-23T14' });
    expect(flags[0]!.evidence).toMatchObject({ admissions: n, noPhone: k, share: Math.round((k / n) * 1000) / 1000, streetAdmissions: streetBefore.admissions });
    expect((flags[0]!.evidence.recordIds as string[]).length).toBe(Math.min(k, 50));
    expect(flags[0]!.evidence.tailProbability).toBeLessThanOrEqual(THRESHOLDS.maxNoPhoneFalseAlarm);
  });

  it('leaves out refusals and undone admissions', () => {
    const refused = hour(30, 30).map((e) => ({ ...e, record: { ...e.record, decision: 'refuse' as const, reasons: ['fever' as const] } }));
    const undone = hour(30, 30).map((e) => ({ ...e, corrected: true }));
    expect(noPhoneShare(VENUE, [...refused, ...undone, ...hour(30, 0)], street, THRESHOLDS)).toEqual([]);
  });

  it('reads the street over the whole days before the hour\'s own day', () => {
    const { from, to } = baselineDays(at(14, 30), 480, 28);
    expect(to).toBe(at(0, 0));
    expect(from).toBe(at(0, 0) - 28 * 86_400_000);
  });

  it('smooths the street\'s share off zero and falls back to the policy\'s share on a new street', () => {
    expect(usualShare({ admissions: 998, noPhone: 0 }, THRESHOLDS)).toBeCloseTo(1 / 1000, 10);
    expect(usualShare({ admissions: 499, noPhone: 400 }, THRESHOLDS)).toBe(THRESHOLDS.usualNoPhoneShare);
  });

  it.each<[number, number, number, number]>([
    [20, 6, 0.05, 0.000329294], // Σ C(20, i) 0.05^i 0.95^(20−i), i ≥ 6
    [20, 5, 0.05, 0.00257394],
    [10, 0, 0.3, 1],
    [10, 10, 0.5, 1 / 1024],
    [10, 11, 0.5, 0],
  ])('binomialTail(%i, %i, %f) = %f', (n, k, p, want) => {
    expect(binomialTail(n, k, p)).toBeCloseTo(want, 6);
  });

  it('raises at most its false-alarm rate on a realistic street of honest doors', () => {
    // 200 venues × 12 open hours × 14 days; each hour's admissions 5–120, each patron without a phone
    // with the venue's own propensity (2–8 %, around the street's 5 %): doors that differ a little, as real ones do.
    // Judged through the rule over the hour's figures, as the hub judges them.
    const random = rng(2022);
    let judged = 0;
    let flagged = 0;
    for (let v = 0; v < 200; v++) {
      const p = 0.02 + random() * 0.06;
      for (let h = 0; h < 12 * 14; h++) {
        const n = 5 + Math.floor(random() * 116);
        let k = 0;
        for (let i = 0; i < n; i++) if (random() < p) k++;
        if (n >= THRESHOLDS.minAdmissionsForNoPhoneCheck) judged++;
        flagged += judgeNoPhone(VENUE, at(10 + (h % 12)), { admissions: n, noPhone: k, ids: [] }, STREET, THRESHOLDS).length;
      }
    }
    expect(judged).toBeGreaterThan(25_000);
    // The tail bound is for a door exactly like the street; the share floor keeps the slightly
    // different ones below it too.
    expect(flagged / judged).toBeLessThanOrEqual(THRESHOLDS.maxNoPhoneFalseAlarm);
    // A door that records half its patrons, or all of them, as no-phone is flagged in every hour judged.
    for (const share of [0.5, 1]) {
      const hours = Array.from({ length: 100 }, (_, h) => 20 + h);
      const caught = hours.filter((n) => judgeNoPhone(VENUE, at(14), { admissions: n, noPhone: Math.round(n * share), ids: [] }, STREET, THRESHOLDS).length === 1);
      expect(caught).toEqual(hours);
    }
  });
});
