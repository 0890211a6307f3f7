import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Ranking, RankingRow } from '../../../shared/schemas/dashboard.js';
import { getJson } from './api.js';
import { num, pct, todayIso } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { replaceHash, routeHref, venueHref } from './router.js';
import { base } from './styles.js';

type SortKey = 'skippedRate' | 'scansPerAdmission' | 'admissions';

/**
 * Where to go first: venues by skipped-check rate or scans per
 * admission over the 7 days to the date, with the change against the 7 before.
 */
@customElement('ranking-screen')
export class RankingScreen extends LitElement {
  @property() date: string | undefined;

  @state() private sort: SortKey = 'skippedRate';
  @state() private desc = true;

  private readonly i18n = new I18nController(this);
  private readonly ranking = new Resource(this, () => getJson<Ranking>('/api/ranking', { date: this.date ?? todayIso() }));

  override willUpdate(changed: Map<string, unknown>): void {
    if (!this.hasUpdated || changed.has('date')) void this.ranking.run();
  }

  override render() {
    return html`<section class="panel">
      <div class="row head">
        <h2>${t('rankingTitle')}</h2>
        <label>${t('date')} <input type="date" .value=${this.date ?? todayIso()} max=${todayIso()} data-testid="ranking-date"
          @change=${(e: Event) => replaceHash(routeHref('ranking', { date: (e.target as HTMLInputElement).value || undefined }))} /></label>
      </div>
      ${this.ranking.render((r) => this._table(r.rows))}
    </section>`;
  }

  private _table(rows: RankingRow[]) {
    // Scans per admission: fewer is worse (admissions without a scan), so its "worst first" is ascending.
    const value = (r: RankingRow) => (this.sort === 'scansPerAdmission' ? (r.scansPerAdmission ?? Infinity) : r[this.sort]);
    const sorted = [...rows].sort((a, b) => (this.desc ? value(b) - value(a) : value(a) - value(b)));
    const th = (key: SortKey, text: string) =>
      html`<th class="n" aria-sort=${this.sort === key ? (this.desc ? 'descending' : 'ascending') : 'none'}><button class="link" data-testid="sort-${key}"
        @click=${() => this._sortBy(key)}>${text} ${this.sort === key ? (this.desc ? '▼' : '▲') : ''}</button></th>`;
    return html`<table data-testid="ranking-table">
      <thead><tr>
        <th>#</th><th>${t('venue')}</th>${th('admissions', t('admissions'))}
        ${th('skippedRate', t('skippedRate'))}<th class="n">${t('change')}</th>
        ${th('scansPerAdmission', t('scansPerAdmission'))}<th class="n">${t('change')}</th>
      </tr></thead>
      <tbody>
        ${sorted.map(
          (r, i) => html`<tr data-testid="ranking-row" data-venue=${r.venueId}>
            <td>${i + 1}</td>
            <td><a href=${venueHref(r.venueId)}>${r.venueName}</a></td>
            <td class="n">${num(r.admissions)}</td>
            <td class="n">${pct(r.skippedRate)}</td>
            <td class="n">${this._change(r.skippedRate, r.previousSkippedRate, true, true)}</td>
            <td class="n">${num(r.scansPerAdmission, 2)}</td>
            <td class="n">${this._change(r.scansPerAdmission, r.previousScansPerAdmission, false, false)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  /** ↑/↓ against the previous 7 days, red when it got worse. */
  private _change(now: number | null, before: number | null, upIsWorse: boolean, asPct: boolean) {
    if (now === null || before === null) return html`<span class="muted">—</span>`;
    const d = now - before;
    if (Math.abs(d) < 1e-9) return html`<span class="muted">＝</span>`;
    const worse = d > 0 === upIsWorse;
    const text = asPct ? `${(Math.abs(d) * 100).toFixed(1)} pt` : Math.abs(d).toFixed(2);
    return html`<span class=${worse ? 'worse' : 'better'} data-testid="change">${d > 0 ? '↑' : '↓'} ${text}</span>`;
  }

  private _sortBy(key: SortKey) {
    if (this.sort === key) this.desc = !this.desc;
    else {
      this.sort = key;
      this.desc = key !== 'scansPerAdmission';
    }
  }

  static override styles = [
    base,
    css`
      .head { justify-content: space-between; margin-bottom: 8px; }
      .head h2 { margin: 0; }
      th button.link { color: inherit; font-weight: 600; font-size: 13px; }
      .worse { color: var(--violation); }
      .better { color: var(--clear); }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'ranking-screen': RankingScreen;
  }
}
