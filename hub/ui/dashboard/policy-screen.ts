import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { PolicyHistory as History, PolicyOverview } from '../../../shared/schemas/policy-admin.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import { getJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { onPolicyChange } from './live.js';
import { modeText } from './policy-labels.js';
import { Resource } from './resource.js';
import { base } from './styles.js';
import './policy-acks.js';
import './policy-editor.js';
import './policy-history.js';
import './policy-overbooked.js';
import './policy-quick.js';

const badge = (p: Policy) => html`<span class="chip ${p.mode === 'emergency' ? 's-violation' : 's-clear'}" data-mode=${p.mode}>${modeText(p.mode)} · v${p.version}</span>`;

/**
 * The street office's policy desk (docs/policy.md), street admin only: what
 * is in force (street-wide and per community), the one-act switch, switches
 * set for later, who has acknowledged the newest switch, the editor, and the
 * history. Any switch, by anyone on any hub, reaches it over the dashboard
 * socket ('policy:changed') and everything is read again.
 */
@customElement('policy-screen')
export class PolicyScreen extends LitElement {
  @state() private live = false;

  private readonly i18n = new I18nController(this);
  private readonly overview = new Resource(this, () => getJson<PolicyOverview>('/api/policy'));
  private readonly history = new Resource(this, () => getJson<History>('/api/policy/history', { limit: 200 }).then((r) => r.items));
  private unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this._reload();
    this.unsubscribe = onPolicyChange(
      () => this._reload(),
      (up) => {
        // Back after a drop: what changed meanwhile was not heard.
        if (up && !this.live && this.overview.value) this._reload();
        this.live = up;
      },
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override render() {
    // data-live and data-loading say whether the screen is up to date: live, and its last read
    // of what is in force answered (a re-read starts in the same update that turns live on).
    return html`<div class="screen" data-testid="policy-screen" data-live=${this.live ? 'yes' : 'no'} data-loading=${this.overview.loading ? 'yes' : 'no'} @policy-switched=${() => this._reload()}>
      <h2>${t('navPolicy')} <span class="muted live">${this.live ? t('live') : t('liveOff')}</span></h2>
      ${this.overview.render(
        (o) => html`
          <section class="panel" data-testid="policy-in-force">
            <h3>${t('polInForceTitle')}</h3>
            <p data-testid="street-policy">
              <strong>${t('polWholeStreet')}</strong> ${badge(o.street.policy)}
              <span class="muted"
                >${o.street.activatedAt !== null
                  ? t('polSince', { at: fmtDateTime(o.street.activatedAt), who: o.street.createdBy ?? '—' })
                  : o.floor
                    ? t('plvFollowsAbove')
                    : t('polPresetSince')}</span
              >
              ${o.street.note ? html`<span class="muted">· ${o.street.note}</span>` : ''}
            </p>
            ${o.floor
              ? html`<p data-testid="policy-floor"><strong>${t('plvFloor')}</strong> ${badge(o.floor)}</p>`
              : ''}
            <table data-testid="community-policies">
              <thead><tr><th>${t('community')}</th><th>${t('polEnforces')}</th><th></th><th>${t('polSinceCol')}</th><th class="n">${t('polKiosks')}</th></tr></thead>
              <tbody>
                ${o.communities.map(
                  (c) => html`<tr data-testid="community-policy" data-community=${c.id} data-override=${c.override ? 'yes' : 'no'}>
                    <td>${c.name}</td>
                    <td>${badge(c.policy)}</td>
                    <td>${c.override ? html`<span class="chip s-warning">${t('polOverride')}</span>` : html`<span class="muted">${t('polFollowsStreet')}</span>`}</td>
                    <td>${fmtDateTime(c.activatedAt)}</td>
                    <td class="n">${t('polKioskCount', { connected: c.connected, kiosks: c.kiosks })}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
            <policy-quick .overview=${o}></policy-quick>
          </section>
          <section class="panel" data-testid="policy-overbooked">
            <h3>${t('obTitle')}</h3>
            <policy-overbooked></policy-overbooked>
          </section>
          <section class="panel">
            <h3>${t('polSchedulesTitle')}</h3>
            <policy-schedules .items=${o.schedules}></policy-schedules>
          </section>
          <policy-acks .latest=${o.latest}></policy-acks>
          <policy-editor .overview=${o}></policy-editor>
          <section class="panel">
            <h3>${t('polHistoryTitle')}</h3>
            ${this.history.render((items) => html`<policy-history .items=${items} .base=${o.presets.normal}></policy-history>`)}
          </section>
        `,
      )}
    </div>`;
  }

  private _reload() {
    void this.overview.run();
    void this.history.run();
    // A switch may have shrunk caps under booked slots.
    void this.renderRoot.querySelector('policy-overbooked')?.reload();
  }

  static override styles = [
    base,
    css`
      .screen { display: grid; gap: 12px; }
      h2 .live { font-size: 12px; font-weight: normal; }
      h3 { margin-top: 0; }
      p { margin: 0 0 8px; }
      policy-quick { margin-top: 12px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-screen': PolicyScreen;
  }
}
