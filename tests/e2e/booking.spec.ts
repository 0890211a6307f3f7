import { expect, test, type Page } from '@playwright/test';
import { openStore } from '../../hub/src/store/index.js';
import { dayKey } from '../../shared/rules/flags/window.js';
import type { SlotView } from '../../shared/schemas/booking.js';
import { readDb, tempDir } from '../support/hub.js';
import { freePort, seededDataDir, spawnHub, type HubProcess } from '../support/hub-process.js';
import { inspectorSession } from '../support/inspector.js';
import { padTemperature, startShift, syncedCount } from './kiosk-page.js';
import { PASSWORD } from './street-hub.js';

/**
 * Bookings end to end (003 §13 限量、预约、错峰; docs/bookings.md): a patron books a slot on a phone-sized page; with the hub
 * stopped, the kiosk admits the booking in its slot and refuses it an hour
 * early with the time it may enter; after restart the hub shows booked vs
 * arrived for that slot.
 *
 * The hub's clock is real, so the slot is booked a few hours ahead and only the
 * kiosk's clock is moved (Playwright's page.clock): an hour before the slot,
 * then into it.
 */
const OFFSET = 480; // the seeded venue is at UTC+8
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const GRACE = 15; // the policy's default bookingGraceMinutes
const venueClock = (ms: number) => new Date(ms + OFFSET * MINUTE).toISOString().slice(11, 16);

/** The booking QR as a handheld scanner delivers it: typed into the pass field, then Enter. */
async function scanBooking(k: Page, signed: string) {
  const input = k.getByTestId('pass-input');
  await input.fill('');
  await input.pressSequentially(signed);
  await input.press('Enter');
}

