import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import type { OverbookedReport } from '../../../shared/schemas/booking-report.js';
import { getJson } from './api.js';
import { fmtDateTime, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { venueHref } from './router.js';
import { base } from './styles.js';

const local = (ms: number, offset: number) => new Date(ms + offset * 60_000).toISOString();

/** `2026-11-23 14:00–15:00` on the venue's clock. */
function slotText(start: number, end: number, offset: number): string {
  const endHm = local(end, offset).slice(11, 16);
  return `${local(start, offset).slice(0, 10)} ${local(start, offset).slice(11, 16)}–${endHm === '00:00' ? '24:00' : endHm}`;
}

/**
 * After a switch lowered caps (issue 8: "lowering the policy shrinks open
 * slots and tells the admin which bookings now exceed it"): the bookings of
 * slots not yet over that no longer fit, last booked first, each with its
 * venue, slot, code and party, so the office can call and move or cancel them.
 * The policy desk reads it again after every switch.
 */
@customElement('policy-overbooked')
export class PolicyOverbooked extends LitElement {
  private readonly i18n = new I18nController(this);
  private readonly report = new Resource(this, () => getJson<OverbookedReport>('/api/bookings/overbooked'));

  override connectedCallback(): void {
    super.connectedCallback();
    void this.report.run();
  }

  override render() {
    return this.report.render((r) =>
      r.bookings === 0
        ? html`<p class="muted" data-testid="overbooked-none">${t('obNone')}</p>`
        : html`<p class="warn" data-testid="overbooked-count" data-bookings=${r.bookings}>${t('obCount', { n: r.bookings, people: r.people })}</p>
            <table data-testid="overbooked">
              <thead><tr><th>${t('obVenue')}</th><th>${t('obSlot')}</th><th class="n">${t('obCapBooked')}</th><th>${t('obCode')}</th><th class="n">${t('obPeople')}</th><th>${t('obBookedAt')}</th></tr></thead>
              <tbody>
                ${r.slots.flatMap((s) =>
                  s.bookings.map(
                    (b) => html`<tr data-testid="overbooked-booking" data-booking=${b.id}>
                      <td><a href=${venueHref(s.venueId, { date: local(s.slotStart, s.utcOffsetMinutes).slice(0, 10) })}>${s.venueName}</a></td>
                      <td>${slotText(s.slotStart, s.slotEnd, s.utcOffsetMinutes)}</td>
                      <td class="n">${num(s.cap)} / ${num(s.booked)}</td>
                      <td class="code">${b.code}</td>
                      <td class="n">${num(b.people)}</td>
                      <td>${fmtDateTime(b.bookedAt)}</td>
                    </tr>`,
                  ),
                )}
              </tbody>
            </table>`,
    );
  }

  /** Count again (after a switch). */
  reload(): Promise<void> {
    return this.report.run();
  }

  static override styles = [
    base,
    css`
      p { margin: 0 0 8px; }
      .warn { color: var(--warning); font-weight: 600; }
      .code { font-family: ui-monospace, monospace; letter-spacing: 0.05em; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-overbooked': PolicyOverbooked;
  }
}
