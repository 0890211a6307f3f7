import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds } from '../../schemas/policy.js';
import { binomialLower, binomialUpper, chiSquareCdf, normalCdf } from '../stats.js';
import { hourKey, type FlagVenue } from './window.js';

/** One measured reading at a kiosk, in the kiosk's order. */
export interface Reading {
  recordId: string;
  celsius: number;
  kioskTimeMs: number;
}

/**
 * `invented_temperatures` — readings that look typed in rather than measured
 * (the 体温测量 of 000 §2(2)(1) recorded as done but not done).
 *
 * Two kinds of evidence, over a kiosk's latest readings:
 * - **Plain** (last `temperatureWindow`, 20): one value's share above
 *   `maxSameReadingShare`, or a standard deviation below
 *   `minTemperatureStdDevC` (`failed`: `same_value`, `small_spread`): all
 *   36.5 °C, or 36.5 nudged by 0.1.
 * - **Statistical** (last `temperatureTestWindow`, 120), for inventions that
 *   vary: four tests (`temperatureTests`), each with a known false-alarm rate
 *   `temperatureTestAlpha` per judgement on honest readings, i.e. infrared
 *   forehead readings around 36.0–37.2 °C spreading at least
 *   `honestTemperatureStdDevC` (0.2 °C). tests/shared/flags/invented-temperatures-street.test.ts
 *   measures the rate on a generated street and the power on each invented pattern.
 *
 * Severity `warning`: a strong hint that nobody measured, not proof.
 *
 * Per batch, for the kiosk that sent it: the hub passes the kiosk's latest
 * readings (oldest first, `readingsNeeded` of them), never the day. Window:
 * kiosk and the venue-local hour of the latest reading (`kiosk-1@2026-11-23T14`),
 * so a kiosk that keeps inventing gets one flag per hour, not one per batch.
 */
export function inventedTemperatures(
  venue: FlagVenue,
  kioskId: string,
  readings: readonly Reading[],
  thresholds: FlagThresholds,
): RaisedFlag[] {
  if (readings.length < thresholds.temperatureWindow) return [];
  const recent = readings.slice(-thresholds.temperatureWindow);
  const stats = readingStats(recent.map((r) => r.celsius));
  const flag = (window: readonly Reading[], s: ReturnType<typeof readingStats>, extra: Record<string, unknown> = {}): RaisedFlag[] => [
    {
      venueId: venue.id,
      rule: 'invented_temperatures',
      severity: 'warning',
      windowKey: `${kioskId}@${hourKey(window.at(-1)!.kioskTimeMs, venue.utcOffsetMinutes)}`,
      evidence: {
        kioskId,
        recordIds: window.map((r) => r.recordId),
        readings: window.length,
        modeC: s.modeC,
        modeShare: round(s.modeShare),
        stdDevC: round(s.stdDevC),
        ...extra,
      },
    },
  ];
  const plain = [
    ...(stats.modeShare > thresholds.maxSameReadingShare ? ['same_value'] : []),
    ...(stats.stdDevC < thresholds.minTemperatureStdDevC ? ['small_spread'] : []),
  ];
  if (plain.length > 0) return flag(recent, stats, { failed: plain });
  if (readings.length < thresholds.temperatureTestWindow) return [];
  const tested = readings.slice(-thresholds.temperatureTestWindow);
  const p = temperatureTests(tested.map((r) => r.celsius), thresholds.honestTemperatureStdDevC);
  const failed = TEMPERATURE_TESTS.filter((t) => p[t] < thresholds.temperatureTestAlpha);
  if (failed.length === 0) return [];
  const pValues = Object.fromEntries(TEMPERATURE_TESTS.map((t) => [t, Number(p[t].toPrecision(3))]));
  return flag(tested, readingStats(tested.map((r) => r.celsius)), { failed, pValues, alpha: thresholds.temperatureTestAlpha });
}

/** How many of a kiosk's latest readings the rule reads. */
export const readingsNeeded = (thresholds: FlagThresholds): number => Math.max(thresholds.temperatureWindow, thresholds.temperatureTestWindow);

export const TEMPERATURE_TESTS = ['digits', 'spread', 'variation', 'cycle'] as const;
export type TemperatureTest = (typeof TEMPERATURE_TESTS)[number];

/** Lags the cycle test looks at: a typed routine repeating every 1 to this many patrons. */
const MAX_CYCLE = 10;

/**
 * The four tests' p-values over `values` (°C, 0.1 °C steps, in the kiosk's
 * order): the chance that honest readings spreading at least `honestSdC` look
 * at least this invented. A value below the policy's alpha fails the test.
 *
 * - `digits` (terminal-digit preference): χ² of the tenths digit against the
 *   digits a smooth bell of the readings' own mean and spread (at least
 *   `honestSdC`) gives. Rounding to 0.5 (36.0, 36.5, 37.0) or a favourite
 *   digit fails it; honest readings' digits are not uniform (their spread is
 *   only 2–3 tenths), so the reference is the bell, not 1/10 each.
 * - `spread` (too regular a spread): readings 0.35 °C or more from the mean.
 *   Honest readings have such tails (≥ 8 % of them at 0.2 °C spread); values
 *   invented inside a band (36.2–36.8) have none. Binomial lower tail.
 * - `variation` (too little variation for the number of readings): the
 *   sample variance against `honestSdC`², a χ² lower tail with n − 1
 *   degrees of freedom. Catches a narrow band the 20-reading check misses.
 * - `cycle` (sequences that cycle): for each lag 1–10, how often a reading
 *   equals the one that many patrons before, against the chance two readings
 *   agree (from the readings' own frequencies); binomial upper tail,
 *   Bonferroni over the lags. Independent patrons do not repeat a pattern.
 */
