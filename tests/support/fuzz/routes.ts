import fc from 'fast-check';
import { z } from 'zod';
import { ApiError } from '../../../shared/schemas/errors.js';
import { REGISTRY_COLUMNS, type RegistryColumn } from '../../../shared/schemas/registry.js';
import { expandDeep, hostileString, hostileValue, jsonSchemaOf, payloadFor, shaped, type JsonSchema } from './arbitraries.js';
import type { DeclaredRoute, Identity } from './hub.js';

/** One generated HTTP request to a declared route. */
export interface FuzzRequest {
  method: string;
  /** The path with its parameters filled in (and percent-encoded, or deliberately not). */
  path: string;
  /** Query string without the `?`. */
  query: string;
  identity: Identity;
  /** Whether an authenticated request carries its session's CSRF token. */
  csrf: boolean;
  /** Headers beside the session's: a forged session or CSRF cookie and token, a hostile language, forwarding headers. */
  headers: Record<string, string>;
  contentType?: string;
  body?: string;
  /** Whether every part the route declares a schema for passes it, as the hub will see that part. */
  valid: boolean;
}

/** The 4xx body every API route answers with (hub/src/errors.ts). */
export const ErrorBody = z.strictObject({ error: ApiError });

const IDENTITIES: Identity[] = ['anonymous', 'admin', 'inspector'];

/** A header value HTTP can carry: the string's UTF-8 bytes, without control characters but tab. */
export const headerSafe = (s: string) => Buffer.from(s, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');

/**
 * Headers a browser or an attacker may add: a forged session or CSRF cookie and token (sent only
 * by the anonymous caller: the others carry their real ones), a hostile language, forwarding
 * headers the hub must not believe (no TRUST_PROXY here).
 */
const extraHeaders = (identity: Identity): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    {
      ...(identity === 'anonymous'
        ? { cookie: fc.tuple(hostileString, hostileString).map(([s, c]) => `vc_session=${headerSafe(s)}; _csrf=${headerSafe(c)}`), 'x-csrf-token': hostileString.map(headerSafe) }
        : {}),
      'accept-language': hostileString.map(headerSafe),
      'x-forwarded-for': fc.constantFrom('10.0.0.1', '127.0.0.1, 10.0.0.1', 'unknown', '::1'),
      'x-forwarded-proto': fc.constantFrom('https', 'gopher'),
      'x-forwarded-host': hostileString.map(headerSafe),
    },
    { requiredKeys: [] },
  );

/** A percent sign not followed by two hex digits: Fastify cannot decode the path. */
const BAD_ENCODING = '%E0%A4%A';

/**
 * Requests for one route: its params, query and body generated from its zod schemas (shape with
 * hostile values, broken shape, anything), sent by an anonymous caller, a street admin or a
 * community inspector, with or without the CSRF token, as JSON or another content type.
 */
