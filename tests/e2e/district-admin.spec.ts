import { seedTwoStreets } from '../support/two-streets.js';
import { expect, login, PASSWORD, test } from './street-hub.js';

/**
 * Streets as tenants in real Chromium (docs/architecture.md "Streets as tenants"): the district's
 * admin sees both streets of the district on the overview and reads their audit log; street B's
 * admin sees only street B on the same screens.
 */
test.describe('streets of a district', () => {
  test("the district admin sees both streets and their audit log; a street's admin only its own", async ({ page, street }) => {
    const two = await seedTwoStreets(street.store, PASSWORD, Date.now());
    const url = await street.listen();
    await page.setViewportSize({ width: 1024, height: 600 });

    await login(page, url, two.districtAdmin);
    await expect(page.getByTestId('account')).toContainText('区级管理员');
    await expect(page.getByText(two.s1.venueName).first()).toBeVisible();
    await expect(page.getByText(two.s2.venueName).first()).toBeVisible();
    // The street's own screens stay with the street; the audit log is read above it.
    await expect(page.getByTestId('nav-registry')).toHaveCount(0);
    await page.getByTestId('nav-audit').click();
    await expect(page.getByTestId('audit-row').first()).toBeVisible();
    await expect(page.getByTestId('audit-table')).toContainText(two.s1.venueId);
    await expect(page.getByTestId('audit-table')).toContainText(two.s2.venueId);
    await page.screenshot({ path: 'test-results/district-admin-audit.png' });
    await page.getByTestId('logout').click();
    await expect(page.getByTestId('login-name')).toBeVisible();

    await login(page, url, two.s2.admin);
    await expect(page.getByText(two.s2.venueName).first()).toBeVisible();
    await expect(page.getByText(two.s1.venueName)).toHaveCount(0);
    await page.getByTestId('nav-audit').click();
    await expect(page.getByTestId('audit-table')).toContainText(two.s2.venueId);
    await expect(page.getByTestId('audit-table')).not.toContainText(two.s1.venueId);
    await page.screenshot({ path: 'test-results/street-admin-own-street.png' });
  });
});
