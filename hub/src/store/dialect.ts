import type { Dialect } from './sql.js';

/**
 * The SQL fragments SQLite and PostgreSQL spell differently, one place for
 * each (docs/architecture.md "One store, two databases"). Everything else the
 * repositories write is SQL both accept. JSON is kept as TEXT in both (the
 * repositories parse it); PostgreSQL casts it to jsonb where a query looks in.
 */

/** `$.a.b` of a JSON text column, as text (numbers too: compare with text, or use jsonNumber). */
export function jsonText(d: Dialect, column: string, path: readonly string[]): string {
  return d === 'sqlite' ? `json_extract(${column}, '$.${path.join('.')}')` : `(CAST(${column} AS jsonb) #>> '{${path.join(',')}}')`;
}

/** `$.a.b` of a JSON text column, as a number (NULL where absent). */
export function jsonNumber(d: Dialect, column: string, path: readonly string[]): string {
  return d === 'sqlite' ? `json_extract(${column}, '$.${path.join('.')}')` : `CAST((CAST(${column} AS jsonb) #>> '{${path.join(',')}}') AS double precision)`;
}

/** The elements of a JSON array parameter (`?`, a JSON.stringify'd array of strings), as rows of text: `x IN (${jsonTexts(d)})`. */
export function jsonTexts(d: Dialect): string {
  return d === 'sqlite' ? 'SELECT value FROM json_each(?)' : 'SELECT jsonb_array_elements_text(CAST(? AS jsonb))';
}

/** The elements of a JSON array parameter of integers, as rows of integers. */
export function jsonIntegers(d: Dialect): string {
  return d === 'sqlite' ? 'SELECT value FROM json_each(?)' : 'SELECT CAST(jsonb_array_elements_text(CAST(? AS jsonb)) AS bigint)';
}

/** A JSON array (as text) of expr over the group's rows; '[]' for none. */
export function jsonGroupArray(d: Dialect, expr: string): string {
  return d === 'sqlite' ? `json_group_array(${expr})` : `COALESCE(CAST(json_agg(${expr}) AS text), '[]')`;
}

/** The larger of two values (SQLite's scalar max, PostgreSQL's GREATEST). */
export function greatest(d: Dialect, a: string, b: string): string {
  return d === 'sqlite' ? `max(${a}, ${b})` : `GREATEST(${a}, ${b})`;
}

/** The smaller of two values. */
export function least(d: Dialect, a: string, b: string): string {
  return d === 'sqlite' ? `min(${a}, ${b})` : `LEAST(${a}, ${b})`;
}

/**
 * expr kept out of the planner's index choice: SQLite's unary `+` (a no-op on
 * the value); PostgreSQL's planner needs no such hint (and has no `+` on text).
 */
export function unindexed(d: Dialect, expr: string): string {
  return d === 'sqlite' ? `+${expr}` : expr;
}
