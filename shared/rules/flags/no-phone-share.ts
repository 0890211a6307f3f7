import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds } from '../../schemas/policy.js';
import { emptyNoPhone, foldNoPhone, idsOf, type NoPhoneFacts, type StreetDayFacts } from './window-facts.js';
import { groupBy, hourKey, hourStart, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance } from './window.js';

const DAY_MS = 86_400_000;

/**
 * The street's admissions over the days before an hour, the venue judged left out (so a venue cannot
 * hide in its own baseline): what the hour's no-phone share is held against.
 */
export type StreetBefore = (hourStart: number) => StreetDayFacts;

/**
 * The days the street's usual share is read over for an hour: the `days` whole venue-local days
 * before the hour's own day (the day in progress never moves its own yardstick).
 */
export function baselineDays(hourStartMs: number, offsetMinutes: number, days: number): { from: number; to: number } {
  const local = hourStartMs + offsetMinutes * 60_000;
  const to = local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - offsetMinutes * 60_000;
  return { from: to - days * DAY_MS, to };
}

/**
 * The street's usual no-phone share. Add-one smoothing ((k + 1) / (n + 2)) keeps it above zero, so a
 * street where nobody went without a phone still has a yardstick; until the street has
 * `minNoPhoneBaselineAdmissions` admissions in the days read, the policy's `usualNoPhoneShare` stands in.
 */
export function usualShare(street: StreetDayFacts, th: Pick<FlagThresholds, 'minNoPhoneBaselineAdmissions' | 'usualNoPhoneShare'>): number {
  if (street.admissions < th.minNoPhoneBaselineAdmissions) return th.usualNoPhoneShare;
  return (street.noPhone + 1) / (street.admissions + 2);
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p): how often a door whose patrons go without a phone at the
 * street's usual rate would record at least `k` of `n` admissions as no-phone. Summed term by term
 * in log space from k (each hour has at most thousands of admissions).
 */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let logC = 0;
  for (let i = 0; i < k; i++) logC += Math.log(n - i) - Math.log(i + 1);
  let term = Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p));
  let sum = 0;
  for (let i = k; i <= n && term > 0; i++) {
    sum += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.min(1, sum);
}

/**
 * `no_phone_share` — a venue that records far more of its patrons as having
 * no phone than the street does. A patron without a phone shows paper instead
 * of scanning the venue code (000 §2(2)(1) 扫码; `scan: no_phone` in
 * checks.ts), and is left out of `scans_below_admissions`; a door that records
 * everyone so hides that it does not have them scan.
 *
 * The statistic, per venue-local hour: of `n` admissions that stand, `k`
 * recorded as no-phone. It flags when all of:
 * - `n ≥ minAdmissionsForNoPhoneCheck` (a small hour says nothing);
 * - the share `k / n ≥ max(minNoPhoneShare, noPhoneShareFactor × p)`, where
 *   `p` is the usual share of the rest of the street (usualShare, over the
 *   `noPhoneBaselineDays` days before);
 * - `P(X ≥ k) ≤ maxNoPhoneFalseAlarm` for X ~ Binomial(n, p): a door whose
 *   patrons are like the street's reaches `k` this rarely, so an honest door is
 *   flagged in at most that share of its judged hours (less, with the share
 *   floor on top).
 *
 * Severity `warning`: the figure is statistical (a care home's visitors, a
 * market of elderly shoppers may go without phones), for an inspector to look at.
 * Per batch, over each venue-local hour the batch touches, from running
 * figures (the hour's and the street's days). Window: the hour.
 */
export function noPhoneShare(venue: FlagVenue, entrances: readonly HeldEntrance[], street: StreetBefore, th: FlagThresholds): RaisedFlag[] {
  const byHour = groupBy(standingAdmissions(entrances), (e) => hourKey(kioskTimeMs(e), venue.utcOffsetMinutes));
  return [...byHour].flatMap(([, admissions]) => {
    const start = hourStart(kioskTimeMs(admissions[0]!), venue.utcOffsetMinutes);
    return judgeNoPhone(venue, start, foldNoPhone(emptyNoPhone(), admissions), street(start), th);
  });
}

/** The rule over one hour's running figures and the street's days before it (window-facts.ts). */
export function judgeNoPhone(venue: FlagVenue, hourStartMs: number, f: NoPhoneFacts, street: StreetDayFacts, th: FlagThresholds): RaisedFlag[] {
  if (f.admissions < th.minAdmissionsForNoPhoneCheck || f.noPhone === 0) return [];
  const p = usualShare(street, th);
  const share = f.noPhone / f.admissions;
  if (share < Math.max(th.minNoPhoneShare, th.noPhoneShareFactor * p)) return [];
  const tail = binomialTail(f.admissions, f.noPhone, p);
  if (tail > th.maxNoPhoneFalseAlarm) return [];
  const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
  return [
    {
      venueId: venue.id,
      rule: 'no_phone_share',
      severity: 'warning',
      windowKey: hourKey(hourStartMs, venue.utcOffsetMinutes),
      evidence: {
        recordIds: idsOf(f.ids),
        admissions: f.admissions,
        noPhone: f.noPhone,
        share: round(share, 3),
        streetShare: round(p, 4),
        streetAdmissions: street.admissions,
        baselineDays: th.noPhoneBaselineDays,
        // How likely this hour is for a door whose patrons are like the street's.
        tailProbability: Number(tail.toPrecision(3)),
      },
    },
  ];
}
