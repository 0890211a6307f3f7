import fc from 'fast-check';
import { z } from 'zod';

/**
 * Generated payloads for the fuzz suite (tests/hub/fuzz.test.ts, docs/testing.md "Fuzzing").
 *
 * A route's or event's zod schema is turned into JSON Schema (zod's own `z.toJSONSchema`), and
 * that into a fast-check arbitrary, so a new field or route is fuzzed without writing anything:
 * - `shaped(schema, 'keep')`: the schema's own shape with hostile values that still fit each
 *   field's declared type and limits (numbers at their bounds, strings of odd unicode at their
 *   lengths, absurd but well-formed dates): mostly valid, so handlers run past validation;
 * - `shaped(schema, 'break')`: the same shape with any value swapped for a wrong type, a value
 *   past its limit, a huge string, deep nesting or prototype keys; a required key dropped or an
 *   unknown one added.
 * `hostileValue` is anything at all of that kind, with no shape.
 */

export type JsonSchema = { [key: string]: unknown };
export type Mode = 'keep' | 'break';

/** The JSON Schema of what a zod schema accepts (its input side; refinements are checked by zod itself). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** A string of 100,000 characters: past every field limit and the JSON body limit's neighbourhood. */
export const HUGE = 'x'.repeat(100_000);

/** Strings that have broken parsers, databases, templates and log lines somewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '   \t\n',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '%',
  "' OR '1'='1' --",
  "'; DROP TABLE records; --",
  '"',
  '\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}',
  '\r\nSet-Cookie: vc_session=x',
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  '\u202Eevil', // right-to-left override
  '\u200B\u200C\u200D\uFEFF', // zero-width characters and a byte-order mark
  'e\u0301\u0301\u0301\u0301', // combining marks
  '👨‍👩‍👧‍👦', // one grapheme of seven code points
  '𝕏'.repeat(70), // astral characters: 140 UTF-16 units
  '０１２３４５６７８９', // full-width digits
  '١٢٣٤', // Arabic-Indic digits
  '测试'.repeat(150),
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  '9007199254740993',
  'null',
  'undefined',
  'true',
  '{}',
  '[]',
  'a'.repeat(65),
  'a'.repeat(201),
  'a'.repeat(10_000),
  HUGE,
];

/** Numbers at and past the limits a schema or a database has. NaN and ±Infinity travel in JSON as null. */
export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.1,
  1.5,
  -1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  -Number.MAX_SAFE_INTEGER - 1,
  2 ** 63,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  8.64e15, // the last millisecond a JS Date holds
  8.64e15 + 1,
];

/** Dates that are well formed, or nearly, and absurd. */
export const ABSURD_DATETIMES: readonly string[] = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2038-01-19T03:14:08Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '2024-02-30T10:00:00+08:00',
  '2023-02-29T10:00:00+08:00',
  '2024-01-01T24:00:00+08:00',
  '2024-01-01T23:59:60Z',
  '2024-01-01T10:00:00+23:59',
  '2024-01-01T10:00:00+14:00',
  '2024-01-01T10:00:00-12:00',
  '2024-01-01T10:00:00+05:45',
  '2024-01-01T10:00:00.123456789+08:00',
  '2024-01-01',
  '2024-01-01T10:00',
  'T',
];

export const ABSURD_DATES: readonly string[] = [
  '0000-00-00',
  '0000-01-01',
  '1900-02-29',
  '2000-02-29',
  '2023-02-29',
  '2024-02-30',
  '2024-13-01',
  '9999-12-31',
  '+275760-09-13',
  '2024-1-1',
  '20240101',
];

/** Keys that reach Object.prototype when code assigns them naively. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** An object with own `__proto__`/`constructor`/`prototype` keys, as JSON.parse makes them. */
export const protoObject: fc.Arbitrary<Record<string, unknown>> = fc
  .subarray([...PROTO_KEYS], { minLength: 1 })
  .map((keys) => JSON.parse(`{${keys.map((k) => `"${k}":{"polluted":true,"prototype":{"polluted":true}}`).join(',')}}`) as Record<string, unknown>);

/**
 * Stands for nesting far deeper than the test process can build and serialise (JSON.stringify
 * recurses; JSON.parse does not): `expandDeep` swaps it, in the JSON text sent, for 100,000 nested
 * arrays (200 kB).
 */
export const DEEP_MARK = '\u0001deep\u0001';
const DEEP_TEXT = '['.repeat(100_000) + ']'.repeat(100_000);
const DEEP_MARK_JSON = JSON.stringify(DEEP_MARK);

/** The JSON text with each DEEP_MARK string replaced by the deep nesting it stands for. */
export const expandDeep = (json: string): string => json.replaceAll(DEEP_MARK_JSON, DEEP_TEXT);

