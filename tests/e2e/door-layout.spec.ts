import { expect, test, type Locator, type Page } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { switchPolicy } from '../../hub/src/services/policy-switch.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import type { VenueType } from '../../shared/schemas/venue.js';
import { listenHub, seedVenue, tempDir } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';
import { padTemperature, startShift } from './kiosk-page.js';
import { seriousAxeFindings } from './axe.js';

/** The door's tablets (docs/door-guide.md): a 10" landscape tablet, a larger one, and two portrait ones. */
const SIZES = [
  { width: 1024, height: 600 },
  { width: 1280, height: 800 },
  { width: 768, height: 1024 },
  { width: 600, height: 960 },
] as const;

/** The whole box on screen: nothing of it needs a scroll to reach. */
async function expectInView(page: Page, el: Locator): Promise<void> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  expect(box, 'has a box').not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(vp.width);
  expect(box!.y + box!.height).toBeLessThanOrEqual(vp.height);
}

/** The document does not scroll, either way. */
async function expectNoScroll(page: Page): Promise<void> {
  const m = await page.evaluate(() => ({
    h: document.scrollingElement!.scrollHeight,
    w: document.scrollingElement!.scrollWidth,
    ih: window.innerHeight,
    iw: window.innerWidth,
    y: window.scrollY,
  }));
  expect(m.h, 'scrollHeight <= innerHeight').toBeLessThanOrEqual(m.ih);
  expect(m.w, 'scrollWidth <= innerWidth').toBeLessThanOrEqual(m.iw);
  expect(m.y).toBe(0);
}

/** axe-core over the page as it is: no critical and no serious violation (the ids and nodes said when there is one). */
async function expectAxeClean(page: Page, state: string): Promise<void> {
  expect((await seriousAxeFindings(page)).map((f) => `${state}: ${f}`)).toEqual([]);
}

const go = (page: Page) => [page.getByTestId('routine'), page.getByTestId('record')];

/** A routine green patron: the digits on the pad and one tap, the verdict on screen. */
async function routinePatron(page: Page, tag: string): Promise<void> {
  await padTemperature(page, '36.5');
  for (const b of go(page)) await expectInView(page, b);
  await page.getByTestId('routine').click();
  await expect(page.getByTestId('decision')).toHaveClass(/admit/);
  await expect(page.getByTestId('decision')).toHaveAttribute('data-stale', 'false');
  await expectInView(page, page.getByTestId('decision'));
  await expectNoScroll(page);
  await page.screenshot({ path: `test-results/door-routine-${tag}.png` });
}

/**
 * A full check: every row the policy asks, answered on screen, the
 * temperature on the pad, "record and decide", and the verdict, with nothing
 * scrolled. The reading is a fever, so the refusal must say it and the threshold.
 */
async function fullCheck(page: Page, tag: string, lang: 'zh' | 'en'): Promise<void> {
  const picks: [string, string][] = [
    ['scan', 'no_phone:paper_itinerary'],
    ['mask', 'provided'],
    ['healthCode', 'green'],
    ['itinerary', 'starred'],
    ['testProof', 'negative'],
  ];
  if ((await page.getByTestId('opt-vaccination-complete').count()) > 0) picks.push(['vaccination', 'complete']);
  let first = true;
  for (const [row, value] of picks) {
    const opt = page.getByTestId(`opt-${row}-${value}`);
    await expectInView(page, opt);
    await expectInView(page, page.getByTestId(`opt-${row}-skipped`));
    await opt.click();
    if (first) {
      // The next patron has started: the last verdict is dimmed and marked as the previous one.
      await expect(page.getByTestId('decision')).toHaveAttribute('data-stale', 'true');
      first = false;
    }
  }
  await expectInView(page, page.getByTestId('temperature'));
  await expectInView(page, page.getByTestId('entrance-pad'));
  await padTemperature(page, '38.0');
  for (const b of go(page)) await expectInView(page, b);
  await page.getByTestId('record').click();
  const d = page.getByTestId('decision');
  await expect(d).toHaveClass(/refuse/);
  await expect(d.locator('[data-reason="fever"]')).toHaveText(
    lang === 'zh' ? '体温异常：测得 38.0 °C，达到 37.3 °C 发热标准' : 'Fever: measured 38.0 °C, at or above the 37.3 °C threshold',
  );
  await expectInView(page, d);
  for (const b of go(page)) await expectInView(page, b);
  await expectNoScroll(page);
  await page.screenshot({ path: `test-results/door-full-${tag}.png` });
}

