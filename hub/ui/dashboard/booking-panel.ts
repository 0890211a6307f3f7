import { LitElement, css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { DEFAULT_OFFSET_MIN } from './format.js';
import { I18nController, t } from './i18n.js';
import { base } from './styles.js';
import type { BookingSlots } from './booking-slots.js';
import './booking-settings.js';
import './booking-slots.js';

/**
 * The venue page's "预约与到场 / Bookings and arrivals"
 * (docs/inspectors-guide.md): the venue's booking settings and link, and its slots for a
 * day. The day follows the page's, and may be moved ahead on its own: bookings
 * are made for days the entrance log has not reached yet.
 */
@customElement('booking-panel')
export class BookingPanel extends LitElement {
  @property() venueId = '';
  /** The venue page's day (`YYYY-MM-DD`). */
  @property() date = '';
  @property({ type: Number }) offsetMinutes = DEFAULT_OFFSET_MIN;
  @property({ type: Boolean }) admin = false;

  @state() private day = '';
  @query('booking-slots') private slots!: BookingSlots;

  private readonly i18n = new I18nController(this);

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('date')) this.day = this.date;
  }

  override render() {
    return html`<section class="panel" data-testid="booking-panel">
      <div class="head">
        <h3>${t('bkTitle')}</h3>
        <label class="muted">${t('date')} <input type="date" .value=${this.day} data-testid="booking-date" @change=${this._dayChanged} /></label>
      </div>
      <booking-settings .venueId=${this.venueId} .admin=${this.admin} @booking-settings-saved=${() => void this.slots?.reload()}></booking-settings>
      <booking-slots .venueId=${this.venueId} .date=${this.day} .offsetMinutes=${this.offsetMinutes}></booking-slots>
    </section>`;
  }

  private _dayChanged(e: Event) {
    const value = (e.target as HTMLInputElement).value;
    if (value) this.day = value;
  }

  static override styles = [
    base,
    css`
      .head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
      .head h3 { margin: 0; }
      .head label { margin-left: auto; }
      booking-settings { margin: 10px 0; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'booking-panel': BookingPanel;
  }
}
