import { LitElement, css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { WeeklyReport, WeeklyReportRow } from '../../../shared/schemas/dashboard.js';
import { getJson, withQuery } from './api.js';
import { lastFullWeek, num, pct, shiftWeek, weekRange } from './format.js';
import { currentLang, I18nController, label, t } from './i18n.js';
import { Resource } from './resource.js';
import { replaceHash, routeHref, venueHref } from './router.js';
import { base } from './styles.js';

export const PAGE_STYLE_ID = 'report-print-page';

/** @page rules only work from the document's own style sheets, not from a shadow root's. */
export function printPageStyle(): HTMLStyleElement {
  let style = document.getElementById(PAGE_STYLE_ID) as HTMLStyleElement | null;
  if (!style) {
    style = document.createElement('style');
    style.id = PAGE_STYLE_ID;
    document.head.append(style);
  }
  return style;
}

/** A CSS string literal: the title and week come from the dictionaries and a validated week, escaped all the same. */
const cssString = (s: string) => `"${s.replace(/["\\\n]/g, (c) => (c === '\n' ? ' ' : `\\${c}`))}"`;

/**
 * Every printed A4 page repeats the title and the week at its head and its number at its foot
 * (CSS paged media margin boxes); `pageOf` is the dictionary's "page {p} of {n}".
 */
export function pageRule(title: string, week: string, pageOf: string): string {
  const [before, between, after] = pageOf.split(/\{p\}|\{n\}/);
  return `@media print {
  @page {
    size: A4;
    margin: 18mm 12mm 16mm;
    @top-left { content: ${cssString(title)}; font: 10pt sans-serif; }
    @top-right { content: ${cssString(week)}; font: 10pt sans-serif; }
    @bottom-center { content: ${cssString(before ?? '')} counter(page) ${cssString(between ?? '')} counter(pages) ${cssString(after ?? '')}; font: 9pt sans-serif; }
  }
}`;
}

/**
 * Keeps the document's A4 page rule (`pageRule`) in step with a report element: written again after
 * every render (a new week, a new language), removed when the element leaves the page.
 */
export class PrintPageController implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly head: () => { title: string; week: string },
  ) {
    host.addController(this);
  }
  hostUpdated(): void {
    const { title, week } = this.head();
    printPageStyle().textContent = pageRule(title, week, t('pageOf'));
  }
  hostDisconnected(): void {
    document.getElementById(PAGE_STYLE_ID)?.remove();
  }
}

/**
 * The weekly report to the street's special-task office (每周报送一次, 000 §4):
 * one table per community, a CSV the hub makes, and a print layout for A4.
 */
/**
 * A weekly report's head: its title, the week (back, pick, forward up to the last full week), the
 * CSV the hub makes for it and print. The street's report and the one rolled up from the streets'
 * (oversight-report.ts) share it.
 */
export function reportHead(title: string, week: string, route: 'reports' | 'streets-report', csvPath: string) {
  const go = (w: string) => replaceHash(routeHref(route, { week: w }));
  return html`<div class="row head">
    <h2>${title}</h2>
    <div class="row controls">
      <button class="small" data-testid="week-prev" @click=${() => go(shiftWeek(week, -1))}>◀ ${t('prevWeek')}</button>
      <input type="week" .value=${week} data-testid="report-week" aria-label=${t('reportWeek')} @change=${(e: Event) => {
        const v = (e.target as HTMLInputElement).value;
        if (/^\d{4}-W\d{2}$/.test(v)) go(v);
      }} />
      <button class="small" data-testid="week-next" ?disabled=${week >= lastFullWeek()} @click=${() => go(shiftWeek(week, 1))}>${t('nextWeek')} ▶</button>
      <a class="button" href=${withQuery(csvPath, { week, lang: currentLang() })} download data-testid="report-csv">${t('downloadCsv')}</a>
      <button class="small" data-testid="report-print" @click=${() => window.print()}>${t('print')}</button>
    </div>
  </div>`;
}

