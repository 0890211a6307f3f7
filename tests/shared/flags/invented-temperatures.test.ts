import { describe, expect, it } from 'vitest';
import { inventedTemperatures, readingStats, temperatureTests, TEMPERATURE_TESTS, type Reading, type TemperatureTest } from '../../../shared/rules/flags/index.js';
import { THRESHOLDS, VENUE, at, cleanDay, rng } from './day.js';

const readings = (values: number[]): Reading[] => values.map((celsius, i) => ({ recordId: `r${i}`, celsius, kioskTimeMs: at(14) + i * 60_000 }));

describe('inventedTemperatures (000 §2(2)(1) 体温测量: "all 36.5 °C" is typed, not measured)', () => {
  it('stays silent over every window of a clean day, at both doors', () => {
    for (const [kioskId, all] of cleanDay().readings) {
      for (let end = THRESHOLDS.temperatureWindow; end <= all.length; end++) {
        expect(inventedTemperatures(VENUE, kioskId, all.slice(0, end), THRESHOLDS)).toEqual([]);
      }
    }
  });

  it.each([
    ['every reading 36.5 °C', Array<number>(20).fill(36.5), true],
    ['36.4 and 36.5 alternating (spread 0.05 °C)', Array.from({ length: 20 }, (_, i) => (i % 2 ? 36.4 : 36.5)), true],
    ['12 of 20 the same: a 0.6 share, at the threshold', [...Array<number>(12).fill(36.5), 36.0, 36.2, 36.8, 37.0, 37.1, 36.1, 36.9, 36.3], false],
    ['13 of 20 the same: above it', [...Array<number>(13).fill(36.5), 36.0, 36.2, 36.8, 37.0, 37.1, 36.1, 36.9], true],
    ['19 readings only, all 36.5 °C: too few to judge', Array<number>(19).fill(36.5), false],
  ] as const)('%s', (_n, values, fires) => {
    const flags = inventedTemperatures(VENUE, 'kiosk-1', readings([...values]), THRESHOLDS);
    expect(flags.length).toBe(fires ? 1 : 0);
    if (fires) {
      expect(flags[0]).toMatchObject({ rule: 'invented_temperatures', severity: 'warning', windowKey: 'kiosk-1@2026-11-23T14' });
      expect((flags[0]!.evidence.recordIds as string[]).length).toBe(20);
    }
  });

  it('judges only the last window of readings', () => {
    const recovered = readings([...Array<number>(20).fill(36.5), 36.0, 36.4, 36.8, 37.1, 36.2, 36.6, 36.9, 36.3, 37.0, 36.1, 36.7, 36.5, 36.2, 36.8, 36.0, 37.2, 36.4, 36.6, 36.3, 36.9]);
    expect(inventedTemperatures(VENUE, 'kiosk-1', recovered, THRESHOLDS)).toEqual([]);
  });

  it('flags a kiosk that starts inventing after honest readings, naming only the window\'s records', () => {
    const honest = [36.0, 36.4, 36.8, 37.1, 36.2, 36.6, 36.9, 36.3, 37.0, 36.1, 36.7, 36.5, 36.2, 36.8, 36.0, 37.2, 36.4, 36.6, 36.3, 36.9];
    const all = readings([...honest, ...Array<number>(20).fill(36.5)]);
    expect(inventedTemperatures(VENUE, 'kiosk-1', all, THRESHOLDS)).toEqual([
      {
        venueId: VENUE.id,
        rule: 'invented_temperatures',
        severity: 'warning',
        windowKey: 'kiosk-1@2026-11-23T14',
        evidence: { kioskId: 'kiosk-1', recordIds: all.slice(20).map((r) => r.recordId), readings: 20, modeC: 36.5, modeShare: 1, stdDevC: 0, failed: ['same_value', 'small_spread'] },
      },
    ]);
  });

  it('keys the flag by the hour of the latest reading', () => {
    const late = readings(Array<number>(20).fill(36.5)).map((r, i) => ({ ...r, kioskTimeMs: at(14, 41) + i * 60_000 }));
    expect(inventedTemperatures(VENUE, 'kiosk-2', late, THRESHOLDS).map((f) => f.windowKey)).toEqual(['kiosk-2@2026-11-23T15']);
  });

  it('reads the window, the share and the spread from the policy', () => {
    const ten = readings([36.5, 36.5, 36.5, 36.5, 36.5, 36.6, 36.4, 36.7, 36.3, 36.8]);
    // Ten readings are too few for the default window of 20.
    expect(inventedTemperatures(VENUE, 'kiosk-1', ten, THRESHOLDS)).toEqual([]);
    const window10 = { ...THRESHOLDS, temperatureWindow: 10 };
    // Half of them are 36.5 and they spread about 0.13 °C: within the default share (0.6) and spread (0.1).
    expect(inventedTemperatures(VENUE, 'kiosk-1', ten, window10)).toEqual([]);
    expect(inventedTemperatures(VENUE, 'kiosk-1', ten, { ...window10, maxSameReadingShare: 0.4 })).toHaveLength(1);
    expect(inventedTemperatures(VENUE, 'kiosk-1', ten, { ...window10, maxSameReadingShare: 0.5 })).toEqual([]);
    expect(inventedTemperatures(VENUE, 'kiosk-1', ten, { ...window10, minTemperatureStdDevC: 0.2 })).toHaveLength(1);
  });

  it('computes the mode, its share and the spread', () => {
    expect(readingStats([36.5, 36.5, 36.7, 36.3])).toEqual({ modeC: 36.5, modeShare: 0.5, stdDevC: expect.closeTo(0.1414, 3) });
  });

  it('takes the first seen of two equally common readings as the mode', () => {
    expect(readingStats([36.7, 36.5, 36.5, 36.7]).modeC).toBe(36.7);
    expect(readingStats([36.5, 36.7, 36.7, 36.5]).modeC).toBe(36.5);
  });

  it('a spread exactly at the minimum is enough', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i % 2 ? 36.4 : 36.6));
    const { stdDevC } = readingStats(values);
    expect(inventedTemperatures(VENUE, 'kiosk-1', readings(values), { ...THRESHOLDS, minTemperatureStdDevC: stdDevC })).toEqual([]);
    expect(inventedTemperatures(VENUE, 'kiosk-1', readings(values), { ...THRESHOLDS, minTemperatureStdDevC: stdDevC + 1e-9 })).toHaveLength(1);
  });
});

