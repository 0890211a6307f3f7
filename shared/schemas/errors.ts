import { z } from 'zod';

/**
 * The one error shape of every acknowledgement and every 4xx body
 * (STYLE.md "Sockets"): a fixed code, the field it concerns, a message.
 */
export const ErrorCode = z.enum([
  'invalid', // failed validation; `field` names the path
  'unauthorized', // no or unknown credentials
  'forbidden', // authenticated but not allowed (other kiosk's or venue's record)
  'conflict', // clashes with what is stored (same seq, other id)
  'not_found',
  'expired',
  'too_large',
  'rate_limited',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The longest a hub may ask a kiosk to wait before it sends again (`retryAfterMs`). */
export const MAX_RETRY_AFTER_MS = 60_000;

export const ApiError = z.object({
  code: ErrorCode,
  field: z.string().optional(),
  message: z.string(),
  /**
   * With `rate_limited`: how long to wait before trying again, so a hub that
   * has fallen behind spreads its tablets out instead of timing them out.
   */
  retryAfterMs: z.int().min(0).max(MAX_RETRY_AFTER_MS).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** Dotted path of a zod issue: `checks.temperature.celsius`, `records.3.seq`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/**
 * Turns a failed safeParse into the error shape. The first issue names the
 * field; the message lists every issue so nothing is hidden from the user.
 */
export function zodToApiError(error: z.ZodError, prefix?: string): ApiError {
  const first = error.issues[0];
  const at = (p: readonly PropertyKey[]) => {
    const path = issuePath(p);
    return prefix ? (path ? `${prefix}.${path}` : prefix) : path;
  };
  const field = first ? at(first.path) : prefix;
  const message = error.issues
    .map((i) => {
      const path = at(i.path);
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
  return field ? { code: 'invalid', field, message } : { code: 'invalid', message };
}

/** Every socket acknowledgement: `{ ok: true, data }` or `{ ok: false, error }`. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };
