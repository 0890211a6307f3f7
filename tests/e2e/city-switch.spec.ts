import { seedCityStreets, seedVenueInStreet } from '../support/policy-city.js';
import { startShift } from './kiosk-page.js';
import { PASSWORD, expect, login, test } from './street-hub.js';

/**
 * One act for the city (004 §1–3; docs/policy.md "Levels") in real Chromium: the city admin
 * switches the whole city to emergency on the dashboard; two door kiosks in two streets (of two
 * districts) show it and acknowledge it; the city's roll-up shows both acknowledgements. The
 * city's desk fits a 1024×600 screen without scrolling.
 */
test.describe('city switch', () => {
  test('the city admin switches the city to emergency; kiosks in two streets show it and ack; the city view shows both', async ({ browser, page, street }) => {
    const { store } = street;
    await seedCityStreets(store);
    const doors = [
      { venueId: 'venue-1', entrance: await seedVenueInStreet(store, 'venue-1', 'street'), street: 'street' },
      { venueId: 'venue-3', entrance: await seedVenueInStreet(store, 'venue-3', 'street-3'), street: 'street-3' },
    ];
    await street.account('city', 'city_admin');
    await store.accounts.create({ name: 'street1', role: 'street_admin', streetId: 'street', password: PASSWORD }, Date.now());
    const url = await street.listen();

    // Two doors, each its own tablet (its own browser context: its own storage), enrolled and on shift.
    const kiosks = [];
    for (const door of doors) {
      const context = await browser.newContext({ viewport: { width: 1024, height: 600 } });
      street.defer(() => context.close());
      const kiosk = await context.newPage();
      const code = await store.kiosks.issueEnrolmentCode(door.entrance, Date.now(), 600_000);
      await kiosk.goto(`${url}/kiosk/?enrol=${code}`);
      await startShift(kiosk, `${door.venueId}-staff-1`);
      await expect(kiosk.getByTestId('connection')).toHaveText('已连接');
      await expect(kiosk.getByTestId('policy')).toHaveAttribute('data-mode', 'normal');
      kiosks.push(kiosk);
    }

    // The city's desk: the level, what is in force, the roll-up of both streets.
    await page.setViewportSize({ width: 1024, height: 600 });
    await login(page, url, 'city', '#/policy');
    const level = page.getByTestId('policy-level');
    await expect(level).toHaveAttribute('data-level', 'city');
    await expect(page.getByTestId('level-in-force')).toContainText('常态');
    await expect(page.locator('[data-testid="rollup-street"]')).toHaveCount(2);

    // The one act: a reason is required, then the whole city is in emergency.
    await page.getByTestId('level-emergency').click();
    await page.getByTestId('level-confirm').click();
    await expect(page.getByTestId('level-error')).toHaveText('请填写切换原因（至少2个字）');
    await page.getByTestId('level-reason').fill('市指挥部令：全市进入战时状态');
    await page.getByTestId('level-confirm').click();
    await expect(page.getByTestId('level-done')).toContainText('已切换为 v2');
    await expect(page.getByTestId('level-in-force')).toContainText('战时 · v2');

    // Both doors, in two streets of two districts, show the emergency policy.
    for (const kiosk of kiosks) {
      await expect(kiosk.getByTestId('policy')).toHaveAttribute('data-mode', 'emergency');
      await expect(kiosk.getByTestId('policy')).toHaveAttribute('data-version', '2');
    }
    await kiosks[0]!.screenshot({ path: 'test-results/city-switch-kiosk-street-1.png' });

    // The city's roll-up: each street's door acknowledged the version due for its community.
    for (const door of doors) {
      const row = page.locator(`[data-testid="rollup-street"][data-street="${door.street}"]`);
      await expect(row).toHaveAttribute('data-acked', '1');
      await expect(row).toHaveAttribute('data-doors', '1');
      await expect(row).toContainText('全部已确认');
    }
    await page.screenshot({ path: 'test-results/city-switch-rollup-1024x600.png' });
    // The main view fits the door office's small screen.
    const overflow = await page.evaluate(() => document.scrollingElement!.scrollHeight - window.innerHeight);
    expect(overflow).toBeLessThanOrEqual(0);

    // In English too.
    await page.getByTestId('lang').click();
    await expect(page.getByTestId('policy-rollup')).toContainText('All acknowledged');
    await page.screenshot({ path: 'test-results/city-switch-rollup-en.png' });

    // A street admin sees the city's requirement, and cannot return its street to normal under it.
    const office = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    street.defer(() => office.close());
    const desk = await office.newPage();
    await login(desk, url, 'street1', '#/policy');
    await expect(desk.getByTestId('policy-floor')).toContainText('战时 · v2');
    await desk.getByTestId('quick-normal').click();
    await desk.getByTestId('quick-reason').fill('本街道恢复常态');
    await desk.getByTestId('quick-confirm').click();
    await expect(desk.getByTestId('quick-error')).toContainText('不能放宽上级（市或区）正在执行的要求');
    await expect(desk.getByTestId('quick-error')).toContainText('停业的场所类型');
    await desk.screenshot({ path: 'test-results/city-switch-street-refused.png' });
    await expect(kiosks[0]!.getByTestId('policy')).toHaveAttribute('data-mode', 'emergency');
  });
});