/** Arrays or objects nested past any sensible depth (the JSON stays small). */
export const deepNest: fc.Arbitrary<unknown> = fc
  .record({ depth: fc.constantFrom(64, 1_000), object: fc.boolean() })
  .map(({ depth, object }) => {
    let v: unknown = 0;
    for (let i = 0; i < depth; i++) v = object ? { a: v } : [v];
    return v;
  });

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 6 },
  { arbitrary: fc.constantFrom(...ABSURD_DATETIMES, ...ABSURD_DATES), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 20 }), weight: 1 },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_NUMBERS), weight: 4 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.integer(), weight: 1 },
);

/** Anything JSON can carry, leaning to what breaks code. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }), weight: 2 },
  { arbitrary: protoObject, weight: 2 },
  { arbitrary: deepNest, weight: 1 },
  { arbitrary: fc.constant(DEEP_MARK), weight: 1 },
  { arbitrary: fc.json({ maxDepth: 3 }).map((t) => JSON.parse(t) as unknown), weight: 2 },
);

/**
 * A value of the JSON Schema's shape. 'keep' stays inside each field's declared type and limits
 * (the refinements zod adds on top are not in JSON Schema, so some still fail); 'break' also puts
 * wrong types, values past limits and hostile objects anywhere.
 */
export function shaped(schema: JsonSchema, mode: Mode, depth = 0, known: readonly string[] = []): fc.Arbitrary<unknown> {
  const keep = node(schema, mode, depth, known);
  if (mode === 'keep') return keep;
  return fc.oneof({ arbitrary: keep, weight: 5 }, { arbitrary: hostileValue, weight: 1 });
}

function node(s: JsonSchema, mode: Mode, depth: number, known: readonly string[]): fc.Arbitrary<unknown> {
  if (depth > 6) return mode === 'keep' ? fc.constant(null) : hostileValue;
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => shaped(a, mode, depth + 1, known)));
  const all = s.allOf as JsonSchema[] | undefined;
  if (all?.length) return node({ ...all[0], ...s, allOf: undefined }, mode, depth, known);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const type = s.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => node({ ...s, type: t }, mode, depth, known)));
  switch (type) {
    case 'string':
      return stringOf(s, mode, known);
    case 'integer':
    case 'number':
      return numberOf(s, type === 'integer', mode);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return arrayOf(s, mode, depth, known);
    case 'object':
      return objectOf(s, mode, depth, known);
    default:
      // z.unknown(), z.any() and what JSON Schema cannot say: anything.
      return hostileValue;
  }
}

function stringOf(s: JsonSchema, mode: Mode, known: readonly string[]): fc.Arbitrary<string> {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 300;
  const fits = (v: string) => v.length >= min && v.length <= max;
  const format = s.format as string | undefined;
  let base: fc.Arbitrary<string>;
  if (format === 'uuid') base = fc.uuid();
  else if (format === 'date-time') base = fc.oneof(isoNearNow, isoInstant, fc.constantFrom(...ABSURD_DATETIMES));
  else if (format === 'date') base = fc.oneof(isoNearNow.map((t) => t.slice(0, 10)), isoInstant.map((t) => t.slice(0, 10)), fc.constantFrom(...ABSURD_DATES));
  else if (typeof s.pattern === 'string') {
    // An id-like field: often one that names something stored, so the handler goes past "not found".
    const pattern = new RegExp(s.pattern);
    const ids = known.filter((k) => pattern.test(k) && fits(k));
    const any = fc.stringMatching(pattern).filter(fits);
    base = ids.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 2 }, { arbitrary: any, weight: 1 }) : any;
  }
  else {
    base = fc.oneof(
      { arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }), weight: 3 },
      { arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: Math.min(max, 40) }), weight: 1 },
      // At the length limit, in characters of two UTF-16 units (a limit counted in bytes or code points would differ).
      { arbitrary: fc.constant('测'.repeat(Math.min(max, 10_000))), weight: 1 },
      { arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter(fits), 'x'.repeat(Math.max(min, 1))).filter(fits), weight: 2 },
    );
  }
  if (mode === 'keep') return base;
  return fc.oneof({ arbitrary: base, weight: 3 }, { arbitrary: hostileString, weight: 1 }, { arbitrary: fc.constant('y'.repeat(max + 1)), weight: 1 });
}

/**
 * An ISO instant within 40 days of now (an offset from the wall clock, so a seed replays the same
 * offsets on another day): what a "from/to" window or a "not in the past" rule accepts.
 */
const isoNearNow: fc.Arbitrary<string> = fc.integer({ min: -40 * 86_400_000, max: 40 * 86_400_000 }).map((ms) => new Date(Date.now() + ms).toISOString());

/** An ISO instant with an offset, somewhere in the years a Date holds. */
const isoInstant: fc.Arbitrary<string> = fc
  .record({ ms: fc.integer({ min: -8.64e15, max: 8.64e15 }), offset: fc.constantFrom('Z', '+08:00', '-12:00', '+14:00', '+05:45') })
  .map(({ ms, offset }) => new Date(ms).toISOString().replace('Z', offset));

