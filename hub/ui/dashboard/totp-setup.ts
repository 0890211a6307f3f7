import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AccountView, TotpEnrolment } from '../../../shared/schemas/account.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { errorText } from './resource.js';
import { base } from './styles.js';

/**
 * A street admin's second factor (POST /api/auth/totp/enrol, then /confirm with a code): the hub
 * shows the secret once, as an otpauth:// link and its QR code, and keeps it only sealed.
 */
@customElement('totp-setup')
export class TotpSetup extends LitElement {
  @property({ attribute: false }) account!: AccountView;
  @state() private enrolment: TotpEnrolment | undefined;
  @state() private busy = false;
  @state() private error = '';
  @state() private done = false;

  private readonly i18n = new I18nController(this);

  override render() {
    const a = this.account;
    return html`<section class="panel">
      <h2>${t('totpTitle')}</h2>
      <p data-testid="totp-status" data-enrolled=${String(a.totpEnrolled)}>${a.totpEnrolled ? t('totpOn') : t('totpOff')}</p>
      ${this.done ? html`<p class="ok" role="status">${t('totpEnrolled')}</p>` : nothing}
      ${this.enrolment
        ? html`<p>${t('totpScan')}</p>
            <img src=${`data:image/svg+xml;base64,${btoa(this.enrolment.qrSvg)}`} alt=${t('totpQrAlt')} width="200" height="200" data-testid="totp-qr" />
            <code class="uri" data-testid="totp-uri">${this.enrolment.uri}</code>
            <form @submit=${this._confirm} novalidate>
              <label>${t('loginCode')}<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" data-testid="totp-code" /></label>
              <button class="primary" type="submit" data-testid="totp-confirm" ?disabled=${this.busy}>${t('totpConfirm')}</button>
            </form>`
        : html`<button data-testid="totp-start" @click=${this._start} ?disabled=${this.busy}>${a.totpEnrolled ? t('totpReplace') : t('totpStart')}</button>`}
      ${this.error ? html`<p class="error" role="alert" data-testid="totp-error">${this.error}</p>` : nothing}
    </section>`;
  }

  private async _start() {
    this.busy = true;
    this.error = '';
    this.done = false;
    try {
      this.enrolment = await postJson<TotpEnrolment>('/api/auth/totp/enrol', {});
    } catch (err) {
      this.error = err instanceof ApiFailure ? errorText(err) : t('serverError');
    } finally {
      this.busy = false;
    }
  }

  private async _confirm(e: SubmitEvent) {
    e.preventDefault();
    const code = String(new FormData(e.target as HTMLFormElement).get('code') ?? '').trim();
    this.busy = true;
    this.error = '';
    try {
      const account = await postJson<AccountView>('/api/auth/totp/confirm', { code });
      this.enrolment = undefined;
      this.done = true;
      fireEvent(this, 'totp-enrolled', account);
    } catch (err) {
      this.error = err instanceof ApiFailure && (err.field === 'code' || err.status === 400) ? t('totpWrongCode') : err instanceof ApiFailure ? errorText(err) : t('serverError');
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      section { display: grid; gap: 10px; padding: 20px; max-width: 520px; }
      .uri { word-break: break-all; font-size: 12px; color: var(--muted); }
      form { display: flex; gap: 8px; align-items: end; }
      label { display: grid; gap: 4px; color: var(--muted); font-size: 13px; }
      input { min-height: 36px; font-size: 16px; letter-spacing: 2px; width: 10ch; }
      .ok { color: #1a7f37; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'totp-setup': TotpSetup;
  }
}
