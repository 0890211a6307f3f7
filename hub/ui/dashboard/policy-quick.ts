import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PolicyOverview, PolicySwitchResult } from '../../../shared/schemas/policy-admin.js';
import { getJson, postJson } from './api.js';
import { I18nController, t } from './i18n.js';
import { reachOf, refusalOf, sendErrors, toDraft, type Refusal } from './policy-draft.js';
import { base } from './styles.js';

type Preset = 'emergency' | 'normal';

/**
 * The one act ("平急转换", 003 §1; 004): the whole street to the emergency
 * preset, or back to normal, now. A confirm step says how many kiosks it
 * reaches and asks why; everything else is the editor's.
 */
@customElement('policy-quick')
export class PolicyQuick extends LitElement {
  @property({ attribute: false }) overview!: PolicyOverview;

  @state() private preset: Preset | undefined;
  /** Whom it reaches, read afresh when the dialog opens (kiosks come and go). */
  @state() private reach: { kiosks: number; connected: number } | undefined;
  @state() private reason = '';
  @state() private error: Refusal | undefined;
  @state() private busy = false;
  @state() private done: string | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const reach = this.reach ?? reachOf(this.overview, null);
    return html`<div class="row">
        <button class="big emergency" data-testid="quick-emergency" @click=${() => void this._open('emergency')}>${t('polQuickEmergency')}</button>
        <button class="big normal" data-testid="quick-normal" @click=${() => void this._open('normal')}>${t('polQuickNormal')}</button>
        ${this.done ? html`<span class="ok" data-testid="quick-done">${this.done}</span>` : nothing}
      </div>
      ${this.preset
        ? html`<div class="dialog" role="dialog" aria-modal="true" aria-labelledby="quick-title" data-testid="quick-dialog">
            <p><strong id="quick-title">${this.preset === 'emergency' ? t('polQuickEmergency') : t('polQuickNormal')}</strong></p>
            <p data-testid="quick-reach">${t('polQuickReach', reach)}</p>
            <label>${t('polReason')}
              <textarea rows="2" maxlength="500" data-testid="quick-reason" placeholder=${t('polReasonHint')} .value=${this.reason}
                @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea></label>
            ${this.error ? html`<p class="error" role="alert" data-testid="quick-error" data-field=${this.error.field ?? ''} title=${this.error.detail}>${this.error.message}</p>` : nothing}
            <div class="row">
              <button class="primary" data-testid="quick-confirm" ?disabled=${this.busy} @click=${() => this._send()}>${t('polConfirm')}</button>
              <button @click=${() => (this.preset = undefined)}>${t('cancel')}</button>
            </div>
          </div>`
        : nothing}`;
  }

  private async _open(preset: Preset) {
    this.preset = preset;
    this.reason = '';
    this.error = undefined;
    this.done = undefined;
    this.reach = undefined;
    try {
      this.reach = reachOf(await getJson<PolicyOverview>('/api/policy'), null);
    } catch {
      // The counts on screen stand in; the switch itself will say if the hub is unreachable.
    }
  }

  private async _send() {
    if (!this.preset) return;
    const problem = sendErrors({ reason: this.reason, later: false, at: '' }, Date.now()).get('reason');
    if (problem) {
      this.error = { field: 'reason', message: problem, detail: '' };
      return;
    }
    this.busy = true;
    try {
      const policy = toDraft(this.overview.presets[this.preset]);
      const res = await postJson<PolicySwitchResult>('/api/policy/switch', { policy, communityId: null, reason: this.reason.trim() });
      if (res.kind === 'switched') this.done = t('polSwitched', { v: res.version.version, kiosks: res.kiosks, connected: res.connected });
      this.preset = undefined;
      this.dispatchEvent(new CustomEvent('policy-switched', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = refusalOf(err);
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      button.big { min-height: 44px; padding: 6px 18px; font-size: 15px; font-weight: 600; }
      button.emergency { background: var(--violation); border-color: var(--violation); color: #fff; }
      button.emergency:hover:not(:disabled) { background: #a91f1f; }
      button.normal { background: var(--clear); border-color: var(--clear); color: #fff; }
      button.normal:hover:not(:disabled) { background: #256628; }
      .dialog { margin-top: 10px; border: 2px solid var(--warning); background: #fff8e6; border-radius: 6px; padding: 10px; display: grid; gap: 6px; max-width: 640px; }
      .dialog p { margin: 0; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
      .ok { color: var(--clear); font-weight: 600; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-quick': PolicyQuick;
  }
}
