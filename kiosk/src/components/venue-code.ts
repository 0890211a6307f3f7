import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import QRCode from 'qrcode';
import { SLOT_MS, liveToken, slotAt } from '../../../shared/rules/venue-code.js';
import type { Enrolment } from '../db.js';
import { I18nController, t } from '../i18n.js';

/**
 * The venue code patrons scan: a QR of `<hub>/v/<token>` whose token
 * rotates every 30-second slot, made here from the venue's secret, so it keeps
 * rotating with no network. It takes no room on the door: a button opens it
 * large for the queue in a dialog. While the hub is out of reach the dialog
 * says that phones cannot declare now instead of showing a code that would
 * lead nowhere.
 */
@customElement('venue-code')
export class VenueCode extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;
  /** The tablet reaches the hub now; patrons' phones need it too. */
  @property({ type: Boolean }) online = false;

  @state() private url = '';
  @state() private qr = '';
  @state() private poster = '';
  @state() private open = false;

  private readonly i18n = new I18nController(this);
  private timer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this._rotate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  override updated(): void {
    const d = this.renderRoot.querySelector('dialog');
    if (d && this.open && !d.open) d.showModal();
  }

  override render() {
    const missing = !this.enrolment.codeSecret || !this.enrolment.posterPath;
    return html`<button type="button" class="open ${this.online ? '' : 'offline'}" data-testid="venue-code-open" aria-haspopup="dialog" @click=${() => (this.open = true)}>
        ${this.online ? t('venueCodeOpen') : t('venueCodeOpenOffline')}
      </button>
      ${this.open
        ? html`<dialog tabindex="-1" aria-labelledby="venue-code-title" data-testid="venue-code-dialog" @close=${() => (this.open = false)}>
            <h2 id="venue-code-title">${t('venueCodeTitle')}</h2>
            ${missing
              ? html`<p class="missing" role="alert">${t('venueCodeMissing')}</p>`
              : this.online
                ? html`${this.qr ? html`<img src=${this.qr} alt=${t('venueCodeTitle')} data-testid="venue-code" data-url=${this.url} />` : nothing}
                    <p>${t('venueCodeHint')}</p>
                    ${this.poster ? html`<a class="poster" href=${this.poster} target="_blank" rel="noopener" data-testid="print-poster">${t('printPoster')}</a>` : nothing}`
                : html`<p class="offline" role="alert" data-testid="venue-code-offline">${t('venueCodeOffline')}</p>`}
            <button type="button" class="close" data-testid="venue-code-close" @click=${this._close}>${t('close')}</button>
          </dialog>`
        : nothing}`;
  }

  private _close() {
    this.renderRoot.querySelector('dialog')?.close();
    this.open = false;
  }

  /** Draws the code of the current slot, then again just after the next slot begins. */
  private async _rotate() {
    clearTimeout(this.timer);
    const e = this.enrolment;
    if (!e?.codeSecret || !e.posterPath) return;
    const now = Date.now();
    const slot = slotAt(now);
    // Phones must reach the hub at this address: PUBLIC_URL when the hub has one.
    const origin = e.publicUrl ?? location.origin;
    this.url = `${origin}/v/${await liveToken(e.codeSecret, e.kioskId, slot)}`;
    this.qr = await QRCode.toDataURL(this.url, { errorCorrectionLevel: 'M', margin: 2, width: 480 });
    this.poster = `${origin}${e.posterPath}`;
    if (this.isConnected) this.timer = setTimeout(() => void this._rotate(), (slot + 1) * SLOT_MS - now + 50);
  }

  static override styles = css`
    :host { display: block; }
    button { height: 2.4rem; white-space: nowrap; padding: 0 0.9rem; font-size: 1rem; border: 2px solid #1d4ed8; border-radius: 0.6rem; background: #fff; color: #1d4ed8; font-weight: 700; }
    button.offline { border-color: #92400e; color: #92400e; border-style: dashed; }
    dialog { border: 0; border-radius: 1rem; padding: 1rem 1.5rem; max-width: min(40rem, 92vw); max-height: 94vh; box-sizing: border-box; display: flex; flex-direction: column; align-items: center; gap: 0.5rem; text-align: center; }
    dialog:not([open]) { display: none; }
    dialog::backdrop { background: rgb(15 23 42 / 0.6); }
    h2 { margin: 0; font-size: 1.5rem; }
    img { width: min(80vw, 62vh); height: min(80vw, 62vh); image-rendering: pixelated; }
    p { margin: 0; font-size: 1.15rem; }
    .offline { background: #fef3c7; color: #78350f; border: 2px solid #b45309; border-radius: 0.8rem; padding: 0.8rem 1rem; font-weight: 700; text-align: left; }
    .close { min-width: 8rem; }
    .poster { font-size: 1rem; color: #1d4ed8; }
    .missing { color: #b91c1c; font-weight: 600; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'venue-code': VenueCode;
  }
}
