import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { customElement } from 'lit/decorators.js';
import type { OversightOverview, StreetFigures, StreetRanking } from '../../../shared/schemas/oversight.js';
import { getJson } from './api.js';
import { fmtDateTime, num, pct, todayIso } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { Resource } from './resource.js';
import { routeHref } from './router.js';
import { base } from './styles.js';
import './venue-spark.js';

/** The small charts' width: two of them beside eight figures in a row at 1024 px. */
const SPARK = 84;
/** The figures move with the doors: the table is re-read this often. */
const POLL_MS = 30_000;

/**
 * The district's or the city's home (docs/district-guide.md): each street it oversees as one row of
 * the street overview one level up (doors online, admissions today with the same small charts of
 * today's hours and the week's days, scan rate, open flags, overdue rectifications, joint
 * enforcement, ledgers kept), beside the ranking of streets.
 */
@customElement('oversight-screen')
export class OversightScreen extends LitElement {
  private readonly i18n = new I18nController(this);
  private readonly overview = new Resource(this, () => getJson<OversightOverview>('/api/oversight'));
  private readonly ranking = new Resource(this, () => getJson<StreetRanking>('/api/oversight/ranking', { date: todayIso() }));
  private pollTimer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.overview.run();
    void this.ranking.run();
    this.pollTimer = setInterval(() => void this.overview.run(), POLL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.pollTimer);
  }

  override render() {
    return html`<div class="layout">
      <section class="panel board">
        <h2>${t('ovTitle')} ${this.overview.value ? html`<span class="muted at">${fmtDateTime(this.overview.value.at)}</span>` : nothing}
          <a class="report" href=${routeHref('streets-report')} data-testid="oversight-report-link">${t('navOversightReport')} ›</a></h2>
        ${this.overview.render((o) => this._table(o))}
      </section>
      <aside class="panel side">
        <h2>${t('ovRanking')}</h2>
        <p class="muted hint">${t('ovRankingHint')}</p>
        ${this.ranking.render((r) => this._ranking(r))}
      </aside>
    </div>`;
  }

  private _table(o: OversightOverview) {
    if (o.streets.length === 0) return html`<p class="muted">${t('ovNoStreets')}</p>`;
    const districts = new Set(o.streets.map((s) => s.districtId)).size;
    const sum = (f: (s: StreetFigures) => number) => o.streets.reduce((n, s) => n + f(s), 0);
    return html`<table data-testid="oversight-table">
      <thead><tr>
        <th>${t('ovStreet')}</th>
        <th class="n" title=${t('ovDoorsHint')}>${t('ovDoors')}</th>
        <th class="n">${t('ovAdmissionsToday')}</th>
        <th class="n" title=${t('ovScanRateHint')}>${t('ovScanRate')}</th>
        <th class="n" title=${t('ovFlagsHint')}>${t('ovFlags')}</th>
        <th class="n">${t('ovOverdue')}</th>
        <th class="n">${t('ovJoint')}</th>
        <th class="n" title=${t('ovLedgersHint')}>${t('ovLedgers')}</th>
        <th>${t('sparkHead')}</th>
      </tr></thead>
      <tbody>${o.streets.map((s) => this._row(s, districts > 1))}</tbody>
      <tfoot><tr data-testid="oversight-total">
        <th>${t('ovTotal')}</th>
        <td class="n">${num(sum((s) => s.doorsOnline))} / ${num(sum((s) => s.doors))}</td>
        <td class="n">${num(sum((s) => s.admissionsToday))}</td>
        <td class="n">${sum((s) => s.admissions7) > 0 ? num(sum((s) => s.scans7) / sum((s) => s.admissions7), 2) : '—'}</td>
        <td class="n">${num(sum((s) => s.openFlags.reduce((n, f) => n + f.n, 0)))}</td>
        <td class="n">${num(sum((s) => s.overdueRectifications))}</td>
        <td class="n">${num(sum((s) => s.jointEnforcement))}</td>
        <td class="n">${num(sum((s) => s.ledgersKept))} / ${num(sum((s) => s.venues))}</td>
        <td></td>
      </tr></tfoot>
    </table>`;
  }

  private _row(s: StreetFigures, showDistrict: boolean) {
    const bySeverity = (sev: string) => s.openFlags.filter((f) => f.severity === sev).reduce((n, f) => n + f.n, 0);
    const flagTitle = s.openFlags.map((f) => `${label('rule', f.rule)} · ${label('sev', f.severity)} ${f.n}`).join('\n');
    const offline = s.doors - s.doorsOnline;
    return html`<tr data-testid="oversight-street" data-street=${s.streetId}>
      <td class="name" title="${s.districtName} · ${t('ovVenues')} ${s.venues}">${s.streetName}${showDistrict ? html` <span class="muted district">${s.districtName}</span>` : nothing}</td>
      <td class="n ${offline > 0 ? 'warn' : ''}" data-testid="doors">${num(s.doorsOnline)} / ${num(s.doors)}</td>
      <td class="n" data-testid="admissions-today">${num(s.admissionsToday)}</td>
      <td class="n ${s.scansPerAdmission !== null && s.scansPerAdmission < 0.8 ? 'hot' : ''}" data-testid="scan-rate">${num(s.scansPerAdmission, 2)}</td>
      <td class="n flags" title=${flagTitle} data-testid="open-flags">
        <span class="chip s-violation">${bySeverity('violation')}</span><span class="chip s-warning">${bySeverity('warning')}</span><span class="chip s-info">${bySeverity('info')}</span>
      </td>
      <td class="n ${s.overdueRectifications > 0 ? 'hot' : ''}" data-testid="overdue">${num(s.overdueRectifications)}</td>
      <td class="n ${s.jointEnforcement > 0 ? 'hot' : ''}" data-testid="joint">${num(s.jointEnforcement)}</td>
      <td class="n" data-testid="ledgers">${num(s.ledgersKept)} / ${num(s.venues)}</td>
      <td class="sparks">
        <venue-spark unit="hour" width=${SPARK} .admissions=${s.hours.admissions} .flags=${s.hours.flags}></venue-spark>
        <venue-spark unit="day" width=${SPARK} .admissions=${s.days.admissions} .flags=${s.days.flags}></venue-spark>
      </td>
    </tr>`;
  }

  private _ranking(r: StreetRanking) {
    return html`<table class="rank" data-testid="street-ranking">
      <thead><tr><th class="no"></th><th>${t('ovStreet')}</th><th class="n pc">${t('ovSkipped')}</th><th class="n sr">${t('ovScanRate')}</th></tr></thead>
      <tbody>${r.rows.map(
        (row, i) => html`<tr data-testid="street-rank" data-street=${row.streetId}>
          <td class="muted">${i + 1}</td><td class="rname" title=${row.streetName}>${row.streetName}</td>
          <td class="n ${row.skippedRate > 0 ? 'hot' : ''}">${pct(row.skippedRate)}</td><td class="n">${num(row.scansPerAdmission, 2)}</td>
        </tr>`,
      )}</tbody>
    </table>`;
  }

  static override styles = [
    base,
    css`
      .layout { display: grid; grid-template-columns: minmax(0, 1fr) 220px; gap: 10px; align-items: start; }
      .panel { padding: 10px; }
      .at { font-size: 12px; font-weight: normal; }
      h2 .report { float: right; font-size: 13px; font-weight: normal; }
      th, td { padding: 2px 4px; vertical-align: middle; white-space: nowrap; }
      th { font-size: 12px; white-space: normal; line-height: 14px; }
      td.name { max-width: 150px; overflow: hidden; text-overflow: ellipsis; }
      .district { font-size: 12px; }
      .hot { color: var(--violation); font-weight: 600; }
      .warn { color: var(--offline); font-weight: 600; }
      .flags .chip { margin-left: 2px; min-width: 12px; text-align: center; padding: 0 4px; line-height: 18px; }
      .sparks { width: ${unsafeCSS(SPARK * 2 + 6)}px; line-height: 0; }
      venue-spark + venue-spark { margin-left: 4px; }
      tfoot th, tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
      .hint { font-size: 12px; margin: 0 0 6px; }
      .rank { table-layout: fixed; }
      .rank .no { width: 18px; }
      .rank .pc { width: 56px; }
      .rank .sr { width: 38px; }
      .rank td { font-size: 13px; padding: 3px 4px; }
      .rank td.rname { overflow: hidden; text-overflow: ellipsis; font-weight: 600; }
      @media (max-width: 1000px) {
        .layout { grid-template-columns: 1fr; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'oversight-screen': OversightScreen;
  }
}
