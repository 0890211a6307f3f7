import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import QRCode from 'qrcode';
import { SLOT_MS, liveToken, slotAt } from '../../../shared/rules/venue-code.js';
import type { Enrolment } from '../db.js';
import { I18nController, t } from '../i18n.js';

/**
 * The venue code patrons scan: a QR of `<hub>/v/<token>` whose token
 * rotates every 30-second slot, made here from the venue's secret, so it keeps
 * rotating with no network. Tap to show it large for the queue.
 */
@customElement('venue-code')
export class VenueCode extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;

  @state() private url = '';
  @state() private qr = '';
  @state() private poster = '';
  @state() private large = false;

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

  override render() {
    if (!this.enrolment.codeSecret || !this.enrolment.posterPath) return html`<p class="missing" role="alert">${t('venueCodeMissing')}</p>`;
    return html`<figure class=${this.large ? 'large' : ''} @click=${() => (this.large = !this.large)} title=${t('venueCodeEnlarge')}>
        ${this.qr ? html`<img src=${this.qr} alt=${t('venueCodeTitle')} data-testid="venue-code" data-url=${this.url} />` : nothing}
        <figcaption><strong>${t('venueCodeTitle')}</strong><span>${t('venueCodeHint')}</span></figcaption>
      </figure>
      ${this.poster ? html`<a class="poster" href=${this.poster} target="_blank" rel="noopener" data-testid="print-poster">${t('printPoster')}</a>` : nothing}`;
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
    figure { margin: 0; display: flex; gap: 0.6rem; align-items: center; background: #fff; border: 1px solid #d9e2ec; border-radius: 0.8rem; padding: 0.4rem; cursor: zoom-in; }
    img { width: 8.5rem; height: 8.5rem; image-rendering: pixelated; }
    figcaption { display: flex; flex-direction: column; }
    figcaption strong { font-size: 1.2rem; }
    figure.large { position: fixed; inset: 0; z-index: 10; flex-direction: column; justify-content: center; border-radius: 0; cursor: zoom-out; }
    figure.large img { width: min(80vw, 70vh); height: min(80vw, 70vh); }
    figure.large figcaption { align-items: center; font-size: 1.5rem; }
    .poster { font-size: 0.9rem; color: #1d4ed8; }
    .missing { color: #b91c1c; font-weight: 600; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'venue-code': VenueCode;
  }
}
