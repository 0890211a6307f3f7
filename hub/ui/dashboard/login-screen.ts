import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { AccountView } from '../../../shared/schemas/account.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { errorText, waitText } from './resource.js';
import { base } from './styles.js';

/**
 * Name and password (POST /api/auth/login), and the authenticator code when the hub asks for one
 * (401 on field `code`: the account has a second factor). The error says what went wrong in
 * words, and a refusal for too many wrong passwords says how long to wait.
 */
@customElement('login-screen')
export class LoginScreen extends LitElement {
  @state() private busy = false;
  @state() private error = '';
  /** The hub asked for the second factor's code. */
  @state() private needCode = false;

  private readonly i18n = new I18nController(this);

  override render() {
    return html`<form class="panel" @submit=${this._submit} novalidate>
      <h2>${t('loginTitle')}</h2>
      <label>${t('name')}<input name="name" autocomplete="username" data-testid="login-name" required /></label>
      <label>${t('password')}<input name="password" type="password" autocomplete="current-password" data-testid="login-password" required /></label>
      ${this.needCode
        ? html`<label>${t('loginCode')}<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" data-testid="login-code" /></label>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert" data-testid="login-error">${this.error}</p>` : nothing}
      <button class="primary" type="submit" data-testid="login-submit" ?disabled=${this.busy}>${this.busy ? t('loggingIn') : t('login')}</button>
    </form>`;
  }

  private async _submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const code = String(data.get('code') ?? '').trim();
    if (!name || !password) {
      this.error = t('loginMissing');
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const account = await postJson<AccountView | { account: AccountView }>('/api/auth/login', { name, password, ...(code ? { code } : {}) }, { quiet401: true });
      fireEvent(this, 'logged-in', 'account' in account ? account.account : account);
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401 && err.field === 'code') {
        this.needCode = true;
        this.error = code ? t('loginCodeWrong') : t('loginCodeAsk');
        await this.updateComplete;
        (this.renderRoot.querySelector('[name=code]') as HTMLInputElement | null)?.select();
        return;
      }
      this.error = this._message(err);
      (form.elements.namedItem('password') as HTMLInputElement).select();
    } finally {
      this.busy = false;
    }
  }

  private _message(err: unknown): string {
    if (!(err instanceof ApiFailure)) return t('serverError');
    if (err.status === 401 || err.code === 'unauthorized') return t('loginWrong');
    // The account's wait runs to minutes (docs/security.md "Rate limits"): said in minutes past two.
    const wait = waitText(err);
    if (wait) return wait;
    if (err.status === 400) return t('loginWrong');
    return errorText(err);
  }

  static override styles = [
    base,
    css`
      form { max-width: 340px; margin: 10vh auto 0; display: grid; gap: 12px; padding: 24px; }
      label { display: grid; gap: 4px; color: var(--muted); font-size: 13px; }
      input { min-height: 38px; font-size: 15px; }
      button { min-height: 40px; font-size: 15px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'login-screen': LoginScreen;
  }
}
