import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AccountView, TotpEnrolment } from '../../../shared/schemas/account.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { errorText, waitText } from './resource.js';
import { base } from './styles.js';

/**
 * A street admin's second factor (POST /api/auth/totp/enrol with the current password, then
 * /confirm with the password again and a code): the hub shows the secret once, as an otpauth://
 * link and its QR code, and keeps it only sealed. The password is asked so that a session alone
 * (a browser left logged in) cannot bind someone else's authenticator; it is kept here only until
 * the set-up is confirmed or left.
 */
@customElement('totp-setup')
export class TotpSetup extends LitElement {
  @property({ attribute: false }) account!: AccountView;
  @state() private enrolment: TotpEnrolment | undefined;
  @state() private busy = false;
  @state() private error = '';
  @state() private done = false;
  /** The current password given to start, sent again with the code; dropped when the set-up ends. */
  private password = '';

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
        : html`<form @submit=${this._start} novalidate>
            <label>${t('pwCurrent')}<input name="password" type="password" autocomplete="current-password" data-testid="totp-password" required /></label>
            <button type="submit" data-testid="totp-start" ?disabled=${this.busy}>${a.totpEnrolled ? t('totpReplace') : t('totpStart')}</button>
          </form>`}
      ${this.error ? html`<p class="error" role="alert" data-testid="totp-error">${this.error}</p>` : nothing}
    </section>`;
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.password = '';
    this.enrolment = undefined;
  }

  private async _start(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const password = String(new FormData(form).get('password') ?? '');
    this.done = false;
    this.error = password ? '' : t('totpNeedsPassword');
    if (this.error) return;
    this.busy = true;
    try {
      this.enrolment = await postJson<TotpEnrolment>('/api/auth/totp/enrol', { password });
      this.password = password;
    } catch (err) {
      this.error = this._message(err);
      (form.elements.namedItem('password') as HTMLInputElement | null)?.select();
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
      const account = await postJson<AccountView>('/api/auth/totp/confirm', { password: this.password, code });
      this.enrolment = undefined;
      this.password = '';
      this.done = true;
      fireEvent(this, 'totp-enrolled', account);
    } catch (err) {
      this.error = err instanceof ApiFailure && err.field === 'code' ? t('totpWrongCode') : this._message(err);
    } finally {
      this.busy = false;
    }
  }

  private _message(err: unknown): string {
    if (!(err instanceof ApiFailure)) return t('serverError');
    if (err.field === 'password') return t('pwWrongCurrent');
    return waitText(err) ?? errorText(err);
  }

  static override styles = [
    base,
    css`
      section { display: grid; gap: 10px; padding: 20px; max-width: 520px; }
      .uri { word-break: break-all; font-size: 12px; color: var(--muted); }
      form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
      label { display: grid; gap: 4px; color: var(--muted); font-size: 13px; }
      input { min-height: 36px; font-size: 16px; }
      input[name='code'] { letter-spacing: 2px; width: 10ch; }
      .ok { color: #1a7f37; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'totp-setup': TotpSetup;
  }
}
