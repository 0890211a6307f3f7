import type { FastifyInstance } from 'fastify';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import { BUILD_TARGETS, buildTarget } from '../../scripts/ensure-build.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { connectKiosk, enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';

/**
 * What every response of the hub does beside its content (docs/operations.md "Compression and
 * caching", "Unknown addresses"): compressed as the client accepts, cached as long as it cannot
 * change, a page or the JSON error shape for an unknown address, and the icon. A real hub on
 * 127.0.0.1 serving a fresh production build of hub/ui in a temp dir, read over raw HTTP so the
 * bytes on the wire are what is checked.
 */
const tmp = tempDir();
const uiDist = join(tmp.dir, 'hub-ui');
/** The kiosk's build as Vite lays it out: the page and service worker at the top, hashed assets below. */
// Installed under a folder named assets, as a hub may be (/srv/assets/…): only the build's own
// assets/ folder is cached for a year, never the page or service worker.
const kioskDist = join(tmp.dir, 'assets', 'kiosk');
const ADMIN_PASSWORD = 'street admin password';
let app: FastifyInstance;
let store: Store;
let url: string;
let kioskToken: string;
let kioskId: string;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over HTTP/1.1 with exactly these headers; the body as sent, not decoded. */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (r: Raw): Buffer =>
  r.headers['content-encoding'] === 'br' ? brotliDecompressSync(r.body) : r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;

