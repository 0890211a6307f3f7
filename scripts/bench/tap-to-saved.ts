/**
 * Tap-to-saved at the door: drives the real kiosk in Chromium through N
 * routine patrons (temperature digits on the keypad, then a tap on "routine")
 * and measures, in the page, from the tap to the committed IndexedDB write
 * (the `record-saved` event fires after the transaction's `done`). Baseline:
 * the same two-store write (counter + record) done directly with IndexedDB in
 * the same page. Prints one JSON line.
 *
 * `--cpu-throttle N` slows the page's CPU N times (DevTools
 * `Emulation.setCPUThrottlingRate`), as on a cheap door tablet; the baseline
 * runs in the same throttled page, so the ratio compares like with like.
 * `--pace-ms M` waits M ms after each saved patron before the next, as a door
 * with a queue does, instead of typing the next one at once.
 *
 *   npm run bench:tap-to-saved -- --patrons 1000 --json
 *   npm run bench:tap-to-saved -- --patrons 1000 --cpu-throttle 4 --json
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openStore } from '../../hub/src/store/index.js';
import { listenHub, seedVenue } from '../../tests/support/hub.js';
import { freePort } from '../../tests/support/hub-process.js';
import { parseFlags } from '../cli.js';
import { ensureBuilds } from '../ensure-build.js';

const flags = parseFlags(
  z.object({
    patrons: z.coerce.number().int().min(10).max(20_000).default(1000),
    json: z.boolean().default(false),
    'cpu-throttle': z.coerce.number().min(1).max(20).default(1),
    'pace-ms': z.coerce.number().int().min(0).max(60_000).default(0),
  }),
);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

await ensureBuilds(() => undefined);
const dir = mkdtempSync(join(tmpdir(), 'bench-tap-'));
const store = await openStore(join(dir, 'hub.sqlite'));
const code = await store.kiosks.issueEnrolmentCode(
  await seedVenue(store, 'venue-a', { type: 'supermarket', ratedCapacity: 100_000 }),
  Date.now(),
  600_000,
);
const app = await listenHub(store, await freePort());
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const throttle = flags['cpu-throttle'];
  if (throttle > 1) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  }
  await page.goto(`${url}/kiosk/?enrol=${code}`);
  await page.getByTestId('staff-venue-a-staff-1').click();
  for (const d of '1234') await page.getByTestId(`pad-${d}`).click();
  await page.getByTestId('start-shift').click();
  await page.getByTestId('routine').waitFor();

  // In the page: time from the tap (capture phase) to the committed write.
  await page.evaluate(() => {
    const w = window as unknown as { __taps: number[]; __lat: number[] };
    w.__taps = [];
    w.__lat = [];
    window.addEventListener(
      'click',
      (e) => {
        if (e.composedPath().some((n) => n instanceof HTMLElement && n.dataset.testid === 'routine')) w.__taps.push(performance.now());
      },
      true,
    );
    window.addEventListener('record-saved', () => {
      const t0 = w.__taps.shift();
      if (t0 !== undefined) w.__lat.push(performance.now() - t0);
    });
  });
  const routine = page.getByTestId('routine');
  const saved = page.getByTestId('saved');
  for (let i = 1; i <= flags.patrons; i++) {
    await page.keyboard.type((36 + (i % 9) / 10).toFixed(1));
    await routine.click();
    await saved.filter({ hasText: `#${i}` }).waitFor();
    if (flags['pace-ms'] > 0) await page.waitForTimeout(flags['pace-ms']);
  }
  const tap = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat);

  // Baseline: the same write, straight to IndexedDB, in the same page.
  const direct = await page.evaluate(async (n: number) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('bench-baseline', 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('counters');
        req.result.createObjectStore('records', { keyPath: 'id' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(['counters', 'records'], 'readwrite');
        const counters = tx.objectStore('counters');
        const get = counters.get('seq');
        get.onsuccess = () => {
          const seq = ((get.result as number | undefined) ?? 0) + 1;
          tx.objectStore('records').add({ id: crypto.randomUUID(), seq, sync: 'pending', savedAt: Date.now(), record: { type: 'entrance', seq, checks: {} } });
          counters.put(seq, 'seq');
        };
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      out.push(performance.now() - t0);
    }
    db.close();
    return out;
  }, flags.patrons);

  if (tap.length !== flags.patrons) throw new Error(`measured ${tap.length} of ${flags.patrons} taps`);
  const result = {
    bench: 'tap-to-saved',
    patrons: flags.patrons,
    cpu_throttle: throttle,
    pace_ms: flags['pace-ms'],
    tap_to_saved_median_ms: round(quantile(tap, 0.5)),
    tap_to_saved_p95_ms: round(quantile(tap, 0.95)),
    direct_write_median_ms: round(quantile(direct, 0.5)),
    direct_write_p95_ms: round(quantile(direct, 0.95)),
    ratio_median: round(quantile(tap, 0.5) / quantile(direct, 0.5)),
    ratio_p95: round(quantile(tap, 0.95) / quantile(direct, 0.95)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser.close();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
