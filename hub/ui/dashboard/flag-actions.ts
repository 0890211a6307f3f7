import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Flag, FlagAction, FlagStatus } from '../../../shared/schemas/flags.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { localIsoWithOffset, todayIso } from './format.js';
import { I18nController, t } from './i18n.js';
import { errorText } from './resource.js';
import { base } from './styles.js';

type Form = 'order_rectification' | 'mark_rectified' | 'escalate' | 'withdraw';

/**
 * What may follow each status (FlagStatus: open → acknowledged → rectification
 * ordered → rectified or escalated). The hub has the last word (409).
 */
const NEXT: Record<FlagStatus, FlagAction['action'][]> = {
  open: ['acknowledge', 'order_rectification', 'escalate', 'withdraw'],
  acknowledged: ['order_rectification', 'escalate', 'withdraw'],
  rectification_ordered: ['mark_rectified', 'escalate', 'withdraw'],
  rectified: [],
  escalated: ['withdraw'],
  withdrawn: [],
};

/** Acting on a flag (000 §5: warn, order rectification with a deadline, record the visit, escalate). */
@customElement('flag-actions')
export class FlagActions extends LitElement {
  @property({ attribute: false }) flag: Flag | undefined;

  @state() private form: Form | undefined;
  @state() private busy = false;
  @state() private error: { message: string; field?: string } | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const next = this.flag ? NEXT[this.flag.status] ?? [] : [];
    const general = this.error && !this.error.field ? html`<p class="error" role="alert" data-testid="action-error">${this.error.message}</p>` : nothing;
    if (next.length === 0) return general;
    const can = (a: FlagAction['action']) => next.includes(a);
    const open = (f: Form) => () => {
      this.form = this.form === f ? undefined : f;
      this.error = undefined;
    };
    return html`<h4>${t('actionsTitle')}</h4>
      <div class="row">
        ${can('acknowledge') ? html`<button data-testid="action-acknowledge" ?disabled=${this.busy} @click=${() => this._send({ action: 'acknowledge' })}>${t('acknowledge')}</button>` : nothing}
        ${can('order_rectification') ? html`<button data-testid="action-order" aria-pressed=${this.form === 'order_rectification'} @click=${open('order_rectification')}>${t('orderRectification')}</button>` : nothing}
        ${can('mark_rectified') ? html`<button data-testid="action-rectified" aria-pressed=${this.form === 'mark_rectified'} @click=${open('mark_rectified')}>${t('markRectified')}</button>` : nothing}
        ${can('escalate') ? html`<button data-testid="action-escalate" aria-pressed=${this.form === 'escalate'} @click=${open('escalate')}>${t('escalate')}</button>` : nothing}
        ${can('withdraw') ? html`<button data-testid="action-withdraw" aria-pressed=${this.form === 'withdraw'} @click=${open('withdraw')}>${t('withdraw')}</button>` : nothing}
      </div>
      ${this.form && can(this.form) ? this._form(this.form) : nothing} ${general}`;
  }

  private _form(form: Form) {
    const fieldError = (name: string) =>
      this.error?.field === name ? html`<span class="error" role="alert" data-testid="field-error" data-field=${name}>${this.error.message}</span>` : nothing;
    const testid = form === 'order_rectification' ? 'order' : form === 'mark_rectified' ? 'rectified' : form;
    const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    return html`<form @submit=${this._submit} novalidate data-testid="${testid}-form">
      ${form === 'order_rectification'
        ? html`<label>${t('deadline')}<input type="date" name="deadline" min=${todayIso()} required data-testid="order-deadline" /></label>${fieldError('deadline')}`
        : nothing}
      ${form === 'mark_rectified'
        ? html`<label>${t('visitedAt')}<input type="datetime-local" name="visitedAt" .value=${now} max=${now} required data-testid="rectified-visited" /></label>${fieldError('visitedAt')}`
        : nothing}
      <label>${t('note')}<textarea name="note" rows="3" maxlength="1000" required data-testid="${testid}-note"></textarea></label>${fieldError('note')}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="${testid}-submit">${t('submit')}</button>
        <button type="button" @click=${() => (this.form = undefined)}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  private _submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const note = String(data.get('note') ?? '').trim();
    const missing = (field: string, key: 'noteRequired' | 'deadlineRequired' | 'visitedRequired') => (this.error = { field, message: t(key) });
    if (this.form === 'order_rectification') {
      const deadline = String(data.get('deadline') ?? '');
      if (!deadline) return missing('deadline', 'deadlineRequired');
      if (!note) return missing('note', 'noteRequired');
      return this._send({ action: 'order_rectification', deadline, note });
    }
    if (this.form === 'mark_rectified') {
      const local = String(data.get('visitedAt') ?? '');
      const ms = local ? new Date(local).getTime() : NaN;
      if (!Number.isFinite(ms)) return missing('visitedAt', 'visitedRequired');
      if (!note) return missing('note', 'noteRequired');
      return this._send({ action: 'mark_rectified', visitedAt: localIsoWithOffset(ms), note });
    }
    if (!note) return missing('note', 'noteRequired');
    return this._send(this.form === 'withdraw' ? { action: 'withdraw', note } : { action: 'escalate', note });
  }

  private async _send(action: FlagAction) {
    if (!this.flag) return;
    this.busy = true;
    this.error = undefined;
    try {
      const flag = await postJson<Flag>(`/api/flags/${this.flag.id}/actions`, action);
      this.form = undefined;
      fireEvent(this, 'flag-updated', flag);
    } catch (err) {
      const e = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      if (e.status === 409) {
        this.error = { message: t('invalidTransition') };
        fireEvent(this, 'flag-stale', {});
      } else {
        // A 400 names the field (`note` or `body.note`); the form shows the message under it.
        const field = e.field?.replace(/^body\./, '');
        this.error = { message: errorText(e), field: e.status === 400 && field && ['deadline', 'note', 'visitedAt'].includes(field) ? field : undefined };
      }
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      h4 { margin: 12px 0 4px; font-size: 13px; color: var(--muted); }
      form { display: grid; gap: 6px; margin-top: 8px; padding: 8px; background: #f7f9fb; border-radius: 4px; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
      span.error { padding: 2px 6px; font-size: 13px; }
      button[aria-pressed='true'] { background: #dce7f7; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'flag-actions': FlagActions;
  }
}
