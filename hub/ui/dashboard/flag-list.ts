import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import { getJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { fmtDate, fmtDateTime } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { onFlag, upsertFlag } from './live.js';
import { Resource } from './resource.js';
import { venueHref } from './router.js';
import { windowText } from './evidence-text.js';
import { base } from './styles.js';
import './flag-detail.js';

/**
 * Flags in a table (a venue's history, or the street's list) with the chosen
 * one opened beside it. New and changed flags arrive live.
 */
@customElement('flag-list')
export class FlagList extends LitElement {
  /** One venue's flags; undefined for every flag the account may see. */
  @property() venueId: string | undefined;
  /** Only these statuses; undefined for all. */
  @property({ attribute: false }) statuses: string[] | undefined;
  @property({ type: Number }) selected: number | undefined;

  private readonly i18n = new I18nController(this);
  private readonly flags = new Resource(this, () =>
    getJson<{ items: Flag[] }>('/api/flags', { venueId: this.venueId, status: this.statuses?.join(','), limit: 100 }).then((r) => r.items),
  );
  private unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onFlag((f) => this._upsert(f));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (!this.hasUpdated || changed.has('venueId') || changed.has('statuses')) void this.flags.run();
  }

  override render() {
    return html`<div class="split ${this.selected ? 'open' : ''}">
      <div>${this.flags.render((items) => (items.length === 0 ? html`<p class="muted">${t('noFlags')}</p>` : this._table(items)))}</div>
      ${this.selected
        ? html`<flag-detail .flagId=${this.selected} @flag-updated=${(e: CustomEvent<Flag>) => this._upsert(e.detail)}></flag-detail>`
        : nothing}
    </div>`;
  }

  private _table(items: Flag[]) {
    return html`<div class="scroll"><table data-testid="flag-table">
      <thead><tr>
        <th>${t('openedAt')}</th>${this.venueId ? nothing : html`<th>${t('venue')}</th>`}<th>${t('rule')}</th><th>${t('window')}</th>
        <th class="narrow-hide">${t('severity')}</th><th>${t('status')}</th><th class="narrow-hide">${t('deadline')}</th>
      </tr></thead>
      <tbody>
        ${items.map(
          (f) => html`<tr data-testid="flag-row" data-flag-id=${f.id} data-rule=${f.rule} data-status=${f.status}
            class=${f.id === this.selected ? 'sel' : ''} @click=${() => fireEvent(this, 'flag-select', { id: f.id })}>
            <td class="nowrap">${fmtDateTime(f.openedAt)}</td>
            ${this.venueId ? nothing : html`<td><a href=${venueHref(f.venueId, { flag: f.id })} @click=${(e: Event) => e.stopPropagation()}>${f.venueName}</a></td>`}
            <td><button class="link" data-testid="flag-open">${label('rule', f.rule)}</button></td>
            <td class="muted">${windowText(f.windowKey)}</td>
            <td class="narrow-hide"><span class="chip s-${f.severity}">${label('sev', f.severity)}</span></td>
            <td><span class="chip s-${f.status}">${label('flag', f.status)}</span></td>
            <td class="nowrap narrow-hide">${f.deadline ? fmtDate(f.deadline) : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  private _upsert(f: Flag) {
    if (this.venueId && f.venueId !== this.venueId) return;
    const list = this.flags.value;
    if (!list) return;
    const next = upsertFlag(list, f);
    // A flag that left the statuses shown stays while it is open beside the list.
    this.flags.value = this.statuses ? next.filter((x) => this.statuses!.includes(x.status) || x.id === this.selected) : next;
    this.requestUpdate();
  }

  static override styles = [
    base,
    css`
      .split.open { display: grid; grid-template-columns: minmax(0, 1fr) minmax(340px, 42%); gap: 12px; align-items: start; }
      tbody tr { cursor: pointer; }
      tbody tr:hover td { background: #f4f7fb; }
      tr.sel td { background: #e3eefc; }
      .nowrap { white-space: nowrap; }
      /* minmax(0, …): a wide table or evidence never widens the page past a phone's width. */
      @media (max-width: 1000px) { .split.open { grid-template-columns: minmax(0, 1fr); } }
      .split > * { min-width: 0; }
      .scroll { overflow-x: auto; }
      /* Names and rules keep whole words: a narrow column scrolls rather than stacking characters. */
      td button.link { white-space: nowrap; }
      td a { display: inline-block; min-width: 5em; }
      @media (max-width: 640px) { .narrow-hide { display: none; } }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'flag-list': FlagList;
  }
}