export function requestsFor(route: DeclaredRoute, knownIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const wildcard = route.url.endsWith('*');
  const paramsJs = route.schema.params ? jsonSchemaOf(route.schema.params) : undefined;
  const paramValue = (name: string): fc.Arbitrary<string> => {
    const declared = (paramsJs?.properties as Record<string, JsonSchema> | undefined)?.[name];
    return fc.oneof(
      { arbitrary: fc.constantFrom(...knownIds), weight: 3 },
      { arbitrary: hostileString, weight: 2 },
      ...(declared ? [{ arbitrary: shaped(declared, 'keep').map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')), weight: 2 }] : []),
    );
  };
  // A URL carries UTF-8: a lone surrogate cannot travel in one (it would arrive as U+FFFD).
  const params = fc.record(Object.fromEntries(names.map((n) => [n, paramValue(n).map(wellFormed)])) as Record<string, fc.Arbitrary<string>>);
  const rest = fc.oneof(fc.constantFrom('', 'index.html', 'sw.js', 'assets/x.js', '../../../../etc/passwd', '..%2f..%2fpackage.json', '.env'), hostileString).map(wellFormed);

  const queryJs = route.schema.querystring ? jsonSchemaOf(route.schema.querystring) : undefined;
  const queryObject: fc.Arbitrary<Record<string, unknown>> = queryJs
    ? fc.oneof(shaped(queryJs, 'keep', 0, knownIds), shaped(queryJs, 'break', 0, knownIds)).map((q) => (q !== null && typeof q === 'object' && !Array.isArray(q) ? (q as Record<string, unknown>) : { q }))
    : fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom('lang', 'page', 'limit', 'from', 'to', '__proto__', 'x'), hostileValue, { maxKeys: 2 }));

  const isPost = route.method === 'POST';
  const bodyValue = route.schema.body ? payloadFor(route.schema.body, knownIds) : hostileValue;
  const body: fc.Arbitrary<{ contentType?: string; body?: string; json: boolean }> = isPost
    ? fc.oneof(
        { arbitrary: bodyValue.map((v) => ({ contentType: 'application/json', body: expandDeep(JSON.stringify(v) ?? 'null'), json: true })), weight: 8 },
        { arbitrary: fc.constant({ json: true }), weight: 1 },
        {
          arbitrary: fc
            .tuple(fc.constantFrom('text/csv', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data', 'application/json'), csvText)
            .map(([contentType, text]) => ({ contentType, body: text, json: false })),
          weight: 2,
        },
        // JSON that does not parse, or that the parser refuses (a `__proto__` key).
        {
          arbitrary: fc.constantFrom('{"code":', '{"__proto__":{"polluted":true}}', '['.repeat(10_000), '\u0000', '{}}').map((text) => ({ contentType: 'application/json', body: text, json: false })),
          weight: 1,
        },
      )
    : fc.constant({ json: true });

  return fc
    .record({
      params,
      rest,
      broken: fc.oneof({ arbitrary: fc.constant(false), weight: 7 }, { arbitrary: fc.constant(names.length > 0 || wildcard), weight: 1 }),
      query: queryObject,
      body,
      who: fc.constantFrom(...IDENTITIES).chain((identity) => fc.record({ identity: fc.constant(identity), headers: extraHeaders(identity) })),
      csrf: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
    })
    .map(({ params: p, rest: r, broken, query: q, body: b, who: { identity, headers }, csrf }) => {
      // One request in eight (where the path has a parameter) carries a broken percent-encoding.
      let path = route.url.replace(/:(\w+)/g, (_, n: string) => (broken ? BAD_ENCODING : encodeURIComponent(p[n]!)));
      if (wildcard) path = path.slice(0, -1) + (broken ? BAD_ENCODING : r.split('/').map(encodeURIComponent).join('/'));
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) for (const one of [v].flat()) search.append(k, wellFormed(typeof one === 'string' ? one : (JSON.stringify(one) ?? '')));
      const valid =
        !broken &&
        partValid(route.schema.params, p) &&
        partValid(route.schema.querystring, queryAsParsed(search)) &&
        (route.schema.body === undefined || (b.json && b.body !== undefined && partValid(route.schema.body, safeJson(b.body))));
      return {
        method: route.method,
        path,
        query: search.toString(),
        identity,
        csrf,
        headers,
        ...(b.contentType ? { contentType: b.contentType } : {}),
        ...(b.body !== undefined ? { body: b.body } : {}),
        valid,
      };
    });
}

/** Values a registry CSV's cell may hold, per column: plausible ones, edge ones, and anything hostile. */
const CELLS: Record<RegistryColumn, readonly string[]> = {
  id: ['venue-a', 'venue-b', '', 'new-venue'],
  community: ['c-venue-a', '测试社区', 'c-venue-b', ''],
  name: ['新开KTV', '测试KTV', ''],
  type: ['ktv', 'bar', '酒吧', 'KTV', 'restaurant', 'no_such_type'],
  address: ['测试路2号', ''],
  ratedCapacity: ['100', '0', '-1', '1e9', '９９', '100.5', ''],
  openingHours: ['10:00-22:00', '22:00-02:00', '25:00-26:00', '00:00-00:00', '10:00-22:00;14:00-15:00', ''],
  entrances: ['正门', '正门;侧门', ';;', ''],
  preventionName: ['赵敏', ''],
  preventionPhone: ['13800000001', '+86 138 0000 0001', '1', ''],
  disinfectionName: ['钱军', ''],
  disinfectionPhone: ['13800000002', ''],
};

/** One CSV cell: as it is, quoted as a spreadsheet quotes it, or quoted wrongly. */
const cell = (column: RegistryColumn | undefined) =>
  fc
    .tuple(fc.oneof({ arbitrary: fc.constantFrom(...(column ? CELLS[column] : ['x'])), weight: 3 }, { arbitrary: hostileString, weight: 1 }), fc.constantFrom('plain', 'quoted', 'broken'))
    .map(([v, q]) => (q === 'quoted' ? `"${v.replaceAll('"', '""')}"` : q === 'broken' ? `"${v}` : v));

/**
 * A registry CSV (what the import reads): a header of known column names (any of each column's
 * names, in any order, now and then an unknown or repeated one) and rows of cells from CELLS or
 * hostile strings, with CRLF or LF line ends.
 */
const csvText: fc.Arbitrary<string> = fc
  .tuple(
    fc.shuffledSubarray(Object.keys(REGISTRY_COLUMNS) as RegistryColumn[], { minLength: 1 }),
    fc.oneof({ arbitrary: fc.constant<string | undefined>(undefined), weight: 4 }, { arbitrary: fc.constantFrom('备注', 'name', '场所名称'), weight: 1 }),
    fc.constantFrom('\r\n', '\n'),
  )
  .chain(([columns, extra, eol]) => {
    const all: (RegistryColumn | undefined)[] = extra === undefined ? columns : [...columns, undefined];
    const header = [...columns.map((c) => REGISTRY_COLUMNS[c][0]), ...(extra === undefined ? [] : [extra])].join(',');
    const row = fc.tuple(...all.map(cell)).map((cells) => cells.join(','));
    return fc.array(row, { maxLength: 4 }).map((rows) => [header, ...rows].join(eol));
  });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD');

function partValid(schema: z.ZodType | undefined, value: unknown): boolean {
  return schema === undefined || schema.safeParse(value).success;
}

/** The query as Fastify parses it: a string per key, an array for a repeated key. */
function queryAsParsed(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of new Set(search.keys())) {
    const all = search.getAll(k);
    Object.defineProperty(out, k, { value: all.length === 1 ? all[0] : all, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The body as the hub's JSON parser (secure-json-parse) hands it on: a `__proto__` key anywhere, or
 * a `constructor` holding a `prototype`, is refused before the route runs, so it counts as invalid.
 */
function safeJson(text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return Symbol('unparsable');
  }
  return poisoned(v) ? Symbol('poisoned') : v;
}

function poisoned(v: unknown): boolean {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object') continue;
    if (Object.prototype.hasOwnProperty.call(x, '__proto__')) return true;
    const ctor = Object.prototype.hasOwnProperty.call(x, 'constructor') ? (x as { constructor: unknown }).constructor : undefined;
    if (ctor !== null && typeof ctor === 'object' && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) return true;
    stack.push(...Object.values(x));
  }
  return false;
}

/** The route's name in reports: `GET /api/venues/:id`. */
export const routeName = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
