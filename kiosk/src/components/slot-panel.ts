import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { I18nController, t, tf } from '../i18n.js';
import { bookableUntil } from '../../../shared/rules/slots.js';
import { venueClock, type DoorSlot } from '../slot-seats.js';

/**
 * The current booking slot beside the occupancy gauge (003 §13):
 * its time, booked against arrived, walk-ins and seats left, and whether the
 * booking figures are live or as of the last sync (the door's own admissions
 * are always in).
 */
@customElement('slot-panel')
export class SlotPanel extends LitElement {
  @property({ attribute: false }) current!: DoorSlot;
  @property({ type: Number }) utcOffsetMinutes = 0;
  /** Connected to the hub now: the figures are as fresh as its last push. */
  @property({ type: Boolean }) online = false;
  @property({ type: Number }) graceMinutes = 15;

  private readonly i18n = new I18nController(this);

  override render() {
    const { slot, count, cap, seatsLeft, asOf } = this.current;
    const clock = (ms: number) => venueClock(ms, this.utcOffsetMinutes);
    const heldUntil = bookableUntil(slot, this.graceMinutes);
    return html`<section
      data-testid="slot"
      data-start=${slot.start}
      data-booked=${count.booked}
      data-arrived=${count.arrivedBooked}
      data-walk-ins=${count.walkIns}
      data-seats-left=${seatsLeft}
      class=${seatsLeft === 0 ? 'full' : ''}
    >
      <strong>${t('slotTitle')} ${clock(slot.start)}–${clock(slot.end)}</strong>
      <dl>
        <div><dt>${t('slotBooked')}</dt><dd>${asOf === undefined ? '—' : count.booked}</dd></div>
        <div><dt>${t('slotArrived')}</dt><dd>${count.arrivedBooked}</dd></div>
        <div><dt>${t('slotWalkIns')}</dt><dd>${count.walkIns}</dd></div>
        <div><dt>${t('slotCap')}</dt><dd>${cap}</dd></div>
        <div class="left"><dt>${t('slotSeatsLeft')}</dt><dd data-testid="seats-left">${seatsLeft}</dd></div>
      </dl>
      ${Date.now() <= heldUntil && count.booked > count.arrivedBooked ? html`<small>${tf('slotHeldUntil', { t: clock(heldUntil) })}</small>` : nothing}
      <small class=${asOf === undefined || !this.online ? 'stale' : ''} data-testid="slot-as-of">
        ${asOf === undefined ? t('slotNoFigure') : this.online ? t('slotLive') : tf('slotAsOf', { t: clock(asOf) })}
      </small>
    </section>`;
  }

  static override styles = css`
    :host { display: block; }
    section { background: #fff; border: 1px solid #d9e2ec; border-radius: 0.8rem; padding: 0.4rem 0.8rem; display: grid; gap: 0.2rem; }
    section.full { border: 2px solid #dc2626; }
    strong { font-size: 1.1rem; }
    dl { display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; margin: 0; }
    dl div { display: flex; gap: 0.3rem; align-items: baseline; }
    dt { color: #52606d; font-size: 0.95rem; }
    dd { margin: 0; font-size: 1.25rem; font-weight: 700; }
    .left dd { font-size: 1.6rem; color: #15803d; }
    .full .left dd { color: #dc2626; }
    small { color: #52606d; font-size: 0.9rem; }
    small.stale { color: #b45309; font-weight: 600; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'slot-panel': SlotPanel;
  }
}
