import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError, ErrorCode } from '../../shared/schemas/errors.js';
import type { Lang } from '../../shared/labels.js';
import { renderNotFoundPage } from './pages/not-found-page.js';

/** A 4xx the handler means to send: status + the shared error shape. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  toJSON(): ApiError {
    return this.field
      ? { code: this.code, field: this.field, message: this.message }
      : { code: this.code, message: this.message };
  }
}

/**
 * The one error handler (STYLE.md "Hub"): 4xx answers name the field and the
 * reason; 5xx answers say nothing internal, and the full context is logged.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({ error: err.toJSON() });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        field: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || (err.validationContext ?? 'body'),
        // Messages can quote what was sent (an unknown key): never hand markup back.
        message: (v.message ?? '').replace(/[<>&"'`]/g, '_'),
      }));
      const error: ApiError = {
        code: 'invalid',
        field: issues[0]!.field,
        message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      };
      return reply.code(400).send({ error });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err, url: request.url, method: request.method }, 'request failed');
      return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    // Fastify's own 4xx (bad JSON, body too large, rate limit): keep its message.
    const code: ErrorCode =
      status === 413 ? 'too_large' : status === 429 ? 'rate_limited' : status === 403 ? 'forbidden' : status === 401 ? 'unauthorized' : 'invalid';
    return reply.code(status).send({ error: { code, message: err.message } });
  });

  // A browser asking for a page gets a page (in its reader's language); API clients, and anything
  // under /api/, keep the JSON shape every other 4xx has.
  app.setNotFoundHandler((request, reply) => {
    if (wantsPage(request)) {
      const path = `/${(request.url.split('?')[0] ?? '').replace(/^[/\\]+/, '')}`;
      return reply
        .code(404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('vary', 'Accept, Accept-Language, Cookie')
        .send(renderNotFoundPage(readerLang(request), path));
    }
    return reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } });
  });
}

/** A browser's page load: GET or HEAD, HTML accepted, not an API address. */
function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (/^\/api(\/|\?|$)/.test(request.url)) return false;
  return (request.headers.accept ?? '').split(',').some((part) => /^\s*text\/html\s*(;|$)/i.test(part));
}

/**
 * The reader's language for a page the hub picks unasked: `?lang=`, then the patron pages' `lang`
 * cookie, then the browser's Accept-Language (the first of Chinese or English it ranks highest),
 * Chinese otherwise.
 */
export function readerLang(request: FastifyRequest): Lang {
  const query = /[?&]lang=([^&]*)/.exec(request.url)?.[1];
  if (query === 'en' || query === 'zh-CN') return query;
  const cookie = /(?:^|;\s*)lang=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
  if (cookie === 'en' || cookie === 'zh-CN') return cookie;
  const ranked = (request.headers['accept-language'] ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined) ?? 1);
      return { primary: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((l) => (l.primary === 'zh' || l.primary === 'en') && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.primary === 'en' ? 'en' : 'zh-CN';
}

/**
 * Errors Fastify answers before any route or handler runs, in the same `{ error: { code, field?,
 * message } }` shape as every other 4xx (docs/security.md "Order of checks"): a URL with a bad
 * percent-encoding, and what Node's HTTP parser refuses (headers too large: 431; a request it
 * cannot parse: 400; one too slow: 408). Given to every Fastify the hub builds (app.ts buildHub,
 * server.ts).
 */
export const errorServerOptions: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = {
  frameworkErrors(err, _request, reply) {
    const badUrl = err.code === 'FST_ERR_BAD_URL';
    return (reply as FastifyReply).code(400).send({ error: { code: 'invalid', ...(badUrl ? { field: 'url' } : {}), message: badUrl ? 'the URL is not validly percent-encoded' : err.message } });
  },
  clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const error =
      status === 431
        ? { code: 'too_large', field: 'headers', message: 'the request headers are too large' }
        : status === 408
          ? { code: 'invalid', message: 'the request took too long to arrive' }
          : { code: 'invalid', message: 'the request is not valid HTTP' };
    const body = JSON.stringify({ error });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  },
};
