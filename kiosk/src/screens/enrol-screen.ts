import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { EnrolRequest, EnrolResponse } from '../../../shared/schemas/enrolment.js';
import { ApiError } from '../../../shared/schemas/errors.js';
import { saveEnrolment } from '../db.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t } from '../i18n.js';

/** Pairs a new tablet with an entrance by a one-time code (typed, or from ?enrol= in the URL). */
@customElement('enrol-screen')
export class EnrolScreen extends LitElement {
  @property() initialCode = '';

  @state() private code = '';
  @state() private busy = false;
  @state() private error = '';

  private readonly i18n = new I18nController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    this.code = this.initialCode;
    if (this.code) void this._enrol();
  }

  override render() {
    return html`<form @submit=${this._submit} novalidate>
      <h1>${t('enrolTitle')}</h1>
      <p>${t('enrolHelp')}</p>
      <label for="code">${t('enrolCode')}</label>
      <input
        id="code"
        data-testid="enrol-code"
        autocomplete="off"
        autocapitalize="characters"
        placeholder="XXXX-XXXX"
        .value=${this.code}
        @input=${(e: Event) => (this.code = (e.target as HTMLInputElement).value)}
      />
      ${this.error ? html`<p class="error" role="alert" data-testid="enrol-error">${this.error}</p>` : nothing}
      <button type="submit" ?disabled=${this.busy}>${this.busy ? t('enrolBusy') : t('enrolSubmit')}</button>
    </form>`;
  }

  private _submit(e: Event) {
    e.preventDefault();
    void this._enrol();
  }

  private async _enrol() {
    const body = EnrolRequest.safeParse({ code: this.code });
    if (!body.success) {
      this.error = t('enrolFormat');
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const res = await fetch('/api/kiosks/enrol', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body.data),
      });
      const json: unknown = await res.json().catch(() => undefined);
      if (!res.ok) {
        // Staff read the reason in the kiosk's language; the hub's code says which one it is.
        const err = ApiError.safeParse((json as { error?: unknown } | undefined)?.error);
        const code = err.success ? err.data.code : undefined;
        this.error =
          code === 'not_found' ? t('enrolUnknown')
          : code === 'expired' ? t('enrolExpired')
          : code === 'rate_limited' ? t('enrolRateLimited')
          : code === 'invalid' ? t('enrolFormat')
          : `${t('enrolNetwork')} (HTTP ${res.status})`;
        return;
      }
      const enrolment = { ...EnrolResponse.parse(json), enrolledAt: Date.now() };
      await saveEnrolment(enrolment);
      fireEvent(this, 'enrolled', enrolment);
    } catch {
      this.error = t('enrolNetwork');
    } finally {
      this.busy = false;
    }
  }

  static override styles = css`
    form { max-width: 32rem; margin: 3rem auto; display: grid; gap: 0.8rem; }
    h1 { font-size: 1.6rem; margin: 0; }
    label { font-weight: 600; }
    input { font-size: 2rem; letter-spacing: 0.2em; padding: 0.5rem 0.8rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; text-transform: uppercase; }
    button { min-height: 3.5rem; font-size: 1.3rem; border: 0; border-radius: 0.7rem; background: #1d4ed8; color: #fff; }
    .error { color: #b91c1c; font-weight: 600; margin: 0; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'enrol-screen': EnrolScreen;
  }
}
