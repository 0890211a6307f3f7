import { expect, test } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { connectKiosk, listenHub, readDb, seedVenue, tempDir } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';
import { pendingCount, recordPatron, startShift, syncedCount } from './kiosk-page.js';

/**
 * Tablets leaving service (docs/operations.md "Tablets leaving service") at the tablet, in real Chromium against a real hub: retiring is
 * refused while records wait to be sent and done once they are; a tablet the
 * street office revokes shows a full-screen notice, also after a reload.
 */
const PASSWORD = 'street admin password 2026';

test.describe('kiosk lifecycle at the tablet', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let app: FastifyInstance | undefined;

  test.beforeEach(async () => {
    tmp = tempDir();
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
  });
  test.afterEach(async () => {
    await app?.close();
    app = undefined;
    await store.close();
    tmp.remove();
  });

  test('retire is refused with the count while records are unsynced, then succeeds and the tablet is back at enrolment', async ({ page }) => {
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store), Date.now(), 600_000);
    const port = await freePort();
    app = await listenHub(store, port);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`http://127.0.0.1:${port}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    await startShift(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    // The hub goes away; three patrons are recorded on the tablet alone.
    await app.close();
    app = undefined;
    await expect(page.getByTestId('connection')).toHaveText('离线');
    for (let i = 1; i <= 3; i++) await recordPatron(page, { temperature: '36.6' }, i);
    await expect(pendingCount(page)).toHaveAttribute('data-count', '3');

    await page.getByTestId('tab-device').click();
    const kioskId = await page.getByTestId('device-kiosk-id').innerText();
    await expect(page.getByTestId('device-app-version')).toHaveText(/^0\.1\.0\+\d{8}\.\d{4}$/);
    await expect(page.getByTestId('device-pending')).toHaveAttribute('data-count', '3');
    await expect(page.getByTestId('device-entrance')).toHaveText('正门');
    await page.getByTestId('retire-start').click();
    await expect(page.getByTestId('retire-pending-note')).toContainText('3');
    await page.screenshot({ path: 'test-results/kiosk-retire-confirm-1024x768.png', fullPage: true });
    await page.getByTestId('retire-confirm-button').click();
    const refused = page.getByTestId('retire-result');
    await expect(refused).toHaveAttribute('data-outcome', 'offline');
    await expect(refused).toContainText('还有 3 条记录未同步');
    await page.screenshot({ path: 'test-results/kiosk-retire-refused-1024x768.png', fullPage: true });
    // Nothing changed: still enrolled, records still there.
    await expect(page.getByTestId('device-pending')).toHaveAttribute('data-count', '3');

    // The hub is back; the records go, then the tablet may leave.
    app = await listenHub(store, port);
    await expect(syncedCount(page)).toHaveAttribute('data-count', '3', { timeout: 60_000 });
    await expect(page.getByTestId('device-last-sync')).not.toHaveText('本次开机后尚未同步');
    await page.screenshot({ path: 'test-results/kiosk-device-screen-1024x768.png', fullPage: true });
    await page.getByTestId('retire-start').click();
    await expect(page.getByTestId('retire-pending-note')).toHaveCount(0);
    await page.getByTestId('retire-confirm-button').click();

    await expect(page.getByTestId('enrol-code')).toBeVisible();
    await expect(page.getByTestId('notice')).toHaveAttribute('data-notice', 'retiredDone');
    await page.screenshot({ path: 'test-results/kiosk-retired-1024x768.png', fullPage: true });

    const hubSide = readDb(join(tmp.dir, 'hub.sqlite'), (db) => ({
      kiosk: db.prepare('SELECT retired_at IS NOT NULL AS retired, revoked_at IS NOT NULL AS cut, revoked_by FROM kiosks WHERE id = ?').get(kioskId),
      seqs: (db.prepare('SELECT seq FROM kiosk_records WHERE kiosk_id = ? ORDER BY seq').all(kioskId) as { seq: number }[]).map((r) => r.seq),
    }));
    expect(hubSide).toEqual({ kiosk: { retired: 1, cut: 1, revoked_by: null }, seqs: [1, 2, 3] });

    // The tablet forgot everything: after a reload it is still a blank tablet.
    await page.reload();
    await expect(page.getByTestId('enrol-code')).toBeVisible();
    const left = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('venue-kiosk');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names);
      const counts = await Promise.all(
        names.map((n) => new Promise<[string, number]>((resolve) => {
          const r = tx.objectStore(n).count();
          r.onsuccess = () => resolve([n, r.result]);
        })),
      );
      db.close();
      return Object.fromEntries(counts);
    });
    expect(left).toEqual({ counters: 0, passes: 0, records: 0, settings: 0 });
  });

  test('a retirement the hub refuses is worded on the tablet from its reason, in Chinese or English, never in the hub\'s English', async ({ page }) => {
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store), Date.now(), 600_000);
    const port = await freePort();
    app = await listenHub(store, port);
    const url = `http://127.0.0.1:${port}`;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${url}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    await startShift(page);
    // The hub holds a record numbered beyond any this tablet made (a restored or copied tablet):
    // it refuses with an English message the tablet must not show.
    const { token, kioskId, venueId } = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('venue-kiosk');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const e = await new Promise<{ token: string; kioskId: string; venue: { id: string } }>((resolve) => {
        const r = db.transaction('settings').objectStore('settings').get('enrolment');
        r.onsuccess = () => resolve(r.result);
      });
      db.close();
      return { token: e.token, kioskId: e.kioskId, venueId: e.venue.id };
    });
    const other = await connectKiosk(url, token);
    expect(await other.emitWithAck('records:push', { records: [entranceRecord({ id: kioskId, venueId }, 7, { operatorId: 'venue-a-staff-1' })] })).toMatchObject({ ok: true, data: { results: [{ status: 'accepted' }] } });
    other.close();

    await page.getByTestId('tab-device').click();
    await page.getByTestId('retire-start').click();
    await page.getByTestId('retire-confirm-button').click();
    const refused = page.getByTestId('retire-result');
    await expect(refused).toHaveAttribute('data-outcome', 'error');
    await expect(refused).toHaveAttribute('data-reason', 'mismatch');
    await expect(refused).toHaveText('未停用：街道服务器上本机的记录编号比本机记得的还多，数据对不上。本机数据已全部保留，请联系街道办。');
    await page.getByTestId('lang').click();
    await expect(refused).toContainText('Not retired: the street hub holds records of this tablet numbered beyond any the tablet made');
    await expect(refused).not.toContainText('from this kiosk');
    await page.screenshot({ path: 'test-results/kiosk-retire-mismatch-en-1024x768.png', fullPage: true });
    // Nothing changed: still enrolled, recording again (the door works).
    await expect(page.getByTestId('retiring')).toHaveCount(0);
    await page.getByTestId('tab-door').click();
    await recordPatron(page, { temperature: '36.5' }, 1);
  });

  test('a tablet revoked by the street office shows the notice with the reason, keeps its records, and stays shut after a reload', async ({ page }) => {
    const entrance = await seedVenue(store);
    const code = await store.kiosks.issueEnrolmentCode(entrance, Date.now(), 600_000);
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    const port = await freePort();
    app = await listenHub(store, port);
    const url = `http://127.0.0.1:${port}`;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${url}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    await startShift(page);
    await recordPatron(page, { temperature: '36.5' }, 1);
    await expect(syncedCount(page)).toHaveAttribute('data-count', '1');
    await page.getByTestId('tab-device').click();
    const kioskId = await page.getByTestId('device-kiosk-id').innerText();

    const admin = inspectorSession(url);
    await admin.login('admin', PASSWORD);
    const res = await admin.post(`/api/kiosks/${kioskId}/revoke`, { reason: '平板在店内丢失' });
    expect(res.statusCode).toBe(200);

    const notice = page.getByTestId('revoked-notice');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('本机已被街道办停用');
    await expect(page.getByTestId('revoked-reason')).toHaveText('停用原因：平板在店内丢失');
    // The door is gone: nothing to admit anyone with.
    await expect(page.getByTestId('record')).toHaveCount(0);
    await expect(page.getByTestId('tab-door')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/kiosk-revoked-1024x768.png', fullPage: true });

    await page.getByTestId('lang').click();
    await expect(notice).toContainText('This tablet was revoked by the street office');
    await expect(page.getByTestId('revoked-reason')).toHaveText('Reason: 平板在店内丢失');
    await page.screenshot({ path: 'test-results/kiosk-revoked-en-1024x768.png', fullPage: true });

    // A reload is refused by the hub and lands on the same notice, reason kept; the synced record is still on the tablet.
    await page.reload();
    await expect(page.getByTestId('revoked-reason')).toHaveText('Reason: 平板在店内丢失');
    await expect(page.getByTestId('record')).toHaveCount(0);
    const records = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('venue-kiosk');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const n = await new Promise<number>((resolve) => {
        const r = db.transaction('records').objectStore('records').count();
        r.onsuccess = () => resolve(r.result);
      });
      db.close();
      return n;
    });
    expect(records).toBe(1);
  });

  test('a tablet revoked while it was offline is shut out when it comes back, and says it still holds its unsent records', async ({ page }) => {
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store), Date.now(), 600_000);
    const port = await freePort();
    app = await listenHub(store, port);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`http://127.0.0.1:${port}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    await startShift(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByTestId('tab-device').click();
    const kioskId = await page.getByTestId('device-kiosk-id').innerText();
    await page.getByTestId('tab-door').click();

    await app.close();
    app = undefined;
    await expect(page.getByTestId('connection')).toHaveText('离线');
    for (let i = 1; i <= 2; i++) await recordPatron(page, { temperature: '36.4' }, i);
    // Reported stolen while it was away.
    expect(await store.kiosks.revoke(kioskId, 'admin', '平板被盗', Date.now())).toMatchObject({ ok: true });

    app = await listenHub(store, port);
    const notice = page.getByTestId('revoked-notice');
    await expect(notice).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('revoked-reason')).toHaveText('街道服务器不再接受本机（已被停用，或绑定已失效）。');
    await expect(page.getByTestId('revoked-kept')).toHaveAttribute('data-count', '2');
    await page.screenshot({ path: 'test-results/kiosk-revoked-offline-1024x768.png', fullPage: true });
    expect(readDb(join(tmp.dir, 'hub.sqlite'), (db) => db.prepare('SELECT count(*) AS n FROM kiosk_records WHERE kiosk_id = ?').get(kioskId))).toEqual({ n: 0 });
  });

  test('registry edits reach the open tablet: a new door staff member can start a shift, a removed one is taken off the door', async ({ page }) => {
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store), Date.now(), 600_000);
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
    const port = await freePort();
    app = await listenHub(store, port);
    const url = `http://127.0.0.1:${port}`;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${url}/kiosk/?enrol=${code}`);
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    await startShift(page);
    await expect(page.getByTestId('operator')).toContainText('王芳');

    const admin = inspectorSession(url);
    await admin.login('admin', PASSWORD);
    const added = await admin.post('/api/registry/venues/venue-a/staff', { name: '陈晨', role: '门岗', pin: '4321' });
    expect(added.statusCode).toBe(201);
    const newId = added.json().id as string;
    await expect(page.getByTestId('notice')).toHaveAttribute('data-notice', 'venueUpdated');
    // Still on duty: adding someone changes nothing for whoever works the door now.
    await expect(page.getByTestId('operator')).toContainText('王芳');

    // 王芳 is taken off the venue's staff: she leaves the door at once, and the newcomer can sign in.
    expect((await admin.post('/api/registry/venues/venue-a/staff/venue-a-staff-1', { active: false })).statusCode).toBe(200);
    await expect(page.getByTestId('operator')).toHaveCount(0);
    await expect(page.getByTestId('staff-venue-a-staff-1')).toHaveCount(0);
    await expect(page.getByTestId(`staff-${newId}`)).toBeVisible();
    await page.screenshot({ path: 'test-results/kiosk-venue-edited-1024x768.png', fullPage: true });
    await startShift(page, newId, '4321');
    await expect(page.getByTestId('operator')).toContainText('陈晨');

    // Kept on the tablet: a reload offline still knows the new staff list.
    await page.reload();
    await expect(page.getByTestId('operator')).toContainText('陈晨');
  });
});
