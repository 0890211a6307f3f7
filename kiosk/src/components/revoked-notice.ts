import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { I18nController, currentLang, setLang, t, tf } from '../i18n.js';

/**
 * The whole screen of a tablet the hub no longer accepts (revoked as
 * lost or stolen, or its token unknown). It replaces the door: an untrusted
 * tablet must not admit anyone. Its records stay on it, unsent.
 */
@customElement('revoked-notice')
export class RevokedNotice extends LitElement {
  /** The street office's reason, when the hub said it before cutting the socket. */
  @property() reason: string | undefined;
  @property() kioskId = '';
  @property() where = '';
  /** Records still unsynced on the tablet. */
  @property({ type: Number }) pending = 0;

  private readonly i18n = new I18nController(this);

  override render() {
    return html`<section role="alert" data-testid="revoked-notice">
      <button class="lang" data-testid="lang" @click=${() => setLang(currentLang() === 'en' ? 'zh-CN' : 'en')}>${t('language')}</button>
      <svg class="icon" viewBox="0 0 64 64" aria-hidden="true">
        <circle cx="32" cy="32" r="28" fill="none" stroke="currentColor" stroke-width="6" />
        <rect x="14" y="28" width="36" height="8" rx="2" fill="currentColor" />
      </svg>
      <h1>${t('revokedTitle')}</h1>
      <p class="reason" data-testid="revoked-reason">${this.reason ? tf('revokedReason', { r: this.reason }) : t('revokedNoReason')}</p>
      <p>${t('revokedWhat')}</p>
      <p data-testid="revoked-kept" data-count=${this.pending}>${this.pending ? tf('revokedKept', { n: this.pending }) : t('revokedNoneKept')}</p>
      <p class="which">${this.where} · ${t('deviceKioskId')} <code>${this.kioskId}</code></p>
    </section>`;
  }

  static override styles = css`
    :host { position: fixed; inset: 0; z-index: 10; display: grid; place-items: center; background: #7f1d1d; color: #fff; overflow: auto; }
    section { max-width: 44rem; padding: 2rem; display: grid; gap: 1rem; text-align: center; }
    .icon { width: 5rem; height: 5rem; justify-self: center; }
    h1 { margin: 0; font-size: 2.4rem; }
    p { margin: 0; font-size: 1.3rem; line-height: 1.5; }
    .reason { font-size: 1.6rem; font-weight: 700; padding: 0.6rem 1rem; border-radius: 0.6rem; background: rgb(0 0 0 / 0.25); overflow-wrap: anywhere; }
    .which { font-size: 1rem; opacity: 0.85; }
    .lang { position: fixed; top: 0.8rem; right: 0.8rem; min-height: 2.6rem; padding: 0 0.9rem; font-size: 1rem; border: 2px solid #fff; border-radius: 0.6rem; background: transparent; color: #fff; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'revoked-notice': RevokedNotice;
  }
}
