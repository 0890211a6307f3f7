import { expect, test, type Page } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../hub/src/store/index.js';
import config from '../../playwright.config.js';
import { listenHub, tempDir } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';
import { decodeQrPng, passLikeText, writeQrY4m } from '../support/qr.js';

const PASS = passLikeText();
// Chromium reads the fake camera file when it launches, so it is written before any test runs.
const tmp = tempDir();
const video = join(tmp.dir, 'pass.y4m');
// 3 px per module: the code sits inside the scanner's framing box, as a pass held up by a patron would.
writeQrY4m(PASS, video, { moduleSize: 3 });

test.use({
  launchOptions: {
    ...config.use?.launchOptions,
    args: [
      ...(config.use?.launchOptions?.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  },
});

/** Mounts a fresh <pass-scanner> in the kiosk page, switched on, recording what it fires in `window.scans`. */
async function mountScanner(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.querySelector('pass-scanner')?.remove();
    const scans: string[] = [];
    Object.assign(window, { scans });
    const scanner = document.createElement('pass-scanner');
    scanner.addEventListener('pass-scanned', (e) => scans.push(e.detail.text));
    document.body.append(scanner);
    scanner.active = true;
  });
}

const scans = (page: Page) => page.evaluate(() => (window as unknown as { scans: string[] }).scans);

test.describe('<pass-scanner> with a camera', () => {
  let store: Store | undefined;
  let app: FastifyInstance | undefined;

  test.afterEach(async () => {
    await app?.close();
    await store?.close();
  });
  test.afterAll(() => rmSync(tmp.dir, { recursive: true, force: true }));

  test('reads a pass QR from the camera once, with the decoder from the kiosk bundle, also with the hub stopped', async ({ page, context }) => {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    const port = await freePort();
    app = await listenHub(store, port);
    const origin = `http://127.0.0.1:${port}`;
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const wasm: { url: string; fromServiceWorker: boolean }[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.wasm')) wasm.push({ url: r.url(), fromServiceWorker: r.fromServiceWorker() });
    });

    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${origin}/kiosk/`);
    // As on a tablet after first use: the service worker has precached the app, the wasm included.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await mountScanner(page);
    const status = page.getByTestId('scanner-status');
    await expect(status).toHaveAttribute('data-status', 'ready');
    // Chromium on Linux has no native BarcodeDetector: this is the zxing-wasm ponyfill.
    await expect(status).toHaveAttribute('data-engine', 'zxing');
    await expect(status).toHaveText('请将通行码二维码放入框内');
    await expect.poll(() => scans(page)).toEqual([PASS]);
    // Staff see what the camera sees: the preview itself shows a readable code.
    const preview = await page.getByTestId('pass-scanner').screenshot({ path: 'test-results/pass-scanner-768x1024.png' });
    expect(await decodeQrPng(preview)).toEqual([PASS]);
    // The pass stays in front of the camera for 2 s (~11 decodes): still one scan.
    await page.waitForTimeout(2_000);
    expect(await scans(page)).toEqual([PASS]);

    // Switched off, the camera is given back.
    await page.evaluate(() => {
      const scanner = document.querySelector('pass-scanner');
      if (scanner) scanner.active = false;
    });
    await expect(status).toHaveAttribute('data-status', 'idle');
    expect(await page.getByTestId('scanner-video').evaluate((v: HTMLVideoElement) => v.srcObject)).toBeNull();

    await app.close();
    app = undefined;
    await page.reload(); // served by the service worker: the hub is down
    await mountScanner(page);
    await expect.poll(() => scans(page)).toEqual([PASS]);
    await expect(status).toHaveAttribute('data-engine', 'zxing');

    expect(wasm.length).toBeGreaterThanOrEqual(2);
    for (const w of wasm) expect(w.url).toMatch(new RegExp(`^${origin}/kiosk/assets/zxing_reader-[\\w-]+\\.wasm$`));
    expect(wasm.at(-1)?.fromServiceWorker).toBe(true);
    // Nothing left the hub's origin: no CDN for the decoder or anything else.
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u))).toEqual([]);
  });
});

test.describe('<pass-scanner> when it cannot scan', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store | undefined;
  let app: FastifyInstance | undefined;
  // No service worker, so page.route sees the decoder's request.
  test.use({ serviceWorkers: 'block' });

  test.beforeEach(async ({ page }) => {
    dir = tempDir();
    store = await openStore(join(dir.dir, 'hub.sqlite'));
    const port = await freePort();
    app = await listenHub(store, port);
    await page.goto(`http://127.0.0.1:${port}/kiosk/`);
  });
  test.afterEach(async () => {
    await app?.close();
    await store?.close();
    dir.remove();
  });

  test('camera permission denied: tells staff to type the pass code', async ({ page }) => {
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await mountScanner(page);
    const status = page.getByTestId('scanner-status');
    await expect(status).toHaveAttribute('data-status', 'denied');
    await expect(status).toHaveText('摄像头权限被拒绝，请手动输入6位通行码');
    await expect(page.getByTestId('scanner-video')).toBeHidden();
  });

  test('decoder cannot load: tells staff to type the pass code', async ({ page }) => {
    await page.route('**/*.wasm', (route) => route.abort());
    await mountScanner(page);
    const status = page.getByTestId('scanner-status');
    await expect(status).toHaveAttribute('data-status', 'decoder-failed');
    await expect(status).toHaveText('二维码识别组件加载失败，请手动输入6位通行码');
    await expect(page.getByTestId('scanner-video')).toBeHidden();
    expect(await scans(page)).toEqual([]);
  });
});
