import { seedVenue } from '../support/hub.js';
import { seedSecondStreet } from '../support/streets.js';
import { seriousAxeFindings } from './axe.js';
import { PASSWORD, expect, login, test } from './street-hub.js';

/**
 * The registry above the venue in the browser (docs/district-guide.md): a district admin sees the
 * streets of its district and their communities on a 1024×600 screen without scrolling, imports a
 * district sheet (a bad row named by line and column), and moves a community to another street
 * after confirming (axe-core: no critical or serious finding on the screen or in the dialog); the
 * city admin's tracing lists the venues of both streets.
 */
test.describe('district registry', () => {
  test('a district admin imports a sheet and moves a community; the main view fits 1024×600', async ({ page, street }) => {
    await seedVenue(street.store, 'venue-a');
    await seedVenue(street.store, 'venue-b');
    await seedSecondStreet(street.store);
    await street.store.accounts.create({ name: 'district', role: 'district_admin', communityId: null, districtId: 'district', password: PASSWORD }, Date.now());
    const url = await street.listen();

    await page.setViewportSize({ width: 1024, height: 600 });
    await login(page, url, 'district', '#/registry');
    await expect(page.getByTestId('org-street')).toHaveCount(2);
    await expect(page.getByTestId('org-community')).toHaveCount(2);
    await expect(page.locator('registry-streets h2')).toHaveText('街道与社区');
    const fits = await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight && document.scrollingElement!.scrollWidth <= window.innerWidth);
    expect(fits).toBe(true);
    await page.screenshot({ path: test.info().outputPath('district-registry-1024x600.png') });
    expect(await seriousAxeFindings(page)).toEqual([]);

    // A district sheet: one good street with a community, one row with a bad street id.
    await page.getByTestId('org-import-toggle').click();
    const sheet = ['区编号,区名称,街道编号,街道名称,社区编号,社区名称', 'district,本区,street-3,新华街道,c-xh-1,新华一社区', 'district,本区,bad id,坏街道,,'].join('\n');
    await page.getByTestId('org-import-file').setInputFiles({ name: 'district.csv', mimeType: 'text/csv', buffer: Buffer.from(sheet) });
    await page.getByTestId('org-import-dry-run').click();
    await expect(page.getByTestId('org-import-error-row')).toHaveAttribute('data-line', '3');
    await expect(page.getByTestId('org-import-error-row')).toContainText('街道编号');
    await page.getByTestId('org-import-run').click();
    await expect(page.getByTestId('org-import-summary')).toContainText('已导入');
    await page.screenshot({ path: test.info().outputPath('district-import-1024x600.png') });
    await page.getByTestId('org-import-close').click();
    await expect(page.getByTestId('org-street')).toHaveCount(3);

    // The new street's venue list, with the venue import, into its community.
    await page.locator('[data-testid="org-street"][data-street="street-3"]').click();
    await page.getByTestId('org-venue-import-toggle').click();
    await page.getByTestId('import-community').selectOption('c-xh-1');
    await page.getByTestId('import-file').setInputFiles({ name: 'venues.csv', mimeType: 'text/csv', buffer: Buffer.from('场所名称,场所类型,核定人数\n新华KTV,KTV,60\n') });
    await page.getByTestId('import-dry-run').click();
    await expect(page.getByTestId('import-row')).toHaveAttribute('data-action', 'create');
    await page.getByTestId('import-run').click();
    await expect(page.getByTestId('import-report')).toHaveAttribute('data-dry-run', '0');
    await page.getByTestId('org-import-close').click();
    await expect(page.locator('[data-testid="org-community"][data-community="c-xh-1"] td').nth(1)).toHaveText('1');

    // Move 本街道's first community to 第二街道, confirming in the dialog.
    await page.locator('[data-testid="org-street"][data-street="street"]').click();
    await page.locator('[data-testid="org-community"][data-community="c-venue-a"] [data-testid="org-move"]').click();
    await expect(page.getByTestId('org-move-dialog')).toContainText('场所、终端、入场记录、预警、检查记录随社区一并划转');
    await page.getByTestId('org-move-to').selectOption('street-2');
    await page.screenshot({ path: test.info().outputPath('district-move-dialog-1024x600.png') });
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.getByTestId('org-move-confirm').click();
    await expect(page.getByTestId('org-moved')).toContainText('第二街道');
    await expect(page.locator('[data-testid="org-street"][data-street="street-2"]')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('[data-testid="org-community"][data-community="c-venue-a"]')).toBeVisible();
    expect((await street.store.organisation.placeOfCommunity('c-venue-a'))?.streetId).toBe('street-2');

    // English too.
    await page.getByTestId('lang').click();
    await expect(page.locator('registry-streets h2')).toHaveText('Streets and communities');
  });

  test("the city admin's tracing lists the venues of every street, each named with its street", async ({ page, street }) => {
    await seedVenue(street.store, 'venue-a');
    await seedSecondStreet(street.store);
    await street.store.accounts.create({ name: 'city', role: 'city_admin', communityId: null, password: PASSWORD }, Date.now());
    const url = await street.listen();
    await page.setViewportSize({ width: 1024, height: 600 });
    await login(page, url, 'city', '#/tracing');
    const options = page.getByTestId('tracing-venue').locator('optgroup');
    await expect(options).toHaveCount(2);
    expect(await options.evaluateAll((groups) => groups.map((g) => g.getAttribute('label')))).toEqual(['本街道 · 测试社区', '第二街道 · 第二街道社区']);
    await page.getByTestId('tracing-venue').selectOption('venue-z');
    await page.getByTestId('tracing-reason').fill('确诊病例跨街道流调');
    await page.getByTestId('tracing-run').click();
    await expect(page.getByTestId('tracing-summary')).toBeVisible();
  });
});
