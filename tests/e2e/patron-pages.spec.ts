import type { Page } from '@playwright/test';
import { dayKey } from '../../shared/rules/flags/window.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import type { Store } from '../../hub/src/store/index.js';
import { enrolKiosk } from '../support/hub.js';
import { expect, test } from './street-hub.js';
import { seriousAxeFindings } from './axe.js';

/**
 * What a patron's phone shows (360×740 and 390×844, Chinese and English): the venue-code page, the
 * pass, the pass once expired, the booking page and a booking. Each page fits the phone's width
 * even for a venue whose Latin name has no place to break, keeps its submit button within reach,
 * and has no critical or serious accessibility violation (axe-core). Screenshots are saved under
 * test-results/patron-pages/.
 */
const LONG_NAME = 'Supercalifragilisticexpialidocious-Karaoke-and-Billiards International Entertainment Centre';
const OFFSET = 480; // the venue keeps UTC+8
const DAY = 86_400_000;
const PHONES = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
] as const;

/** A KTV with a long Latin name, one entrance and a kiosk, taking bookings three days ahead. */
async function longNamedVenue(store: Store): Promise<{ kioskId: string; secret: string }> {
  await store.venues.addCommunity({ id: 'c-long', name: 'Wangjing' });
  await store.venues.add({
    id: 'venue-long',
    communityId: 'c-long',
    name: LONG_NAME,
    type: 'ktv',
    address: '1 Riverside Road',
    ratedCapacity: 120,
    openingHours: null,
    utcOffsetMinutes: OFFSET,
    officers: {},
  });
  await store.venues.addEntrance({ id: 'venue-long-1', venueId: 'venue-long', name: 'Main door' });
  await store.bookings.saveSettings('venue-long', { mode: 'optional', slotMinutes: 60, slotCap: 20, maxParty: 4, daysAhead: 3 }, 'e2e', Date.now());
  const { kiosk } = await enrolKiosk(store, 'venue-long-1');
  return { kioskId: kiosk.id, secret: (await store.kiosks.byId(kiosk.id))!.codeSecret };
}

/** The page is no wider than the phone, and `testId` (a button) lies within its width. */
async function fitsWidth(page: Page, testId?: string): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll, 'page width').toBeLessThanOrEqual(inner);
  if (testId) {
    const box = (await page.getByTestId(testId).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(inner);
  }
}