describe('temperatureTests: one row per statistical test (000 §2(2)(1) 体温测量)', () => {
  const random = rng(36);
  const bell = (sd: number) => () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.round((36.45 + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())) * 10) / 10;
  };
  const n = THRESHOLDS.temperatureTestWindow;
  const alpha = THRESHOLDS.temperatureTestAlpha;
  const honest = Array.from({ length: n }, bell(0.25));

  it('passes honest forehead readings (a bell, sd 0.25 °C) on every test', () => {
    const p = temperatureTests(honest, THRESHOLDS.honestTemperatureStdDevC);
    for (const t of TEMPERATURE_TESTS) expect(p[t], t).toBeGreaterThan(alpha);
  });

  it.each<[TemperatureTest, string, number[]]>([
    ['digits', 'terminal-digit preference: readings rounded to 0.5', honest.map((c) => Math.round(c * 2) / 2)],
    ['spread', 'too regular a spread: 36.2–36.8 at random, no tails', Array.from({ length: n }, () => Math.round((36.2 + Math.floor(random() * 7) / 10) * 10) / 10)],
    ['variation', 'too little variation: a bell of sd 0.1 °C', Array.from({ length: n }, bell(0.1))],
    ['cycle', 'a cycle: 36.5, 36.7, 36.4, 36.6 over and over', Array.from({ length: n }, (_, i) => [36.5, 36.7, 36.4, 36.6][i % 4]!)],
  ])('%s fails on %s', (test, _pattern, values) => {
    expect(temperatureTests(values, THRESHOLDS.honestTemperatureStdDevC)[test]).toBeLessThan(alpha);
  });
});
