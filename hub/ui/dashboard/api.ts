import type { ApiError, ErrorCode } from '../../../shared/schemas/errors.js';

/**
 * The dashboard's only door to the hub: same-origin JSON with the session
 * cookie, a fresh CSRF token on every POST, and one error type. A 401 from
 * any call but login tells the shell (an `unauthorized` window event) so it
 * goes back to the login screen wherever the user was.
 */
export class ApiFailure extends Error {
  constructor(
    /** HTTP status; 0 when the hub could not be reached. */
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly field?: string,
    /** Seconds, from Retry-After on a 429. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export const UNAUTHORIZED_EVENT = 'dashboard-unauthorized';

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['x-csrf-token'] = await csrfToken();
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, 'network', 'network');
  }
  if (res.status === 204) return undefined as T;
  if (res.ok) return (await res.json()) as T;
  throw await failure(res, opts.quiet401);
}

async function failure(res: Response, quiet401 = false): Promise<ApiFailure> {
  let err: Partial<ApiError> = {};
  try {
    const body = (await res.json()) as { error?: Partial<ApiError> | string; message?: string };
    err = typeof body.error === 'object' && body.error ? body.error : { message: body.message ?? String(body.error ?? '') };
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (res.status === 401 && !quiet401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
  const code: ErrorCode =
    err.code ??
    (res.status === 401 ? 'unauthorized' : res.status === 403 ? 'forbidden' : res.status === 404 ? 'not_found' : res.status === 409 ? 'conflict' : res.status === 429 ? 'rate_limited' : res.status >= 500 ? 'internal' : 'invalid');
  const retry = Number(res.headers.get('retry-after'));
  return new ApiFailure(res.status, code, err.message ?? res.statusText, err.field, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/** A token per state-changing request: cheap, and never stale after a re-login. */
async function csrfToken(): Promise<string> {
  let res: Response;
  try {
    res = await fetch('/api/auth/csrf', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    throw new ApiFailure(0, 'network', 'network');
  }
  if (!res.ok) throw await failure(res, true);
  return ((await res.json()) as { token: string }).token;
}

export function getJson<T>(path: string, query?: Query, opts?: { quiet401?: boolean }): Promise<T> {
  return request<T>('GET', withQuery(path, query), undefined, opts);
}

export function postJson<T>(path: string, body: unknown, opts?: { quiet401?: boolean }): Promise<T> {
  return request<T>('POST', path, body, opts);
}

/**
 * A file's own bytes as the body (the registry's CSV import): the hub decides
 * how to decode them (UTF-8 or GBK), so the browser must not re-encode them.
 */
export async function postBytes<T>(path: string, bytes: Blob, contentType: string, query?: Query): Promise<T> {
  const headers = { accept: 'application/json', 'content-type': contentType, 'x-csrf-token': await csrfToken() };
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), { method: 'POST', headers, credentials: 'same-origin', body: bytes });
  } catch {
    throw new ApiFailure(0, 'network', 'network');
  }
  if (res.ok) return (await res.json()) as T;
  throw await failure(res);
}
