import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Inspection } from '../../../shared/schemas/inspection.js';
import { getJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import type { InspectionList } from './inspection-list.js';
import { Resource } from './resource.js';
import { venueHref } from './router.js';
import { base } from './styles.js';
import './inspection-form.js';
import './inspection-list.js';

/**
 * `#/venue/<id>/inspect`: the on-site inspection on the inspector's phone
 * (000 §3 "逐一过滤"): the venue's name, the checklist, and the venue's
 * inspections below it. Alone on its screen so it fits 390 px whatever the
 * venue page holds. A venue of another community shows "no access" (403).
 */
@customElement('inspection-screen')
export class InspectionScreen extends LitElement {
  @property() venueId = '';

  @state() private saved: Inspection | undefined;
  @query('inspection-list') private readonly list!: InspectionList | null;

  private readonly i18n = new I18nController(this);
  private readonly venue = new Resource(this, () => getJson<{ venue: { id: string; name: string; communityName: string } }>(`/api/venues/${encodeURIComponent(this.venueId)}`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) {
      this.saved = undefined;
      void this.venue.run();
    }
  }

  override render() {
    return this.venue.render(
      ({ venue }) => html`<section class="panel" data-testid="inspection-panel">
          <a href=${venueHref(venue.id)} data-testid="inspection-back">← ${t('inspBack')}</a>
          <h2>${t('inspTitle')}</h2>
          <p class="venue" data-testid="inspection-venue"><strong>${venue.name}</strong> <span class="muted">${venue.communityName}</span></p>
          ${this.saved ? html`<p class="saved" role="status" data-testid="inspection-saved">${t('inspSaved', { at: fmtDateTime(this.saved.at) })}</p>` : nothing}
          <inspection-form .venueId=${venue.id} @inspection-saved=${this._saved} @inspection-cancel=${() => (location.hash = venueHref(venue.id))}></inspection-form>
        </section>
        <section class="panel">
          <h3>${t('inspEarlier')}</h3>
          <inspection-list .venueId=${venue.id}></inspection-list>
        </section>`,
    );
  }

  private _saved(e: CustomEvent<Inspection>) {
    this.saved = e.detail;
    void this.list?.reload();
    // Back to the top, where the shell's header ends and the saved notice is.
    window.scrollTo({ top: 0 });
  }

  static override styles = [
    base,
    css`
      :host { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); max-width: 720px; }
      h2 { margin: 8px 0 4px; }
      h3 { margin-top: 0; }
      .venue { margin: 0; overflow-wrap: anywhere; }
      .saved { margin: 8px 0 0; padding: 6px 8px; border-radius: 4px; background: #e8f5e9; color: #1b5e20; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'inspection-screen': InspectionScreen;
  }
}
