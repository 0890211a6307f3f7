import { describe, expect, it } from 'vitest';
import { parseTemperatureText } from '../../shared/rules/temperature-text.js';
import { Temperature } from '../../shared/schemas/common.js';

/**
 * A typed temperature (000 §2(2)(1) 体温测量): plain decimals only, so a reading
 * nobody took cannot be slipped in as hex or an exponent that `Number()` would read.
 */
describe('parseTemperatureText (000 §2(2)(1))', () => {
  it.each([
    ['36', 36],
    ['36.5', 36.5],
    ['36,5', 36.5],
    [' 37.2 ', 37.2],
    ['036.5', 36.5],
    ['37.25', 37.25], // read as typed: the schema's 0.1 °C steps refuse it, with the range message
  ])('reads %j as %s °C', (text, celsius) => {
    expect(parseTemperatureText(text)).toEqual({ ok: true, celsius });
  });

  it.each([
    ['0x25', 'Number() reads 37'],
    ['3.75e1', 'Number() reads 37.5'],
    ['375e-1', 'Number() reads 37.5'],
    ['+36', 'a sign'],
    ['-36.5', 'a sign'],
    ['Infinity', 'a word'],
    ['NaN', 'a word'],
    ['36.5.1', 'two decimal marks'],
    ['36,5.1', 'two decimal marks'],
    ['36.', 'a mark with no digit after it'],
    ['.5', 'no digit before the mark'],
    ['36 5', 'a space inside'],
    ['0b100101', 'binary'],
    ['0o45', 'octal'],
    ['３６.５', 'full-width digits'],
    ['36.5°', 'a unit'],
    ['1_000', 'a separator'],
  ])('refuses %j (%s) as not a plain decimal', (text) => {
    expect(parseTemperatureText(text)).toEqual({ ok: false, reason: 'not_decimal' });
  });

  it.each(['', ' ', '\t'])('calls %j empty, not zero', (text) => {
    expect(parseTemperatureText(text)).toEqual({ ok: false, reason: 'empty' });
  });
});

describe('Temperature schema: what the hub stores (000 §2(2)(1))', () => {
  it.each([36.5, 34, 42, 37.3])('takes %s °C', (c) => {
    expect(Temperature.safeParse(c).success).toBe(true);
  });

  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [1e308, 'absurdly large'],
    [-273.15, 'absolute zero'],
    [33.9, 'below the thermometers\' range'],
    [42.1, 'above it'],
    [36.55, 'finer than 0.1 °C'],
  ])('refuses %s (%s)', (c) => {
    expect(Temperature.safeParse(c).success).toBe(false);
  });
});
