import { cstWeek } from '../support/clock.js';
import { enrolKiosk } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';
import { seedStreetVenue } from '../support/streets.js';
import { seriousAxeFindings } from './axe.js';
import { expect, login, PASSWORD, test, type StreetHub } from './street-hub.js';

/**
 * A district of ten streets (the deployment's own street, street-b and eight more) and a street of
 * another district, with door traffic now at the first two; a district admin and a city admin.
 */
async function seedDistrict(street: StreetHub): Promise<{ url: string; own: { id: string; name: string }; names: Map<string, string> }> {
  const { store } = street;
  const own = (await store.organisation.streets())[0]!;
  await store.organisation.saveStreet({ id: own.id, name: '城东街道', districtId: own.districtId });
  await store.organisation.saveDistrict({ id: own.districtId, name: '婺城区' });
  const a = await seedStreetVenue(store, { districtId: own.districtId, streetId: own.id, venueId: 'venue-a', name: '星光KTV（人民路店）' });
  const b = await seedStreetVenue(store, { districtId: own.districtId, streetId: 'street-b', venueId: 'venue-b', name: '老王家常菜（解放街店）' });
  await store.organisation.saveStreet({ id: 'street-b', name: '江南街道', districtId: own.districtId });
  for (let i = 3; i <= 10; i++) await seedStreetVenue(store, { districtId: own.districtId, streetId: `street-${i}`, venueId: `venue-${i}` });
  await seedStreetVenue(store, { districtId: 'district-2', streetId: 'street-other', venueId: 'venue-other', name: '别区场所' });
  const { kiosk: ka } = await enrolKiosk(store, a);
  const { kiosk: kb } = await enrolKiosk(store, b);
  await store.records.ingest([entranceRecord(ka, 1), entranceRecord(ka, 2), entranceRecord(ka, 3)], Date.now());
  await store.records.ingest([entranceRecord(kb, 1)], Date.now());
  await store.sql.run(
    "INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, updated_at) VALUES ('venue-b', 'skipped_check', 'warning', 'w1', '{\"recordIds\":[]}', ?, ?)",
    [Date.now(), Date.now()],
  );
  await store.accounts.create({ name: 'district', role: 'district_admin', districtId: own.districtId, password: PASSWORD }, Date.now());
  const names = new Map((await store.organisation.streets()).map((s) => [s.id, s.name]));
  return { url: await street.listen(), own: { id: own.id, name: '城东街道' }, names };
}

test.describe('oversight of streets', () => {
  test('a district admin lands on its streets, ten rows with their charts, without scrolling at 1024×600', async ({ page, street }) => {
    const { url, own } = await seedDistrict(street);
    await page.setViewportSize({ width: 1024, height: 600 });
    await login(page, url, 'district');
    const rows = page.getByTestId('oversight-street');
    await expect(rows).toHaveCount(10);
    await expect(page.locator('[data-testid="oversight-street"][data-street="street-other"]')).toHaveCount(0);
    const mine = page.locator(`[data-testid="oversight-street"][data-street="${own.id}"]`);
    await expect(mine).toContainText(own.name);
    await expect(mine.getByTestId('admissions-today')).toHaveText('3');
    await expect(mine.getByTestId('doors')).toHaveText('1 / 1');
    await expect(mine.getByTestId('spark-hour')).toHaveAttribute('data-admissions', '3');
    await expect(page.locator('[data-testid="oversight-street"][data-street="street-b"]').getByTestId('open-flags')).toContainText('1');
    await expect(page.getByTestId('street-rank')).toHaveCount(10);
    await page.screenshot({ path: 'test-results/oversight-1024x600.png' });
    const fits = await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight && document.scrollingElement!.scrollWidth <= window.innerWidth);
    expect(fits).toBe(true);
    const findings = await seriousAxeFindings(page);
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByTestId('nav-street')).toHaveText('Streets');
    await page.screenshot({ path: 'test-results/oversight-1024x600-en.png' });
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight)).toBe(true);
    findings.push(...(await seriousAxeFindings(page)));
    expect(findings).toEqual([]);
  });

  test('the district weekly report rolls the streets up, downloads as CSV and prints on A4 with both streets', async ({ page, street }) => {
    const { url, own, names } = await seedDistrict(street);
    const week = cstWeek(Date.now());
    await login(page, url, 'district', `#/streets-report?week=${week}`);
    const summary = page.getByTestId('rollup-street');
    await expect(summary).toHaveCount(10);
    await expect(page.locator(`[data-testid="rollup-street"][data-street="${own.id}"]`)).toContainText(own.name);
    await expect(page.locator('[data-testid="rollup-street"][data-street="street-b"]')).toContainText(names.get('street-b')!);
    // The total is the sum of the streets: four admissions, eleven venues of the district… ten here.
    await expect(page.getByTestId('rollup-total')).toContainText('4');
    const download = page.waitForEvent('download');
    await page.getByTestId('report-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`weekly-report-streets-${week}.csv`);

    const rule = await page.evaluate(() => document.getElementById('report-print-page')?.textContent ?? '');
    expect(rule).toContain('size: A4');
    expect(rule).toContain('@top-left { content: "各街道每周防控巡查报告汇总"');
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByTestId('report-print')).toBeHidden();
    for (const id of [own.id, 'street-b']) {
      const section = page.locator(`[data-testid="rollup-street-report"][data-street="${id}"]`);
      await expect(section).toBeVisible();
      await expect(section).toContainText(names.get(id)!);
    }
    await expect(page.locator('[data-testid="rollup-venue"][data-venue="venue-a"]')).toContainText('星光KTV');
    await expect(page.locator('[data-testid="rollup-venue"][data-venue="venue-b"]')).toContainText('老王家常菜');
    await page.screenshot({ path: 'test-results/district-report-print.png', fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The summary and ten streets' reports do not fit one A4 page: the print runs on.
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
    await page.emulateMedia({ media: 'screen' });
  });
});
