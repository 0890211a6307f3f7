import type { Page } from '@playwright/test';
import { cstDate, cstWeek, DAY } from '../support/clock.js';
import { seedVenue } from '../support/hub.js';
import { expect, login, PASSWORD, test } from './street-hub.js';
import { seriousAxeFindings } from './axe.js';

/**
 * The on-site inspection (000 §3 "逐一过滤", the inspection ledger) on the inspector's phone at
 * 390×844, in real Chromium: the checklist of 000 §2(2) filled at the venue, a point left
 * unanswered named, a rectification ticked as seen done; the venue's list shows when, who and
 * which points failed, the flag is closed, the weekly report counts it. No sideways scroll, and
 * axe-core finds no critical or serious violation on the screen. Screenshots in
 * test-results/inspection/.
 */

const PHONE = { width: 390, height: 844 };

/** The page is no wider than the phone. */
async function noSidewaysScroll(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll, 'page width').toBeLessThanOrEqual(inner);
}

test.describe('on-site inspection on a phone', () => {
  test('the inspector fills the checklist at 390×844, closes a rectification seen done, and the venue and the weekly report show it', async ({ page, street }) => {
    const { store } = street;
    await seedVenue(store, 'venue-a');
    await street.account('inspector-a', 'community_inspector', 'c-venue-a');
    const [flag] = await store.flags.raise([{ venueId: 'venue-a', rule: 'skipped_check', severity: 'violation', windowKey: 'e2e-1', evidence: {} }], Date.now());
    const admin = await store.accounts.create({ name: 'office', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    await store.flags.act(flag!.id, { action: 'order_rectification', deadline: cstDate(Date.now() + 3 * DAY), note: '三日内整改' }, admin.id, Date.now());
    const url = await street.listen();

    await page.setViewportSize(PHONE);
    await login(page, url, 'inspector-a', '#/venue/venue-a');
    // The venue page leads to the checklist, a screen of its own.
    await expect(page.getByTestId('inspection-none')).toHaveText('尚无现场检查记录');
    await page.getByTestId('inspection-start').click();
    await expect(page).toHaveURL(/#\/venue\/venue-a\/inspect$/);
    const panel = page.getByTestId('inspection-panel');
    await expect(panel.getByTestId('inspection-venue')).toContainText('测试KTV');
    const form = panel.getByTestId('inspection-form');
    await expect(form.getByTestId('inspection-item')).toHaveCount(8);
    await expect(form.getByTestId('inspection-close')).toHaveCount(1);
    await noSidewaysScroll(page);
    expect(await seriousAxeFindings(page)).toEqual([]);

    // Everything passed but the one-metre line (with a note), staff tests not applicable; the ledgers left unanswered.
    const item = (name: string) => form.locator(`[data-testid="inspection-item"][data-item="${name}"]`);
    for (const name of ['entrance_scan', 'entrance_temperature', 'entrance_mask', 'notices_posted', 'named_officers']) {
      await item(name).getByTestId('inspection-pass').check();
    }
    await item('one_metre_line').getByTestId('inspection-fail').check();
    await item('one_metre_line').getByTestId('inspection-item-note').fill('门口未划一米线');
    await item('staff_tests').getByTestId('inspection-not_applicable').check();
    await form.getByTestId('inspection-close').check();
    await page.screenshot({ path: 'test-results/inspection/checklist-390x844.png', fullPage: true });
    await form.getByTestId('inspection-submit').click();
    await expect(item('ledgers_kept').getByTestId('field-error')).toHaveText('请为“消毒通风与健康监测台账”选择检查结果');
    await expect(item('ledgers_kept').getByTestId('inspection-pass')).toBeFocused();
    expect(await store.inspections.list('venue-a', 10)).toEqual([]);

    await item('ledgers_kept').getByTestId('inspection-pass').check();
    await expect(item('ledgers_kept').getByTestId('field-error')).toHaveCount(0);
    await form.getByTestId('inspection-submit').click();
    await expect(panel.getByTestId('inspection-saved')).toBeVisible();
    // The form is cleared for the next visit; the closed rectification is no longer offered.
    await expect(form.locator('[data-testid="inspection-item"][data-result=""]')).toHaveCount(8);
    await expect(form.getByTestId('inspection-close')).toHaveCount(0);
    const listed = page.getByTestId('inspection');
    await expect(listed).toHaveCount(1);
    await expect(listed).toContainText('检查人 inspector-a');
    await expect(listed.getByTestId('inspection-failed')).toHaveText('不合格：一米线');
    await expect(listed).toContainText('一米线：门口未划一米线');
    await expect(listed.getByTestId('inspection-closed')).toHaveText('确认整改完毕 1 项');
    await noSidewaysScroll(page);
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: 'test-results/inspection/saved-390x844.png', fullPage: true });

    // Back on the venue page: the list shows when, who and what failed.
    await page.getByTestId('inspection-back').click();
    await expect(page.getByTestId('inspection').getByTestId('inspection-failed')).toHaveText('不合格：一米线');
    await expect(page.getByTestId('inspection')).toContainText('检查人 inspector-a');

    // Stored with the account, and the rectification closed by it.
    const [stored] = await store.inspections.list('venue-a', 10);
    expect(stored).toMatchObject({ inspectorName: 'inspector-a', failed: ['one_metre_line'], closed: [flag!.id] });
    expect((await store.flags.get(flag!.id))!.status).toBe('rectified');

    // The flag's history says the rectification was seen done at the inspection.
    await page.goto(`${url}/dashboard/#/flags?flag=${flag!.id}&all=1`);
    await expect(page.getByTestId('flag-closed-by-inspection')).toHaveText('经现场检查确认');

    // The weekly report of this week counts it (the venue's week: UTC+8).
    await page.goto(`${url}/dashboard/#/reports?week=${cstWeek(stored!.at)}`);
    await expect(page.getByTestId('report-inspections')).toHaveText('本周现场检查 1 次，检查场所 1 家，不合格项 1 项');
    await noSidewaysScroll(page);

    // English: the same screen in the inspector's other language.
    await page.goto(`${url}/dashboard/#/venue/venue-a/inspect`);
    await page.evaluate(() => localStorage.setItem('dashboard.lang', 'en'));
    await page.reload();
    await expect(page.getByTestId('inspection-failed')).toHaveText('Failed: One-metre line');
    await expect(page.getByTestId('inspection-form')).toContainText('Entrance: masks worn');
    await noSidewaysScroll(page);
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: 'test-results/inspection/checklist-390x844-en.png', fullPage: true });
  });
});
