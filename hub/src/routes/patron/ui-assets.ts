import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The hub's own page scripts (hub/ui, built by Vite into hub/ui/dist). */
export interface UiAssets {
  /** `/ui/<name>.js?v=<content hash>`, or undefined if that script is not built. */
  url(name: string): string | undefined;
}

/**
 * Serves hub/ui/dist at /ui/. Names are stable and the URL carries a hash of
 * the content, so a phone on a slow link caches a script until it changes.
 */
export async function registerUiAssets(app: FastifyInstance, uiDist: string): Promise<UiAssets> {
  const versions = new Map<string, string>();
  if (!existsSync(uiDist)) {
    app.log.warn({ uiDist }, 'hub pages are not built; run `npm run build`');
    return { url: () => undefined };
  }
  await app.register(fastifyStatic, {
    root: uiDist,
    prefix: '/ui/',
    decorateReply: false,
    setHeaders(res) {
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  return {
    url(name) {
      let v = versions.get(name);
      if (v === undefined) {
        const file = join(uiDist, `${name}.js`);
        if (!existsSync(file)) return undefined;
        v = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
        versions.set(name, v);
      }
      return `/ui/${name}.js?v=${v}`;
    },
  };
}
