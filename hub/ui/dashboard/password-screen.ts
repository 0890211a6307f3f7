import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MIN_PASSWORD_LENGTH, type AccountView } from '../../../shared/schemas/account.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { errorText, waitText } from './resource.js';
import { base } from './styles.js';

/**
 * Change one's password (POST /api/auth/password): the current one, the new one twice. `forced`
 * right after a login with a one-time password from npm run admin, when the hub allows nothing else.
 */
@customElement('password-screen')
export class PasswordScreen extends LitElement {
  @property({ type: Boolean, reflect: true }) forced = false;
  @state() private busy = false;
  @state() private error = '';
  @state() private done = false;

  private readonly i18n = new I18nController(this);

  override render() {
    return html`<form class="panel" @submit=${this._submit} novalidate data-testid="password-form">
      <h2>${this.forced ? t('pwForcedTitle') : t('pwTitle')}</h2>
      ${this.forced ? html`<p class="muted" data-testid="password-forced">${t('pwForcedHint')}</p>` : nothing}
      <label>${t('pwCurrent')}<input name="current" type="password" autocomplete="current-password" data-testid="password-current" required /></label>
      <label>${t('pwNew', { n: MIN_PASSWORD_LENGTH })}<input name="next" type="password" autocomplete="new-password" minlength=${MIN_PASSWORD_LENGTH} data-testid="password-new" required /></label>
      <label>${t('pwAgain')}<input name="again" type="password" autocomplete="new-password" data-testid="password-again" required /></label>
      ${this.error ? html`<p class="error" role="alert" data-testid="password-error">${this.error}</p>` : nothing}
      ${this.done ? html`<p class="ok" role="status" data-testid="password-done">${t('pwSaved')}</p>` : nothing}
      <button class="primary" type="submit" data-testid="password-submit" ?disabled=${this.busy}>${this.busy ? t('pwSaving') : t('pwSave')}</button>
    </form>`;
  }

  private async _submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const current = String(data.get('current') ?? '');
    const next = String(data.get('next') ?? '');
    const again = String(data.get('again') ?? '');
    this.done = false;
    this.error =
      !current || !next ? t('loginMissing')
      : next.length < MIN_PASSWORD_LENGTH ? t('pwTooShort', { n: MIN_PASSWORD_LENGTH })
      : next !== again ? t('pwMismatch')
      : next === current ? t('pwSame')
      : '';
    if (this.error) return;
    this.busy = true;
    try {
      const account = await postJson<AccountView>('/api/auth/password', { current, next });
      form.reset();
      this.done = true;
      fireEvent(this, 'password-changed', account);
    } catch (err) {
      this.error = !(err instanceof ApiFailure) ? t('serverError')
        : err.field === 'current' ? t('pwWrongCurrent')
        : err.field === 'next' ? t('pwTooShort', { n: MIN_PASSWORD_LENGTH })
        : (waitText(err) ?? errorText(err));
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      form { max-width: 380px; display: grid; gap: 12px; padding: 24px; }
      :host([forced]) form { margin: 8vh auto 0; }
      label { display: grid; gap: 4px; color: var(--muted); font-size: 13px; }
      input { min-height: 38px; font-size: 15px; }
      button { min-height: 40px; font-size: 15px; }
      .ok { color: #1a7f37; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'password-screen': PasswordScreen;
  }
}