beforeAll(async () => {
  await buildTarget(BUILD_TARGETS[1], uiDist);
  mkdirSync(join(kioskDist, 'assets'), { recursive: true });
  writeFileSync(join(kioskDist, 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(kioskDist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(kioskDist, 'assets', 'index-AbCd12_-.js'), 'export const kiosk = 1;');
  // A WebAssembly module as the QR decoder's: repetitive enough to compress, as machine code is.
  writeFileSync(join(kioskDist, 'assets', 'reader-AbCd12_-.wasm'), Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(64_000, 'wasm')]));
  store = await openTestStore(tmp.dir);
  const entranceId = await seedVenue(store);
  // Enough venues that the registry's CSV is past the size worth compressing.
  for (let i = 0; i < 30; i++) {
    await store.venues.add({
      id: `venue-x${i}`,
      communityId: 'c-venue-a',
      name: `Riverside Karaoke and Billiards ${i}`,
      type: 'ktv',
      address: `测试路${i + 2}号`,
      ratedCapacity: 80,
      openingHours: null,
      utcOffsetMinutes: 480,
      officers: {},
    });
  }
  await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: ADMIN_PASSWORD }, Date.now());
  ({ token: kioskToken, kiosk: { id: kioskId } } = await enrolKiosk(store, entranceId));
  app = await buildHub(await hubOptions(store, { kioskDist, uiDist }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  url = `http://127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  tmp.remove();
});

/** The script URL the dashboard's shell links, `?v=` hash and all. */
async function dashboardScript(): Promise<string> {
  const shell = (await raw('/dashboard/')).body.toString();
  return /src="(\/ui\/dashboard\.js\?v=[0-9a-f]+)"/.exec(shell)![1]!;
}

describe('compression', () => {
  it('sends the dashboard script brotli or gzip as asked, decoding to the built file byte for byte', async () => {
    const script = await dashboardScript();
    const built = readFileSync(join(uiDist, 'dashboard.js'));
    const br = await raw(script, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.body.length).toBeLessThan(built.length / 2);
    expect(decode(br).equals(built)).toBe(true);
    const gzip = await raw(script, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.length).toBeLessThan(built.length / 2);
    expect(decode(gzip).equals(built)).toBe(true);
    // A client that accepts no encoding gets the file as built.
    const plain = await raw(script);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(built)).toBe(true);
  });

  it('compresses the kiosk\'s WebAssembly (its QR decoder), decoding to the same bytes', async () => {
    const wasm = await raw('/kiosk/assets/reader-AbCd12_-.wasm', { 'accept-encoding': 'br' });
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.headers['content-encoding']).toBe('br');
    expect(decode(wasm).equals(readFileSync(join(kioskDist, 'assets', 'reader-AbCd12_-.wasm')))).toBe(true);
  });

  it('compresses a page, and leaves a response too small to gain alone', async () => {
    const token = await liveToken((await store.kiosks.byId(kioskId))!.codeSecret, kioskId, slotAt(Date.now()));
    const page = await raw(`/v/${token}`, { 'accept-encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(decode(page).toString()).toContain('测试KTV');
    const health = await raw('/api/health', { 'accept-encoding': 'gzip, br' });
    expect(health.body.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it('a CSV download still arrives whole, as an attachment, compressed or not', async () => {
    const admin = inspectorSession(url);
    await admin.login('admin', ADMIN_PASSWORD);
    const cookie = Object.entries(admin.cookies()).map(([k, v]) => `${k}=${v}`).join('; ');
    const plain = await raw('/api/registry/export.csv', { cookie });
    const gzip = await raw('/api/registry/export.csv', { cookie, 'accept-encoding': 'gzip' });
    expect(plain.status).toBe(200);
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers['content-disposition']).toMatch(/^attachment; filename="venues-street-/);
    expect(gzip.headers['content-type']).toMatch(/^text\/csv/);
    expect(decode(gzip).equals(plain.body)).toBe(true);
    expect(plain.body.toString()).toContain('Riverside Karaoke and Billiards 29');
  });

  it('leaves the kiosks\' socket alone: the polling handshake and a websocket connect as before', async () => {
    const polling = await raw('/socket.io/?EIO=4&transport=polling', { 'accept-encoding': 'gzip, br' });
    expect(polling.status).toBe(200);
    expect(decode(polling).toString()).toMatch(/^0\{"sid":/);
    const socket = await connectKiosk(url, kioskToken);
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('does not inflate a compressed request body: it is refused, not unpacked', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/passes',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toMatchObject({ error: { code: expect.any(String) } });
  });
});

describe('caching', () => {
  it('keeps hashed scripts for a year and revalidates the rest', async () => {
    const script = await dashboardScript();
    expect((await raw(script)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // The same file without its hash, or with a stale one, may change under that URL.
    expect((await raw('/ui/dashboard.js')).headers['cache-control']).toBe('no-cache');
    expect((await raw('/ui/dashboard.js?v=000000000000')).headers['cache-control']).toBe('no-cache');
    const chunk = readdirSync(uiDist).find((n) => /^declaration-form-[A-Za-z0-9_-]{8}\.js$/.test(n))!;
    expect((await raw(`/ui/${chunk}`)).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps the kiosk\'s hashed assets for a year and revalidates its page and service worker', async () => {
    expect((await raw('/kiosk/assets/index-AbCd12_-.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await raw('/kiosk/')).headers['cache-control']).toBe('no-cache');
    expect((await raw('/kiosk/sw.js')).headers['cache-control']).toBe('no-cache');
  });

  it('revalidates pages: the dashboard shell no-cache, a patron page no-store', async () => {
    const shell = await raw('/dashboard/');
    expect(shell.headers['content-type']).toMatch(/^text\/html/);
    expect(shell.headers['cache-control']).toBe('no-cache');
    const book = await raw('/book/venue-a');
    expect(book.headers['content-type']).toMatch(/^text\/html/);
    expect(book.headers['cache-control']).toBe('no-store');
  });
});

describe('unknown addresses', () => {
  const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

  it('a browser gets a page in Chinese by default', async () => {
    const res = await raw('/nowhere/at-all', browser);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers['cache-control']).toBe('no-cache');
    const body = res.body.toString();
    expect(body).toContain('<html lang="zh-CN">');
    expect(body).toContain('找不到此页面');
    expect(body).toContain('href="/dashboard/"');
  });

  it.each([
    ['en-GB,en;q=0.9', 'en'],
    ['en-US,zh-CN;q=0.5', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['fr-FR,en;q=0.7,zh;q=0.3', 'en'],
    ['de-DE', 'zh-CN'],
    ['zh;q=0.2,en;q=0', 'zh-CN'],
  ])('Accept-Language %s reads %s', async (acceptLanguage, lang) => {
    const body = (await raw('/missing', { ...browser, 'accept-language': acceptLanguage })).body.toString();
    expect(body).toContain(`<html lang="${lang}">`);
    expect(body).toContain(lang === 'en' ? 'Page not found' : '找不到此页面');
  });

  it('the patron pages\' language cookie and ?lang= win over the browser\'s', async () => {
    expect((await raw('/missing', { ...browser, 'accept-language': 'zh-CN', cookie: 'lang=en' })).body.toString()).toContain('<html lang="en">');
    expect((await raw('/missing?lang=en', browser)).body.toString()).toContain('<html lang="en">');
  });

  it('the language switch stays on the hub, whatever the address asked', async () => {
    const body = (await raw('//evil.example/x', browser)).body.toString();
    expect(body).toContain('href="/evil.example/x?lang=en"');
    expect(body).not.toContain('href="//');
  });

  it('API clients, anything under /api/, and other methods get the JSON error shape', async () => {
    for (const [path, headers, method] of [
      ['/nowhere', {}, 'GET'],
      ['/nowhere', { accept: 'application/json' }, 'GET'],
      ['/api/nothing-here', browser, 'GET'],
      ['/api', browser, 'GET'],
      ['/nowhere', browser, 'POST'],
    ] as const) {
      const res = await raw(path, headers, method);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers['content-type'], `${method} ${path}`).toMatch(/^application\/json/);
      expect(JSON.parse(res.body.toString())).toEqual({ error: { code: 'not_found', message: `no route ${method} ${path}` } });
    }
  });
});

describe('the icon', () => {
  it('is served as SVG, kept a year under its hashed URL, and linked from every page', async () => {
    const token = await liveToken((await store.kiosks.byId(kioskId))!.codeSecret, kioskId, slotAt(Date.now()));
    const pages = ['/dashboard/', '/book/venue-a', `/v/${token}`, '/missing'];
    const links = new Set<string>();
    for (const path of pages) {
      const body = decode(await raw(path, { accept: 'text/html' })).toString();
      const link = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml">/.exec(body)?.[1];
      expect(link, path).toMatch(/^\/favicon\.svg\?v=[0-9a-f]{12}$/);
      links.add(link!);
    }
    expect(links.size).toBe(1);
    const [link] = [...links];
    const icon = await raw(link!);
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(icon.body.toString()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((await raw('/favicon.svg')).headers['cache-control']).toBe('public, max-age=86400');
    const ico = await raw('/favicon.ico');
    expect(ico.status).toBe(301);
    expect(ico.headers.location).toBe(link);
  });
});
