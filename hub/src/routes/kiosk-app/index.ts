import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Serves the built kiosk PWA at /kiosk/. The service worker and index.html
 * must be revalidated on every load so an update reaches the tablets; the
 * hashed assets never change and are cached for a year.
 */
export const kioskAppRoutes: FastifyPluginAsync<{ kioskDist: string }> = async (app, { kioskDist }) => {
  if (!existsSync(join(kioskDist, 'index.html'))) {
    app.log.warn({ kioskDist }, 'kiosk app is not built; run `npm run build`');
    app.get('/kiosk/*', async (_req, reply) =>
      reply.code(503).send({ error: { code: 'internal', message: 'the kiosk app is not built on this hub' } }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: kioskDist,
    prefix: '/kiosk/',
    redirect: true,
    // The header is ours alone: with send's own (public, max-age=0), set after this hook, the
    // year's caching below never reached a browser.
    cacheControl: false,
    setHeaders(res, path) {
      const immutable = path.includes('/assets/');
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/', async (_req, reply) => reply.redirect('/kiosk/'));
};
