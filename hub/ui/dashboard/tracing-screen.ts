import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { OrgTree } from '../../../shared/schemas/organisation.js';
import type { TracingQuery, TracingResult } from '../../../shared/schemas/tracing.js';
import { ApiFailure, UNAUTHORIZED_EVENT, getJson, postJson } from './api.js';
import { I18nController, t } from './i18n.js';
import { Resource, errorText, renderError } from './resource.js';
import { base } from './styles.js';
import './tracing-form.js';
import './tracing-results.js';
import type { TracingSubmit } from './tracing-form.js';

/**
 * Tracing (时空伴随, 003 §25, 004 §3.9), admins only: who was at the case's venues during its
 * visits, with contact numbers; a district or city admin over the venues of every street it covers. The results live in
 * this element only: leaving the screen (another route, logging out) drops
 * them, so no list of numbers stays on a shared office screen.
 */
@customElement('tracing-screen')
export class TracingScreen extends LitElement {
  @state() private result: TracingResult | undefined;
  @state() private busy = false;
  @state() private error: { field?: string | undefined; message: string; forbidden: boolean } | undefined;
  @state() private exported: string | undefined;

  private readonly i18n = new I18nController(this);
  private readonly street = new Resource(this, () => getJson<OrgTree>('/api/organisation'));
  /** A run still answering when the screen is left must not fill it afterwards. */
  private generation = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.street.run();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation++;
    this.result = undefined;
    this.exported = undefined;
    this.error = undefined;
  }

  override render() {
    return html`<section class="panel">
      <h2>${t('trTitle')}</h2>
      <p class="notice" role="note" data-testid="tracing-notice">${t('trNotice')}</p>
      ${this.street.error ? renderError(this.street.error, () => void this.street.run()) : nothing}
      ${this.error?.forbidden
        ? html`<p class="error" role="alert" data-testid="forbidden">${this.error.message}</p>`
        : html`<tracing-form .districts=${this.street.value?.districts} .busy=${this.busy} .serverError=${this.error} @tracing-submit=${this._submit}></tracing-form>`}
      ${this.exported ? html`<p class="muted" data-testid="tracing-exported">${t('trExported', { file: this.exported })}</p>` : nothing}
      ${this.result
        ? html`<div class="row actions">
              <button class="small" data-testid="tracing-clear" @click=${this._clear}>${t('trClear')}</button>
            </div>
            <tracing-results .result=${this.result}></tracing-results>`
        : nothing}
    </section>`;
  }

  private readonly _clear = () => {
    this.result = undefined;
    this.exported = undefined;
  };

  private async _submit(e: CustomEvent<TracingSubmit>) {
    const { query, mode } = e.detail;
    const gen = ++this.generation;
    this.busy = true;
    this.error = undefined;
    this.exported = undefined;
    try {
      if (mode === 'run') {
        const result = await postJson<TracingResult>('/api/tracing', query);
        if (gen === this.generation) this.result = result;
      } else {
        const file = await downloadCsv(query);
        if (gen === this.generation) this.exported = file;
      }
    } catch (err) {
      if (gen !== this.generation) return;
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      // An admin refused here lacks the second factor the street's setting asks for (hub: requireTotpWhenSet).
      // A venue outside the account's area is named at its field; any other refusal closes the form.
      const outside = f.code === 'forbidden' && f.field !== undefined;
      const forbidden = f.code === 'forbidden' && !outside ? (/authenticator code/.test(f.message) ? t('tracingNeedsTotp') : t('adminOnly')) : undefined;
      this.error = { field: f.field, message: outside ? t('trVenueOutside') : (forbidden ?? errorText(f)), forbidden: forbidden !== undefined };
    } finally {
      if (gen === this.generation) this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      .notice { background: #fff8e1; border: 1px solid #ffe08a; border-radius: 4px; padding: 8px 10px; margin: 0 0 12px; }
      .actions { justify-content: flex-end; margin-top: 12px; }
    `,
  ];
}

/**
 * POSTs the query for the CSV and hands the file to the browser. Not through
 * api.ts's postJson, which reads JSON; the same CSRF token and error shape.
 * Returns the file name.
 */
async function downloadCsv(query: TracingQuery): Promise<string> {
  const csrf = await fetch('/api/auth/csrf', { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => {
    throw new ApiFailure(0, 'network', 'network');
  });
  if (!csrf.ok) throw new ApiFailure(csrf.status, csrf.status === 401 ? 'unauthorized' : 'internal', csrf.statusText);
  const { token } = (await csrf.json()) as { token: string };
  const res = await fetch('/api/tracing/export.csv', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'text/csv', 'x-csrf-token': token },
    body: JSON.stringify(query),
  }).catch(() => {
    throw new ApiFailure(0, 'network', 'network');
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: ApiFailure['code']; message?: string; field?: string } };
    if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    throw new ApiFailure(res.status, body.error?.code ?? (res.status === 403 ? 'forbidden' : 'invalid'), body.error?.message ?? res.statusText, body.error?.field);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'tracing.csv';
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the blob to the download; nothing of it stays in the page.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
  return name;
}

declare global {
  interface HTMLElementTagNameMap {
    'tracing-screen': TracingScreen;
  }
}
