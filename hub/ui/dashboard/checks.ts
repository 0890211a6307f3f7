import { html } from 'lit';
import { currentLang, label } from './i18n.js';

/**
 * The check names in their fixed order, as in shared/schemas/checks.ts
 * (CHECK_NAMES), copied so the bundle does not carry zod.
 */
export const CHECKS = ['scan', 'temperature', 'mask', 'healthCode', 'itinerary', 'testProof', 'commitment', 'vaccination'] as const;

interface CheckValue {
  outcome?: unknown;
  celsius?: unknown;
  reason?: unknown;
}

/** One check's outcome in a few words: "体温 36.5", "健康码 绿码", "口罩 跳过：…". */
export function checkText(name: string, value: unknown) {
  const v = (value ?? {}) as CheckValue;
  const outcome = String(v.outcome ?? '');
  const skipped = outcome === 'skipped';
  const detail = typeof v.celsius === 'number' ? v.celsius.toFixed(1) : label('out', outcome);
  const colon = currentLang() === 'en' ? ': ' : '：';
  return html`<span class=${skipped ? 'skip' : outcome === 'red' || outcome === 'yellow' || outcome === 'refused' ? 'bad' : ''}
    ><small>${label('check', name)}</small> ${detail}${skipped && typeof v.reason === 'string' ? `${colon}${v.reason}` : ''}</span
  >`;
}

/** Check names in the house order first, then any the hub knows and this page does not. */
export function orderedChecks(names: Iterable<string>): string[] {
  const all = [...names];
  return [...CHECKS.filter((c) => all.includes(c)), ...all.filter((c) => !(CHECKS as readonly string[]).includes(c))];
}
