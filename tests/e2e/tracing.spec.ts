import { readFileSync } from 'node:fs';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { enrolKiosk, patronForm, seedVenue } from '../support/hub.js';
import { expect, login, test } from './street-hub.js';

/**
 * Tracing (时空伴随, 003 §25) in real Chromium: a patron declares with a phone number;
 * the street admin lists who was at the venue, sees the number (and only
 * there), exports the CSV, and the results are gone once the screen is left.
 * Both the run and the export are in the audit log.
 */

test.describe('tracing screen', () => {
  test('the admin states a reason, lists the venue\'s visitors with their numbers, exports them, and leaves nothing on screen', async ({ page, street }) => {
    const { store } = street;
    const entrance = await seedVenue(store, 'venue-a');
    const { kiosk } = await enrolKiosk(store, entrance);
    await street.account('admin');
    const url = await street.listen();

    // A patron with her grandmother scans the door's code and leaves a number.
    const secret = (await store.kiosks.byId(kiosk.id))!.codeSecret;
    const form = await patronForm(url, await liveToken(secret, kiosk.id, slotAt(Date.now())));
    const issued = await fetch(`${url}/api/passes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...form,
        people: [{ healthCode: 'green', itinerary: 'local' }, { label: '外婆', healthCode: 'green', itinerary: 'local' }],
        commitment: false,
        phone: '139 1234 5678',
      }),
    });
    expect(issued.status).toBe(201);

    await page.setViewportSize({ width: 1280, height: 800 });
    await login(page, url);
    await page.getByTestId('nav-tracing').click();
    await expect(page.getByTestId('tracing-notice')).toContainText('每次查询和导出都会连同查询原因记入操作日志');

    // Without a venue, then without a reason: the field is named and nothing is sent.
    await page.getByTestId('tracing-run').click();
    await expect(page.locator('[data-testid="field-error"][data-field="visits.0.venueId"]')).toBeVisible();
    await page.getByTestId('tracing-venue').selectOption('venue-a');
    await page.getByTestId('tracing-run').click();
    await expect(page.locator('[data-testid="field-error"][data-field="reason"]')).toContainText('请填写查询原因');
    await expect(page.getByTestId('tracing-row')).toHaveCount(0);

    await page.getByTestId('tracing-reason').fill('确诊病例 2026-118 流调');
    await page.getByTestId('tracing-run').click();
    const row = page.getByTestId('tracing-row');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-kind', 'pass');
    await expect(page.getByTestId('tracing-contact')).toHaveText('13912345678');
    await expect(row).toContainText('外婆');
    await expect(row).toContainText('未在门口登记');
    await expect(page.getByTestId('tracing-summary')).toContainText('共 1 条，其中 1 条有联系电话');
    await page.screenshot({ path: 'test-results/tracing-results-1280x800.png', fullPage: true });

    const download = page.waitForEvent('download');
    await page.getByTestId('tracing-export').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^tracing-\d{4}-\d{2}-\d{2}T\d{6}\.csv$/);
    const csv = readFileSync((await file.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF到访序号')).toBe(true);
    expect(csv).toContain('13912345678');
    await expect(page.getByTestId('tracing-exported')).toBeVisible();

    // Leaving the screen drops the list; coming back shows an empty form.
    await page.getByTestId('nav-audit').click();
    await expect(page.locator('[data-testid="audit-row"][data-action="tracing_run"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="audit-row"][data-action="tracing_export"]')).toHaveCount(1);
    await expect(page.getByTestId('audit-table')).toContainText('确诊病例 2026-118 流调');
    await expect(page.getByTestId('audit-table')).not.toContainText('13912345678');
    await page.getByTestId('nav-tracing').click();
    await expect(page.getByTestId('tracing-form')).toBeVisible();
    await expect(page.getByTestId('tracing-row')).toHaveCount(0);
    await expect(page.getByText('13912345678')).toHaveCount(0);
  });
});
