import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { connectKiosk, enrolKiosk, patronForm, seedVenue } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';
import { expect, login, test, type StreetHub } from './street-hub.js';
import { seriousAxeFindings } from './axe.js';

/**
 * Every dashboard screen as its users meet it (docs/inspectors-guide.md): axe-core finds no
 * critical or serious violation on any of them (with data on screen: a flag open, tracing
 * results, a dialog); and on a phone in the field (390×844) no screen is wider than the phone,
 * nor wraps a venue's name one character per line. Screenshots of each land in test-results/.
 */

/** A street with something on every screen: a venue flagged for skipped checks, one that never reported, a patron with a number. */
async function seedStreet(street: StreetHub): Promise<{ url: string }> {
  const { store } = street;
  const entrance = await seedVenue(store, 'venue-a');
  await seedVenue(store, 'venue-b', { type: 'restaurant' });
  const { kiosk, token } = await enrolKiosk(store, entrance);
  await street.account('admin');
  const url = await street.listen();
  const socket = await connectKiosk(url, token);
  street.defer(() => socket.close());
  const now = Date.now();
  const skipped = { outcome: 'skipped' as const, reason: '测温枪没电' };
  const batch = [1, 2, 3].map((seq) =>
    entranceRecord(kiosk, seq, {
      kioskTime: new Date(now - (5 - seq) * 1000).toISOString(),
      operatorId: 'venue-a-staff-1',
      checks: { ...entranceRecord(kiosk, seq).checks, temperature: skipped },
    }),
  );
  expect((await socket.emitWithAck('records:push', { records: batch })).ok).toBe(true);
  const secret = (await store.kiosks.byId(kiosk.id))!.codeSecret;
  const form = await patronForm(url, await liveToken(secret, kiosk.id, slotAt(now)));
  const issued = await fetch(`${url}/api/passes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...form, people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false, phone: '13912345678' }),
  });
  expect(issued.status).toBe(201);
  return { url };
}

/** Each screen: how to reach it from the signed-in dashboard, and what shows it has loaded. */
const SCREENS: { name: string; open: (page: Page) => Promise<void> }[] = [
  { name: 'street', open: async (p) => void (await go(p, '#/', '[data-testid="venue-row"]')) },
  {
    name: 'flags',
    open: async (p) => {
      await go(p, '#/flags', '[data-testid="flag-row"]');
      await p.getByTestId('flag-open').first().click();
      await expect(p.getByTestId('flag-evidence')).toBeVisible();
    },
  },
  {
    name: 'venue',
    open: async (p) => {
      await go(p, '#/venue/venue-a', '[data-testid="records-table"]');
      await expect(p.locator('[data-testid="record-row"]').first()).toBeVisible();
    },
  },
  { name: 'ranking', open: async (p) => void (await go(p, '#/ranking', '[data-testid="ranking-table"]')) },
  { name: 'reports', open: async (p) => void (await go(p, '#/reports', '[data-testid="report-week"]')) },
  { name: 'joint', open: async (p) => void (await go(p, '#/joint', 'main h2')) },
  { name: 'audit', open: async (p) => void (await go(p, '#/audit', '[data-testid="audit-table"]')) },
  { name: 'registry', open: async (p) => void (await go(p, '#/registry', 'main h2')) },
  { name: 'kiosks', open: async (p) => void (await go(p, '#/kiosks', '[data-testid="kiosk-row"]')) },
  { name: 'policy', open: async (p) => void (await go(p, '#/policy', '[data-testid="quick-emergency"]')) },
  {
    name: 'policy-dialog',
    open: async (p) => {
      await go(p, '#/policy', '[data-testid="quick-emergency"]');
      await p.getByTestId('quick-emergency').click();
      await expect(p.getByTestId('quick-reach')).toBeVisible();
    },
  },
  {
    name: 'tracing',
    open: async (p) => {
      await go(p, '#/tracing', '[data-testid="tracing-form"]');
      await p.getByTestId('tracing-venue').selectOption('venue-a');
      await p.getByTestId('tracing-reason').fill('确诊病例流调');
      await p.getByTestId('tracing-run').click();
      await expect(p.getByTestId('tracing-row').first()).toBeVisible();
    },
  },
  { name: 'account', open: async (p) => void (await go(p, '#/account', 'main h2')) },
];

async function go(page: Page, hash: string, ready: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await expect(page.locator(ready).first()).toBeVisible();
}

/** The innermost elements (shadow roots included) that reach past the viewport's right edge, for a failure message. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (root: Element | ShadowRoot) => {
      for (const el of Array.from(root.children)) {
        const r = el.getBoundingClientRect();
        const kids = [...Array.from(el.children), ...Array.from(el.shadowRoot?.children ?? [])];
        const inner = kids.some((k) => k.getBoundingClientRect().right > innerWidth + 1);
        if (r.right > innerWidth + 1 && !inner) out.push(`${el.tagName.toLowerCase()}.${el.className || ''}[${el.getAttribute('data-testid') ?? ''}] ${Math.round(r.width)}px`);
        if (el.shadowRoot) walk(el.shadowRoot);
        walk(el);
      }
    };
    walk(document.documentElement);
    return [...new Set(out)].slice(0, 8);
  });
}

test.describe('dashboard screens', () => {
  test('every screen, with data on it, has no critical or serious axe violation (zh and en)', async ({ page, street }) => {
    const { url } = await seedStreet(street);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${url}/dashboard/`);
    await expect(page.getByTestId('login-name')).toBeVisible();
    // Every screen's findings, then one assertion: a failure lists them all.
    const findings: string[] = (await seriousAxeFindings(page)).map((f) => `login: ${f}`);
    await login(page, url);
    for (const lang of ['zh', 'en'] as const) {
      if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
      for (const s of SCREENS) {
        await s.open(page);
        findings.push(...(await seriousAxeFindings(page)).map((f) => `${s.name} (${lang}): ${f}`));
      }
    }
    expect(findings).toEqual([]);
  });

  test('primary buttons keep their colour on hover: white text on the accent, at least 4.5:1', async ({ page, street }) => {
    const { url } = await seedStreet(street);
    await login(page, url, 'admin', '#/policy');
    await page.getByTestId('quick-emergency').click();
    const confirm = page.getByTestId('quick-confirm');
    await expect(confirm).toBeVisible();
    await confirm.hover();
    const ratio = await confirm.evaluate((b) => {
      const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, bl] = rgb(c).map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
      };
      const style = getComputedStyle(b);
      const [hi, lo] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    });
    expect(ratio).toBeGreaterThanOrEqual(4.5);
  });

  test('at 390×844 no inspector screen scrolls sideways, and venue names keep whole words', async ({ page, street }) => {
    const { url } = await seedStreet(street);
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page, url);
    const wide: string[] = [];
    for (const s of SCREENS) {
      await s.open(page);
      await page.screenshot({ path: `test-results/dashboard-390-${s.name}.png`, fullPage: true });
      const { scrollWidth, width } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth }));
      if (scrollWidth > width) wide.push(`${s.name}: ${scrollWidth}px, widest: ${(await overflowing(page)).join(' | ')}`);
    }
    expect(wide).toEqual([]);
    // The street overview: each venue's name on at most two lines (it wrapped one character per line).
    await go(page, '#/', '[data-testid="venue-row"]');
    for (const link of await page.locator('[data-testid="venue-row"] a').all()) {
      const lines = await link.evaluate((a) => Math.round(a.getBoundingClientRect().height / parseFloat(getComputedStyle(a).lineHeight || '20')));
      expect(lines).toBeLessThanOrEqual(2);
    }
  });
});

