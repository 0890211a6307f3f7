import { parseArgs } from 'node:util';
import { z } from 'zod';
import { issuePath } from '../shared/schemas/errors.js';

/**
 * Parses `--name value` flags and validates them with a zod object schema.
 * A bad flag exits 2 with a message naming it: flags are a boundary, and every boundary is validated with zod.
 */
export function parseFlags<S extends z.ZodObject>(schema: S, argv = process.argv.slice(2)): z.infer<S> {
  const options = Object.fromEntries(
    Object.keys(schema.shape).map((k) => [k, { type: schema.shape[k] instanceof z.ZodBoolean || isBool(schema.shape[k]) ? 'boolean' : 'string' }]),
  ) as Record<string, { type: 'boolean' | 'string' }>;
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) fail(parsed.error.issues.map((i) => `--${issuePath(i.path)}: ${i.message}`).join('\n'));
  return parsed.data;
}

function isBool(s: unknown): boolean {
  return s instanceof z.ZodDefault && s.def.innerType instanceof z.ZodBoolean;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
