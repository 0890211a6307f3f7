import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PolicySchedule, PolicyVersion } from '../../../shared/schemas/policy-admin.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { postJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { diffPolicy } from './policy-diff.js';
import { refusalOf } from './policy-draft.js';
import { modeText } from './policy-labels.js';
import { base } from './styles.js';
import './policy-diff.js';

/**
 * What the scope of `v` enforced just before it: for a street-wide version the
 * previous street-wide one; for a community's, the newest earlier version
 * covering that community. `base` is the preset in force before any switch.
 */
export function previousFor(history: readonly PolicyVersion[], v: PolicyVersion, base: Policy): Policy {
  const earlier = history.filter((h) => h.version < v.version && (h.communityId === null || (v.communityId !== null && h.communityId === v.communityId)));
  return earlier.reduce<PolicyVersion | undefined>((a, h) => (!a || h.version > a.version ? h : a), undefined)?.policy ?? base;
}

/** Every version, newest first: scope, mode, when, who, why, and what it changed. */
@customElement('policy-history')
export class PolicyHistory extends LitElement {
  @property({ attribute: false }) items: PolicyVersion[] = [];
  @property({ attribute: false }) base!: Policy;

  @state() private open: number | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    if (this.items.length === 0) return html`<p class="muted">${t('polNoHistory')}</p>`;
    return html`<table data-testid="policy-history">
      <thead><tr><th class="n">${t('polVersion')}</th><th>${t('polScope')}</th><th>${t('pfMode')}</th><th>${t('polActivatedAt')}</th><th>${t('who')}</th><th>${t('polReason')}</th><th></th></tr></thead>
      <tbody>
        ${this.items.map(
          (v) => html`<tr data-testid="history-row" data-version=${v.version}>
              <td class="n">v${v.version}</td>
              <td>${v.communityName ?? (v.communityId ? v.communityId : t('polWholeStreet'))}</td>
              <td><span class="chip ${v.mode === 'emergency' ? 's-violation' : 's-clear'}">${modeText(v.mode)}</span></td>
              <td class="nowrap">${fmtDateTime(v.activatedAt)}</td>
              <td>${v.createdBy ?? '—'}</td>
              <td>${v.note ?? ''}</td>
              <td><button class="small" @click=${() => (this.open = this.open === v.version ? undefined : v.version)}>${t('polChanges')}</button></td>
            </tr>
            ${this.open === v.version
              ? html`<tr><td colspan="7"><policy-diff .rows=${diffPolicy(previousFor(this.items, v, this.base), v.policy)} .fromLabel=${t('polBefore')} .toLabel=${`v${v.version}`}></policy-diff></td></tr>`
              : nothing}`,
        )}
      </tbody>
    </table>`;
  }

  static override styles = [base, css`.nowrap { white-space: nowrap; }`];
}

/** Switches set for later, soonest first, each with a two-step cancel. */
@customElement('policy-schedules')
export class PolicySchedules extends LitElement {
  @property({ attribute: false }) items: PolicySchedule[] = [];

  @state() private confirming: number | undefined;
  @state() private busy = false;
  @state() private error: string | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    // A refused cancel stays said after the list is read again, even when that empties it.
    const error = this.error ? html`<p class="error" role="alert" data-testid="schedules-error">${this.error}</p>` : nothing;
    if (this.items.length === 0) return html`<p class="muted" data-testid="no-schedules">${t('polNoSchedules')}</p>${error}`;
    return html`<table data-testid="policy-schedules">
        <thead><tr><th>${t('polDueAt')}</th><th>${t('polScope')}</th><th>${t('pfMode')}</th><th>${t('who')}</th><th>${t('polReason')}</th><th></th></tr></thead>
        <tbody>
          ${this.items.map(
            (s) => html`<tr data-testid="schedule-row" data-schedule=${s.id}>
              <td class="nowrap">${fmtDateTime(s.dueAt)}</td>
              <td>${s.communityName ?? t('polWholeStreet')}</td>
              <td><span class="chip ${s.mode === 'emergency' ? 's-violation' : 's-clear'}">${modeText(s.mode)}</span></td>
              <td>${s.createdBy ?? '—'}</td>
              <td>${s.note ?? ''}</td>
              <td class="nowrap">
                ${this.confirming === s.id
                  ? html`<button class="small primary" data-testid="cancel-confirm" ?disabled=${this.busy} @click=${() => this._cancel(s.id)}>${t('polCancelConfirm')}</button>
                      <button class="small" @click=${() => (this.confirming = undefined)}>${t('close')}</button>`
                  : html`<button class="small" data-testid="cancel-schedule" @click=${() => (this.confirming = s.id)}>${t('polCancelSchedule')}</button>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${error}`;
  }

  private async _cancel(id: number) {
    this.busy = true;
    this.error = undefined;
    try {
      await postJson(`/api/policy/schedules/${id}/cancel`, {});
      this.confirming = undefined;
      this.dispatchEvent(new CustomEvent('policy-switched', { bubbles: true, composed: true }));
    } catch (err) {
      // 409: it was applied or cancelled meanwhile; the screen reads the list again either way.
      this.error = refusalOf(err).message;
      this.dispatchEvent(new CustomEvent('policy-switched', { bubbles: true, composed: true }));
    } finally {
      this.busy = false;
    }
  }

  static override styles = [base, css`.nowrap { white-space: nowrap; }`];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-history': PolicyHistory;
    'policy-schedules': PolicySchedules;
  }
}
