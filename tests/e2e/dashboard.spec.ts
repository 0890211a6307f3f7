import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { connectKiosk, enrolKiosk, listenHub, seedVenue, tempDir, type KioskClient } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';
import { cstDate, DAY } from '../support/clock.js';
import { entranceRecord, recordBase } from '../support/records.js';

/**
 * The inspectors' dashboard end to end (docs/inspectors-guide.md): an inspector logs in; a (simulated) kiosk syncs a batch
 * with skipped checks; the flag appears on the open dashboard without a
 * reload; the inspector opens its evidence and orders rectification. A
 * community inspector gets 403 from the API and no data in the UI for a venue
 * outside their community.
 */
const PASSWORD = 'inspector password 2026';

async function login(page: Page, url: string, name: string) {
  await page.goto(`${url}/dashboard/`);
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('account')).toContainText(name);
}

test.describe('inspectors dashboard', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let app: FastifyInstance | undefined;
  let socket: KioskClient | undefined;

  test.beforeEach(() => {
    tmp = tempDir();
  });
  test.afterEach(async () => {
    socket?.close();
    await app?.close();
    await store?.close();
    tmp.remove();
  });

  test('a skipped check flagged live, its evidence opened, rectification ordered; another community sees nothing', async ({ page, browser }) => {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    const entrance = await seedVenue(store, 'venue-a', { type: 'ktv' });
    await seedVenue(store, 'venue-b', { type: 'restaurant' });
    const { kiosk, token } = await enrolKiosk(store, entrance);
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    await store.accounts.create({ name: 'inspector-b', role: 'community_inspector', communityId: 'c-venue-b', password: PASSWORD }, Date.now());
    // A venue name with markup in it, as a street office could type it: it must stay text.
    const MARKUP = '<img src=x onerror="document.title=1">小店';
    const db = new Database(join(tmp.dir, 'hub.sqlite'));
    db.prepare("UPDATE venues SET name = ? WHERE id = 'venue-b'").run(MARKUP);
    db.close();
    app = await listenHub(store, await freePort());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    await page.setViewportSize({ width: 1280, height: 800 });
    await login(page, url, 'admin');
    await expect(page.locator('[data-testid="venue-row"][data-venue="venue-a"]')).toBeVisible();
    await expect(page.locator('[data-testid="venue-row"][data-venue="venue-b"]')).toContainText(MARKUP);
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    expect(await page.title()).not.toBe('1');
    await expect(page.locator('[data-testid="flag"][data-rule="skipped_check"]')).toHaveCount(0);

    // The door skips the temperature for three patrons; the batch is committed and flagged.
    socket = await connectKiosk(url, token);
    const now = Date.now();
    const at = (i: number) => new Date(now - (10 - i) * 1000).toISOString();
    const skipped = { outcome: 'skipped' as const, reason: '测温枪没电' };
    const batch = [1, 2, 3, 4].map((seq) =>
      entranceRecord(kiosk, seq, { kioskTime: at(seq), operatorId: 'venue-a-staff-1', ...(seq < 4 ? { checks: { ...entranceRecord(kiosk, seq).checks, temperature: skipped } } : {}) }),
    );
    const ack = await socket.emitWithAck('records:push', { records: batch });
    expect(ack.ok).toBe(true);

    const flag = page.locator('[data-testid="flag"][data-rule="skipped_check"][data-venue="venue-a"]');
    await expect(flag).toBeVisible(); // pushed live: no reload
    await page.screenshot({ path: 'test-results/dashboard-live-flag-1280x800.png', fullPage: true });

    // The evidence in words: the figures, the names of the tablet and the staff, the hour as a
    // span, whether the door undid them; the records as links to the log, no raw key or JSON.
    await flag.click();
    await expect(page.getByTestId('flag-detail')).toBeVisible();
    const evidence = page.getByTestId('flag-evidence');
    for (const r of batch.slice(0, 3)) await expect(evidence.locator(`[data-testid="evidence-record"][data-record-id="${r.id}"]`)).toBeVisible();
    await expect(page.getByTestId('evidence-withSkippedCheck')).toHaveText('3 人次');
    await expect(page.getByTestId('evidence-byCheck')).toHaveText('体温 3 人次');
    await expect(page.getByTestId('evidence-kioskIds')).toHaveText('正门平板');
    await expect(page.getByTestId('evidence-operatorIds')).toHaveText('王芳');
    await expect(page.getByTestId('evidence-undone')).toHaveText('否，这些记录都仍有效');
    await expect(page.getByTestId('flag-window')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:00–\d{2}:00$/);
    const words = (await page.getByTestId('flag-detail').innerText()) ?? '';
    for (const raw of ['withSkippedCheck', 'byCheck', '{', kiosk.id]) expect(words).not.toContain(raw);
    await page.screenshot({ path: 'test-results/dashboard-flag-evidence-1280x800.png', fullPage: true });

    // The venue log names the tablet by its entrance and the staff member by name.
    await evidence.locator(`[data-testid="evidence-record"][data-record-id="${batch[0]!.id}"]`).click();
    const row = page.locator(`[data-testid="record-row"][data-record-id="${batch[0]!.id}"]`);
    await expect(row.getByTestId('record-kiosk')).toHaveText('正门平板');
    await expect(row.getByTestId('record-operator')).toHaveText('王芳');

    await page.getByTestId('action-acknowledge').click();
    await expect(page.getByTestId('flag-status')).toHaveAttribute('data-status', 'acknowledged');
    await page.getByTestId('action-order').click();
    // Three days ahead at the venue (UTC+8): the hub refuses a deadline that has passed.
    await page.getByTestId('order-deadline').fill(cstDate(Date.now() + 3 * DAY));
    await page.getByTestId('order-note').fill('三天内补齐测温设备 <b>并整改</b>');
    await page.getByTestId('order-submit').click();
    await expect(page.getByTestId('flag-status')).toHaveAttribute('data-status', 'rectification_ordered');
    await expect(page.getByText('三天内补齐测温设备 <b>并整改</b>')).toBeVisible(); // a note is text, never markup
    await page.screenshot({ path: 'test-results/dashboard-rectification-1280x800.png', fullPage: true });

    // Another community's inspector: the API says 403, the UI shows no data.
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const otherPage = await other.newPage();
    await login(otherPage, url, 'inspector-b');
    await expect(otherPage.locator('[data-testid="venue-row"][data-venue="venue-a"]')).toHaveCount(0);
    expect((await otherPage.request.get(`${url}/api/venues/venue-a/records`)).status()).toBe(403);
    expect((await otherPage.request.get(`${url}/api/street`)).status()).toBe(200);
    await otherPage.goto(`${url}/dashboard/#/venue/venue-a`);
    await expect(otherPage.getByTestId('forbidden')).toBeVisible();
    await expect(otherPage.getByTestId('records-table')).toHaveCount(0);
    await expect(otherPage.locator('[data-testid="flag"]')).toHaveCount(0);
    await other.close();
  });

  test('the ledgers of a venue show the entries they can read and say how many stored rows could not be', async ({ page }) => {
    const file = join(tmp.dir, 'hub.sqlite');
    store = await openStore(file);
    const { kiosk } = await enrolKiosk(store, await seedVenue(store, 'venue-a', { type: 'ktv' }));
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    const now = Date.now();
    const check = { ...recordBase(kiosk, 1), kioskTime: new Date(now - 3 * 60_000).toISOString(), type: 'venue_check' as const, oneMetreLine: true, noticesPosted: true };
    const old = { ...recordBase(kiosk, 2), kioskTime: new Date(now - 2 * 60_000).toISOString(), type: 'staff_temperature' as const, staffId: 'venue-a-staff-1', celsius: 36.4 };
    await store.records.ingest([check, old], now);
    // Kept under an older schema: a kiosk time with an offset no clock has.
    const db = new Database(file);
    db.prepare('UPDATE kiosk_records SET kiosk_time = ? WHERE id = ?').run(old.kioskTime.replace('Z', '+23:59'), old.id);
    db.close();
    app = await listenHub(store, await freePort());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    await page.setViewportSize({ width: 1280, height: 800 });
    await login(page, url, 'admin');
    await page.goto(`${url}/dashboard/#/venue/venue-a`);
    await expect(page.locator('[data-testid="ledger-row"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="ledger-row"]')).toHaveAttribute('data-type', 'venue_check');
    const unreadable = page.getByTestId('ledgers-unreadable');
    await expect(unreadable).toContainText('1 条台账记录按旧格式保存，无法读取');
    await expect(unreadable).toContainText(old.id);
    await unreadable.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/dashboard-ledgers-unreadable-1280x800.png' });
  });
});
