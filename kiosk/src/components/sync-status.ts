import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { I18nController, t, tf } from '../i18n.js';
import type { SyncStatus } from '../sync/sync-client.js';

/**
 * Online/offline and what is still to send, always visible in the header;
 * while the hub has asked the tablet to wait, the seconds left, counted down.
 */
@customElement('sync-status')
export class SyncStatusBadge extends LitElement {
  @property({ attribute: false }) status: SyncStatus | undefined;

  private readonly i18n = new I18nController(this);
  /** Re-renders every second while a wait the hub asked for runs. */
  private tick: ReturnType<typeof setInterval> | undefined;

  override render() {
    const s = this.status;
    if (!s) return html``;
    // Rounded: a wait under half a second (a hub only a little behind) is not worth showing.
    const busyS = s.hubBusyUntil === undefined ? 0 : Math.round((s.hubBusyUntil - Date.now()) / 1000);
    return html`<span class="conn ${s.connection}" data-testid="connection">${t(s.connection)}</span>
      <span data-testid="pending-count" data-count=${s.pending}>${s.pending} ${t('pending')}</span>
      <span data-testid="synced-count" data-count=${s.synced}>${s.synced} ${t('synced')}</span>
      ${s.rejected ? html`<span class="rejected" data-testid="rejected-count">${s.rejected} ${t('rejected')}</span>` : ''}
      ${busyS >= 1 ? html`<span class="busy" data-testid="hub-busy" data-seconds=${busyS}>${tf('hubBusy', { n: busyS })}</span>` : ''}`;
  }

  override updated(): void {
    const waiting = (this.status?.hubBusyUntil ?? 0) > Date.now();
    if (waiting && this.tick === undefined) this.tick = setInterval(() => this.requestUpdate(), 1000);
    else if (!waiting && this.tick !== undefined) this.stopTick();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTick();
  }

  private stopTick(): void {
    clearInterval(this.tick);
    this.tick = undefined;
  }

  static override styles = css`
    :host { display: flex; gap: 0.8rem; align-items: center; font-size: 1rem; flex-wrap: wrap; }
    .conn { padding: 0.2rem 0.7rem; border-radius: 999px; font-weight: 700; color: #fff; background: #6b7280; }
    .online { background: #15803d; }
    .offline { background: #b45309; }
    .unauthorized { background: #b91c1c; }
    .rejected { color: #b91c1c; font-weight: 700; }
    .busy { color: #4b5563; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'sync-status': SyncStatusBadge;
  }
}
