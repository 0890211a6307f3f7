import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, login, test } from './street-hub.js';

/**
 * The street office's day one, in real Chromium with real kiosk pages: the
 * street admin imports a community's venue list (two bad rows reported by
 * line), enrols two tablets at the imported venue's entrances from the kiosks
 * screen, and switches the street to emergency in one act. The open tablet
 * shows the emergency policy and the admin sees it acknowledged; the tablet
 * that was offline acknowledges when its network comes back.
 */

// UTF-8 as a street office's spreadsheet saves it (BOM, CRLF); lines 3 and 5 are bad.
const CSV =
  '\uFEFF' +
  [
    '编号,场所名称,场所类型,地址,核定人数,营业时间,出入口,防控专员,防控专员电话,消杀专员,消杀专员电话',
    ',红星影院,影剧院,红星路1号,400,09:00-23:30,东门；西门,周敏,13900000011,吴刚,13900000012',
    ',无名场所,,红星路2号,50,,正门,,,,',
    ',红星书店,图书馆,红星路3号,60,08:30-20:00,正门,,,,',
    ',红星酒吧,酒吧,红星路4号,-5,18:00-02:00,正门,,,,',
  ].join('\r\n');

/** Issues a one-time code for one entrance on the kiosks screen and returns the enrolment link it shows. */
async function issueCode(page: Page, venueId: string, entranceName: string): Promise<string> {
  await page.getByTestId('nav-kiosks').click();
  await page.getByTestId('enrol-venue').selectOption(venueId);
  await page.getByTestId('enrol-entrance').selectOption({ label: entranceName });
  await page.getByTestId('enrol-issue').click();
  await expect(page.getByTestId('enrol-code')).toHaveText(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  await expect(page.getByTestId('enrol-qr')).toBeVisible();
  const link = (await page.getByTestId('enrol-url').textContent())!.trim();
  await page.getByTestId('enrol-done').click();
  return link;
}

/** A tablet in its own browser context (its own IndexedDB), opened at the enrolment link. */
async function openKiosk(browser: Browser, link: string, defer: (close: () => unknown) => void): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  defer(() => context.close());
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByTestId('connection')).toHaveText('已连接');
  return { context, page };
}

test.describe('street administration', () => {
  test('import venues, enrol two tablets, switch the street to emergency; both acknowledge, one after coming back online', async ({ page, browser, street }) => {
    const { store } = street;
    await store.venues.addCommunity({ id: 'hongxing', name: '红星社区' });
    await street.account('admin');
    const url = await street.listen();

    await page.setViewportSize({ width: 1280, height: 800 });
    await login(page, url);

    // 1. The community's list: two bad rows reported by line and column, the two good ones kept.
    await page.getByTestId('nav-registry').click();
    await page.getByTestId('registry-import-toggle').click();
    await page.getByTestId('import-community').selectOption('hongxing');
    await page.getByTestId('import-file').setInputFiles({ name: '红星社区场所清单.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    // A dry run first (the screen asks for one), then the import itself.
    await page.getByTestId('import-dry-run').click();
    await expect(page.getByTestId('import-report')).toHaveAttribute('data-dry-run', '1');
    await page.getByTestId('import-run').click();
    await expect(page.getByTestId('import-report')).toHaveAttribute('data-dry-run', '0');
    const errors = page.getByTestId('import-error-row');
    await expect(errors).toHaveCount(2);
    await expect(errors.nth(0)).toHaveAttribute('data-line', '3');
    await expect(errors.nth(0)).toHaveAttribute('data-field', '场所类型');
    await expect(errors.nth(1)).toHaveAttribute('data-line', '5');
    await expect(errors.nth(1)).toHaveAttribute('data-field', '核定人数');
    await expect(page.getByTestId('registry-row')).toHaveCount(2);
    await page.screenshot({ path: 'test-results/street-admin-import-1280x800.png', fullPage: true });
    const cinema = page.getByTestId('registry-row').filter({ hasText: '红星影院' });
    const venueId = (await cinema.getAttribute('data-venue'))!;
    const profile = (await store.venues.profile(venueId))!;
    expect(profile.entrances.map((e) => e.name)).toEqual(['东门', '西门']);
    expect(profile.ratedCapacity).toBe(400);

    // 2. A code per entrance from the kiosks screen; each tablet opens its link and enrols.
    const east = await openKiosk(browser, await issueCode(page, venueId, '东门'), street.defer);
    const west = await openKiosk(browser, await issueCode(page, venueId, '西门'), street.defer);
    await expect(east.page.getByTestId('policy')).toHaveAttribute('data-mode', 'normal');
    const rows = page.locator('[data-testid="kiosk-row"]');
    await expect(rows).toHaveCount(2);
    await expect(page.locator('[data-testid="kiosk-row"][data-connected="true"]')).toHaveCount(2);

    // The west door loses its network.
    await west.context.setOffline(true);
    await expect(west.page.getByTestId('connection')).toHaveText('离线');
    // The tablet knows at once (its browser says offline); the hub may only learn by socket.io's
    // ping timeout (at most 45 s) if the connection's close never reached it.
    await expect(page.locator('[data-testid="kiosk-row"][data-connected="true"]')).toHaveCount(1, { timeout: 60_000 });

    // 3. One act: the whole street to emergency.
    await page.getByTestId('nav-policy').click();
    await page.getByTestId('quick-emergency').click();
    await page.getByTestId('quick-reason').fill('区指挥部通知：即日起进入战时状态');
    await page.getByTestId('quick-confirm').click();
    await expect(page.getByTestId('street-policy')).toContainText('战时');

    // The open tablet shows it at once; the admin sees its acknowledgement, and the offline one still owing.
    await expect(east.page.getByTestId('policy')).toHaveAttribute('data-mode', 'emergency');
    await expect(west.page.getByTestId('policy')).toHaveAttribute('data-mode', 'normal');
    await expect(page.getByTestId('ack-count')).toHaveAttribute('data-acked', '1');
    await expect(page.getByTestId('ack-count')).toHaveAttribute('data-total', '2');
    await expect(page.locator('[data-testid="ack-row"][data-acked="no"]')).toHaveCount(1);
    await east.page.screenshot({ path: 'test-results/street-admin-kiosk-emergency-1024x768.png' });
    await page.screenshot({ path: 'test-results/street-admin-acks-1-of-2-1280x800.png', fullPage: true });

    // 4. Its network comes back: it takes the policy in force and acknowledges; the admin's view follows live.
    await west.context.setOffline(false);
    await expect(west.page.getByTestId('policy')).toHaveAttribute('data-mode', 'emergency');
    await expect(page.getByTestId('ack-count')).toHaveAttribute('data-acked', '2');
    await expect(page.locator('[data-testid="ack-row"][data-acked="no"]')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/street-admin-acks-2-of-2-1280x800.png', fullPage: true });

    const audit = (await store.audit.list({ limit: 100 })).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['policy_switch']));
  });
});