test.describe('the door on a tablet, without scrolling', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let app: FastifyInstance | undefined;
  test.beforeEach(() => {
    tmp = tempDir();
    app = undefined;
  });
  test.afterEach(async () => {
    await app?.close();
    await store?.close();
    tmp.remove();
  });

  /** A hub with one venue of this kind, its kiosk enrolled in the page at the first size and a shift started; the hub's URL. */
  async function doorOf(page: Page, venue: { type: VenueType; ratedCapacity: number }): Promise<string> {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store, 'venue-a', venue), Date.now(), 600_000);
    app = await listenHub(store, await freePort());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    await page.setViewportSize(SIZES[0]);
    await page.goto(`${url}/kiosk/?enrol=${code}`);
    await startShift(page);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    return url;
  }

  test('a routine patron and a full check at 1024×600, 1280×800, 768×1024 and 600×960, in Chinese and English, normal and emergency', async ({ page }) => {
    // A library: open under both policies; rated 400 so no cap is reached.
    await doorOf(page, { type: 'library', ratedCapacity: 400 });

    for (const mode of ['normal', 'emergency'] as const) {
      if (mode === 'emergency') {
        const { version: _v, ...emergency } = EMERGENCY_POLICY;
        const active = await switchPolicy(store, app!.io, emergency, Date.now());
        await expect(page.getByTestId('policy')).toHaveAttribute('data-version', String(active.version));
        // The three-code check adds the vaccination row (004 §3.11).
        await expect(page.getByTestId('opt-vaccination-complete')).toHaveCount(1);
      }
      for (const lang of ['zh', 'en'] as const) {
        if ((lang === 'en') !== ((await page.getByTestId('record').textContent())?.includes('Record') ?? false)) await page.getByTestId('lang').click();
        for (const size of SIZES) {
          await page.setViewportSize(size);
          const tag = `${mode}-${lang}-${size.width}x${size.height}`;
          await routinePatron(page, tag);
          await fullCheck(page, tag, lang);
        }
      }
    }
  });

  test('one pad and one focus in the count dialogs, a tab bar that holds still, a plain offline banner, and no serious axe finding', async ({ page }) => {
    const url = await doorOf(page, { type: 'ktv', ratedCapacity: 30 });
    await expect(page.getByTestId('decision-idle')).toBeVisible();
    await expectAxeClean(page, 'idle');

    // Admitted, then refused for fever: the verdict and the reading.
    await padTemperature(page, '36.6');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toHaveClass(/admit/);
    await expectAxeClean(page, 'after admit');
    await padTemperature(page, '37.9');
    await expect(page.getByTestId('decision')).toHaveAttribute('data-stale', 'true');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toHaveClass(/refuse/);
    await expect(page.getByTestId('decision').locator('[data-reason="fever"]')).toContainText('37.9');
    await expectAxeClean(page, 'after refuse');

    // Nothing filled in: the errors are said beside the buttons, on screen.
    await page.getByTestId('record').click();
    await expect(page.getByTestId('missing-summary')).toHaveText('还有 5 项未填好：扫场所码、口罩、健康码、行程卡、体温 (°C)');
    await expectInView(page, page.getByTestId('missing-summary'));
    await expectNoScroll(page);

    // Several left: a modal dialog with its own pad; the USB keypad types there, not into the temperature.
    await page.getByTestId('exit-n').click();
    const dialog = page.getByTestId('ask-dialog');
    await expect(dialog).toBeVisible();
    await expectAxeClean(page, 'several-left dialog');
    await page.keyboard.type('1');
    await expect(page.getByTestId('ask-number')).toHaveText('1');
    await expect(page.getByTestId('temperature')).toHaveValue('');
    // The door's pad behind the dialog takes no tap while it is open.
    expect(
      await page.evaluate(() => {
        const pad = document.querySelector('kiosk-app')!.shadowRoot!.querySelector('entrance-screen')!.shadowRoot!.querySelector('[data-testid="entrance-pad"]')!.shadowRoot!.querySelector('button')!;
        const r = pad.getBoundingClientRect();
        const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
        // What a tap there would reach, through every shadow root: the dialog's backdrop, not the pad.
        let hit = document.elementFromPoint(x, y);
        while (hit?.shadowRoot) {
          const inner = hit.shadowRoot.elementFromPoint(x, y);
          if (!inner || inner === hit) break;
          hit = inner;
        }
        return hit === pad;
      }),
    ).toBe(false);
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('occupancy')).toHaveAttribute('data-inside', '0');
    await expect(page.getByTestId('temperature')).toHaveValue('');
    // A head count and closing the day ask in dialogs too; Escape or cancel closes them with nothing recorded.
    await page.getByTestId('headcount').click();
    await expect(dialog).toBeVisible();
    await page.keyboard.type('7');
    await expect(page.getByTestId('ask-number')).toHaveText('7');
    // A tap on the dialog's title leaves the keys with the dialog, never the temperature or Enter's routine admission behind it.
    await dialog.locator('#ask-title').click();
    await page.keyboard.type('3');
    await expect(page.getByTestId('ask-number')).toHaveText('73');
    await expect(page.getByTestId('temperature')).toHaveValue('');
    await expectAxeClean(page, 'head-count dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('occupancy')).toHaveAttribute('data-inside', '0');
    await expect(page.getByTestId('temperature')).toHaveValue('');
    await page.getByTestId('close-out').click();
    await expect(dialog).toBeVisible();
    await expectAxeClean(page, 'close-day dialog');
    await page.getByTestId('ask-cancel').click();
    await expect(dialog).toHaveCount(0);

    // The venue code opens on its own tap, large, and closes again.
    await page.getByTestId('venue-code-open').click();
    await expect(page.getByTestId('venue-code')).toBeVisible();
    await expectAxeClean(page, 'venue-code dialog');
    await page.screenshot({ path: 'test-results/door-venue-code-zh-1024x600.png' });
    await page.getByTestId('venue-code-close').click();
    await expect(page.getByTestId('venue-code-dialog')).toHaveCount(0);

    // The tab bar is at the same place, each tab the same size, on every tab.
    const boxes: string[] = [];
    for (const tab of ['door', 'today', 'ledgers', 'device', 'door']) {
      await page.getByTestId(`tab-${tab}`).click();
      await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
      const all = await Promise.all(['door', 'today', 'ledgers', 'device'].map((t) => page.getByTestId(`tab-${t}`).boundingBox()));
      boxes.push(JSON.stringify(all));
    }
    expect(new Set(boxes).size).toBe(1);


    // Offline: a plain banner, since when and how many records wait; the venue code says phones cannot declare now.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await app!.close();
    app = undefined;
    await expect(page.getByTestId('connection')).toHaveText('离线');
    const banner = page.getByTestId('offline-banner');
    await expect(banner).toContainText('离线：自');
    await expect(banner).toContainText('0 条记录在本机等待同步');
    await padTemperature(page, '36.5');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toHaveClass(/admit/);
    await expect(banner).toHaveAttribute('data-pending', '1');
    await expect(banner).toContainText('1 条记录在本机等待同步');
    await expectNoScroll(page);
    await expectInView(page, page.getByTestId('routine'));
    await expectAxeClean(page, 'offline');
    await page.screenshot({ path: 'test-results/door-offline-zh-1024x600.png' });
    await expect(page.getByTestId('venue-code-open')).toHaveText('顾客扫码登记（暂不可用）');
    await page.getByTestId('venue-code-open').click();
    await expect(page.getByTestId('venue-code-offline')).toContainText('顾客手机扫码后无法提交登记');
    await expect(page.getByTestId('venue-code')).toHaveCount(0);
    await expectAxeClean(page, 'venue-code dialog offline');
    await page.screenshot({ path: 'test-results/door-venue-code-offline-zh-1024x600.png' });
    await page.getByTestId('venue-code-close').click();
    // English too.
    await page.getByTestId('lang').click();
    await expect(banner).toContainText('1 records wait on this tablet');
    await expectAxeClean(page, 'offline, English');
  });
});
