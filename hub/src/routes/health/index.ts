import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubMeter } from '../../metrics.js';
import type { Store } from '../../store/index.js';

/**
 * `ready` is what a load balancer reads (deploy/haproxy.cfg checks the status code): a hub whose
 * database does not answer is not ready, answers 503, and gets no traffic until it is again.
 */
const Health = z.object({ status: z.enum(['ok', 'not_ready']), ready: z.boolean(), database: z.enum(['ok', 'down']), time: z.string() });

/** GET /api/health: for load balancers and the kiosk's connectivity check. */
export const healthRoutes: FastifyPluginAsyncZod<{ store: Store; now: () => number; meter: HubMeter }> = async (app, { store, now, meter }) => {
  app.get(
    '/api/health',
    { schema: { response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const time = new Date(now()).toISOString();
      try {
        await store.ping();
        return { status: 'ok' as const, ready: true, database: 'ok' as const, time };
      } catch (err) {
        meter.dbError('health');
        app.log.error({ err }, 'health: database did not answer');
        return reply.code(503).send({ status: 'not_ready', ready: false, database: 'down', time });
      }
    },
  );
};
