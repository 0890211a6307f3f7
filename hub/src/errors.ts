import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError, ErrorCode } from '../../shared/schemas/errors.js';

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

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } }),
  );
}
