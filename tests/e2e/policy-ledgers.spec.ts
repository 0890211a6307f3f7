import { seedVenue } from '../support/hub.js';
import { expect, login, test } from './street-hub.js';

/**
 * The policy desk's ledger frequencies (docs/policy.md "Ledger frequencies") in real Chromium: the
 * emergency preset shows 003 §27's twice-daily disinfection and 003's test table per venue type;
 * a frequency set for a type is checked by the shared schema at its field and shows in the diff.
 */
test.describe('policy desk: ledger frequencies', () => {
  test('shows the presets per venue type and edits a staff test frequency', async ({ page, street }) => {
    await seedVenue(street.store, 'venue-a', { type: 'supermarket' });
    await street.account('admin');
    const url = await street.listen();
    await page.setViewportSize({ width: 1280, height: 800 });
    await login(page, url);
    await page.goto(`${url}/dashboard/#/policy`);

    const editor = page.getByTestId('policy-editor');
    await editor.getByTestId('start-emergency').click();
    const table = editor.getByTestId('ledger-frequencies');
    await editor.locator('summary', { hasText: '台账频次' }).click();
    // 003 §27: two a day at supermarkets after a local case; KTV keeps the default (placeholder 1).
    await expect(table.locator('input[data-field="flags.disinfectionsByVenueType.supermarket"]')).toHaveValue('2');
    await expect(table.locator('input[data-field="flags.disinfectionsByVenueType.ktv"]')).toHaveValue('');
    // 003's table: rows 9, 17 and 23.
    await expect(table.locator('select[data-field="flags.staffTests.ktv.every"]')).toHaveValue('week');
    await expect(table.locator('input[data-field="flags.staffTests.ktv.times"]')).toHaveValue('2');
    await expect(table.locator('input[data-field="flags.staffTests.cinema_theatre.days"]')).toHaveValue('5');
    await expect(table.locator('input[data-field="flags.staffTests.school.percent"]')).toHaveValue('20');

    // A museum set to every N days: starts at 5; 0 is refused at its field; 7 shows in the diff.
    await table.locator('select[data-field="flags.staffTests.museum.every"]').selectOption('days');
    const days = table.locator('input[data-field="flags.staffTests.museum.days"]');
    await expect(days).toHaveValue('5');
    await days.fill('0');
    await days.blur();
    await expect(editor.locator('[data-testid="field-error"][data-field="flags.staffTests.museum.days"]')).toContainText('天数');
    await expect(editor.getByTestId('review')).toBeDisabled();
    await days.fill('7');
    await days.blur();
    await expect(editor.locator('[data-testid="diff-row"][data-path="flags.staffTests.museum"]')).toContainText('每7天1次');
    await page.screenshot({ path: 'test-results/policy-ledger-frequencies.png', fullPage: true });
  });
});
