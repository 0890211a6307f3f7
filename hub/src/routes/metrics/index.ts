import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../../errors.js';
import type { HubMetrics } from '../../metrics.js';

/** Scrapes an address may make a minute: Prometheus scrapes every 15–60 s. */
const SCRAPES_PER_MINUTE = 60;

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
const isLoopback = (address: string | undefined): boolean => !!address && (/^(::ffff:)?127\./.test(address) || address === '::1');

/** Headers a proxy adds when it relays someone else's request. */
const RELAYED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics (docs/security.md "Metrics"), checked before anything else runs. With a
 * token (METRICS_TOKEN): `Authorization: Bearer <token>`, compared in constant time, else 401.
 * Without: a client on this machine only (the connection's peer is loopback and the request was not
 * relayed by a proxy on the box for someone else), else 403.
 */
export function metricsAccess(token: string | undefined): preValidationAsyncHookHandler {
  const wanted = token === undefined ? undefined : digest(token);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (wanted) {
      const given = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), wanted)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new HttpError(401, 'unauthorized', 'metrics need the bearer token the hub was started with (METRICS_TOKEN)', 'authorization');
      }
      return;
    }
    if (!isLoopback(request.raw.socket.remoteAddress) || RELAYED.some((h) => request.headers[h] !== undefined)) {
      throw new HttpError(403, 'forbidden', 'without METRICS_TOKEN, metrics are served to clients on the hub\'s own machine only');
    }
  };
}

/** GET /metrics: the hub process's metrics in Prometheus' text format (docs/operations.md "Metrics"). */
export const metricsRoutes: FastifyPluginAsync<{ metrics: HubMetrics; token: string | undefined }> = async (app, { metrics, token }) => {
  app.get(
    '/metrics',
    { preValidation: metricsAccess(token), config: { rateLimit: { max: SCRAPES_PER_MINUTE, timeWindow: '1 minute' } } },
    async (_request, reply) => {
      const text = await metrics.text();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  );
};
