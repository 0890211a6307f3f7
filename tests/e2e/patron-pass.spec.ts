import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubKeys } from '../../hub/src/keys.js';
import { signPass, verifyPass } from '../../shared/rules/pass-signature.js';
import type { PassPayload } from '../../shared/schemas/pass.js';
import config from '../../playwright.config.js';
import { readDb, tempDir } from '../support/hub.js';
import { freePort, seededDataDir, spawnHub, type HubProcess } from '../support/hub-process.js';
import { decodeQrPng, writeQrY4m } from '../support/qr.js';
import { padTemperature, startShift, syncedCount } from './kiosk-page.js';

/**
 * The patron's pass end to end (docs/architecture.md "Patron QR flow"): a phone opens the URL in the kiosk's displayed QR,
 * declares for two people and gets a pass; with the hub stopped, the kiosk
 * (restarted, served by its service worker) admits one person by the typed
 * code and the other by the camera, and refuses a reused, tampered, expired
 * and other-venue pass; once the hub is back, the records in SQLite carry the
 * pass id, and "I have left" on the phone empties the count once.
 */
const tmp = tempDir();
const video = join(tmp.dir, 'camera.y4m');
const profile = join(tmp.dir, 'kiosk-profile');
// Chromium opens the fake camera file at launch: something must be there before the pass exists.
writeQrY4m('no pass yet', video, { moduleSize: 3 });

