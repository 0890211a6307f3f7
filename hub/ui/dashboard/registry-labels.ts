import { VENUE_TYPE_TEXT } from '../../../shared/labels.js';
import type { ImportError } from '../../../shared/schemas/registry.js';
import type { VenueType } from '../../../shared/schemas/venue.js';
import { currentLang, t } from './i18n.js';
import { issueText, type Issue } from './issue-text.js';

/** A venue type in the dashboard's language, from the table the CSV import also reads (shared/labels.ts). */
export function venueTypeLabel(type: VenueType | string): string {
  return (VENUE_TYPE_TEXT[currentLang()] as Record<string, string>)[type] ?? type;
}

/**
 * A problem in the dashboard's language. A rule of the schema (`invalid`)
 * comes with its zod issue's code and figures, worded as the form words it,
 * about the column as the file names it; the hub's message is the row's tooltip.
 */
export function importErrorText(e: ImportError): string {
  if (e.code !== 'invalid') return t(`imp_${e.code}`, e.params);
  const p = e.params ?? {};
  const issue = {
    code: String(p.issue ?? 'custom'),
    path: [],
    message: e.message,
    origin: p.origin,
    format: p.format,
    expected: p.expected,
    minimum: p.minimum,
    maximum: p.maximum,
    divisor: p.divisor,
    inclusive: p.inclusive === undefined ? undefined : p.inclusive === 1,
    exact: p.exact === 1,
    values: [],
    keys: [],
    params: p.rule === undefined ? undefined : { ...p, code: p.rule },
  } as unknown as Issue;
  return issueText(issue, e.field ?? t('regWholeFile'));
}
