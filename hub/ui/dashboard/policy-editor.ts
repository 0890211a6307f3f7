import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PolicyDraft, PolicyOverview, PolicySwitchResult } from '../../../shared/schemas/policy-admin.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { getJson, postJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { diffPolicy } from './policy-diff.js';
import { draftErrors, reachOf, refusalOf, sendErrors, shownAtField, toDraft, type Refusal } from './policy-draft.js';
import { modeText } from './policy-labels.js';
import { base } from './styles.js';
import './policy-diff.js';
import './policy-fields.js';

/**
 * The policy editor: start from what is in force or a preset, edit
 * every field, see the differences against what the chosen scope enforces,
 * then switch the street or one community now or at a set time, with a
 * reason. Checked with the shared schema as the hub checks it; the hub's
 * answer, if it still refuses, shows at the field it names. Every problem is
 * worded in the dashboard's language (policy-draft.ts).
 */
@customElement('policy-editor')
export class PolicyEditor extends LitElement {
  @property({ attribute: false }) overview!: PolicyOverview;

  @state() private draft: PolicyDraft | undefined;
  @state() private communityId: string | null = null;
  @state() private later = false;
  @state() private at = '';
  @state() private reason = '';
  /** The hub's refusal of the last send, at the field it named. */
  @state() private refusal: Refusal | undefined;
  @state() private formErrors = new Map<string, string>();
  @state() private confirming = false;
  /** Whom the switch reaches, read afresh when the confirm step opens (kiosks come and go). */
  @state() private reach: { kiosks: number; connected: number } | undefined;
  @state() private busy = false;
  @state() private done: string | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const o = this.overview;
    const draft = this.draft ?? toDraft(this._inForce());
    const errors = draftErrors(draft);
    const valid = errors.size === 0;
    const refused = this.refusal;
    if (refused?.field?.startsWith('policy.')) errors.set(refused.field.slice('policy.'.length), refused.message);
    const diff = diffPolicy(toDraft(this._inForce()), draft);
    const reach = this.reach ?? reachOf(o, this.communityId);
    const formErr = (f: string) => {
      const m = this.formErrors.get(f) ?? (refused?.field === f ? refused.message : undefined);
      return m ? html`<span class="error" role="alert" data-testid="field-error" data-field=${f} title=${refused?.field === f ? refused.detail : ''}>${m}</span>` : nothing;
    };
    const general = refused && !shownAtField(refused.field) ? refused : undefined;
    return html`<section class="panel" data-testid="policy-editor">
      <h3>${t('polEditor')}</h3>
      <div class="row">
        <span class="muted">${t('polStartFrom')}</span>
        <button class="small" data-testid="start-current" @click=${() => this._start(this._inForce())}>${t('polStartCurrent')}</button>
        <button class="small" data-testid="start-normal" @click=${() => this._start(o.presets.normal)}>${t('polNormalPreset')}</button>
        <button class="small" data-testid="start-emergency" @click=${() => this._start(o.presets.emergency)}>${t('polEmergencyPreset')}</button>
      </div>
      <policy-fields .draft=${draft} .errors=${errors} @policy-draft-change=${(e: CustomEvent<PolicyDraft>) => this._change(e.detail)}></policy-fields>
      <h4>${t('polDiffTitle', { n: diff.length })}</h4>
      <policy-diff .rows=${diff}></policy-diff>
      <div class="send">
        <label>${t('polScope')}
          <select data-testid="scope" @change=${(e: Event) => this._scope((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.communityId === null}>${t('polWholeStreet')}</option>
            ${o.communities.map((c) => html`<option value=${c.id} ?selected=${this.communityId === c.id}>${c.name}</option>`)}
          </select>${formErr('communityId')}</label>
        <label>${t('polWhen')}
          <span class="row">
            <label class="inline"><input type="radio" name="when" data-testid="when-now" .checked=${!this.later} @change=${() => (this.later = false)} />${t('polNow')}</label>
            <label class="inline"><input type="radio" name="when" data-testid="when-later" .checked=${this.later} @change=${() => (this.later = true)} />${t('polLater')}</label>
            ${this.later ? html`<input type="datetime-local" data-testid="at" .value=${this.at} @change=${(e: Event) => (this.at = (e.target as HTMLInputElement).value)} />` : nothing}
          </span>${formErr('at')}</label>
        <label class="reason">${t('polReason')}
          <textarea rows="2" maxlength="500" data-testid="reason" placeholder=${t('polReasonHint')} .value=${this.reason}
            @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea>${formErr('reason')}</label>
      </div>
      ${this.confirming
        ? html`<div class="confirm" role="dialog" aria-label=${this.later ? t('polSchedule') : t('polSwitch')} data-testid="confirm">
            <p>${this.later ? t('polConfirmLater', { at: this.at.replace('T', ' ') }) : t('polConfirmNow')}
              <strong>${this.communityId === null ? t('polWholeStreet') : this._communityName(this.communityId)}</strong> · ${modeText(draft.mode)} ·
              ${t('polReach', reach)} · ${t('polDiffCount', { n: diff.length })}</p>
            <div class="row">
              <button class="primary" data-testid="confirm-send" ?disabled=${this.busy} @click=${() => this._send(draft)}>${t('polConfirm')}</button>
              <button @click=${() => (this.confirming = false)}>${t('cancel')}</button>
            </div>
          </div>`
        : html`<button class="primary" data-testid="review" ?disabled=${!valid} @click=${() => void this._review()}>${this.later ? t('polSchedule') : t('polSwitch')}</button>`}
      ${general ? html`<p class="error" role="alert" data-testid="editor-error" title=${general.detail}>${general.message}</p>` : nothing}
      ${this.done ? html`<p class="ok" data-testid="editor-done">${this.done}</p>` : nothing}
    </section>`;
  }

  /** What the chosen scope enforces now. */
  private _inForce(): Policy {
    const o = this.overview;
    return this.communityId === null ? o.street.policy : o.communities.find((c) => c.id === this.communityId)?.policy ?? o.street.policy;
  }

  private _communityName(id: string): string {
    return this.overview.communities.find((c) => c.id === id)?.name ?? id;
  }

  private _start(p: Policy) {
    this._change(toDraft(p));
  }

  private _change(draft: PolicyDraft) {
    this.draft = draft;
    this.refusal = undefined;
    this.confirming = false;
    this.done = undefined;
  }

  private _scope(value: string) {
    this.communityId = value === '' ? null : value;
    this.reach = undefined;
    this.confirming = false;
  }

  private async _review() {
    const errors = sendErrors({ reason: this.reason, later: this.later, at: this.at }, Date.now());
    this.formErrors = errors;
    this.refusal = undefined;
    this.done = undefined;
    if (errors.size > 0) return;
    try {
      this.reach = reachOf(await getJson<PolicyOverview>('/api/policy'), this.communityId);
    } catch {
      // The counts on screen stand in; the switch itself will say if the hub is unreachable.
      this.reach = undefined;
    }
    this.confirming = true;
  }

  private async _send(draft: PolicyDraft) {
    this.busy = true;
    try {
      const body = { policy: draft, communityId: this.communityId, reason: this.reason.trim(), ...(this.later ? { at: new Date(this.at).getTime() } : {}) };
      const res = await postJson<PolicySwitchResult>('/api/policy/switch', body);
      this.done =
        res.kind === 'switched'
          ? t('polSwitched', { v: res.version.version, kiosks: res.kiosks, connected: res.connected })
          : t('polScheduled', { at: fmtDateTime(res.schedule.dueAt) });
      this.confirming = false;
      this.reason = '';
      this.draft = undefined;
      this.dispatchEvent(new CustomEvent('policy-switched', { bubbles: true, composed: true }));
    } catch (err) {
      this.confirming = false;
      // A 400 names the field (`policy.capPercent.byVenueType.library`, `reason`): shown there.
      this.refusal = refusalOf(err);
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      h3 { margin-top: 0; }
      h4 { margin: 12px 0 4px; font-size: 13px; color: var(--muted); }
      policy-fields { margin-top: 8px; }
      .send { display: grid; grid-template-columns: minmax(160px, 220px) minmax(220px, 1fr) minmax(240px, 2fr); gap: 8px 16px; margin: 12px 0 8px; align-items: start; }
      .send > label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      label.inline { display: inline-flex; gap: 4px; align-items: center; color: inherit; }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
      span.error { padding: 2px 6px; font-size: 12px; }
      .confirm { border: 2px solid var(--warning); background: #fff8e6; border-radius: 6px; padding: 10px; }
      .ok { color: var(--clear); font-weight: 600; }
      @media (max-width: 900px) { .send { grid-template-columns: 1fr; } }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-editor': PolicyEditor;
  }
}
