import { connectKiosk, enrolKiosk, seedVenue } from '../support/hub.js';
import { expect, login, test } from './street-hub.js';

/**
 * The kiosk lifecycle in the street admin's dashboard (docs/inspectors-guide.md "Tablets"): a kiosk's status
 * shows live; an enrolment code is issued for an entrance and shown once with
 * its QR; a lost tablet is revoked with a reason and a confirm step, and its
 * open socket hears why and is cut at once.
 */

test.describe('kiosks screen', () => {
  test('live status, an enrolment code with its QR, and a revoke that cuts the tablet', async ({ page, street }) => {
    const { store } = street;
    const entrance = await seedVenue(store, 'venue-a');
    await seedVenue(store, 'venue-b');
    const { kiosk, token } = await enrolKiosk(store, entrance);
    await street.account('admin');
    const url = await street.listen();

    await page.setViewportSize({ width: 1280, height: 800 });
    await login(page, url, 'admin', '#/kiosks');
    const row = page.locator(`[data-testid="kiosk-row"][data-kiosk="${kiosk.id}"]`);
    await expect(row).toHaveAttribute('data-connected', 'false');

    // The tablet comes online with 4 records waiting and a clock 10 minutes fast: the row changes without a reload.
    let revoked!: Promise<{ reason: string }>;
    const socket = await connectKiosk(url, { token, status: { appVersion: '1.4.0+e2e', pending: 4, rejected: 0, clock: Date.now() + 10 * 60_000 } }, (s) => {
      revoked = new Promise((resolve) => s.once('kiosk:revoked', resolve));
    });
    street.defer(() => socket.close());
    await expect(row).toHaveAttribute('data-connected', 'true');
    await expect(row).toContainText('1.4.0+e2e');
    await expect(row.getByTestId('kiosk-backlog')).toContainText('4');
    await expect(row.getByTestId('kiosk-skew')).toHaveAttribute('data-skewed', 'true');
    await expect(row.getByTestId('kiosk-policy')).toHaveAttribute('data-behind', 'true');

    // A code for this entrance, from the row: shown large once, with its QR and link.
    await row.getByTestId('kiosk-enrol-here').click();
    await expect(page.getByTestId('enrol-entrance')).toHaveValue(entrance);
    await page.getByTestId('enrol-issue').click();
    await expect(page.getByTestId('enrol-code')).toHaveText(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    const code = (await page.getByTestId('enrol-code').textContent())!.replace('-', '');
    await expect(page.getByTestId('enrol-url')).toHaveText(`${url}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('enrol-qr')).toBeVisible();
    await page.screenshot({ path: 'test-results/kiosks-screen-1280x800.png', fullPage: true });
    const enrol = await fetch(`${url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(enrol.status).toBe(201);
    await page.getByTestId('enrol-done').click();

    // Revoke: a reason is required, then a confirm step that says what it still held.
    await row.getByTestId('revoke-open').click();
    await row.getByTestId('revoke-next').click();
    await expect(row.getByTestId('revoke-error')).toHaveAttribute('data-field', 'reason');
    await row.getByTestId('revoke-reason').fill('平板被盗');
    await row.getByTestId('revoke-next').click();
    await expect(row.getByTestId('revoke-confirm')).toContainText('4');
    // The venue's pass-code secret is rotated, and the door PINs the tablet held should be reset there.
    await expect(row.getByTestId('revoke-secret')).toContainText('通行码密钥');
    await expect(row.getByTestId('revoke-pins')).toContainText('PIN');
    await expect(row.getByTestId('revoke-pins-link')).toHaveAttribute('href', '#/registry?venue=venue-a');
    await page.screenshot({ path: 'test-results/kiosks-revoke-confirm-1280x800.png', fullPage: true });
    await row.getByTestId('revoke-submit').click();
    expect(await revoked).toEqual({ reason: '平板被盗' });
    await expect(row).toHaveAttribute('data-state', 'revoked');
    await expect(row).toHaveAttribute('data-connected', 'false');
    await expect(row.getByTestId('kiosk-revoked-info')).toContainText('admin');
    await expect(row.getByTestId('kiosk-revoked-info')).toContainText('平板被盗');
    await expect(row.getByTestId('kiosk-backlog')).toContainText('4');
    await expect(row.getByTestId('revoke-open')).toHaveCount(0);
    // The newly enrolled tablet is listed too (a fresh read, e.g. by filtering on state).
    await page.getByTestId('kiosks-state').selectOption('active');
    await expect(page.locator('[data-testid="kiosk-row"]')).toHaveCount(1);
    await expect(page.locator(`[data-testid="kiosk-row"][data-kiosk="${kiosk.id}"]`)).toHaveCount(0);
    await page.getByTestId('kiosks-state').selectOption('');
    // Every state again: the revoked tablet beside the new one.
    await expect(page.locator('[data-testid="kiosk-row"]')).toHaveCount(2);
    await expect(page.locator(`[data-testid="kiosk-row"][data-kiosk="${kiosk.id}"]`)).toHaveAttribute('data-state', 'revoked');
    await page.screenshot({ path: 'test-results/kiosks-revoked-1280x800.png', fullPage: true });
  });
});
