import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { tempDir } from '../support/hub.js';
import { freePort, seededDataDir, spawnHub, type HubProcess } from '../support/hub-process.js';
import { pendingCount, recordPatron, startShift, syncedCount, type Patron } from './kiosk-page.js';

function patron(i: number): Patron {
  if (i % 7 === 0) return { skipMask: '顾客称忘带' };
  if (i % 5 === 0) return { temperature: '38.2' };
  if (i === 3) return { skipTemperature: '测温枪没电' };
  return { temperature: (36 + (i % 8) / 10).toFixed(1) };
}

test.describe('kiosk offline and sync', () => {
  const tmp = tempDir();
  let hub: HubProcess | undefined;

  test.afterEach(async () => {
    await hub?.stop();
    tmp.remove();
  });

  test('20 patrons recorded with the hub stopped survive a reload and arrive in SQLite exactly once', async ({ page }) => {
    const { dbFile, code } = await seededDataDir(tmp.dir);
    const port = await freePort();
    hub = await spawnHub(tmp.dir, port);

    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${hub.url}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    await startShift(page);
    // The service worker must control the page before the network goes, as on a real tablet after first use.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await hub.stop();
    await expect(page.getByTestId('connection')).toHaveText('离线');

    for (let i = 1; i <= 20; i++) await recordPatron(page, patron(i), i);
    await expect(pendingCount(page)).toHaveAttribute('data-count', '20');
    await page.screenshot({ path: 'test-results/kiosk-offline-768x1024.png', fullPage: true });

    await page.reload(); // served by the service worker: the hub is down
    await expect(page.getByTestId('opt-scan-scanned')).toBeVisible();
    await expect(pendingCount(page)).toHaveAttribute('data-count', '20');

    hub = await spawnHub(tmp.dir, port);
    await expect(syncedCount(page)).toHaveAttribute('data-count', '20', { timeout: 60_000 });
    await expect(pendingCount(page)).toHaveAttribute('data-count', '0');
    await page.screenshot({ path: 'test-results/kiosk-synced-768x1024.png', fullPage: true });

    const db = new Database(dbFile, { readonly: true });
    const rows = db
      .prepare('SELECT id, seq, decision, skipped FROM entrance_records ORDER BY seq')
      .all() as { id: string; seq: number; decision: string; skipped: string }[];
    db.close();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.id)).size).toBe(20);
    // What was done at the door is what arrived: fevers refused, skips recorded as skips.
    expect(rows.filter((r) => r.decision === 'refuse').map((r) => r.seq)).toEqual([5, 10, 15, 20]);
    expect(rows.filter((r) => r.skipped !== '[]').map((r) => [r.seq, r.skipped])).toEqual([
      [3, '["temperature"]'],
      [7, '["mask"]'],
      [14, '["mask"]'],
    ]);
  });
});
