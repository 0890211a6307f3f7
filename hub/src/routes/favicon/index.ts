import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FAVICON_SVG, FAVICON_URL, FAVICON_VERSION } from '../../pages/favicon.js';

const IconQuery = z.object({ v: z.string().max(64).optional().catch(undefined) });

/**
 * The hub's icon (pages/favicon.ts). The URL pages link carries the icon's hash and is kept for a
 * year; the bare URL, and /favicon.ico that browsers ask for on their own, for a day.
 */
export const faviconRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/favicon.svg', { schema: { querystring: IconQuery } }, async (request, reply) =>
    reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', request.query.v === FAVICON_VERSION ? 'public, max-age=31536000, immutable' : 'public, max-age=86400')
      .send(FAVICON_SVG),
  );
  app.get('/favicon.ico', async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').redirect(FAVICON_URL, 301));
};
