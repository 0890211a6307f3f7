import { expect, test } from '@playwright/test';
import { formatEnrolmentCode } from '../../shared/schemas/enrolment.js';
import { tempDir } from '../support/hub.js';
import { freePort, seededDataDir, spawnHub, type HubProcess } from '../support/hub-process.js';
import { pendingCount, recordPatron, startShift, syncedCount } from './kiosk-page.js';

test.describe('kiosk enrolment and entrance form', () => {
  const tmp = tempDir();
  let hub: HubProcess | undefined;

  test.afterEach(async () => {
    await hub?.stop();
    tmp.remove();
  });

  test('typed enrolment, field errors that save nothing, and a remembered English switch', async ({ page }) => {
    const { code } = await seededDataDir(tmp.dir);
    hub = await spawnHub(tmp.dir, await freePort());

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${hub.url}/kiosk/`);
    // A wrong code is refused with the hub's reason; a right one typed in lower case is accepted.
    await page.getByTestId('enrol-code').fill('abcd-2345');
    await page.getByRole('button', { name: '绑定' }).click();
    await expect(page.getByTestId('enrol-error')).toHaveText('没有这个绑定码，请核对后重新输入');
    await page.getByTestId('enrol-code').fill('0O1I');
    await page.getByRole('button', { name: '绑定' }).click();
    await expect(page.getByTestId('enrol-error')).toHaveText('绑定码为8位，由字母和数字2–9组成');
    await page.getByTestId('enrol-code').fill(formatEnrolmentCode(code).toLowerCase());
    await page.getByRole('button', { name: '绑定' }).click();
    await expect(page.getByTestId('connection')).toHaveText('已连接');
    // A wrong PIN does not start a shift.
    await page.getByTestId('staff-venue-a-staff-1').click();
    for (const d of '9999') await page.getByTestId(`pad-${d}`).click();
    await page.getByTestId('start-shift').click();
    await expect(page.getByTestId('pin-error')).toHaveText('口令不对，请重试');
    await startShift(page);

    // Nothing filled in: every check says so, nothing is saved.
    await page.getByTestId('record').click();
    await expect(page.getByTestId('missing-summary')).toHaveText('还有 5 项未填好：扫场所码、口罩、健康码、行程卡、体温 (°C)');
    // Hex or an exponent is no reading (Number() took 0x25 as 37 °C): refused at the field, saying why.
    await page.getByTestId('temperature').fill('0x25');
    await expect(page.getByText('体温只能输入数字和一个小数点（. 或 ,），如 36.5')).toBeVisible();
    // A reading outside 34–42 °C is an error on the temperature field.
    await page.getByTestId('temperature').fill('45');
    await expect(page.getByText('请输入 34.0–42.0 之间的体温，精确到 0.1')).toBeVisible();
    // A skip needs its reason.
    await page.getByTestId('opt-mask-skipped').click();
    await expect(page.getByText('请填写跳过原因')).toBeVisible();
    await page.screenshot({ path: 'test-results/kiosk-errors-zh-1280x800.png', fullPage: true });
    await expect(pendingCount(page)).toHaveAttribute('data-count', '0');

    // A starred itinerary asks for a negative test, and no commitment in its place (000 §2(2)(1)); without it the patron is refused.
    await page.getByTestId('temperature').fill('36.8');
    await page.getByTestId('opt-mask-worn').click();
    await page.getByTestId('opt-scan-scanned').click();
    await page.getByTestId('opt-healthCode-green').click();
    await page.getByTestId('opt-itinerary-starred').click();
    await expect(page.getByTestId('opt-commitment-signed')).toHaveCount(0);
    await page.getByTestId('opt-testProof-none').click();
    await page.getByTestId('record').click();
    await expect(page.getByTestId('decision')).toContainText('禁止进入');
    await expect(page.getByTestId('decision')).toContainText('无时限内核酸阴性证明');
    await page.screenshot({ path: 'test-results/kiosk-refused-zh-1280x800.png', fullPage: true });

    // English, remembered across a reload.
    await page.getByTestId('lang').click();
    await expect(page.getByTestId('record')).toHaveText('Record and decide');
    await page.reload();
    await expect(page.getByTestId('record')).toHaveText('Record and decide');
    await recordPatron(page, { temperature: '36.4' }, 2);
    await expect(page.getByTestId('decision')).toContainText('May enter');
    // A USB keypad's Enter while the on-screen button still has focus records one patron, not two.
    await page.keyboard.type('36.5');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('saved')).toContainText('#3');
    await page.waitForTimeout(500);
    await expect(syncedCount(page)).toHaveAttribute('data-count', '3');
    await expect(pendingCount(page)).toHaveAttribute('data-count', '0');
    await page.screenshot({ path: 'test-results/kiosk-admitted-en-1280x800.png', fullPage: true });
    await page.setViewportSize({ width: 768, height: 1024 });
    // Portrait: the last decision and the sync counts, still in English.
    await expect(page.getByTestId('decision')).toContainText('May enter');
    await expect(page.getByTestId('record')).toHaveText('Record and decide');
    await expect(syncedCount(page)).toHaveAttribute('data-count', '3');
    await page.screenshot({ path: 'test-results/kiosk-admitted-en-768x1024.png', fullPage: true });
  });
});
