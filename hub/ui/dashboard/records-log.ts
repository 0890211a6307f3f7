import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { LogRecord, RecordsPage } from '../../../shared/schemas/dashboard.js';
import { getJson } from './api.js';
import { CHECKS, checkText, orderedChecks } from './checks.js';
import { kioskNameText } from './evidence-text.js';
import { DEFAULT_OFFSET_MIN, kioskClock, venueInstant } from './format.js';
import { I18nController, label, reasonText, t } from './i18n.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

const PAGE_SIZE = 50;

/** A venue's entrance log for one day, filtered and paginated by the hub. */
@customElement('records-log')
export class RecordsLog extends LitElement {
  @property() venueId = '';
  @property() date = '';
  @property({ type: Number }) offsetMinutes = DEFAULT_OFFSET_MIN;
  /** A record id to highlight (clicked in a flag's evidence). */
  @property() highlight: string | undefined;

  @state() private fromTime = '00:00';
  @state() private toTime = '23:59';
  @state() private outcome = '';
  @state() private check = '';
  @state() private skipped = '';
  @state() private page = 1;

  private readonly i18n = new I18nController(this);
  private readonly records = new Resource(this, () => {
    const from = venueInstant(this.date, this.fromTime, this.offsetMinutes);
    const to = venueInstant(this.date, this.toTime, this.offsetMinutes) + 59_999;
    return getJson<RecordsPage>(`/api/venues/${encodeURIComponent(this.venueId)}/records`, {
      from,
      to,
      outcome: this.outcome,
      check: this.check,
      skipped: this.skipped,
      page: this.page,
      pageSize: PAGE_SIZE,
    });
  });

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') || changed.has('date')) this.page = 1;
    const keys = ['venueId', 'date', 'fromTime', 'toTime', 'outcome', 'check', 'skipped', 'page'];
    if (this.venueId && this.date && keys.some((k) => changed.has(k))) void this.records.run();
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('highlight') && this.highlight) this.renderRoot.querySelector('tr.hl')?.scrollIntoView({ block: 'center' });
  }

  override render() {
    const set = (k: 'fromTime' | 'toTime' | 'outcome' | 'check' | 'skipped') => (e: Event) => {
      this[k] = (e.target as HTMLInputElement | HTMLSelectElement).value;
      this.page = 1;
    };
    return html`<div class="filters row">
        <label>${t('from')} <input type="time" .value=${this.fromTime} @change=${set('fromTime')} data-testid="filter-from" /></label>
        <label>${t('to')} <input type="time" .value=${this.toTime} @change=${set('toTime')} data-testid="filter-to" /></label>
        <label>${t('outcome')}
          <select data-testid="filter-outcome" @change=${set('outcome')}>
            <option value="" ?selected=${this.outcome === ''}>${t('all')}</option>
            <option value="admit" ?selected=${this.outcome === 'admit'}>${label('out', 'admit')}</option>
            <option value="refuse" ?selected=${this.outcome === 'refuse'}>${label('out', 'refuse')}</option>
          </select></label>
        <label>${t('skippedCheck')}
          <select data-testid="filter-check" @change=${set('check')}>
            <option value="" ?selected=${this.check === ''}>${t('all')}</option>
            ${CHECKS.map((c) => html`<option value=${c} ?selected=${this.check === c}>${label('check', c)}</option>`)}
          </select></label>
        <label>${t('skippedOnly')}
          <select data-testid="filter-skipped" @change=${set('skipped')}>
            <option value="" ?selected=${this.skipped === ''}>${t('all')}</option>
            <option value="true" ?selected=${this.skipped === 'true'}>${t('skippedOnly')}</option>
            <option value="false" ?selected=${this.skipped === 'false'}>${t('notSkipped')}</option>
          </select></label>
        ${this.records.loading ? html`<span class="muted">${t('loading')}</span>` : nothing}
      </div>
      ${this.records.render((p) => this._table(p))}`;
  }

  private _table(p: RecordsPage) {
    const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
    const onPage = this.highlight ? p.items.some((r) => r.id === this.highlight) : true;
    return html`${onPage ? nothing : html`<p class="muted" data-testid="record-not-on-page">${t('recordNotOnPage')}: ${this.highlight}</p>`}
      <div class="scroll"><table data-testid="records-table" data-total=${p.total}>
        <thead><tr>
          <th>${t('time')}</th><th>${t('outcome')}</th><th>${t('checks')}</th><th>${t('reasons')}</th>
          <th>${t('operator')}</th><th>${t('entranceKiosk')}</th><th class="wide">${t('pass')}</th>
        </tr></thead>
        <tbody>
          ${p.items.length === 0 ? html`<tr><td colspan="7" class="muted">${t('noRecords')}</td></tr>` : p.items.map((r) => this._row(r))}
        </tbody>
      </table></div>
      <div class="pager row">
        <button class="small" data-testid="page-prev" ?disabled=${p.page <= 1} @click=${() => (this.page = p.page - 1)}>${t('prev')}</button>
        <span data-testid="page-info">${t('pageOf', { p: p.page, n: pages })} · ${t('total', { n: p.total })}</span>
        <button class="small" data-testid="page-next" ?disabled=${p.page >= pages} @click=${() => (this.page = p.page + 1)}>${t('next')}</button>
      </div>`;
  }

  private _row(r: LogRecord) {
    const names = orderedChecks(Object.keys(r.checks));
    return html`<tr data-testid="record-row" data-record-id=${r.id} data-outcome=${r.decision} data-skipped=${r.skipped.join(',')}
      class="${r.id === this.highlight ? 'hl' : ''} ${r.correctedBy ? 'undone' : ''}">
      <td class="time" title=${r.kioskTime}>${kioskClock(r.kioskTime)}</td>
      <td><span class="chip ${r.decision === 'admit' ? 's-clear' : 's-violation'}">${label('out', r.decision)}</span>
        ${r.correctedBy ? html`<span class="chip">${t('undone')}</span>` : nothing}</td>
      <td class="checks">${names.map((n) => checkText(n, r.checks[n]))}</td>
      <td>${r.reasons.map((c) => reasonText(c)).join('；')}</td>
      <td class="who" title=${r.operatorId ?? ''} data-testid="record-operator">${r.operatorName ?? (r.operatorId ? t('ev_unknownStaff') : '—')}</td>
      <td class="who" title=${r.kioskId} data-testid="record-kiosk">${kioskNameText(r.kiosk)}</td>
      <td class="id wide">${r.passId ?? ''}</td>
    </tr>`;
  }

  static override styles = [
    base,
    css`
      .filters { margin-bottom: 8px; }
      .filters label { color: var(--muted); font-size: 13px; }
      .time { font-variant-numeric: tabular-nums; white-space: nowrap; }
      .checks span { display: inline-block; margin-right: 10px; white-space: nowrap; }
      .checks small { color: var(--muted); font-size: 12px; }
      .checks .skip, .checks .skip small { color: var(--violation); font-weight: 600; }
      .id { white-space: nowrap; font-size: 12px; color: var(--muted); }
      .who { white-space: nowrap; }
      .checks .bad { color: var(--warning); }
      tr.hl td { background: #fff3c4; }
      tr.undone td { color: var(--muted); text-decoration: line-through; }
      .pager { margin-top: 8px; justify-content: flex-end; }
      .scroll { overflow-x: auto; }
      @media (max-width: 1000px) { .wide { display: none; } .id { white-space: normal; } }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'records-log': RecordsLog;
  }
}
