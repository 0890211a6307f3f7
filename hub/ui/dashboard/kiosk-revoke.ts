import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { RevokeRequest, type KioskView } from '../../../shared/schemas/kiosk-admin.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { ago, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { errorText } from './resource.js';
import { base } from './styles.js';

/**
 * Revoking a lost or stolen tablet: a reason, then a confirm step
 * that says what cannot be undone, how many records the tablet still held at
 * its last contact, that the venue's pass-code secret is rotated, and that the
 * venue's door PINs (whose hashes the tablet holds) should be reset. The hub
 * cuts its socket at once.
 */
@customElement('kiosk-revoke')
export class KioskRevoke extends LitElement {
  @property({ attribute: false }) kiosk: KioskView | undefined;

  @state() private step: 'closed' | 'reason' | 'confirm' = 'closed';
  @state() private reason = '';
  @state() private busy = false;
  @state() private error: { message: string; field?: string | undefined } | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const k = this.kiosk;
    if (!k || k.state !== 'active') return nothing;
    if (this.step === 'closed') {
      return html`<button class="small danger" data-testid="revoke-open" @click=${() => this._to('reason')}>${t('ksRevoke')}</button>`;
    }
    const error = this.error ? html`<p class="error" role="alert" data-testid="revoke-error" data-field=${this.error.field ?? ''}>${this.error.message}</p>` : nothing;
    if (this.step === 'reason') {
      return html`<form class="box" @submit=${this._next} novalidate data-testid="revoke-form">
        <label>${t('ksRevokeReason')}
          <input name="reason" maxlength="200" required .value=${this.reason} placeholder=${t('ksRevokeReasonHint')} data-testid="revoke-reason"
            @input=${(e: Event) => (this.reason = (e.target as HTMLInputElement).value)} />
        </label>
        ${error}
        <div class="row">
          <button class="primary" type="submit" data-testid="revoke-next">${t('ksNext')}</button>
          <button type="button" @click=${() => this._to('closed')}>${t('cancel')}</button>
        </div>
      </form>`;
    }
    return html`<div class="box confirm" role="alertdialog" data-testid="revoke-confirm">
      <p><strong>${t('ksRevokeConfirmTitle', { entrance: `${k.venueName} · ${k.entranceName}` })}</strong></p>
      <p>${t('ksRevokeConfirmText')}</p>
      <p>${k.backlog === null ? t('ksRevokeBacklogUnknown') : t('ksRevokeBacklog', { n: num(k.backlog), when: ago(k.statusAt ?? k.lastSeenAt) })}</p>
      <p data-testid="revoke-secret">${t('ksRevokeSecret')}</p>
      <p data-testid="revoke-pins">
        ${t('ksRevokePins')} <a href=${`#/registry?venue=${encodeURIComponent(k.venueId)}`} data-testid="revoke-pins-link">${t('ksRevokePinsLink')}</a>
      </p>
      <p class="muted">${t('ksRevokeReason')}: ${this.reason.trim()}</p>
      ${error}
      <div class="row">
        <button class="danger-solid" ?disabled=${this.busy} data-testid="revoke-submit" @click=${this._submit}>${t('ksRevokeConfirm')}</button>
        <button type="button" ?disabled=${this.busy} @click=${() => this._to('reason')}>${t('ksBack')}</button>
      </div>
    </div>`;
  }

  private _to(step: KioskRevoke['step']) {
    this.step = step;
    this.error = undefined;
    if (step === 'closed') this.reason = '';
  }

  private _next(e: SubmitEvent) {
    e.preventDefault();
    // The same schema as the hub, so the message names the field before anything is sent.
    const parsed = RevokeRequest.safeParse({ reason: this.reason });
    if (!parsed.success) {
      this.error = { field: 'reason', message: t('ksRevokeReasonRequired') };
      return;
    }
    this._to('confirm');
  }

  private async _submit() {
    const k = this.kiosk;
    if (!k) return;
    this.busy = true;
    this.error = undefined;
    try {
      const view = await postJson<KioskView>(`/api/kiosks/${encodeURIComponent(k.id)}/revoke`, { reason: this.reason.trim() });
      this._to('closed');
      fireEvent(this, 'kiosk-updated', view);
    } catch (e) {
      const f = e instanceof ApiFailure ? e : new ApiFailure(0, 'internal', String(e));
      this.error = { message: f.code === 'conflict' ? t('ksRevokeConflict') : errorText(f), field: f.field };
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      /* In a table cell that does not wrap: the dialog's sentences do. */
      :host { display: block; white-space: normal; }
      .box { margin-top: 6px; padding: 8px; border: 1px solid var(--line); border-radius: 4px; background: #fff; max-width: 420px; }
      .confirm { border-color: var(--violation); background: #fff5f4; }
      .confirm p { margin: 0 0 6px; }
      label { display: flex; flex-direction: column; gap: 4px; margin-bottom: 6px; }
      .danger { color: var(--violation); border-color: #f0b8b3; }
      .danger-solid { background: var(--violation); border-color: var(--violation); color: #fff; }
      .danger-solid:hover:not(:disabled) { background: #a61f1f; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'kiosk-revoke': KioskRevoke;
  }
}