test.describe('booking', () => {
  const tmp = tempDir();
  let hub: HubProcess | undefined;

  test.afterEach(async () => {
    await hub?.stop();
    tmp.remove();
  });

  test('a phone books a slot; the offline kiosk refuses it an hour early with the time, admits it in its slot; the hub then shows booked vs arrived', async ({ browser }) => {
    const { dbFile, code } = await seededDataDir(tmp.dir);
    // The street office set the venue to admit by booking only, and has an admin to read the counts.
    const store = await openStore(dbFile);
    try {
      await store.bookings.saveSettings('venue-a', { mode: 'required', slotMinutes: 60, slotCap: 20, maxParty: 4, daysAhead: 1 }, 'e2e', Date.now());
      await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, Date.now());
      // The kiosk's clock in this test jumps two to three hours ahead of the hub's (into the slot):
      // within the policy's default allowance for a fast clock (kioskTimeFutureMinutes, a day), so
      // the hub keeps those admissions as it would a real tablet's.
    } finally {
      await store.close();
    }
    const port = await freePort();
    hub = await spawnHub(tmp.dir, port);

    // A slot two to three hours ahead (today, or tomorrow late in the evening).
    const slotStart = Math.ceil(Date.now() / HOUR) * HOUR + 2 * HOUR;
    const date = dayKey(slotStart, OFFSET);

    // The phone: the venue's booking link, the day, the slot, the declaration for two.
    const phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const phone = await phoneContext.newPage();
    await phone.goto(`${hub.url}/book/venue-a`);
    await expect(phone.getByTestId('venue-name')).toHaveText('测试KTV');
    await phone.locator(`[data-testid="day"][data-date="${date}"]`).click();
    await expect(phone.locator(`[data-testid="day"][data-date="${date}"]`)).toHaveAttribute('aria-current', 'date');
    const slot = phone.locator(`[data-testid="slot"][data-start="${slotStart}"]`);
    await expect(slot).toContainText(`${venueClock(slotStart)}–${venueClock(slotStart + HOUR)}`);
    await expect(slot).toContainText('余20位');
    await slot.locator('input').check();
    await phone.locator('input[name="people.0.healthCode"][value="green"]').check();
    await phone.locator('input[name="people.0.itinerary"][value="local"]').check();
    await phone.getByTestId('add-companion').click();
    await phone.locator('input[name="people.1.label"]').fill('孩子');
    await phone.locator('input[name="people.1.healthCode"][value="green"]').check();
    await phone.locator('input[name="people.1.itinerary"][value="local"]').check();
    await phone.getByTestId('phone').fill('139 1234 5678');
    // What the screenshot shows: the chosen slot, two people declared, the number, a submit within reach.
    await expect(slot.locator('input')).toBeChecked();
    await expect(phone.locator('input[name="people.1.label"]')).toHaveValue('孩子');
    await expect(phone.getByTestId('phone')).toHaveValue('139 1234 5678');
    await expect(phone.getByTestId('submit')).toBeEnabled();
    await phone.screenshot({ path: 'test-results/booking-form-360x740.png', fullPage: true });
    await phone.getByTestId('submit').click();

    await expect(phone).toHaveURL(/\/booking\/[0-9a-f-]{36}$/);
    const bookingId = new URL(phone.url()).pathname.split('/').pop()!;
    await expect(phone.getByTestId('booking-slot')).toHaveText(`${venueClock(slotStart)}–${venueClock(slotStart + HOUR)}`);
    await expect(phone.getByTestId('enter-from')).toHaveText(`可于 ${venueClock(slotStart - GRACE * MINUTE)} 起入场`);
    await expect(phone.getByTestId('verdict')).toHaveAttribute('data-verdict', 'enter');
    await expect(phone.getByTestId('booking-qr')).toBeVisible();
    await phone.screenshot({ path: 'test-results/booking-page-360x740.png', fullPage: true });
    const signed = (await phone.getByTestId('booking-qr').getAttribute('data-signed'))!;
    await phoneContext.close();

    // The kiosk, on its own clock, enrolled and on shift while the hub is up.
    const kioskContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const k = await kioskContext.newPage();
    await k.clock.install({ time: Date.now() });
    await k.goto(`${hub.url}/kiosk/?enrol=${code}`);
    await expect(k.getByTestId('connection')).toHaveText('已连接');
    await startShift(k);
    await k.waitForFunction(() => navigator.serviceWorker.controller !== null);

    await hub.stop();
    await expect(k.getByTestId('connection')).toHaveText('离线');

    // An hour early: refused, told when the party may come in (slot start less the grace, venue time).
    await k.clock.setFixedTime(slotStart - HOUR);
    await scanBooking(k, signed);
    await expect(k.getByTestId('pass-error')).toHaveText(`预约时段未到，可于 ${venueClock(slotStart - GRACE * MINUTE)} 起入场`);
    await expect(k.getByTestId('pass-active')).toHaveCount(0);
    await k.screenshot({ path: 'test-results/booking-kiosk-early-1280x800.png' });

    // Five minutes into the slot: the booking opens, pre-filled as declared; staff check the first person.
    await k.clock.setFixedTime(slotStart + 5 * MINUTE);
    await scanBooking(k, signed);
    await expect(k.getByTestId('pass-error')).toHaveCount(0);
    await expect(k.getByTestId('pass-active')).toHaveAttribute('data-person', '0');
    await expect(k.getByTestId('pass-active')).toContainText('第1/2人');
    await expect(k.getByTestId('opt-healthCode-green')).toHaveAttribute('aria-pressed', 'true');
    await padTemperature(k, '36.6');
    await k.getByTestId('opt-mask-worn').click();
    await k.getByTestId('record').click();
    await expect(k.getByTestId('saved')).toContainText('#1');
    await expect(k.getByTestId('decision')).toContainText('准予进入');
    await k.screenshot({ path: 'test-results/booking-kiosk-admitted-1280x800.png' });

    // The hub comes back: the admission arrives linked to the booking, and the slot reads 2 booked, 1 arrived.
    hub = await spawnHub(tmp.dir, port);
    await expect(syncedCount(k)).toHaveAttribute('data-count', '1', { timeout: 60_000 });
    const rows = readDb(dbFile, (db) => db.prepare('SELECT pass_id, pass_person, decision FROM entrance_records').all());
    expect(rows).toEqual([{ pass_id: bookingId, pass_person: 0, decision: 'admit' }]);

    const office = inspectorSession(hub.url);
    await office.login('admin', PASSWORD);
    const res = await office.get(`/api/venues/venue-a/slots?date=${date}`);
    expect(res.statusCode).toBe(200);
    const counted = (res.json() as SlotView[]).find((s) => s.start === slotStart);
    expect(counted).toMatchObject({ start: slotStart, end: slotStart + HOUR, booked: 2, arrivedBooked: 1, walkIns: 0 });
    await kioskContext.close();
  });
});
