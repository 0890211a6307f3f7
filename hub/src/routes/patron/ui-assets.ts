import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, join } from 'node:path';

/** The hub's own page scripts (hub/ui, built by Vite into hub/ui/dist). */
export interface UiAssets {
  /** `/ui/<name>.js?v=<content hash>`, or undefined if that script is not built. */
  url(name: string): string | undefined;
}

/** A chunk Vite names with its content hash (hub/ui/vite.config.ts chunkFileNames): `declaration-form-B4cR-r2U.js`. */
const HASHED_NAME = /-[A-Za-z0-9_-]{8}\.js$/;

/**
 * Serves hub/ui/dist at /ui/. Entry names are stable and the URL pages link carries a hash of the
 * content (`?v=`), so a phone on a slow link keeps a script for a year, until it changes; shared
 * chunks carry the hash in their name. Any other request for a script (no `?v=`, or a stale one)
 * is revalidated, so it never pins an old copy.
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
    // The header is ours alone: with send's own (public, max-age=0), set after this hook, the
    // year's caching below never reached a browser.
    cacheControl: false,
    setHeaders(res, path) {
      const file = basename(path);
      const asked = new URL((res as unknown as ServerResponse).req.url ?? '/', 'http://hub').searchParams.get('v');
      const hashed = HASHED_NAME.test(file) || (file.endsWith('.js') && asked !== null && asked === version(file.slice(0, -3)));
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  function version(name: string): string | undefined {
    let v = versions.get(name);
    if (v === undefined) {
      const file = join(uiDist, `${name}.js`);
      if (!existsSync(file)) return undefined;
      v = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
      versions.set(name, v);
    }
    return v;
  }
  return {
    url(name) {
      const v = version(name);
      return v === undefined ? undefined : `/ui/${name}.js?v=${v}`;
    },
  };
}
