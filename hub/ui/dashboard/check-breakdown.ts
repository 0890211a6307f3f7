import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { orderedChecks } from './checks.js';
import { num } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { base } from './styles.js';

/** Outcomes per check over the day, skipped first and in red: what an inspector looks for. */
@customElement('check-breakdown')
export class CheckBreakdown extends LitElement {
  /** check → outcome → count (VenueDay.breakdown). */
  @property({ attribute: false }) breakdown: Record<string, Record<string, number>> = {};

  private readonly i18n = new I18nController(this);

  override render() {
    const checks = orderedChecks(Object.keys(this.breakdown));
    if (checks.length === 0) return html`<p class="muted" data-testid="breakdown">${t('noRecords')}</p>`;
    return html`<table data-testid="breakdown">
      <thead><tr><th>${t('checks')}</th><th class="bar-col"></th><th class="n">${t('out_skipped')}</th><th>${t('outcome')}</th></tr></thead>
      <tbody>${checks.map((c) => this._row(c, this.breakdown[c] ?? {}))}</tbody>
    </table>`;
  }

  private _row(check: string, outcomes: Record<string, number>) {
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const skipped = outcomes['skipped'] ?? 0;
    const others = Object.entries(outcomes).filter(([o]) => o !== 'skipped').sort((a, b) => b[1] - a[1]);
    const share = total > 0 ? skipped / total : 0;
    return html`<tr data-check=${check} data-skipped=${skipped}>
      <td>${label('check', check)}</td>
      <td class="bar-col"><span class="bar" title="${skipped} / ${total}"><span style=${styleMap({ width: `${(share * 100).toFixed(1)}%` })}></span></span></td>
      <td class="n ${skipped > 0 ? 'hot' : ''}">${num(skipped)}${total > 0 && skipped > 0 ? html` <small>(${(share * 100).toFixed(0)}%)</small>` : nothing}</td>
      <td class="outs">${others.map(([o, n]) => html`<span>${label('out', o)} ${num(n)}</span>`)}</td>
    </tr>`;
  }

  static override styles = [
    base,
    css`
      .bar-col { width: 30%; }
      .bar { display: block; height: 8px; background: #e3e8ee; border-radius: 4px; overflow: hidden; margin-top: 6px; }
      .bar > span { display: block; height: 100%; background: var(--violation); }
      .hot { color: var(--violation); font-weight: 600; }
      .outs span { margin-right: 8px; white-space: nowrap; font-size: 13px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'check-breakdown': CheckBreakdown;
  }
}
