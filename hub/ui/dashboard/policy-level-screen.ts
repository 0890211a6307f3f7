import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { PolicyLevelView, PolicySwitchResult } from '../../../shared/schemas/policy-admin.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { getJson, postJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { onPolicyChange } from './live.js';
import { refusalOf, sendErrors, toDraft, type Refusal } from './policy-draft.js';
import { modeText } from './policy-labels.js';
import './policy-rollup.js';
import type { PolicyRollupView } from './policy-rollup.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

type Preset = 'emergency' | 'normal';

const badge = (p: Policy) => html`<span class="chip ${p.mode === 'emergency' ? 's-violation' : 's-clear'}" data-mode=${p.mode}>${modeText(p.mode)} · v${p.version}</span>`;

/**
 * One act for the city (004 §1–3; docs/policy.md "Levels"): a city admin's or district admin's
 * policy desk. It switches the level the admin owns to the emergency preset or back to normal, at
 * once or at a set time, shows what that level has in force and what the levels above require, and
 * the acknowledgement roll-up per district and street.
 */
@customElement('policy-level-screen')
export class PolicyLevelScreen extends LitElement {
  @state() private preset: Preset | undefined;
  @state() private reason = '';
  @state() private later = false;
  @state() private at = '';
  @state() private error: Refusal | undefined;
  @state() private busy = false;
  /** What the last act did, worded at render time (the language may change after). */
  @state() private done: (() => string) | undefined;

  private readonly i18n = new I18nController(this);
  private readonly view = new Resource(this, () => getJson<PolicyLevelView>('/api/policy/level'));
  private unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.view.run();
    this.unsubscribe = onPolicyChange(() => void this.view.run());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  private nameOf(v: PolicyLevelView): string {
    return v.level === 'city' ? t('plvCity') : v.name;
  }

  override render() {
    return html`<div class="screen" data-testid="policy-level-screen">
      ${this.view.render(
        (v) => html`<section class="panel" data-testid="policy-level" data-level=${v.level}>
          <h2>${t('plvTitle', { name: this.nameOf(v) })}</h2>
          <div class="facts">
            <div data-testid="level-in-force"><span class="muted">${t('plvInForce')}</span> ${badge(v.inForce)}</div>
            <div data-testid="level-own">
              <span class="muted">${t('plvOwn')}</span>
              ${v.own ? html`${badge(v.own.policy)} <span class="muted">${t('polSince', { at: fmtDateTime(v.own.activatedAt), who: v.own.createdBy ?? '—' })}</span>` : t('plvOwnNone')}
            </div>
            ${v.level === 'city' ? nothing : html`<div data-testid="level-floor"><span class="muted">${t('plvFloor')}</span> ${v.floor ? badge(v.floor) : t('plvFloorNone')}</div>`}
            ${v.schedules.map(
              (s) => html`<div data-testid="level-schedule"><span class="muted">${t('polSchedulesTitle')}</span> ${modeText(s.mode)} · ${fmtDateTime(s.dueAt)} · ${s.createdBy ?? '—'}</div>`,
            )}
          </div>
          <div class="row">
            <button class="big emergency" data-testid="level-emergency" @click=${() => this._open('emergency')}>${t('plvEmergency', { name: this.nameOf(v) })}</button>
            <button class="big normal" data-testid="level-normal" @click=${() => this._open('normal')}>${t('plvNormal', { name: this.nameOf(v) })}</button>
            ${this.done ? html`<span class="ok" data-testid="level-done">${this.done()}</span>` : nothing}
          </div>
          ${this.preset ? this._dialog(v) : nothing}
        </section>`,
      )}
      <policy-rollup></policy-rollup>
    </div>`;
  }

  private _dialog(v: PolicyLevelView) {
    return html`<div class="dialog" role="dialog" aria-modal="true" aria-labelledby="level-title" data-testid="level-dialog">
      <p><strong id="level-title">${this.preset === 'emergency' ? t('plvEmergency', { name: this.nameOf(v) }) : t('plvNormal', { name: this.nameOf(v) })}</strong></p>
      <p class="muted">${t('plvReach', { name: this.nameOf(v) })}</p>
      <label>${t('polReason')}
        <textarea rows="2" maxlength="500" data-testid="level-reason" placeholder=${t('polReasonHint')} .value=${this.reason}
          @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea></label>
      <div class="row">
        <label class="inline"><input type="checkbox" data-testid="level-later" .checked=${this.later} @change=${(e: Event) => (this.later = (e.target as HTMLInputElement).checked)} />${t('plvLater')}</label>
        ${this.later
          ? html`<label class="inline">${t('plvAt')} <input type="datetime-local" data-testid="level-at" .value=${this.at} @input=${(e: Event) => (this.at = (e.target as HTMLInputElement).value)} /></label>`
          : nothing}
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="level-error" title=${this.error.detail}>${this.error.message}</p>` : nothing}
      <div class="row">
        <button class="primary" data-testid="level-confirm" ?disabled=${this.busy} @click=${() => this._send(v)}>${t('polConfirm')}</button>
        <button @click=${() => (this.preset = undefined)}>${t('cancel')}</button>
      </div>
    </div>`;
  }

  private _open(preset: Preset) {
    this.preset = preset;
    this.reason = '';
    this.later = false;
    this.at = '';
    this.error = undefined;
    this.done = undefined;
  }

  private async _send(v: PolicyLevelView) {
    if (!this.preset) return;
    const problems = sendErrors({ reason: this.reason, later: this.later, at: this.at }, Date.now());
    const first = [...problems.values()][0];
    if (first) {
      this.error = { field: [...problems.keys()][0], message: first, detail: '' };
      return;
    }
    this.busy = true;
    try {
      const body = {
        policy: toDraft(v.presets[this.preset]),
        communityId: null,
        level: v.level,
        reason: this.reason.trim(),
        ...(this.later ? { at: new Date(this.at).getTime() } : {}),
      };
      const res = await postJson<PolicySwitchResult>('/api/policy/switch', body);
      this.done =
        res.kind === 'switched'
          ? () => t('plvSwitched', { v: res.version.version, kiosks: res.kiosks, connected: res.connected })
          : () => t('plvScheduled', { at: fmtDateTime(res.schedule.dueAt) });
      this.preset = undefined;
      void this.view.run();
      this.renderRoot.querySelector<PolicyRollupView>('policy-rollup')?.reload();
    } catch (err) {
      this.error = refusalOf(err);
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      .screen { display: grid; gap: 12px; }
      h2 { margin: 0 0 8px; font-size: 18px; }
      .facts { display: grid; gap: 4px; margin-bottom: 10px; }
      .row { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
      button.big { min-height: 44px; padding: 6px 18px; font-size: 15px; font-weight: 600; }
      button.emergency { background: var(--violation); border-color: var(--violation); color: #fff; }
      button.normal { background: var(--clear); border-color: var(--clear); color: #fff; }
      .dialog { margin-top: 10px; border: 2px solid var(--warning); background: #fff8e6; border-radius: 6px; padding: 10px; display: grid; gap: 6px; max-width: 640px; }
      .dialog p { margin: 0; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      label.inline { display: inline-flex; gap: 4px; align-items: center; }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
      .ok { color: var(--clear); font-weight: 600; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-level-screen': PolicyLevelScreen;
  }
}
