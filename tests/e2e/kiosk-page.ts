import { expect, type Page } from '@playwright/test';

export interface Patron {
  temperature?: string;
  skipTemperature?: string;
  mask?: 'worn' | 'provided' | 'refused';
  skipMask?: string;
  healthCode?: 'green' | 'yellow' | 'red';
  itinerary?: 'local' | 'other_province' | 'starred' | 'medium_risk' | 'high_risk';
}

/** Starts a shift as the seeded venue's first door staff member (王芳, PIN 1234), on the on-screen pad. */
export async function startShift(page: Page, staffId = 'venue-a-staff-1', pin = '1234'): Promise<void> {
  await page.getByTestId(`staff-${staffId}`).click();
  for (const d of pin) await page.getByTestId(`pad-${d}`).click();
  await page.getByTestId('start-shift').click();
  await expect(page.getByTestId('operator')).toBeVisible();
}

/** Types a temperature on the on-screen pad. */
export async function padTemperature(page: Page, text: string): Promise<void> {
  for (const ch of text) await page.getByTestId('entrance-pad').getByTestId(`pad-${ch}`).click();
}

/** Drives the entrance screen as staff do: tap each check, type the temperature, record. */
export async function recordPatron(page: Page, p: Patron, expectedSeq: number): Promise<void> {
  await page.getByTestId('opt-scan-scanned').click();
  if (p.skipTemperature) {
    await page.getByTestId('opt-temperature-skipped').click();
    await page.getByTestId('skip-reason-temperature').fill(p.skipTemperature);
  } else {
    await page.getByTestId('temperature').fill(p.temperature ?? '36.5');
  }
  if (p.skipMask) {
    await page.getByTestId('opt-mask-skipped').click();
    await page.getByTestId('skip-reason-mask').fill(p.skipMask);
  } else {
    await page.getByTestId(`opt-mask-${p.mask ?? 'worn'}`).click();
  }
  await page.getByTestId(`opt-healthCode-${p.healthCode ?? 'green'}`).click();
  await page.getByTestId(`opt-itinerary-${p.itinerary ?? 'local'}`).click();
  await page.getByTestId('record').click();
  await expect(page.getByTestId('saved')).toContainText(`#${expectedSeq}`);
}

export const pendingCount = (page: Page) => page.getByTestId('pending-count');
export const syncedCount = (page: Page) => page.getByTestId('synced-count');
