import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t, tf } from '../i18n.js';
import type { RetireOutcome } from '../sync/sync-client.js';

const RETIRE_ERROR = {
  hub: 'retireErrorHub',
  mismatch: 'retireErrorMismatch',
  answer: 'retireErrorAnswer',
  device: 'retireErrorDevice',
} as const satisfies Record<Extract<RetireOutcome, { outcome: 'error' }>['reason'], string>;

/**
 * "Retire this tablet", done at the kiosk: a confirm step that says
 * what is still to send and what the hub refused, then the sync client's
 * drain-and-ask. Nothing is erased here; the app does that on `retired`.
 */
@customElement('retire-panel')
export class RetirePanel extends LitElement {
  /** Records still in the outbox and records the hub refused, as the sync client last counted. */
  @property({ type: Number }) pending = 0;
  @property({ type: Number }) rejected = 0;
  @property({ attribute: false }) retire: (() => Promise<RetireOutcome>) | undefined;

  @state() private step: 'idle' | 'confirm' | 'busy' = 'idle';
  @state() private result: RetireOutcome | undefined;

  private readonly i18n = new I18nController(this);

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A refusal for unsent records is stale once the backlog moves; the count shown must be today's.
    if (changed.has('pending') && (this.result?.outcome === 'offline' || this.result?.outcome === 'unsynced')) this.result = undefined;
  }

  override render() {
    return html`<h2>${t('retireTitle')}</h2>
      <p>${t('retireHelp')}</p>
      ${this.result
        ? html`<p class="refused" role="alert" data-testid="retire-result" data-outcome=${this.result.outcome} data-reason=${this.result.outcome === 'error' ? this.result.reason : ''}>
            ${this._message(this.result)}
          </p>`
        : nothing}
      ${this.step === 'idle'
        ? html`<button class="danger" data-testid="retire-start" ?disabled=${!this.retire} @click=${() => ((this.step = 'confirm'), (this.result = undefined))}>
            ${t('retireStart')}
          </button>`
        : html`<div class="confirm" role="dialog" aria-labelledby="retire-q" data-testid="retire-confirm">
            <strong id="retire-q">${t('retireConfirmTitle')}</strong>
            <p>${t('retireConfirmBody')}</p>
            ${this.pending ? html`<p data-testid="retire-pending-note">${tf('retirePendingNote', { n: this.pending })}</p>` : nothing}
            ${this.rejected ? html`<p class="warn" data-testid="retire-rejected-note">${tf('retireRejectedNote', { n: this.rejected })}</p>` : nothing}
            <div class="actions">
              <button data-testid="retire-cancel" ?disabled=${this.step === 'busy'} @click=${() => (this.step = 'idle')}>${t('cancel')}</button>
              <button class="danger" data-testid="retire-confirm-button" ?disabled=${this.step === 'busy'} @click=${this._retire}>
                ${this.step === 'busy' ? t('retireBusy') : t('retireConfirm')}
              </button>
            </div>
          </div>`}`;
  }

  private async _retire() {
    if (!this.retire) return;
    this.step = 'busy';
    let result: RetireOutcome;
    try {
      result = await this.retire();
    } catch {
      // Thrown, not answered: the tablet's own storage failed before the hub was asked.
      result = { outcome: 'error', reason: 'device' };
    }
    this.step = 'idle';
    if (result.outcome === 'retired') fireEvent(this, 'retired', { retiredAt: result.retiredAt, lastSeq: result.lastSeq });
    else this.result = result;
  }

  /** Worded here from figures and reasons only: the hub's own (English) messages never reach staff. */
  private _message(r: RetireOutcome): string {
    switch (r.outcome) {
      case 'unsynced':
        return tf('retireUnsynced', { n: r.pending });
      case 'offline':
        return r.pending ? tf('retireOfflinePending', { n: r.pending }) : t('retireOffline');
      case 'conflict':
        return tf('retireConflict', { n: r.missing });
      case 'revoked':
        return t('revokedTitle');
      case 'error':
        return t(RETIRE_ERROR[r.reason]);
      case 'retired':
        return t('retiredDone');
    }
  }

  static override styles = css`
    :host { display: grid; gap: 0.6rem; padding: 1rem; border: 2px solid #fca5a5; border-radius: 0.8rem; background: #fff; }
    h2 { margin: 0; font-size: 1.3rem; color: #991b1b; }
    p { margin: 0; }
    button { min-height: 3rem; padding: 0 1.2rem; font-size: 1.1rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; }
    button.danger { border-color: #b91c1c; background: #b91c1c; color: #fff; font-weight: 700; }
    button[disabled] { opacity: 0.6; }
    .confirm { display: grid; gap: 0.6rem; padding: 0.8rem; border-radius: 0.6rem; background: #fef2f2; }
    .actions { display: flex; gap: 0.6rem; justify-content: flex-end; flex-wrap: wrap; }
    .refused { padding: 0.6rem 0.8rem; border-radius: 0.6rem; background: #fef3c7; color: #78350f; font-weight: 600; }
    .warn { color: #b45309; font-weight: 600; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'retire-panel': RetirePanel;
  }
}
