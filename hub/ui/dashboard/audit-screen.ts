import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { AuditEntry } from '../../../shared/schemas/dashboard.js';
import { ApiFailure, getJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { Resource, renderError } from './resource.js';
import { base } from './styles.js';

const LIMIT = 200;

/** Who did what, when, to what (street admin only): every inspector action and view of a log. */
@customElement('audit-screen')
export class AuditScreen extends LitElement {
  @state() private older: AuditEntry[] = [];
  @state() private more = true;
  @state() private olderError: ApiFailure | undefined;

  private readonly i18n = new I18nController(this);
  private readonly audit = new Resource(this, () => getJson<{ items: AuditEntry[] }>('/api/audit', { limit: LIMIT }).then((r) => r.items));

  override connectedCallback(): void {
    super.connectedCallback();
    void this.audit.run().then(() => (this.more = (this.audit.value?.length ?? 0) >= LIMIT));
  }

  override render() {
    return html`<section class="panel">
      <h2>${t('auditTitle')}</h2>
      ${this.audit.render((first) => {
        const items = [...first, ...this.older];
        return html`<table data-testid="audit-table">
            <thead><tr><th>${t('when')}</th><th>${t('who')}</th><th>${t('what')}</th><th>${t('target')}</th><th>${t('detail')}</th></tr></thead>
            <tbody>
              ${items.map(
                (a) => html`<tr data-testid="audit-row" data-action=${a.action}>
                  <td class="nowrap">${fmtDateTime(a.at)}</td>
                  <td>${a.accountName ?? '—'}</td>
                  <td title=${a.action}>${label('audit', a.action)}</td>
                  <td>${a.target ?? ''}</td>
                  <td class="detail">${Object.keys(a.detail).length ? JSON.stringify(a.detail) : ''}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          ${this.olderError ? renderError(this.olderError) : nothing}
          ${this.more && items.length ? html`<button data-testid="audit-older" @click=${() => this._older(items[items.length - 1]!.id)}>${t('older')}</button>` : nothing}`;
      })}
    </section>`;
  }

  private async _older(before: number) {
    this.olderError = undefined;
    try {
      const { items } = await getJson<{ items: AuditEntry[] }>('/api/audit', { limit: LIMIT, before });
      this.older = [...this.older, ...items];
      this.more = items.length >= LIMIT;
    } catch (e) {
      this.olderError = e instanceof ApiFailure ? e : new ApiFailure(0, 'internal', String(e));
    }
  }

  static override styles = [
    base,
    css`
      .nowrap { white-space: nowrap; }
      .detail { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; max-width: 480px; }
      button { margin-top: 8px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'audit-screen': AuditScreen;
  }
}