export function temperatureTests(values: readonly number[], honestSdC: number): Record<TemperatureTest, number> {
  const t = values.map((v) => Math.round(v * 10));
  const n = t.length;
  const { mean, variance } = moments(t);
  const honestSd = honestSdC * 10;
  const median = medianOf(t);
  return {
    digits: digitTest(t, median, honestSd),
    spread: spreadTest(t, mean, honestSd),
    variation: chiSquareCdf(((n - 1) * variance) / honestSd ** 2, n - 1),
    cycle: cycleTest(t),
  };
}

const digitOf = (tenths: number) => ((tenths % 10) + 10) % 10;

function moments(t: readonly number[]): { mean: number; variance: number } {
  const mean = t.reduce((s, v) => s + v, 0) / t.length;
  return { mean, variance: t.reduce((s, v) => s + (v - mean) ** 2, 0) / (t.length - 1) };
}

function medianOf(t: readonly number[]): number {
  const sorted = [...t].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Tenths from the median beyond which a reading is a fever or a misreading, not the bell the digits are judged on. */
const BULK_TENTHS = 10;

function digitTest(all: readonly number[], median: number, honestSd: number): number {
  // The bell is fitted to the bulk: a fever's reading would widen it and make the central digits look preferred.
  const lo = Math.ceil(median - BULK_TENTHS);
  const hi = Math.floor(median + BULK_TENTHS);
  const t = all.filter((v) => v >= lo && v <= hi);
  const n = t.length;
  if (n < 2) return 1;
  const { mean, variance } = moments(t);
  const sd = Math.max(Math.sqrt(variance), honestSd);
  const expected = Array<number>(10).fill(0);
  for (let v = lo; v <= hi; v++) expected[digitOf(v)]! += normalCdf((v + 0.5 - mean) / sd) - normalCdf((v - 0.5 - mean) / sd);
  const total = expected.reduce((s, e) => s + e, 0);
  const observed = Array<number>(10).fill(0);
  for (const v of t) observed[digitOf(v)]!++;
  // Cells expecting under one reading are pooled, so one stray reading in a rare digit is not a χ² of its own.
  const cells: { o: number; e: number }[] = [];
  const rare = { o: 0, e: 0 };
  for (let d = 0; d < 10; d++) {
    const e = (expected[d]! / total) * n;
    if (e >= 1) cells.push({ o: observed[d]!, e });
    else {
      rare.o += observed[d]!;
      rare.e += e;
    }
  }
  if (rare.e > 0) {
    if (rare.e >= 1 || cells.length === 0) cells.push(rare);
    else {
      const smallest = cells.reduce((a, b) => (b.e < a.e ? b : a));
      smallest.o += rare.o;
      smallest.e += rare.e;
    }
  }
  if (cells.length < 2) return 1;
  const x2 = cells.reduce((s, c) => s + (c.o - c.e) ** 2 / c.e, 0);
  return 1 - chiSquareCdf(x2, cells.length - 1);
}

/** Tenths from the mean at or beyond which a reading is in the tails. */
const TAIL_TENTHS = 3.5;

function spreadTest(t: readonly number[], mean: number, honestSd: number): number {
  const tails = t.filter((v) => Math.abs(v - mean) >= TAIL_TENTHS).length;
  return binomialLower(t.length, tails, tailChance(honestSd));
}

/**
 * The least chance that an honest reading (a bell of spread `sd` tenths,
 * rounded to a tenth) lands in the tails, over where its mean sits between
 * two tenths: the test then errs towards silence.
 */
function tailChance(sd: number): number {
  let least = 1;
  for (let f = 0; f < 1; f += 0.05) {
    const above = 1 - normalCdf((Math.ceil(f + TAIL_TENTHS) - 0.5 - f) / sd);
    const below = normalCdf((Math.floor(f - TAIL_TENTHS) + 0.5 - f) / sd);
    least = Math.min(least, above + below);
  }
  return least;
}

function cycleTest(t: readonly number[]): number {
  const n = t.length;
  const counts = new Map<number, number>();
  for (const v of t) counts.set(v, (counts.get(v) ?? 0) + 1);
  let agree = 0;
  for (const c of counts.values()) agree += (c / n) ** 2;
  const lags = Math.min(MAX_CYCLE, Math.floor(n / 4));
  let best = 1;
  for (let k = 1; k <= lags; k++) {
    let m = 0;
    for (let i = k; i < n; i++) if (t[i] === t[i - k]) m++;
    best = Math.min(best, binomialUpper(n - k, m, agree));
  }
  return Math.min(1, best * lags);
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The most common reading, its share, and the (population) standard deviation. */
export function readingStats(values: readonly number[]): { modeC: number; modeShare: number; stdDevC: number } {
  const counts = new Map<number, number>();
  // Readings are 0.1 °C steps: count them as tenths so 36.5 and 36.50000001 are one value.
  for (const v of values) counts.set(Math.round(v * 10), (counts.get(Math.round(v * 10)) ?? 0) + 1);
  let mode = 0;
  let most = 0;
  for (const [tenths, n] of counts) if (n > most) [mode, most] = [tenths, n];
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { modeC: mode / 10, modeShare: most / values.length, stdDevC: Math.sqrt(variance) };
}