@customElement('report-screen')
export class ReportScreen extends LitElement {
  @property() week: string | undefined;

  private readonly i18n = new I18nController(this);
  private readonly report = new Resource(this, () => getJson<WeeklyReport>('/api/reports/weekly', { week: this._week() }));
  private readonly printPage = new PrintPageController(this, () => ({ title: t('reportTitle'), week: this._week() }));

  override willUpdate(changed: Map<string, unknown>): void {
    if (!this.hasUpdated || changed.has('week')) void this.report.run();
  }

  override render() {
    return html`<section class="panel">
      ${reportHead(t('reportTitle'), this._week(), 'reports', '/api/reports/weekly.csv')} ${this.report.render((r) => this._report(r))}
    </section>`;
  }

  private _report(r: WeeklyReport) {
    if (r.rows.length === 0) return html`<p class="muted">${t('noReportRows')}</p>`;
    const communities = new Map<string, WeeklyReportRow[]>();
    for (const row of r.rows) communities.set(row.communityName, [...(communities.get(row.communityName) ?? []), row]);
    return html`<p class="period">${t('week')} ${r.week} · ${t('period')} ${weekRange(r.week).join(' – ')}</p>
      <p class="period" data-testid="report-inspections">${t('inspWeekSummary', {
        inspections: num(r.rows.reduce((n, row) => n + row.inspections, 0)),
        venues: num(r.rows.filter((row) => row.inspections > 0).length),
        failed: num(r.rows.reduce((n, row) => n + row.inspectionItemsFailed, 0)),
      })}</p>
      ${[...communities].map(
        ([name, rows]) => html`<section class="community" data-testid="report-community">
          <h3>${name}</h3>
          <table data-testid="report-table">
            <thead><tr>
              <th>${t('venue')}</th><th class="n">${t('admissions')}</th><th class="n">${t('refusals')}</th><th class="n">${t('skippedRate')}</th>
              <th>${t('flagsByRule')}</th><th class="n">${t('inspections')}</th><th class="n">${t('inspItemsFailed')}</th><th class="n">${t('rectOpen')}</th>
              <th class="n">${t('rectClosed')}</th><th>${t('repeatOffender')}</th>
            </tr></thead>
            <tbody>${rows.map((row) => this._row(row))}</tbody>
          </table>
        </section>`,
      )}`;
  }

  private _row(r: WeeklyReportRow) {
    const flags = Object.entries(r.flagsByRule).filter(([, n]) => (n ?? 0) > 0);
    return html`<tr data-testid="report-row" data-venue=${r.venueId}>
      <td><a href=${venueHref(r.venueId)}>${r.venueName}</a></td>
      <td class="n">${num(r.admissions)}</td>
      <td class="n">${num(r.refusals)}</td>
      <td class="n">${pct(r.skippedRate)}</td>
      <td>${flags.length ? flags.map(([rule, n]) => html`<span class="rule">${label('rule', rule)} ${n}</span>`) : t('none')}</td>
      <td class="n">${num(r.inspections)}</td>
      <td class="n">${num(r.inspectionItemsFailed)}</td>
      <td class="n">${num(r.rectificationsOpen)}</td>
      <td class="n">${num(r.rectificationsClosed)}</td>
      <td>${r.repeatOffender ? html`<strong class="hot">${t('yes')}</strong>` : t('no')}</td>
    </tr>`;
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
      th:first-child { width: 18%; }
      th:nth-child(5) { width: 24%; }
      th { white-space: normal; }
      .rule { display: inline-block; margin-right: 8px; white-space: nowrap; font-size: 13px; }
      .hot { color: var(--violation); }
      .period { color: var(--muted); margin: 0 0 8px; }
      @media print {
        .panel { border: 0; padding: 0; }
        .controls { display: none; }
        a { color: inherit; }
        table { font-size: 10pt; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; }
        .community + .community { break-before: page; }
        th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'report-screen': ReportScreen;
  }
}
