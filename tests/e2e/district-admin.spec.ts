import { seedTwoStreets } from '../support/two-streets.js';
import { expect, login, PASSWORD, test } from './street-hub.js';

/**
 * Streets as tenants in real Chromium (docs/architecture.md "Streets as tenants"): the district's
 * admin sees both streets of the district on its streets' overview and their flags, and reads their
 * audit log; street B's admin sees only street B on the same screens.
 */
test.describe('streets of a district', () => {
  test("the district admin sees both streets and their audit log; a street's admin only its own", async ({ page, street }) => {
    const two = await seedTwoStreets(street.store, PASSWORD, Date.now());
    const url = await street.listen();
    await page.setViewportSize({ width: 1024, height: 600 });

    await login(page, url, two.districtAdmin);
    await expect(page.getByTestId('account')).toContainText('区级管理员');
    // Its home is its streets (oversight-screen.ts): both streets of the district, by name.
    const s1 = (await street.store.organisation.street(two.s1.streetId))!;
    const s2 = (await street.store.organisation.street(two.s2.streetId))!;
    await expect(page.getByText(s1.name).first()).toBeVisible();
    await expect(page.getByText(s2.name).first()).toBeVisible();
    // Both streets' flags, venue by venue.
    await page.getByTestId('nav-flags').click();
    await expect(page.getByText(two.s1.venueName).first()).toBeVisible();
    await expect(page.getByText(two.s2.venueName).first()).toBeVisible();
    // A street's own screens (its venue registry, its kiosks) stay with the street; the streets'
    // registry, policy level, tracing and audit log are read above it.
    await expect(page.getByTestId('nav-kiosks')).toHaveCount(0);
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
