import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Inspection, InspectionItem } from '../../../shared/schemas/inspection.js';
import { getJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { inspectHref } from './router.js';
import { base } from './styles.js';

/**
 * A venue's on-site inspections (the inspection ledger, 000 §3), newest first:
 * when, who, which points failed and what the inspector noted, how many
 * rectifications each closed. On the venue page it leads to the checklist
 * (inspection-screen.ts) for the inspector standing at the venue.
 */
@customElement('inspection-list')
export class InspectionList extends LitElement {
  @property() venueId = '';
  /** Shows the way to the checklist (the venue page); the checklist's own screen leaves it out. */
  @property({ type: Boolean }) startLink = false;

  private readonly i18n = new I18nController(this);
  private readonly list = new Resource(this, () => getJson<{ items: Inspection[] }>(`/api/venues/${encodeURIComponent(this.venueId)}/inspections`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) void this.list.run();
  }

  override render() {
    return html`${this.startLink
        ? html`<div class="row"><a class="start" href=${inspectHref(this.venueId)} data-testid="inspection-start">${t('inspStart')}</a></div>`
        : nothing}
      ${this.list.render(({ items }) =>
        items.length === 0 ? html`<p class="muted" data-testid="inspection-none">${t('inspNone')}</p>` : html`<ul class="list">${items.map((i) => this._item(i))}</ul>`,
      )}`;
  }

  /** Reads the list again (after an inspection was filed). */
  reload(): Promise<void> {
    return this.list.run();
  }

  private _item(i: Inspection) {
    const notes = (Object.entries(i.items) as [InspectionItem, { note?: string }][]).filter(([, c]) => c.note);
    return html`<li data-testid="inspection" data-id=${i.id} data-failed=${i.failed.length}>
      <div class="when">${t('inspBy', { at: fmtDateTime(i.at), by: i.inspectorName ?? '—' })}</div>
      ${i.failed.length === 0
        ? html`<div><span class="chip s-clear">${t('inspAllPassed')}</span></div>`
        : html`<div class="failed" data-testid="inspection-failed">${t('inspFailedItems', { items: i.failed.map((f) => t(`insp_${f}`)).join('、') })}</div>`}
      ${notes.length ? html`<ul class="notes">${notes.map(([item, c]) => html`<li>${t('inspNoteLine', { item: t(`insp_${item}`), note: c.note ?? '' })}</li>`)}</ul>` : nothing}
      ${i.note ? html`<div class="muted">${i.note}</div>` : nothing}
      ${i.closed.length ? html`<div class="muted" data-testid="inspection-closed">${t('inspClosedFlags', { n: i.closed.length })}</div>` : nothing}
    </li>`;
  }

  static override styles = [
    base,
    css`
      a.start { display: inline-flex; align-items: center; min-height: 44px; padding: 0 14px; border-radius: 4px; background: var(--accent); color: #fff; }
      a.start:hover { text-decoration: none; background: #174a96; }
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
