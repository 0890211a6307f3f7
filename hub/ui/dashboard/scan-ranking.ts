import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { StreetOverview, StreetTrends } from '../../../shared/schemas/dashboard.js';
import { num } from './format.js';
import { I18nController, t } from './i18n.js';
import { venueHref } from './router.js';
import { base } from './styles.js';

/** How many venues the ranking shows: the ones to visit first. */
const SHOWN = 10;

/**
 * Scans per admission over the last 7 days (000 §2(2)(1) 扫码), lowest first: where the door
 * admits without the scan. A bar per venue; 1 scan per admission fills it.
 */
@customElement('scan-ranking')
export class ScanRanking extends LitElement {
  @property({ attribute: false }) trends: StreetTrends | undefined;
  @property({ attribute: false }) overview: StreetOverview | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    if (!this.trends || !this.overview) return nothing;
    const names = new Map(this.overview.communities.flatMap((c) => c.venues).map((v) => [v.id, v.name]));
    const rows = this.trends.venues
      .filter((v) => v.scansPerAdmission !== null && names.has(v.venueId))
      .sort((a, b) => a.scansPerAdmission! - b.scansPerAdmission! || b.admissions7 - a.admissions7)
      .slice(0, SHOWN);
    return html`<h2>${t('scanRanking')}</h2>
      <p class="muted hint">${t('scanRankingHint')}</p>
      ${rows.length === 0
        ? html`<p class="muted">${t('scanRankingNone')}</p>`
        : html`<ol data-testid="scan-ranking">
            ${rows.map(
              (v) => html`<li data-testid="scan-rank" data-venue=${v.venueId}>
                <a href=${venueHref(v.venueId)}>${names.get(v.venueId)}</a>
                <span class="bar"><span class=${v.scansPerAdmission! < 0.8 ? 'low' : ''} style=${styleMap({ width: `${Math.min(1, v.scansPerAdmission!) * 100}%` })}></span></span>
                <span class="num">${num(v.scansPerAdmission, 2)}</span>
              </li>`,
            )}
          </ol>`}`;
  }

  static override styles = [
    base,
    css`
      .hint { font-size: 12px; margin: 0 0 6px; }
      ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
      li { display: grid; grid-template-columns: minmax(0, 1fr) 90px 3.2em; gap: 8px; align-items: center; font-size: 13px; }
      li a { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .bar { height: 8px; background: #e3e8ee; border-radius: 4px; overflow: hidden; }
      .bar > span { display: block; height: 100%; background: var(--clear); }
      .bar > span.low { background: var(--violation); }
      .num { text-align: right; font-variant-numeric: tabular-nums; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'scan-ranking': ScanRanking;
  }
}
