import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * axe-core (`@axe-core/playwright`) over the page as it is now: its critical and serious findings,
 * each as rule id, impact and the elements it names, so a failing `toEqual([])` reads as what to fix.
 * Every screen's spec holds the page to none (docs/testing.md).
 */
export async function seriousAxeFindings(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}
