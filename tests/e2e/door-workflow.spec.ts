import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { switchPolicy } from '../../hub/src/services/policy-switch.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import { listenHub, seedVenue, tempDir } from '../support/hub.js';
import { freePort } from '../support/hub-process.js';
import { padTemperature, pendingCount, startShift, syncedCount } from './kiosk-page.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

const occupancy = (page: Page) => page.getByTestId('occupancy');

test.describe('the door, a day of work', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let app: FastifyInstance | undefined;

  test.beforeEach(() => {
    tmp = tempDir();
    app = undefined;
  });
  test.afterEach(async () => {
    await app?.close();
    await store?.close();
    tmp.remove();
  });

  test('routine, fever, skip, cap and exit, then an emergency switch pushed live', async ({ page }) => {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    // A small KTV: rated 3, so the cap (100 % in normal times) is 3.
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store, 'venue-a', { type: 'ktv', ratedCapacity: 3 }), Date.now(), 600_000);
    app = await listenHub(store, await freePort());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${url}/kiosk/?enrol=${code}`);
    await startShift(page);
    await expect(page.getByTestId('policy')).toHaveAttribute('data-mode', 'normal');
    await expect(occupancy(page)).toHaveAttribute('data-cap', '3');

    // A routine green patron: the temperature digits and one tap.
    await padTemperature(page, '36.5');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toContainText('准予进入');
    await expect(occupancy(page)).toHaveAttribute('data-inside', '1');

    // A fever: refused, with the reason on screen; occupancy unchanged.
    await padTemperature(page, '38.1');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toContainText('禁止进入');
    await expect(page.getByTestId('decision')).toContainText('体温异常');
    await expect(occupancy(page)).toHaveAttribute('data-inside', '1');

    // A skipped mask check, admitted: recorded as skipped with its reason.
    await page.getByTestId('opt-mask-skipped').click();
    await page.getByTestId('skip-reason-mask').fill('顾客称忘带，门岗未发放');
    await padTemperature(page, '36.6');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toContainText('准予进入');

    // The third admission reaches the cap: the next one is blocked until someone leaves.
    await padTemperature(page, '36.7');
    await page.getByTestId('routine').click();
    await expect(occupancy(page)).toHaveAttribute('data-level', 'full');
    await expect(page.getByTestId('wait')).toBeVisible();
    await expect(page.getByTestId('routine')).toBeDisabled();
    await page.screenshot({ path: 'test-results/kiosk-at-cap-zh-1280x800.png' });
    // Refusing someone is still recorded at the cap: only admissions wait.
    for (const id of ['opt-scan-scanned', 'opt-mask-worn', 'opt-healthCode-green', 'opt-itinerary-local']) await page.getByTestId(id).click();
    await padTemperature(page, '38.5');
    await page.getByTestId('record').click();
    await expect(page.getByTestId('saved')).toContainText('#5');
    await expect(page.getByTestId('decision')).toContainText('体温异常');
    await page.getByTestId('exit-one').click();
    await expect(occupancy(page)).toHaveAttribute('data-inside', '2');
    await expect(page.getByTestId('routine')).toBeEnabled();

    // The street switches to emergency: the KTV kiosk shows it and refuses at once, and acks the version.
    const { version: _v, ...emergency } = EMERGENCY_POLICY;
    const active = await switchPolicy(store, app.io, emergency, Date.now());
    await expect(page.getByTestId('policy')).toHaveAttribute('data-mode', 'emergency');
    await expect(page.getByTestId('policy')).toHaveAttribute('data-version', String(active.version));
    await expect(page.getByTestId('blocked')).toContainText('暂停营业');
    // Emergency turns on the three-code check (004 §3.11): vaccination is asked too.
    await page.getByTestId('opt-vaccination-complete').click();
    await padTemperature(page, '36.4');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toContainText('禁止进入');
    await expect(page.getByTestId('decision')).toContainText('按防控政策本场所暂停营业');
    await expect
      .poll(async () => (await store.kiosks.list(WHOLE_CITY))[0]?.policyVersionAcked)
      .toBe(active.version);
    await page.screenshot({ path: 'test-results/kiosk-emergency-zh-1280x800.png' });
    // Portrait, then English: the same refusal and closure, said in each.
    await page.setViewportSize({ width: 768, height: 1024 });
    await expect(page.getByTestId('decision')).toContainText('按防控政策本场所暂停营业');
    await expect(page.getByTestId('blocked')).toBeVisible();
    await page.screenshot({ path: 'test-results/kiosk-emergency-zh-768x1024.png' });
    await page.getByTestId('lang').click();
    await expect(page.getByTestId('decision')).toContainText('Entry refused');
    await expect(page.getByTestId('decision')).toContainText('Venue closed by the current policy');
    await expect(page.getByTestId('policy')).toHaveAttribute('data-mode', 'emergency');
    await page.screenshot({ path: 'test-results/kiosk-emergency-en-768x1024.png' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(page.getByTestId('decision')).toContainText('Entry refused');
    await expect(page.getByTestId('blocked')).toBeVisible();
    await page.screenshot({ path: 'test-results/kiosk-emergency-en-1280x800.png' });

    // Ledgers: a disinfection entry, and a staff temperature refused on its field before it is right.
    await page.getByTestId('lang').click(); // back to Chinese
    await page.getByTestId('tab-ledgers').click();
    await page.getByTestId('ledger-disinfection').click();
    await page.getByTestId('lf-area').fill('大厅及包间');
    await page.getByTestId('lf-officer').fill('孙丽');
    await page.getByTestId('ledger-save').click();
    await expect(page.getByTestId('ledger-saved')).toContainText('#8');
    await page.getByTestId('ledger-staff_temperature').click();
    await page.getByTestId('lf-staffId-venue-a-staff-2').click();
    await page.getByTestId('lf-celsius').fill('45');
    await page.getByTestId('ledger-save').click();
    await expect(page.getByRole('alert')).toContainText('请输入 34.0–42.0 之间的体温');
    await page.getByTestId('lf-celsius').fill('36.3');
    await page.getByTestId('ledger-save').click();
    await expect(page.getByTestId('ledger-saved')).toContainText('#9');
    await page.screenshot({ path: 'test-results/kiosk-ledgers-zh-1280x800.png' });

    // Today's log: the refusals filter shows the two fevers and the closed-venue refusal.
    await page.getByTestId('tab-today').click();
    await page.getByTestId('filter-refused').click();
    await expect(page.getByTestId('today-list').locator('li')).toHaveCount(3);
    await expect(page.getByTestId('today-list')).toContainText('体温异常');
    await expect(page.getByTestId('storage')).toBeVisible();
    await page.screenshot({ path: 'test-results/kiosk-today-zh-1280x800.png' });

    // Everything arrives as recorded: the skip as a skip, the operator on every record.
    await expect(syncedCount(page)).toHaveAttribute('data-count', '9');
    const db = new Database(join(tmp.dir, 'hub.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT seq, decision, skipped, reasons, operator_id, policy_version FROM entrance_records ORDER BY seq').all();
    const exits = db.prepare("SELECT count(*) AS n FROM kiosk_records WHERE type = 'occupancy'").get();
    const ledgers = db.prepare("SELECT seq, type FROM kiosk_records WHERE type IN ('disinfection', 'staff_temperature') ORDER BY seq").all();
    db.close();
    expect(ledgers).toEqual([
      { seq: 8, type: 'disinfection' },
      { seq: 9, type: 'staff_temperature' },
    ]);
    expect(rows).toEqual([
      { seq: 1, decision: 'admit', skipped: '[]', reasons: '[]', operator_id: 'venue-a-staff-1', policy_version: 1 },
      { seq: 2, decision: 'refuse', skipped: '[]', reasons: '["fever"]', operator_id: 'venue-a-staff-1', policy_version: 1 },
      { seq: 3, decision: 'admit', skipped: '["mask"]', reasons: '[]', operator_id: 'venue-a-staff-1', policy_version: 1 },
      { seq: 4, decision: 'admit', skipped: '[]', reasons: '[]', operator_id: 'venue-a-staff-1', policy_version: 1 },
      { seq: 5, decision: 'refuse', skipped: '[]', reasons: '["fever"]', operator_id: 'venue-a-staff-1', policy_version: 1 },
      { seq: 7, decision: 'refuse', skipped: '[]', reasons: '["venue_closed_by_policy"]', operator_id: 'venue-a-staff-1', policy_version: active.version },
    ]);
    expect(exits).toEqual({ n: 1 });
  });

  test('an emergency door admits a routine green patron in one tap plus the digits, and warns about the unvaccinated (004 §3.10, §3.11)', async ({ page }) => {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    // A library: open in emergency, capped at 50 % (004 §3.3).
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store, 'venue-a', { type: 'library', ratedCapacity: 40 }), Date.now(), 600_000);
    app = await listenHub(store, await freePort());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${url}/kiosk/?enrol=${code}`);
    await startShift(page);
    const { version: _v, ...emergency } = EMERGENCY_POLICY;
    const active = await switchPolicy(store, app.io, emergency, Date.now());
    await expect(page.getByTestId('policy')).toHaveAttribute('data-version', String(active.version));
    await expect(occupancy(page)).toHaveAttribute('data-cap', '20');
    // The three-code check asks vaccination; the routine button says it fills it.
    await expect(page.getByTestId('opt-vaccination-complete')).toBeVisible();
    await expect(page.getByTestId('routine')).toContainText('已接种');

    // The digits and one tap.
    await padTemperature(page, '36.5');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toContainText('准予进入');
    await expect(page.getByTestId('warnings')).toHaveCount(0);
    await expect(occupancy(page)).toHaveAttribute('data-inside', '1');

    // Staff saw no vaccination: admitted under the preset, with the warning to report it.
    await page.getByTestId('opt-vaccination-none').click();
    await padTemperature(page, '36.6');
    await page.getByTestId('routine').click();
    await expect(page.getByTestId('decision')).toContainText('准予进入');
    await expect(page.getByTestId('warnings')).toContainText('未接种新冠疫苗');
    await expect(occupancy(page)).toHaveAttribute('data-inside', '2');

    // Both reach the hub with every check the emergency policy asks, under its version.
    await expect(syncedCount(page)).toHaveAttribute('data-count', '2');
    const rows = new Database(join(tmp.dir, 'hub.sqlite'), { readonly: true });
    try {
      const bodies = rows.prepare("SELECT body FROM kiosk_records WHERE type = 'entrance' ORDER BY seq").pluck().all() as string[];
      expect(bodies.map((b) => JSON.parse(b) as { policyVersion: number; decision: string; checks: Record<string, { outcome: string }> })).toMatchObject([
        { policyVersion: active.version, decision: 'admit', checks: { scan: { outcome: 'scanned' }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' }, vaccination: { outcome: 'complete' } } },
        { policyVersion: active.version, decision: 'admit', checks: { vaccination: { outcome: 'none' } } },
      ]);
    } finally {
      rows.close();
    }
  });

  test('a whole morning at a USB keypad, offline, synced with nothing lost or doubled', async ({ page }) => {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    const code = await store.kiosks.issueEnrolmentCode(await seedVenue(store, 'venue-a', { type: 'supermarket', ratedCapacity: 500 }), Date.now(), 600_000);
    const port = await freePort();
    app = await listenHub(store, port);
    await page.goto(`http://127.0.0.1:${port}/kiosk/?enrol=${code}`);
    await startShift(page);
    // A supermarket in normal times asks the health code and the itinerary card too (003 §14, 001 §2(2)1); routine fills both.
    await expect(page.getByTestId('opt-healthCode-green')).toBeVisible();
    await expect(page.getByTestId('opt-itinerary-local')).toBeVisible();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await app.close();
    app = undefined;
    await expect(page.getByTestId('connection')).toHaveText('离线');

    // 120 patrons by keypad (digits + Enter = routine), every tenth leaves two people, a reload halfway.
    const PATRONS = 120;
    let records = 0;
    for (let i = 1; i <= PATRONS; i++) {
      await page.keyboard.type(i % 17 === 0 ? '38.0' : (36 + (i % 9) / 10).toFixed(1));
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('saved')).toContainText(`#${++records}`);
      if (i % 10 === 0) {
        await page.keyboard.press('-');
        // Saved (in the outbox) before the next key or the reload: a reload cuts a write in flight.
        await expect(pendingCount(page)).toHaveAttribute('data-count', String(++records));
      }
      if (i === 60) {
        await page.reload();
        await expect(page.getByTestId('operator')).toBeVisible();
        await expect(page.getByTestId('temperature')).toBeVisible();
        await expect(pendingCount(page)).toHaveAttribute('data-count', String(records));
      }
    }
    await expect(pendingCount(page)).toHaveAttribute('data-count', String(records));
    // 120 patrons − 7 fevers = 113 admitted; 12 exits of one each (the '-' key) → 101 inside.
    await expect(occupancy(page)).toHaveAttribute('data-inside', '101');

    app = await listenHub(store, port);
    await expect(syncedCount(page)).toHaveAttribute('data-count', String(records), { timeout: 60_000 });
    await expect(pendingCount(page)).toHaveAttribute('data-count', '0');

    const db = new Database(join(tmp.dir, 'hub.sqlite'), { readonly: true });
    const stats = db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS ids, min(seq) AS lo, max(seq) AS hi FROM kiosk_records').get();
    const refused = db.prepare("SELECT count(*) AS n FROM entrance_records WHERE decision = 'refuse'").get() as { n: number };
    db.close();
    expect(stats).toEqual({ n: records, ids: records, lo: 1, hi: records });
    expect(refused.n).toBe(Math.floor(PATRONS / 17));
  });

  test('the cap holds for the venue: a door is blocked when the other door filled it', async ({ browser }) => {
    store = await openStore(join(tmp.dir, 'hub.sqlite'));
    const front = await seedVenue(store, 'venue-a', { type: 'museum', ratedCapacity: 2 });
    await store.venues.addEntrance({ id: 'venue-a-2', venueId: 'venue-a', name: '侧门' });
    const codes = [
      await store.kiosks.issueEnrolmentCode(front, Date.now(), 600_000),
      await store.kiosks.issueEnrolmentCode('venue-a-2', Date.now(), 600_000),
    ];
    app = await listenHub(store, await freePort());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const [a, b] = await Promise.all(codes.map(async (code) => {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await page.goto(`${url}/kiosk/?enrol=${code}`);
      await startShift(page);
      return page;
    }));

    await padTemperature(a!, '36.5');
    await a!.getByTestId('routine').click();
    await padTemperature(b!, '36.6');
    await b!.getByTestId('routine').click();
    // Each door admitted one: both see the venue full (2 of 2) and wait.
    for (const page of [a!, b!]) {
      await expect(occupancy(page)).toHaveAttribute('data-inside', '2');
      await expect(page.getByTestId('routine')).toBeDisabled();
    }
    await expect(b!.getByTestId('other-doors')).toContainText('1');
    await b!.screenshot({ path: 'test-results/kiosk-two-doors-zh-1280x800.png' });
    // Someone leaves by the front door: the side door may admit again.
    await a!.getByTestId('exit-one').click();
    await expect(occupancy(b!)).toHaveAttribute('data-inside', '1');
    await expect(b!.getByTestId('routine')).toBeEnabled();
  });
});
