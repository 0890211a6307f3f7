import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RolledUpReport, WeeklyTotals } from '../../../shared/schemas/oversight.js';
import { getJson } from './api.js';
import { lastFullWeek, num, pct, weekRange } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { PrintPageController, reportHead } from './report-screen.js';
import { Resource } from './resource.js';
import { venueHref } from './router.js';
import { base } from './styles.js';

/**
 * The weekly report rolled up from the streets' reports (000 §4(1) 每周报送), for a district or the
 * city: a row per street with the sums of its venues, the total, and each street's own report after
 * it; a CSV the hub makes, and the street report's A4 print layout (a street per printed page).
 */
@customElement('oversight-report')
export class OversightReport extends LitElement {
  @property() week: string | undefined;

  private readonly i18n = new I18nController(this);
  private readonly report = new Resource(this, () => getJson<RolledUpReport>('/api/oversight/reports/weekly', { week: this._week() }));
  private readonly printPage = new PrintPageController(this, () => ({ title: t('ovReportTitle'), week: this._week() }));

  override willUpdate(changed: Map<string, unknown>): void {
    if (!this.hasUpdated || changed.has('week')) void this.report.run();
  }

  override render() {
    return html`<section class="panel">
      ${reportHead(t('ovReportTitle'), this._week(), 'streets-report', '/api/oversight/reports/weekly.csv')} ${this.report.render((r) => this._report(r))}
    </section>`;
  }

  private _report(r: RolledUpReport) {
    if (r.streets.length === 0) return html`<p class="muted">${t('ovNoStreets')}</p>`;
    const districts = new Set(r.streets.map((s) => s.districtId)).size;
    return html`<p class="period">${t('week')} ${r.week} · ${t('period')} ${weekRange(r.week).join(' – ')}</p>
      <section class="summary">
        <h3>${t('ovReportStreets')}</h3>
        <table data-testid="rollup-table">
          <thead><tr>
            <th>${t('ovStreet')}</th><th class="n">${t('ovVenues')}</th><th class="n">${t('admissions')}</th><th class="n">${t('refusals')}</th>
            <th class="n">${t('skippedRate')}</th><th>${t('flagsByRule')}</th><th class="n">${t('inspections')}</th><th class="n">${t('inspItemsFailed')}</th>
            <th class="n">${t('rectOpen')}</th><th class="n">${t('rectClosed')}</th><th class="n">${t('ovRepeatOffenders')}</th>
          </tr></thead>
          <tbody>${r.streets.map(
            (s) => html`<tr data-testid="rollup-street" data-street=${s.streetId}>
              ${this._cells(districts > 1 ? t('ovStreetDetail', { street: s.streetName, district: s.districtName }) : s.streetName, s.totals)}
            </tr>`,
          )}</tbody>
          <tfoot><tr data-testid="rollup-total">${this._cells(t('ovTotal'), r.totals)}</tr></tfoot>
        </table>
      </section>
      ${r.streets.map(
        (s) => html`<section class="street" data-testid="rollup-street-report" data-street=${s.streetId}>
          <h3>${s.streetName}${districts > 1 ? html` <span class="muted">${s.districtName}</span>` : nothing}</h3>
          ${s.rows.length === 0
            ? html`<p class="muted">${t('noReportRows')}</p>`
            : html`<table>
                <thead><tr>
                  <th>${t('community')}</th><th>${t('venue')}</th><th class="n">${t('admissions')}</th><th class="n">${t('refusals')}</th><th class="n">${t('skippedRate')}</th>
                  <th>${t('flagsByRule')}</th><th class="n">${t('inspections')}</th><th class="n">${t('rectOpen')}</th><th class="n">${t('rectClosed')}</th><th>${t('repeatOffender')}</th>
                </tr></thead>
                <tbody>${s.rows.map(
                  (row) => html`<tr data-testid="rollup-venue" data-venue=${row.venueId}>
                    <td>${row.communityName}</td><td><a href=${venueHref(row.venueId)}>${row.venueName}</a></td>
                    <td class="n">${num(row.admissions)}</td><td class="n">${num(row.refusals)}</td><td class="n">${pct(row.skippedRate)}</td>
                    <td>${this._rules(row.flagsByRule)}</td><td class="n">${num(row.inspections)}</td>
                    <td class="n">${num(row.rectificationsOpen)}</td><td class="n">${num(row.rectificationsClosed)}</td>
                    <td>${row.repeatOffender ? html`<strong class="hot">${t('yes')}</strong>` : t('no')}</td>
                  </tr>`,
                )}</tbody>
              </table>`}
        </section>`,
      )}`;
  }

  private _cells(name: string, s: WeeklyTotals) {
    return html`<td>${name}</td><td class="n">${num(s.venues)}</td><td class="n">${num(s.admissions)}</td><td class="n">${num(s.refusals)}</td>
      <td class="n">${pct(s.skippedRate)}</td><td>${this._rules(s.flagsByRule)}</td><td class="n">${num(s.inspections)}</td>
      <td class="n">${num(s.inspectionItemsFailed)}</td><td class="n">${num(s.rectificationsOpen)}</td><td class="n">${num(s.rectificationsClosed)}</td>
      <td class="n ${s.repeatOffenders > 0 ? 'hot' : ''}">${num(s.repeatOffenders)}</td>`;
  }

  private _rules(flags: WeeklyTotals['flagsByRule']) {
    const fired = Object.entries(flags).filter(([, n]) => (n ?? 0) > 0);
    return fired.length ? fired.map(([rule, n]) => html`<span class="rule">${label('rule', rule)} ${n}</span>`) : t('none');
  }

  private _week(): string {
    return this.week ?? lastFullWeek();
  }

  static override styles = [
    base,
    css`
      .head { justify-content: space-between; margin-bottom: 8px; }
      .head h2 { margin: 0; }
      a.button { border: 1px solid var(--line); border-radius: 4px; padding: 2px 8px; background: #f4f6f9; font-size: 13px; line-height: 20px; }
      table { table-layout: fixed; }
      th { white-space: normal; }
      .summary th:nth-child(6) { width: 24%; }
      .street th:nth-child(6) { width: 24%; }
      .rule { display: inline-block; margin-right: 8px; white-space: nowrap; font-size: 13px; }
      .hot { color: var(--violation); }
      .period { color: var(--muted); margin: 0 0 8px; }
      tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
      @media print {
        .panel { border: 0; padding: 0; }
        .controls { display: none; }
        a { color: inherit; }
        table { font-size: 10pt; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; }
        .street { break-inside: avoid; }
        h3 { break-after: avoid; }
        th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'oversight-report': OversightReport;
  }
}
