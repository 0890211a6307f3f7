import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

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
      // By the file's place in the build (its assets/ folder), not the absolute path: a hub installed
      // under a folder named assets must not cache its index.html or service worker for a year.
      const immutable = relative(kioskDist, path).split(sep)[0] === 'assets';
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/', async (_req, reply) => reply.redirect('/kiosk/'));
};
