import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Enrolment } from '../db.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t, tf } from '../i18n.js';
import { checkPassInput, graceMinutes, type ActivePass, type PassLookup } from '../pass-check.js';
import { bookableUntil } from '../../../shared/rules/slots.js';
import { venueClock } from '../slot-seats.js';
import './pass-scanner.js';

/**
 * Where staff take a patron's pass: type its 6-character code, or
 * scan its QR with the camera (or a handheld scanner typing into the field).
 * Checked offline; a valid pass is handed up as `pass-accepted`, a refused one
 * is said here in words staff can repeat to the patron.
 */
@customElement('pass-panel')
export class PassPanel extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;
  /** The pass being checked at the door, if any. */
  @property({ attribute: false }) active: ActivePass | undefined;
  /** Reaches the hub for a typed code's declared answers, when online. */
  @property({ attribute: false }) lookup: PassLookup | undefined;

  @state() private text = '';
  @state() private error = '';
  @state() private scanning = false;
  @state() private checking = false;

  private readonly i18n = new I18nController(this);

  override render() {
    const a = this.active;
    return html`<section>
      <form @submit=${this._submit}>
        <strong>${t('passTitle')}</strong>
        <input
          data-testid="pass-input"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck="false"
          placeholder=${t('passPlaceholder')}
          aria-label=${t('passPlaceholder')}
          .value=${this.text}
          @input=${(e: Event) => (this.text = (e.target as HTMLInputElement).value)}
        />
        <button type="submit" data-testid="pass-check" ?disabled=${this.checking || this.text.trim() === ''}>${t('passCheck')}</button>
        <button type="button" data-testid="pass-scan" @click=${() => (this.scanning = !this.scanning)}>${this.scanning ? t('passScanStop') : t('passScan')}</button>
      </form>
      ${this.scanning ? html`<pass-scanner .active=${true} @pass-scanned=${(e: CustomEvent<{ text: string }>) => void this._check(e.detail.text)}></pass-scanner>` : nothing}
      ${this.error ? html`<p class="error" role="alert" data-testid="pass-error">${this.error}</p>` : nothing}
      ${a
        ? html`<p class="active" data-testid="pass-active" data-code=${a.code} data-person=${a.next}>
            ✓ ${t('passAccepted')} · <b>${a.code.slice(0, 3)} ${a.code.slice(3)}</b>
            · ${t('passPerson').replace('{i}', String(a.next + 1)).replace('{n}', String(a.people))}
            ${a.persons?.[a.next]?.n ? html` · ${a.persons[a.next]!.n}` : nothing}
            ${a.src === 'poster' ? html` · ${t('passPoster')}` : nothing}
            ${a.slot ? this._renderBooking(a.slot) : nothing}
            ${a.persons?.[a.next]?.t === 'negative' ? html`<br /><em>${t('passShowTest')}</em>` : nothing}
            ${a.via === 'code' && !a.persons ? html`<br /><small>${t('passViaCode')}</small>` : nothing}
            <button type="button" class="link" data-testid="pass-clear" @click=${() => fireEvent(this, 'pass-cleared', {})}>${t('passClear')}</button>
          </p>`
        : nothing}
    </section>`;
  }

  /** A booking's slot, and whether its seat is still held (held until start + grace). */
  private _renderBooking(slot: { start: number; end: number }) {
    const offset = this.enrolment.venue.utcOffsetMinutes;
    const heldUntil = bookableUntil(slot, graceMinutes(this.enrolment));
    return html`<br /><span data-testid="pass-booking">${tf('passBooking', { from: venueClock(slot.start, offset), to: venueClock(slot.end, offset) })}</span>
      · ${Date.now() <= heldUntil ? t('passBookingHeld') : html`<em>${tf('passBookingReleased', { t: venueClock(heldUntil, offset) })}</em>`}`;
  }

  private _submit(e: Event) {
    e.preventDefault();
    void this._check(this.text);
  }

  private async _check(input: string) {
    if (this.checking) return;
    this.checking = true;
    try {
      const res = await checkPassInput(input, this.enrolment, Date.now(), this.lookup);
      if (res.ok) {
        this.error = '';
        this.text = '';
        this.scanning = false;
        fireEvent(this, 'pass-accepted', res.pass);
      } else if (res.reason === 'booking_early' || res.reason === 'booking_late') {
        // Told in the venue's time, as the patron's booking page states it.
        this.error = tf(`pass_${res.reason}`, { t: venueClock(res.at, this.enrolment.venue.utcOffsetMinutes) });
      } else {
        this.error = t(`pass_${res.reason}`);
      }
    } catch (err) {
      // Storage or crypto failed on the tablet: say so rather than nothing.
      this.error = `${t('saveFailed')} ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.checking = false;
    }
  }

  static override styles = css`
    :host { display: block; }
    section { background: #fff; border: 1px solid #d9e2ec; border-radius: 0.8rem; padding: 0.3rem 0.6rem; display: grid; gap: 0.3rem; }
    form { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
    input { flex: 1; min-width: 8rem; font-size: 1.3rem; letter-spacing: 0.1em; text-transform: uppercase; padding: 0 0.6rem; min-height: 2.5rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; }
    button { min-height: 2.5rem; padding: 0 0.9rem; font-size: 1.05rem; border: 2px solid #1d4ed8; border-radius: 0.6rem; background: #fff; color: #1d4ed8; font-weight: 600; }
    button[disabled] { opacity: 0.45; }
    .link { border: 0; min-height: 0; padding: 0 0.3rem; text-decoration: underline; font-weight: 400; float: right; }
    .error { margin: 0; color: #fff; background: #b91c1c; padding: 0.5rem 0.7rem; border-radius: 0.6rem; font-weight: 700; font-size: 1.1rem; }
    .active { margin: 0; background: #dcfce7; border: 2px solid #15803d; padding: 0.3rem 0.6rem; border-radius: 0.6rem; font-size: 1.05rem; }
    em { color: #b45309; font-weight: 700; font-style: normal; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'pass-panel': PassPanel;
  }
}
