import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { I18nController, t } from '../i18n.js';
import type { SyncStatus } from '../sync/sync-client.js';

/** Online/offline and what is still to send, always visible in the header. */
@customElement('sync-status')
export class SyncStatusBadge extends LitElement {
  @property({ attribute: false }) status: SyncStatus | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const s = this.status;
    if (!s) return html``;
    return html`<span class="conn ${s.connection}" data-testid="connection">${t(s.connection)}</span>
      <span data-testid="pending-count" data-count=${s.pending}>${s.pending} ${t('pending')}</span>
      <span data-testid="synced-count" data-count=${s.synced}>${s.synced} ${t('synced')}</span>
      ${s.rejected ? html`<span class="rejected" data-testid="rejected-count">${s.rejected} ${t('rejected')}</span>` : ''}`;
  }

  static override styles = css`
    :host { display: flex; gap: 0.8rem; align-items: center; font-size: 1rem; flex-wrap: wrap; }
    .conn { padding: 0.2rem 0.7rem; border-radius: 999px; font-weight: 700; color: #fff; background: #6b7280; }
    .online { background: #15803d; }
    .offline { background: #b45309; }
    .unauthorized { background: #b91c1c; }
    .rejected { color: #b91c1c; font-weight: 700; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'sync-status': SyncStatusBadge;
  }
}
