import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds } from '../../schemas/policy.js';
import { hourKey, type FlagVenue } from './window.js';

/** One measured reading at a kiosk, in the kiosk's order. */
export interface Reading {
  recordId: string;
  celsius: number;
  kioskTimeMs: number;
}

/**
 * `invented_temperatures` — readings that look typed in rather than measured
 * (all 36.5 °C, say: the 体温测量 of 000 §2(2)(1) recorded as done but not
 * done). Over a kiosk's last `temperatureWindow` readings: one
 * value's share above `maxSameReadingShare`, or a standard deviation below
 * `minTemperatureStdDevC`. Real foreheads at a door spread over a degree
 * (36.0–37.2 °C); a fixed value, or a value nudged by 0.1, does not.
 *
 * Severity `warning`: a strong hint that nobody measured, not proof.
 *
 * Per batch, for the kiosk that sent it: the hub passes the kiosk's latest
 * readings (oldest first), never the day. Window: kiosk and the venue-local
 * hour of the latest reading (`kiosk-1@2026-11-23T14`), so a kiosk that keeps
 * inventing gets one flag per hour, not one per batch.
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
  if (stats.modeShare <= thresholds.maxSameReadingShare && stats.stdDevC >= thresholds.minTemperatureStdDevC) return [];
  return [
    {
      venueId: venue.id,
      rule: 'invented_temperatures',
      severity: 'warning',
      windowKey: `${kioskId}@${hourKey(recent.at(-1)!.kioskTimeMs, venue.utcOffsetMinutes)}`,
      evidence: {
        kioskId,
        recordIds: recent.map((r) => r.recordId),
        readings: recent.length,
        modeC: stats.modeC,
        modeShare: round(stats.modeShare),
        stdDevC: round(stats.stdDevC),
      },
    },
  ];
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
