import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Suspension } from '../../../shared/schemas/suspension.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { DEFAULT_OFFSET_MIN, fmtDateTime, venueTodayIso } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource, errorText } from './resource.js';
import { base } from './styles.js';

/**
 * A venue's suspension orders (停业整顿, 000 §5(2)): the inspector orders one
 * from a date to a date with the reason its kiosks show, and may lift one in
 * force or ahead, saying why. The hub tells the venue's kiosks at once and
 * audit-logs both acts; every order stays listed, lifted or over.
 */
@customElement('suspension-panel')
export class SuspensionPanel extends LitElement {
  @property() venueId = '';
  /** The venue's zone: an order's dates are the venue's days, so "today" is the venue's today. */
  @property({ type: Number }) offsetMinutes = DEFAULT_OFFSET_MIN;

  @state() private ordering = false;
  @state() private lifting: number | undefined;
  @state() private busy = false;
  @state() private error: { message: string; field?: string } | undefined;

  private readonly i18n = new I18nController(this);
  private readonly list = new Resource(this, () => getJson<{ items: Suspension[] }>(`/api/venues/${encodeURIComponent(this.venueId)}/suspensions`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) void this.list.run();
  }

  override render() {
    const general = this.error && !this.error.field ? html`<p class="error" role="alert" data-testid="suspension-error">${this.error.message}</p>` : nothing;
    return html`<div class="row">
        <button data-testid="suspension-order" aria-pressed=${this.ordering} @click=${() => this._toggleOrder()}>${t('suspensionOrder')}</button>
      </div>
      ${this.ordering ? this._orderForm() : nothing} ${general}
      ${this.list.render(({ items }) =>
        items.length === 0
          ? html`<p class="muted" data-testid="suspension-none">${t('suspensionNone')}</p>`
          : html`<ul class="orders">${items.map((s) => this._item(s))}</ul>`,
      )}`;
  }

  private _item(s: Suspension) {
    const now = Date.now();
    const state = s.liftedAt !== null || s.endsAt <= now ? 'over' : s.startsAt <= now ? 'in_force' : 'ahead';
    const stateText = state === 'in_force' ? t('suspensionInForce') : state === 'ahead' ? t('suspensionAhead') : t('suspensionOver');
    return html`<li data-testid="suspension" data-id=${s.id} data-state=${state}>
      <div class="row">
        <span class="chip ${state === 'in_force' ? 's-suspended' : state === 'ahead' ? 's-warning' : 's-closed'}">${stateText}</span>
        <strong>${s.from} – ${s.to}</strong>
        <span>${s.reason}</span>
      </div>
      <div class="muted">${t('suspensionOrdered', { by: s.orderedBy ?? '—', at: fmtDateTime(s.orderedAt) })}</div>
      ${s.liftedAt !== null
        ? html`<div class="muted" data-testid="suspension-lifted">${t('suspensionLifted', { at: fmtDateTime(s.liftedAt), by: s.liftedBy ?? '—', note: s.liftNote ?? '' })}</div>`
        : nothing}
      ${state !== 'over'
        ? this.lifting === s.id
          ? this._liftForm(s)
          : html`<button class="small" data-testid="suspension-lift" @click=${() => ((this.lifting = s.id), (this.error = undefined))}>${t('suspensionLift')}</button>`
        : nothing}
    </li>`;
  }

  private _fieldError(name: string) {
    return this.error?.field === name ? html`<span class="error" role="alert" data-testid="field-error" data-field=${name}>${this.error.message}</span>` : nothing;
  }

  private _orderForm() {
    const today = venueTodayIso(this.offsetMinutes);
    return html`<form @submit=${this._order} novalidate data-testid="suspension-form">
      <div class="row">
        <label>${t('suspensionFrom')}<input type="date" name="from" .value=${today} min=${today} required data-testid="suspension-from" /></label>
        <label>${t('suspensionTo')}<input type="date" name="to" .value=${today} min=${today} required data-testid="suspension-to" /></label>
      </div>
      ${this._fieldError('from')} ${this._fieldError('to')}
      <label>${t('suspensionReason')}<textarea name="reason" rows="2" maxlength="200" required data-testid="suspension-reason"></textarea></label>${this._fieldError('reason')}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="suspension-submit">${t('submit')}</button>
        <button type="button" @click=${() => (this.ordering = false)}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  private _liftForm(s: Suspension) {
    return html`<form @submit=${(e: SubmitEvent) => this._lift(e, s)} novalidate data-testid="lift-form">
      <label>${t('suspensionLiftNote')}<textarea name="note" rows="2" maxlength="200" required data-testid="lift-note"></textarea></label>${this._fieldError('note')}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="lift-submit">${t('submit')}</button>
        <button type="button" @click=${() => (this.lifting = undefined)}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  private _toggleOrder() {
    this.ordering = !this.ordering;
    this.error = undefined;
  }

  private _order(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const from = String(data.get('from') ?? '');
    const to = String(data.get('to') ?? '');
    const reason = String(data.get('reason') ?? '').trim();
    if (!from) return void (this.error = { field: 'from', message: t('suspensionDatesRequired') });
    if (!to) return void (this.error = { field: 'to', message: t('suspensionDatesRequired') });
    if (to < from) return void (this.error = { field: 'to', message: t('suspensionToBeforeFrom') });
    if (!reason) return void (this.error = { field: 'reason', message: t('noteRequired') });
    void this._send(`/api/venues/${encodeURIComponent(this.venueId)}/suspensions`, { from, to, reason }, ['from', 'to', 'reason']);
  }

  private _lift(e: SubmitEvent, s: Suspension) {
    e.preventDefault();
    const note = String(new FormData(e.target as HTMLFormElement).get('note') ?? '').trim();
    if (!note) return void (this.error = { field: 'note', message: t('noteRequired') });
    void this._send(`/api/suspensions/${s.id}/lift`, { note }, ['note']);
  }

  private async _send(path: string, body: unknown, fields: string[]) {
    this.busy = true;
    this.error = undefined;
    try {
      await postJson<Suspension>(path, body);
      this.ordering = false;
      this.lifting = undefined;
      await this.list.run();
      fireEvent(this, 'suspension-changed', { venueId: this.venueId });
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      // A 400 names the field (`reason` or `body.reason`); the form shows the message under it.
      const field = f.field?.replace(/^body\./, '');
      this.error = { message: errorText(f), field: f.status === 400 && field && fields.includes(field) ? field : undefined };
      if (f.status === 409) await this.list.run();
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      form { display: grid; gap: 6px; margin-top: 8px; padding: 8px; background: #f7f9fb; border-radius: 4px; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
      span.error { padding: 2px 6px; font-size: 13px; }
      button[aria-pressed='true'] { background: #dce7f7; }
      ul.orders { list-style: none; margin: 8px 0 0; padding: 0; display: grid; gap: 8px; }
      ul.orders li { border-top: 1px solid var(--line); padding-top: 6px; display: grid; gap: 4px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'suspension-panel': SuspensionPanel;
  }
}
