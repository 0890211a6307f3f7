import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AccountView, StreetSecurity } from '../../../shared/schemas/account.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { I18nController, t } from './i18n.js';
import { errorText } from './resource.js';
import { base } from './styles.js';
import './password-screen.js';
import './totp-setup.js';

/**
 * `#/account`: one's password; for a street admin also the second factor and the street's
 * setting that makes tracing need it (GET/POST /api/street/security, audited).
 */
@customElement('account-screen')
export class AccountScreen extends LitElement {
  @property({ attribute: false }) account!: AccountView;
  @state() private security: StreetSecurity | undefined;
  @state() private message = '';
  @state() private error = '';

  private readonly i18n = new I18nController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.account.role === 'street_admin') void this._load();
  }

  override render() {
    const admin = this.account.role === 'street_admin';
    return html`<div class="stack">
      <password-screen></password-screen>
      ${admin ? html`<totp-setup .account=${this.account}></totp-setup>` : nothing}
      ${admin && this.security
        ? html`<section class="panel">
            <h2>${t('secTitle')}</h2>
            <label class="row">
              <input type="checkbox" data-testid="tracing-totp" .checked=${this.security.tracingRequiresTotp}
                ?disabled=${!this.account.totpVerified} @change=${this._toggle} />
              ${t('secTracingTotp')}
            </label>
            ${this.account.totpVerified ? nothing : html`<p class="muted">${t('secNeedsTotp')}</p>`}
            ${this.message ? html`<p class="ok" role="status">${this.message}</p>` : nothing}
            ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          </section>`
        : nothing}
    </div>`;
  }

  private async _load() {
    try {
      this.security = await getJson<StreetSecurity>('/api/street/security');
    } catch (err) {
      this.error = err instanceof ApiFailure ? errorText(err) : t('serverError');
    }
  }

  private async _toggle(e: Event) {
    const tracingRequiresTotp = (e.target as HTMLInputElement).checked;
    this.message = '';
    this.error = '';
    try {
      this.security = await postJson<StreetSecurity>('/api/street/security', { tracingRequiresTotp });
      this.message = t('secSaved');
    } catch (err) {
      (e.target as HTMLInputElement).checked = !tracingRequiresTotp;
      this.error = err instanceof ApiFailure ? errorText(err) : t('serverError');
    }
  }

  static override styles = [
    base,
    css`
      .stack { display: grid; gap: 16px; }
      section { display: grid; gap: 10px; padding: 20px; max-width: 520px; }
      .row { display: flex; gap: 8px; align-items: center; }
      .ok { color: #1a7f37; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'account-screen': AccountScreen;
  }
}