test.describe('weekly report', () => {
  test('downloads its CSV headed in the dashboard\'s language, and prints title, week and page number on every A4 page', async ({ page, street }) => {
    const { url } = await seedStreet(street);
    await login(page, url, 'admin', '#/reports');
    await expect(page.getByTestId('report-week')).toBeVisible();
    const week = await page.getByTestId('report-week').inputValue();
    const headOf = async () => {
      const download = page.waitForEvent('download');
      await page.getByTestId('report-csv').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe(`weekly-report-${week}.csv`);
      return readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '').split('\r\n')[0]!;
    };
    expect(await headOf()).toMatch(/^社区,场所,入场人次,/);
    await page.getByRole('button', { name: 'English' }).click();
    expect(await headOf()).toMatch(/^Community,Venue,Admissions,/);

    // The page box of every printed page: the title and week at the head, "Page n of m" at the foot.
    const rule = await page.evaluate(() => document.getElementById('report-print-page')?.textContent ?? '');
    expect(rule).toContain('size: A4');
    expect(rule).toContain('@top-left { content: "Weekly inspection report"');
    expect(rule).toContain(`@top-right { content: "${week}"`);
    expect(rule).toContain('@bottom-center { content: "Page " counter(page) " of " counter(pages) ""');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: 'test-results/weekly-report-print.png', fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // Leaving the report takes its page rule away: other screens print without it.
    await page.emulateMedia({ media: 'screen' });
    await go(page, '#/', '[data-testid="venue-row"]');
    expect(await page.evaluate(() => document.getElementById('report-print-page'))).toBeNull();
  });
});

test.describe('street overview pictures', () => {
  test('each venue shows its day and week as small charts, venues are ranked by scan rate, a venue that never reported reads "no data", and the venue page draws its cap', async ({ page, street }) => {
    const { url } = await seedStreet(street);
    await page.setViewportSize({ width: 1366, height: 768 });
    await login(page, url);
    const a = page.locator('[data-testid="venue-row"][data-venue="venue-a"]');
    await expect(a.getByTestId('spark-hour')).toHaveAttribute('data-admissions', '3');
    await expect(a.getByTestId('spark-hour')).toHaveAttribute('data-flags', '1');
    await expect(a.getByTestId('spark-day')).toHaveAttribute('data-admissions', '3');
    await expect(a.getByTestId('spark-hour')).toHaveAttribute('aria-label', '今日入场 3 人次，预警 1 条');
    await expect(a.locator('canvas')).toHaveCount(2);
    // venue-b has no tablet: not "clear" but "no data".
    const b = page.locator('[data-testid="venue-row"][data-venue="venue-b"]');
    await expect(b).toHaveAttribute('data-status', 'no_data');
    await expect(b.getByTestId('no-data')).toHaveText('未登记平板');
    // One patron scanned for three admissions: 0.33 scans per admission, the only venue with admissions.
    await expect(page.getByTestId('scan-rank')).toHaveCount(1);
    await expect(page.locator('[data-testid="scan-rank"][data-venue="venue-a"]')).toContainText('0.33');
    await page.screenshot({ path: 'test-results/street-overview-charts-1366x768.png', fullPage: true });

    await a.getByRole('link').first().click();
    await expect(page.getByTestId('day-chart')).toHaveAttribute('data-cap', '100');
    await expect(page.getByTestId('day-chart')).toContainText('限流');
    await page.screenshot({ path: 'test-results/venue-day-cap-1366x768.png', fullPage: true });
  });
});
