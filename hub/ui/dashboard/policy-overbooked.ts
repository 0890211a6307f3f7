import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { OverbookedReport } from '../../../shared/schemas/booking-report.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { fmtDateTime, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { apiErrorText } from './issue-text.js';
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
 * After a switch lowered caps: a lower cap shrinks open slots, so the admin
 * must learn which bookings now exceed it. The bookings of
 * slots not yet over that no longer fit, last booked first, each with its
 * venue, slot, code and party, so the office can call and move or cancel them.
 * The policy desk reads it again after every switch.
 */
@customElement('policy-overbooked')
export class PolicyOverbooked extends LitElement {
  /** The booking being cancelled by the office (its reason typed inline), and what went wrong. */
  @state() private cancelling: string | undefined;
  @state() private reason = '';
  @state() private error = '';
  @state() private busy = false;

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
              <thead><tr><th>${t('obVenue')}</th><th>${t('obSlot')}</th><th class="n">${t('obCapBooked')}</th><th>${t('obCode')}</th><th class="n">${t('obPeople')}</th><th>${t('obBookedAt')}</th><th></th></tr></thead>
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
                      <td>${this._cancelCell(b.id)}</td>
                    </tr>`,
                  ),
                )}
              </tbody>
            </table>`,
    );
  }

  /** The street office's cancel (audited; the patron's booking page then says the office cancelled it). */
  private _cancelCell(id: string) {
    if (this.cancelling !== id) {
      return html`<button class="small" data-testid="overbooked-cancel" @click=${() => ((this.cancelling = id), (this.reason = ''), (this.error = ''))}>${t('obCancel')}</button>`;
    }
    return html`<span class="cancel">
      <input data-testid="overbooked-reason" placeholder=${t('obCancelReason')} .value=${this.reason} @input=${(e: Event) => (this.reason = (e.target as HTMLInputElement).value)} />
      <button class="small" data-testid="overbooked-cancel-confirm" ?disabled=${this.busy} @click=${() => void this._cancel(id)}>${t('obCancelConfirm')}</button>
      <button class="small" @click=${() => (this.cancelling = undefined)}>${t('obCancelBack')}</button>
      ${this.error ? html`<span class="error" role="alert" data-testid="overbooked-cancel-error">${this.error}</span>` : ''}
    </span>`;
  }

  private async _cancel(id: string) {
    if (this.reason.trim().length < 2) {
      this.error = t('obCancelReasonNeeded');
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      await postJson(`/api/bookings/${encodeURIComponent(id)}/admin-cancel`, { reason: this.reason.trim() });
      this.cancelling = undefined;
      await this.report.run();
    } catch (e) {
      this.error = e instanceof ApiFailure ? apiErrorText(e) : t('serverError');
    } finally {
      this.busy = false;
    }
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
      .cancel { display: inline-flex; gap: 4px; align-items: center; flex-wrap: wrap; }
      .cancel input { width: 12em; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-overbooked': PolicyOverbooked;
  }
}
