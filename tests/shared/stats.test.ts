import { describe, expect, it } from 'vitest';
import { binomialLower, binomialUpper, chiSquareCdf, gammaP, logGamma, normalCdf } from '../../shared/rules/stats.js';

/** The distribution functions behind invented_temperatures' false-alarm rate (docs/inspectors-guide.md), against textbook values. */
describe('stats', () => {
  it.each([
    [0, 0.5],
    [1.959963985, 0.975],
    [-1.644853627, 0.05],
    [3.090232306, 0.999],
  ])('Φ(%s) = %s', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 6);
  });

  it('ln Γ of integers is ln of factorials, and Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 10);
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 10);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 8);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });

  it.each([
    [3.841458820694124, 1, 0.95],
    [16.918977604620448, 9, 0.95],
    [2.087900736, 9, 0.01],
    [124.3421134, 100, 0.95],
    [77.92946, 100, 0.05],
    [0, 5, 0],
  ])('P(χ² ≤ %s | %s df) = %s', (x, df, p) => {
    expect(chiSquareCdf(x, df)).toBeCloseTo(p, 3);
  });

  it('P(a, x) of a = 1 is 1 − e^−x, either side of a + 1', () => {
    for (const x of [0.5, 1.9, 2.1, 10]) expect(gammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 12);
  });

  it('binomial tails sum the terms, at the edges too', () => {
    const pmf = (k: number) => [0.10737418240000005, 0.26843545600000035, 0.30198988799999993][k]!; // Bin(10, 0.2)
    expect(binomialLower(10, 2, 0.2)).toBeCloseTo(pmf(0) + pmf(1) + pmf(2), 12);
    expect(binomialUpper(10, 3, 0.2)).toBeCloseTo(1 - pmf(0) - pmf(1) - pmf(2), 12);
    expect(binomialLower(120, 0, 0.08)).toBeCloseTo(0.92 ** 120, 15);
    expect(binomialUpper(115, 115, 0.2) / 0.2 ** 115).toBeCloseTo(1, 10);
    expect([binomialUpper(5, 0, 0.3), binomialUpper(5, 6, 0.3), binomialLower(5, -1, 0.3), binomialLower(5, 5, 0.3)]).toEqual([1, 0, 0, 1]);
    expect([binomialUpper(5, 2, 0), binomialUpper(5, 2, 1), binomialLower(5, 2, 0), binomialLower(5, 2, 1)]).toEqual([0, 1, 1, 0]);
  });
});