for (const phone of PHONES) {
  for (const lang of ['zh-CN', 'en'] as const) {
    const size = `${phone.width}x${phone.height}`;
    const shot = (name: string) => `test-results/patron-pages/${name}-${size}-${lang}.png`;

    test(`${size} ${lang}: the venue-code page, the pass and the expired pass fit the phone and pass axe`, async ({ street, browser }) => {
      const { kioskId, secret } = await longNamedVenue(street.store);
      const url = await street.listen();
      const context = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
      street.defer(() => context.close());
      const page = await context.newPage();

      await page.goto(`${url}/v/${await liveToken(secret, kioskId, slotAt(Date.now()))}?lang=${lang}`);
      await expect(page.getByTestId('venue-name')).toHaveText(LONG_NAME);
      // A companion, so the form has every input a party can have (称呼 and the test date included).
      await page.getByTestId('add-companion').click();
      await fitsWidth(page, 'submit');
      expect(await seriousAxeFindings(page)).toEqual([]);
      // Every text and date input is named by its label.
      for (const name of ['people.0.lastNegativeTestAt', 'people.1.label', 'people.1.lastNegativeTestAt']) {
        await expect(page.locator(`input[name="${name}"]`)).toHaveAccessibleName(/.+/);
      }
      await page.screenshot({ path: shot('patron'), fullPage: true });

      await page.locator('input[name="people.0.healthCode"][value="green"]').check();
      await page.locator('input[name="people.0.itinerary"][value="local"]').check();
      await page.locator('input[name="people.1.label"]').fill(lang === 'en' ? 'Grandmother' : '外婆');
      await page.locator('input[name="people.1.healthCode"][value="green"]').check();
      await page.locator('input[name="people.1.itinerary"][value="local"]').check();
      await page.getByTestId('submit').click();
      await expect(page.getByTestId('verdict')).toHaveAttribute('data-verdict', 'enter');
      await expect(page.getByTestId('expired')).toBeHidden();
      await fitsWidth(page, 'left');
      expect(await seriousAxeFindings(page)).toEqual([]);
      await page.screenshot({ path: shot('pass'), fullPage: true });

      // The same pass on a phone whose clock has run past its ten minutes: the page turns to the
      // plain expired state by itself; nothing says "may enter", no clock runs.
      const passUrl = page.url();
      const later = await context.newPage();
      await later.clock.install();
      await later.goto(passUrl);
      await expect(later.getByTestId('verdict')).toBeVisible();
      await later.clock.fastForward('11:00');
      await expect(later.getByTestId('expired')).toBeVisible();
      await expect(later.getByTestId('verdict')).toBeHidden();
      await expect(later.getByTestId('clock')).toHaveCount(0);
      await expect(later.getByTestId('people')).toBeHidden();
      await expect(later.getByTestId('expired')).toContainText(lang === 'en' ? 'Pass expired' : '凭证已过期');
      await fitsWidth(later);
      expect(await seriousAxeFindings(later)).toEqual([]);
      await later.screenshot({ path: shot('pass-expired'), fullPage: true });
    });

    test(`${size} ${lang}: the booking page and a booking fit the phone and pass axe; slot times on one line, each day named once`, async ({ street, browser }) => {
      await longNamedVenue(street.store);
      const url = await street.listen();
      const context = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
      street.defer(() => context.close());
      const page = await context.newPage();

      // Tomorrow: every slot of the day is still bookable, whatever the hour the suite runs at.
      const tomorrow = dayKey(Date.now() + DAY, OFFSET);
      await page.goto(`${url}/book/venue-long?lang=${lang}&date=${tomorrow}`);
      await expect(page.getByTestId('venue-name')).toHaveText(LONG_NAME);
      await expect(page.getByTestId('slot')).toHaveCount(24);
      await page.getByTestId('add-companion').click();
      await fitsWidth(page, 'submit');
      // Each slot's time range on one line ("09:00–10:00", never "09:00–" over "10:00").
      const wrapped = await page.locator('[data-testid="slot"] b').evaluateAll((els) =>
        els.filter((el) => el.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(el).lineHeight)).map((el) => el.textContent),
      );
      expect(wrapped).toEqual([]);
      // The day strip says each thing once: the day's name, then its date, never the same words twice.
      const days = await page.getByTestId('day').evaluateAll((els) =>
        els.map((el) => ({ name: el.firstChild!.textContent!.trim(), date: el.querySelector('small')!.textContent!.trim() })),
      );
      expect(days).toHaveLength(4);
      for (const d of days) {
        expect(d.date.includes(d.name), `${d.name} / ${d.date}`).toBe(false);
        expect(d.name.includes(d.date), `${d.name} / ${d.date}`).toBe(false);
      }
      expect(new Set(days.map((d) => d.name)).size).toBe(4);
      expect(await seriousAxeFindings(page)).toEqual([]);
      await page.screenshot({ path: shot('book'), fullPage: true });

      await page.getByTestId('slot').nth(10).locator('input').check();
      await page.locator('input[name="people.0.healthCode"][value="green"]').check();
      await page.locator('input[name="people.0.itinerary"][value="local"]').check();
      await page.locator('input[name="people.1.label"]').fill(lang === 'en' ? 'Child' : '孩子');
      await page.locator('input[name="people.1.healthCode"][value="green"]').check();
      await page.locator('input[name="people.1.itinerary"][value="local"]').check();
      await page.getByTestId('submit').click();
      await expect(page).toHaveURL(/\/booking\/[0-9a-f-]{36}$/);
      await expect(page.getByTestId('verdict')).toHaveAttribute('data-verdict', 'enter');
      await fitsWidth(page, 'cancel');
      expect(await seriousAxeFindings(page)).toEqual([]);
      await page.screenshot({ path: shot('booking'), fullPage: true });

      // Cancelled: no answer, no QR, the code struck through; still readable and named.
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByTestId('cancel').click();
      // The page reloads itself as the hub now has it.
      await expect(page.getByTestId('cancelled')).toBeVisible();
      await expect(page.getByTestId('booking')).toHaveAttribute('data-state', 'cancelled');
      await expect(page.getByTestId('verdict')).toHaveCount(0);
      await expect(page.getByTestId('enter-from')).toHaveCount(0);
      await expect(page.getByTestId('booking-qr')).toHaveCount(0);
      await fitsWidth(page);
      expect(await seriousAxeFindings(page)).toEqual([]);
      await page.screenshot({ path: shot('booking-cancelled'), fullPage: true });
    });
  }
}

test('an address with no page: a page in the browser\'s language that fits the phone and passes axe, its icon loaded', async ({ street, browser }) => {
  const url = await street.listen();
  for (const [locale, lang, title] of [
    ['zh-CN', 'zh-CN', '找不到此页面'],
    ['en-GB', 'en', 'Page not found'],
  ] as const) {
    const context = await browser.newContext({ viewport: PHONES[0], isMobile: true, hasTouch: true, locale });
    street.defer(() => context.close());
    const page = await context.newPage();
    const icon = page.waitForResponse((res) => new URL(res.url()).pathname === '/favicon.svg');
    const res = await page.goto(`${url}/passes/this-link-was-mistyped`);
    expect(res?.status()).toBe(404);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(page.getByTestId('venue-name')).toHaveText(title);
    expect((await icon).status()).toBe(200);
    await fitsWidth(page);
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: `test-results/patron-pages/not-found-360x740-${lang}.png`, fullPage: true });
  }
});
