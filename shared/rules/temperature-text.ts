/**
 * A temperature as staff type it: plain decimal digits with at most one
 * decimal mark, '.' or ',' (a comma is the decimal mark on some tablet
 * keyboards), e.g. `36`, `36.5`, `36,5`. Surrounding spaces are ignored.
 *
 * Everything else is refused rather than guessed at: `Number()` reads `0x25`
 * as 37 and `3.75e1` as 37.5, so a door could record a reading nobody took
 * (000 §2(2)(1) 体温测量). The range and the 0.1 °C steps are the schema's
 * (shared/schemas/common.ts Temperature); this only reads the text.
 */
export type TemperatureText = { ok: true; celsius: number } | { ok: false; reason: 'empty' | 'not_decimal' };

const PLAIN_DECIMAL = /^[0-9]+(?:[.,][0-9]+)?$/;

export function parseTemperatureText(text: string): TemperatureText {
  const s = text.trim();
  if (s === '') return { ok: false, reason: 'empty' };
  if (!PLAIN_DECIMAL.test(s)) return { ok: false, reason: 'not_decimal' };
  return { ok: true, celsius: Number(s.replace(',', '.')) };
}

/** Why a typed temperature was refused, for the API error's message (the kiosk words it per language). */
export const TEMPERATURE_TEXT_MESSAGE = 'digits and at most one decimal mark, e.g. 36.5';
