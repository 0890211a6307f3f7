import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { skippedChecks } from '../../../shared/schemas/checks.js';
import { correctedIds } from '../../../shared/rules/occupancy.js';
import type { StoredRecord } from '../db.js';
import { venueClock } from '../venue-time.js';
import { I18nController, t, tMaybe } from '../i18n.js';

type Filter = 'all' | 'refused' | 'skipped' | 'pending' | 'rejected';
const SHOWN = 300;

/** Today at this door: every record with its sync state, filters, counts and storage status. */
@customElement('today-screen')
export class TodayScreen extends LitElement {
  @property({ attribute: false }) records: StoredRecord[] = [];
  /** The venue's zone: times read as the hub and the inspectors read them. */
  @property({ type: Number }) utcOffsetMinutes = 480;

  @state() private filter: Filter = 'all';
  @state() private storage: { persisted: boolean; usedMb: number; quotaMb: number } | undefined;

  private readonly i18n = new I18nController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    void this._storage();
  }

  override render() {
    const undone = correctedIds(this.records.map((r) => r.record));
    const matches = (r: StoredRecord) => {
      const rec = r.record;
      switch (this.filter) {
        case 'refused':
          return rec.type === 'entrance' && rec.decision === 'refuse';
        case 'skipped':
          return rec.type === 'entrance' && skippedChecks(rec.checks).length > 0;
        case 'pending':
          return r.sync === 'pending';
        case 'rejected':
          return r.sync === 'rejected';
        default:
          return true;
      }
    };
    const entrances = this.records.flatMap((r) => (r.record.type === 'entrance' && !undone.has(r.id) ? [r.record] : []));
    const counts = {
      admitted: entrances.filter((r) => r.decision === 'admit').length,
      refused: entrances.filter((r) => r.decision === 'refuse').length,
      skipped: entrances.filter((r) => skippedChecks(r.checks).length > 0).length,
      pending: this.records.filter((r) => r.sync === 'pending').length,
      rejected: this.records.filter((r) => r.sync === 'rejected').length,
    };
    const rows = this.records.filter(matches).reverse().slice(0, SHOWN);
    const f = (v: Filter, n?: number) =>
      html`<button data-testid="filter-${v}" aria-pressed=${this.filter === v} @click=${() => (this.filter = v)}>
        ${t(`filter_${v}`)}${n === undefined ? '' : ` (${n})`}
      </button>`;
    return html`<dl class="counts" data-testid="today-counts">
        <div><dt>${t('admit')}</dt><dd>${counts.admitted}</dd></div>
        <div><dt>${t('refuse')}</dt><dd>${counts.refused}</dd></div>
        <div><dt>${t('filter_skipped')}</dt><dd>${counts.skipped}</dd></div>
        <div><dt>${t('pending')}</dt><dd>${counts.pending}</dd></div>
      </dl>
      <div class="filters">
        ${f('all', this.records.length)}${f('refused', counts.refused)}${f('skipped', counts.skipped)}${f('pending', counts.pending)}${f('rejected', counts.rejected)}
      </div>
      <ol data-testid="today-list">
        ${rows.map((r) => this._row(r, undone.has(r.id)))}
      </ol>
      ${this.storage
        ? html`<p class="storage" data-testid="storage">
            ${this.storage.persisted ? t('storagePersisted') : t('storageNotPersisted')} ·
            ${t('storageUsed')} ${this.storage.usedMb.toFixed(1)} MB / ${this.storage.quotaMb.toFixed(0)} MB
          </p>`
        : nothing}`;
  }

  private _row(r: StoredRecord, undone: boolean) {
    const rec = r.record;
    const time = venueClock(rec.kioskTime, this.utcOffsetMinutes);
    let what: string;
    if (rec.type === 'entrance') {
      const skipped = skippedChecks(rec.checks);
      what = `${t(rec.decision)}${rec.reasons.length ? ` (${rec.reasons.map((x) => tMaybe(`reason_${x}`)).join('、')})` : ''}${
        skipped.length ? ` · ${t('filter_skipped')}: ${skipped.map((s) => tMaybe(s)).join('、')}` : ''
      }${rec.pass ? ` · ${t('passTitle')} ${rec.pass.code} ${t('passPerson').replace('{i}', String(rec.pass.person + 1)).replace('{n}', String(rec.pass.people))}` : ''}`;
    } else if (rec.type === 'occupancy') {
      what = `${tMaybe(`occ_${rec.kind}`)} ${rec.count}${rec.pass ? ` · ${t('passTitle')} ${rec.pass.code}` : ''}`;
    } else {
      what = tMaybe(`type_${rec.type}`);
    }
    return html`<li class="${r.sync} ${undone ? 'undone' : ''}" data-sync=${r.sync}>
      <span class="seq">#${r.seq}</span> <span>${time}</span> <span class="what">${what}${undone ? ` · ${t('undone')}` : ''}</span>
      <span class="state">${t(r.sync)}</span>
      ${r.error ? html`<em>${r.error.field ?? ''}: ${r.error.message}</em>` : nothing}
    </li>`;
  }

  private async _storage() {
    if (!navigator.storage?.estimate) return;
    const [persisted, est] = await Promise.all([navigator.storage.persisted?.() ?? false, navigator.storage.estimate()]);
    this.storage = { persisted, usedMb: (est.usage ?? 0) / 1e6, quotaMb: (est.quota ?? 0) / 1e6 };
  }

  static override styles = css`
    :host { display: grid; gap: 0.8rem; }
    .counts { display: flex; gap: 1.5rem; margin: 0; }
    .counts div { display: flex; flex-direction: column; }
    .counts dt { font-size: 0.95rem; color: #52606d; }
    .counts dd { margin: 0; font-size: 2rem; font-weight: 700; }
    .filters { display: flex; flex-wrap: wrap; gap: 0.5rem; }
    .filters button { min-height: 2.8rem; padding: 0 1rem; font-size: 1rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; }
    .filters button[aria-pressed='true'] { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
    ol { list-style: none; margin: 0; padding: 0; }
    li { display: flex; flex-wrap: wrap; gap: 0.6rem; padding: 0.45rem 0; border-bottom: 1px solid #e4e7eb; font-size: 1rem; }
    li .what { flex: 1; }
    li.pending .state { color: #b45309; font-weight: 700; }
    li.rejected { color: #b91c1c; }
    li.undone .what { text-decoration: line-through; }
    em { width: 100%; font-size: 0.9rem; }
    .storage { color: #52606d; font-size: 0.95rem; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'today-screen': TodayScreen;
  }
}
