import type { Lang } from '../../../shared/labels.js';
import { html, page } from './html.js';
import { PATRON_CSS } from './patron-css.js';
import { header } from './patron-page.js';
import { patronText } from './patron-text.js';

/**
 * What a browser gets for an address the hub has no page for (errors.ts answers API clients with
 * the JSON error shape instead): in the reader's language, saying where patrons and inspectors
 * should go. `path` is the address asked, for the language switch; it is never shown.
 */
export function renderNotFoundPage(lang: Lang, path: string): string {
  const t = patronText(lang);
  const body = html`${header(t, lang, path, t('notFoundTitle'), '')}
    <main><p class="notice card" role="alert" data-testid="notice" data-kind="notFound">${t('notFoundText')}</p>
    <p class="card">${t('notFoundPatron')}</p>
    <p class="card">${t('notFoundInspector')}: <a href="/dashboard/" data-testid="dashboard-link">/dashboard/</a></p></main>`;
  return page({ lang, title: t('notFoundTitle'), css: PATRON_CSS, body });
}