async function launchKiosk(): Promise<{ context: BrowserContext; page: Page }> {
  const launch = config.use?.launchOptions ?? {};
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: launch.executablePath,
    args: [
      ...(launch.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
    viewport: { width: 1280, height: 800 },
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

/** Staff finish a person whose pass pre-filled (or not) the declared checks: temperature, mask, and what is missing. */
async function admitPerson(page: Page, fill: { healthCode?: boolean; itinerary?: boolean }, seq: number) {
  await padTemperature(page, '36.6');
  await page.getByTestId('opt-mask-worn').click();
  if (fill.healthCode) await page.getByTestId('opt-healthCode-green').click();
  if (fill.itinerary) await page.getByTestId('opt-itinerary-local').click();
  await page.getByTestId('record').click();
  await expect(page.getByTestId('saved')).toContainText(`#${seq}`);
  await expect(page.getByTestId('decision')).toContainText('准予进入');
}

async function refusedWith(page: Page, input: string, text: string) {
  await page.getByTestId('pass-input').fill(input);
  await page.getByTestId('pass-check').click();
  await expect(page.getByTestId('pass-error')).toContainText(text);
}

test.describe('patron pass', () => {
  let hub: HubProcess | undefined;
  let kiosk: BrowserContext | undefined;

  test.afterAll(async () => {
    await kiosk?.close();
    await hub?.stop();
    tmp.remove();
  });

  test('phone declares from the kiosk QR; the offline kiosk admits the pass by code and by camera; SQLite keeps the pass id', async ({ browser }) => {
    const { dbFile, code } = await seededDataDir(tmp.dir);
    const port = await freePort();
    hub = await spawnHub(tmp.dir, port);

    let k: Page;
    ({ context: kiosk, page: k } = await launchKiosk());
    await k.goto(`${hub.url}/kiosk/?enrol=${code}`);
    await expect(k.getByTestId('connection')).toHaveText('已连接');
    await startShift(k);
    await k.waitForFunction(() => navigator.serviceWorker.controller !== null);

    // The phone reads the kiosk's venue code off the screen, as a patron's camera would (staff open it with its button).
    await k.getByTestId('venue-code-open').click();
    const [venueUrl] = await decodeQrPng(await k.getByTestId('venue-code').screenshot());
    await k.getByTestId('venue-code-close').click();
    expect(venueUrl).toMatch(new RegExp(`^${hub.url}/v/k\\.kiosk-`));

    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phone = await phoneContext.newPage();
    await phone.goto(venueUrl!);
    await expect(phone.getByTestId('venue-name')).toHaveText('测试KTV');
    await phone.locator('input[name="people.0.healthCode"][value="green"]').check();
    await phone.locator('input[name="people.0.itinerary"][value="local"]').check();
    await phone.getByTestId('add-companion').click();
    await phone.locator('input[name="people.1.label"]').fill('孩子');
    await phone.locator('input[name="people.1.healthCode"][value="green"]').check();
    await phone.locator('input[name="people.1.itinerary"][value="local"]').check();
    await phone.getByTestId('phone').fill('139 1234 5678');
    await phone.getByTestId('submit').click();
    await expect(phone.getByTestId('verdict')).toHaveAttribute('data-verdict', 'enter');
    await phone.screenshot({ path: 'test-results/patron-pass-390x844.png', fullPage: true });
    const passId = new URL(phone.url()).pathname.split('/').pop()!;
    const passCode = (await phone.getByTestId('pass-code').getAttribute('data-code'))!;
    const signed = (await phone.getByTestId('pass-qr').getAttribute('data-signed'))!;
    // The QR on the phone is the signed pass, byte for byte.
    expect(await decodeQrPng(await phone.getByTestId('pass-qr').screenshot())).toEqual([signed]);

    // The phone remembers the answers for next time, on the phone only.
    await phone.goto(venueUrl!);
    await expect(phone.locator('input[name="people.1.label"]')).toHaveValue('孩子');

    // The network goes; the tablet restarts (the camera now sees the pass) and opens offline.
    await hub.stop();
    await kiosk.close();
    writeQrY4m(signed, video, { moduleSize: 3 });
    ({ context: kiosk, page: k } = await launchKiosk());
    await k.goto(`${hub.url}/kiosk/`);
    await expect(k.getByTestId('connection')).toHaveText('离线');

    // Person 1: the typed code, checked with the venue's secret; staff read the answers off the phone.
    await k.getByTestId('pass-input').fill(passCode.toLowerCase());
    await k.getByTestId('pass-check').click();
    await expect(k.getByTestId('pass-active')).toHaveAttribute('data-person', '0');
    await expect(k.getByTestId('pass-active')).toContainText('第1/2人');
    await expect(k.getByTestId('opt-scan-scanned')).toHaveAttribute('aria-pressed', 'true');
    await admitPerson(k, { healthCode: true, itinerary: true }, 1);

    // Person 2: the camera reads the signed QR; the declared answers are pre-filled.
    await k.getByTestId('pass-scan').click();
    await expect(k.getByTestId('pass-active')).toHaveAttribute('data-person', '1', { timeout: 20_000 });
    await expect(k.getByTestId('pass-active')).toContainText('孩子');
    await expect(k.getByTestId('opt-healthCode-green')).toHaveAttribute('aria-pressed', 'true');
    await expect(k.getByTestId('opt-itinerary-local')).toHaveAttribute('aria-pressed', 'true');
    await admitPerson(k, {}, 2);
    await expect(k.getByTestId('pass-active')).toHaveCount(0);
    await expect(k.getByTestId('occupancy')).toHaveAttribute('data-inside', '2');
    await k.screenshot({ path: 'test-results/kiosk-pass-admitted-1280x800.png' });

    // Refusals, each in words staff can repeat: reused, tampered, expired, another venue.
    await refusedWith(k, passCode, '此通行凭证已在本入口使用过');
    await refusedWith(k, signed, '此通行凭证已在本入口使用过');
    const [prefix, body, sig] = signed.split('.') as [string, string, string];
    const flipped = body.slice(0, 10) + (body[10] === 'A' ? 'B' : 'A') + body.slice(11);
    await refusedWith(k, `${prefix}.${flipped}.${sig}`, '校验失败');
    const keys = HubKeys.parse(JSON.parse(readFileSync(join(tmp.dir, 'hub-keys.json'), 'utf8')));
    const original = await verifyPass(signed, keys.passSigning.publicKey, 'venue-a', Date.now());
    if (!original.ok) throw new Error('the pass from the phone does not verify');
    const forge = (over: Partial<PassPayload>) => signPass({ ...original.pass, ...over }, keys.passSigning.privateKey);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await refusedWith(k, await forge({ iat: hourAgo, exp: hourAgo + 600 }), '已过期');
    await refusedWith(k, await forge({ venue: 'venue-b' }), '其他场所');
    await refusedWith(k, 'ABC', '6位');

    // The hub comes back: both admissions arrive carrying the pass id, the typed one resolved by code.
    hub = await spawnHub(tmp.dir, port);
    await expect(syncedCount(k)).toHaveAttribute('data-count', '2', { timeout: 60_000 });
    const rows = readDb(dbFile, (db) =>
      db.prepare('SELECT pass_id, pass_person, decision FROM entrance_records ORDER BY seq').all(),
    ) as { pass_id: string; pass_person: number; decision: string }[];
    expect(rows).toEqual([
      { pass_id: passId, pass_person: 0, decision: 'admit' },
      { pass_id: passId, pass_person: 1, decision: 'admit' },
    ]);
    // The scan event is stored with the number sealed: no plaintext phone number in the file.
    const stored = readDb(dbFile, (db) => db.prepare('SELECT source, people, contact FROM passes').all()) as { source: string; people: number; contact: string }[];
    expect(stored).toEqual([{ source: 'live', people: 2, contact: expect.stringMatching(/^v1\./) }]);
    expect(readFileSync(dbFile).includes('13912345678')).toBe(false);

    // "I have left" on the phone: the two leave the count, once, live.
    await expect(k.getByTestId('connection')).toHaveText('已连接');
    await phone.goto(`${hub.url}/pass/${passId}`);
    await phone.getByTestId('left').click();
    await expect(phone.getByTestId('left-done')).toBeVisible();
    await expect(k.getByTestId('occupancy')).toHaveAttribute('data-inside', '0');
    await expect(syncedCount(k)).toHaveAttribute('data-count', '3');
    const exits = readDb(dbFile, (db) => db.prepare("SELECT body FROM kiosk_records WHERE type = 'occupancy'").all()) as { body: string }[];
    expect(exits.map((e) => JSON.parse(e.body))).toEqual([{ kind: 'exit', count: 2, pass: { code: passCode, minute: Math.floor(original.pass.iat / 60) } }]);
    await phoneContext.close();
  });
});