function numberOf(s: JsonSchema, integer: boolean, mode: Mode): fc.Arbitrary<number> {
  const lo = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + (integer ? 1 : 1e-9) : undefined;
  const hi = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - (integer ? 1 : 1e-9) : undefined;
  const min = lo ?? (integer ? -Number.MAX_SAFE_INTEGER : -1e12);
  const max = hi ?? (integer ? Number.MAX_SAFE_INTEGER : 1e12);
  const inside = integer
    ? fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }).filter((n) => n >= min && n <= max), fc.constantFrom(min, max))
    : fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max));
  if (mode === 'keep') return inside;
  const past = [min - 1, max + 1, integer ? min + 0.5 : Number.NaN].filter((n) => Number.isFinite(n));
  return fc.oneof({ arbitrary: inside, weight: 3 }, { arbitrary: fc.constantFrom(...past), weight: 1 }, { arbitrary: hostileNumber, weight: 1 });
}

function arrayOf(s: JsonSchema, mode: Mode, depth: number, known: readonly string[]): fc.Arbitrary<unknown[]> {
  const items = (s.items ?? {}) as JsonSchema;
  const minLength = typeof s.minItems === 'number' ? s.minItems : 0;
  const maxItems = typeof s.maxItems === 'number' ? s.maxItems : 6;
  const item = shaped(items, mode, depth + 1, known);
  const short = fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(maxItems, 4)) });
  // As long as the schema allows (up to 100,000 items: a retiring kiosk's refused seqs), one item of
  // the schema repeated, within 2 MB of JSON: a larger packet is cut by the transport
  // (maxHttpBufferSize), before the hub reads it.
  const full =
    maxItems <= 100_000 && maxItems > 4
      ? [
          fc.tuple(node(items, 'keep', depth + 1, known), fc.nat()).map(([v, k]) => {
            const length = Math.min(maxItems, Math.floor(2_000_000 / ((JSON.stringify(v) ?? '').length + 1)));
            return Array.from({ length }, (_, i) => (typeof v === 'number' ? v + ((i * (k + 1)) % maxItems) : v));
          }),
        ]
      : [];
  const arr = fc.oneof({ arbitrary: short, weight: 8 }, ...full.map((arbitrary) => ({ arbitrary, weight: 1 })));
  if (mode === 'keep') return arr;
  // One past the limit, when that stays a small body.
  const tooLong = maxItems < 2_000 ? [fc.array(fc.constant(0), { minLength: maxItems + 1, maxLength: maxItems + 1 })] : [];
  return fc.oneof({ arbitrary: arr, weight: 4 }, ...tooLong.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

function objectOf(s: JsonSchema, mode: Mode, depth: number, known: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const names = Object.keys(properties);
  const extra = s.additionalProperties;
  let base: fc.Arbitrary<Record<string, unknown>>;
  if (names.length === 0 && extra && typeof extra === 'object') {
    // A record (z.record): keys from its propertyNames, values of its value schema.
    const keys = s.propertyNames ? (node(s.propertyNames as JsonSchema, mode, depth + 1, known) as fc.Arbitrary<string>).map(String) : fc.string({ maxLength: 12 });
    base = fc.dictionary(keys, shaped(extra as JsonSchema, mode, depth + 1, known), { maxKeys: 3 });
  } else {
    const model = Object.fromEntries(names.map((n) => [n, shaped(properties[n]!, mode, depth + 1, known)]));
    base = fc.record(model, { requiredKeys: names.filter((n) => required.has(n)) }) as fc.Arbitrary<Record<string, unknown>>;
  }
  if (mode === 'keep') return base;
  return fc.oneof(
    { arbitrary: base, weight: 4 },
    // An unknown key, or a prototype key, beside the fields.
    {
      arbitrary: fc.tuple(base, fc.constantFrom('unknownKey', ...PROTO_KEYS), hostileValue).map(([o, k, v]) => withOwnKey(o, k, v)),
      weight: 1,
    },
    // A required key missing.
    ...(required.size > 0
      ? [{ arbitrary: fc.tuple(base, fc.constantFrom(...required)).map(([o, k]) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k))), weight: 1 }]
      : []),
  );
}

/** A copy of `o` with an own enumerable key `k` (even `__proto__`), as JSON.parse would make it. */
export function withOwnKey(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const copy = { ...o };
  Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * Payloads for a zod schema: its shape with hostile values (mostly), broken shapes, and anything.
 * `known` are ids of stored things, used for id-like fields now and then.
 */
export function payloadFor(schema: z.ZodType, known: readonly string[] = []): fc.Arbitrary<unknown> {
  const js = jsonSchemaOf(schema);
  return fc.oneof({ arbitrary: shaped(js, 'keep', 0, known), weight: 3 }, { arbitrary: shaped(js, 'break', 0, known), weight: 3 }, { arbitrary: hostileValue, weight: 1 });
}
