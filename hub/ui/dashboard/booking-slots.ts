import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SlotView } from '../../../shared/schemas/booking.js';
import { getJson } from './api.js';
import { DEFAULT_OFFSET_MIN, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

const hhmm = (ms: number, offset: number) => new Date(ms + offset * 60_000).toISOString().slice(11, 16);

/** A slot's end as the venue's clock says it: the day's last slot ends at 24:00, not 00:00. */
const endText = (ms: number, offset: number) => (hhmm(ms, offset) === '00:00' ? '24:00' : hhmm(ms, offset));

/**
 * One venue-local day of a venue's slots as the hub counts them
 * (bookings against admissions, slot by slot): the cap under the policy in
 * force, people booked, booked people who came, walk-ins and seats left. A
 * slot that admitted more than its cap is marked (the slot_over_cap flag's
 * figure), and one booked beyond it after a cap shrank.
 */
@customElement('booking-slots')
export class BookingSlots extends LitElement {
  @property() venueId = '';
  /** `YYYY-MM-DD`, the venue's day. */
  @property() date = '';
  @property({ type: Number }) offsetMinutes = DEFAULT_OFFSET_MIN;

  private readonly i18n = new I18nController(this);
  private readonly slots = new Resource(this, () =>
    getJson<SlotView[]>(`/api/venues/${encodeURIComponent(this.venueId)}/slots`, { date: this.date }),
  );

  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('venueId') || changed.has('date')) && this.venueId && this.date) void this.slots.run();
  }

  override render() {
    return this.slots.render((slots) => (slots.length === 0 ? html`<p class="muted" data-testid="booking-no-slots">${t('bkNoSlots')}</p>` : this._table(slots)));
  }

  /** Read again (after the settings changed, or a batch arrived). */
  reload(): Promise<void> {
    return this.slots.run();
  }

  private _table(slots: SlotView[]) {
    const o = this.offsetMinutes;
    const sum = (k: 'booked' | 'arrivedBooked' | 'walkIns') => slots.reduce((n, s) => n + s[k], 0);
    return html`<table data-testid="booking-slots">
        <thead>
          <tr>
            <th>${t('bkSlot')}</th><th class="n">${t('bkCap')}</th><th class="n">${t('bkBooked')}</th><th class="n">${t('bkArrived')}</th>
            <th class="n">${t('bkWalkIns')}</th><th class="n">${t('bkSeatsLeft')}</th><th></th>
          </tr>
        </thead>
        <tbody>
          ${slots.map((s) => {
            const admitted = s.arrivedBooked + s.walkIns;
            const over = s.cap > 0 && admitted > s.cap;
            const overbooked = s.booked > s.cap;
            return html`<tr data-testid="booking-slot" data-start=${s.start} data-over=${over ? 'yes' : 'no'} class=${over ? 'over' : overbooked ? 'overbooked' : ''}>
              <td>${hhmm(s.start, o)}–${endText(s.end, o)}</td>
              <td class="n">${num(s.cap)}</td>
              <td class="n" data-col="booked">${num(s.booked)}</td>
              <td class="n" data-col="arrived">${num(s.arrivedBooked)}</td>
              <td class="n" data-col="walkIns">${num(s.walkIns)}</td>
              <td class="n" data-col="seatsLeft">${num(s.seatsLeft)}</td>
              <td>
                ${over ? html`<span class="chip s-violation">${t('bkOver')} +${num(admitted - s.cap)}</span>` : nothing}
                ${overbooked ? html`<span class="chip s-warning">${t('bkOverbooked')} +${num(s.booked - s.cap)}</span>` : nothing}
              </td>
            </tr>`;
          })}
        </tbody>
        <tfoot>
          <tr>
            <th>${t('bkTotal')}</th><th></th><th class="n">${num(sum('booked'))}</th><th class="n">${num(sum('arrivedBooked'))}</th>
            <th class="n">${num(sum('walkIns'))}</th><th></th><th></th>
          </tr>
        </tfoot>
      </table>`;
  }

  static override styles = [
    base,
    css`
      tr.over td { background: #fdecea; }
      tr.overbooked td { background: #fff4e0; }
      tfoot th { text-align: right; }
      tfoot th:first-child { text-align: left; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'booking-slots': BookingSlots;
  }
}
