import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Inspection } from '../../../shared/schemas/inspection.js';
import { getJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { base } from './styles.js';
import './inspection-form.js';

/**
 * A venue's on-site inspections (the inspection ledger, 000 §3), newest first:
 * when, who, which points failed and what the inspector noted, how many
 * rectifications each closed; and the button that opens the checklist
 * (inspection-form.ts) for the inspector standing at the venue.
 */
@customElement('inspection-list')
export class InspectionList extends LitElement {
  @property() venueId = '';

  @state() private filling = false;
  @state() private saved: Inspection | undefined;

  private readonly i18n = new I18nController(this);
  private readonly list = new Resource(this, () => getJson<{ items: Inspection[] }>(`/api/venues/${encodeURIComponent(this.venueId)}/inspections`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) {
      this.filling = false;
      this.saved = undefined;
      void this.list.run();
    }
  }

  override render() {
    return html`<div class="row">
        <button class=${this.filling ? '' : 'primary'} data-testid="inspection-start" aria-expanded=${this.filling} @click=${this._toggle}>${t('inspStart')}</button>
      </div>
      ${this.saved ? html`<p class="saved" role="status" data-testid="inspection-saved">${t('inspSaved', { at: fmtDateTime(this.saved.at) })}</p>` : nothing}
      ${this.filling
        ? html`<inspection-form .venueId=${this.venueId} @inspection-saved=${this._saved} @inspection-cancel=${() => (this.filling = false)}></inspection-form>`
        : nothing}
      ${this.list.render(({ items }) =>
        items.length === 0 ? html`<p class="muted" data-testid="inspection-none">${t('inspNone')}</p>` : html`<ul class="list">${items.map((i) => this._item(i))}</ul>`,
      )}`;
  }

  private _item(i: Inspection) {
    const notes = Object.entries(i.items).filter(([, c]) => c.note);
    return html`<li data-testid="inspection" data-id=${i.id} data-failed=${i.failed.length}>
      <div class="when">${t('inspBy', { at: fmtDateTime(i.at), by: i.inspectorName ?? '—' })}</div>
      ${i.failed.length === 0
        ? html`<div><span class="chip s-clear">${t('inspAllPassed')}</span></div>`
        : html`<div class="failed" data-testid="inspection-failed">${t('inspFailedItems', { items: i.failed.map((f) => t(`insp_${f}`)).join('、') })}</div>`}
      ${notes.length ? html`<ul class="notes">${notes.map(([item, c]) => html`<li>${t(`insp_${item as Inspection['failed'][number]}`)}：${c.note}</li>`)}</ul>` : nothing}
      ${i.note ? html`<div class="muted">${i.note}</div>` : nothing}
      ${i.closed.length ? html`<div class="muted" data-testid="inspection-closed">${t('inspClosedFlags', { n: i.closed.length })}</div>` : nothing}
    </li>`;
  }

  private _toggle() {
    this.filling = !this.filling;
    this.saved = undefined;
  }

  private _saved(e: CustomEvent<Inspection>) {
    this.filling = false;
    this.saved = e.detail;
    void this.list.run();
    this.renderRoot.querySelector('[data-testid="inspection-start"]')?.scrollIntoView({ block: 'nearest' });
  }

  static override styles = [
    base,
    css`
      .row button { min-height: 44px; }
      .saved { margin: 8px 0 0; padding: 6px 8px; border-radius: 4px; background: #e8f5e9; color: #1b5e20; }
      ul.list { list-style: none; margin: 8px 0 0; padding: 0; display: grid; gap: 8px; }
      ul.list > li { border-top: 1px solid var(--line); padding-top: 6px; display: grid; gap: 4px; min-width: 0; overflow-wrap: anywhere; }
      .when { font-weight: 600; }
      .failed { color: var(--violation); }
      ul.notes { margin: 0; padding-left: 18px; font-size: 13px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'inspection-list': InspectionList;
  }
}
