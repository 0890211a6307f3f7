import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { KioskView } from '../../../shared/schemas/kiosk-admin.js';
import type { PolicyVersion } from '../../../shared/schemas/policy-admin.js';
import { getJson } from './api.js';
import { ago, fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { onKioskStatus, upsertKiosk } from './live.js';
import { modeText } from './policy-labels.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

/** Whom a version covers, in words: a community, the whole street, the district or the city. */
const scopeText = (v: PolicyVersion) =>
  v.level === 'city' ? t('plvCity') : v.level === 'district' ? t('plvDistrict') : (v.communityName ?? t('polWholeStreet'));

/** A kiosk enforces the version due when it acknowledged that one (or a newer one). */
export const hasAcked = (k: KioskView) => k.policyVersionAcked !== null && k.policyVersionAcked >= k.policyVersionDue;

/**
 * Who has acknowledged the newest switch, so the admin sees live which kiosks
 * enforce the new version, which do not yet, and when they were last seen:
 * every kiosk in service in its scope, the version it
 * should enforce against the one it acked, and whether it is connected.
 * Kiosk reports arrive live over the dashboard socket; the screen hands a
 * new `latest` after each switch and the list is read again.
 */
@customElement('policy-acks')
export class PolicyAcks extends LitElement {
  @property({ attribute: false }) latest: PolicyVersion | null = null;

  @state() private pendingOnly = false;
  @state() private now = Date.now();

  private readonly i18n = new I18nController(this);
  private readonly kiosks = new Resource(this, () => getJson<{ items: KioskView[] }>('/api/kiosks', { state: 'active' }).then((r) => r.items));
  private unsubscribe: (() => void) | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onKioskStatus(
      (k) => {
        if (!this.kiosks.value) return;
        // A kiosk that retired or was revoked leaves the list; others are replaced in place.
        this.kiosks.value = k.state === 'active' ? upsertKiosk(this.kiosks.value, k) : this.kiosks.value.filter((x) => x.id !== k.id);
        this.requestUpdate();
      },
      // Back after a drop: read again what was missed.
      (up) => up && this.kiosks.value && void this.kiosks.run(),
    );
    // "Last seen 3 minutes ago" moves on without a push.
    this.clock = setInterval(() => (this.now = Date.now()), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    clearInterval(this.clock);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('latest')) void this.kiosks.run();
  }

  override render() {
    const v = this.latest;
    return html`<section class="panel" data-testid="policy-acks">
      <h3>${v ? t('polAcksTitle', { v: v.version, scope: scopeText(v), mode: modeText(v.mode) }) : t('polAcksTitleNone')}</h3>
      ${this.kiosks.render((all) => {
        const inScope = all.filter((k) => !v || v.communityId === null || k.communityId === v.communityId);
        const acked = inScope.filter(hasAcked).length;
        const shown = this.pendingOnly ? inScope.filter((k) => !hasAcked(k)) : inScope;
        return html`<div class="row">
            <strong class="count ${acked === inScope.length ? 'all' : 'some'}" data-testid="ack-count" data-acked=${acked} data-total=${inScope.length}>
              ${t('polAckCount', { n: acked, total: inScope.length })}</strong>
            <label class="inline"><input type="checkbox" .checked=${this.pendingOnly} @change=${(e: Event) => (this.pendingOnly = (e.target as HTMLInputElement).checked)} />${t('polPendingOnly')}</label>
          </div>
          ${inScope.length === 0
            ? html`<p class="muted">${t('polNoKiosks')}</p>`
            : html`<table data-testid="ack-table">
                <thead><tr><th>${t('venue')}</th><th>${t('community')}</th><th>${t('polEntrance')}</th><th class="n">${t('polDue')}</th><th class="n">${t('polAcked')}</th><th>${t('polAckedAt')}</th><th>${t('polConnection')}</th></tr></thead>
                <tbody>
                  ${shown.map(
                    (k) => html`<tr data-testid="ack-row" data-kiosk=${k.id} data-acked=${hasAcked(k) ? 'yes' : 'no'}>
                      <td>${k.venueName}</td>
                      <td>${k.communityName}</td>
                      <td>${k.entranceName}</td>
                      <td class="n">v${k.policyVersionDue}</td>
                      <td class="n"><span class="chip ${hasAcked(k) ? 's-clear' : 's-warning'}">${k.policyVersionAcked === null ? '—' : `v${k.policyVersionAcked}`}</span></td>
                      <td>${fmtDateTime(k.policyAckedAt)}</td>
                      <td>${k.connected ? html`<span class="chip s-clear">${t('polOnline')}</span>` : html`<span class="muted">${k.lastSeenAt === null ? t('polNeverSeen') : t('polLastSeen', { when: ago(k.lastSeenAt, this.now) })}</span>`}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`}
          ${nothing}`;
      })}
    </section>`;
  }

  static override styles = [
    base,
    css`
      h3 { margin-top: 0; }
      .count { font-size: 18px; margin-right: 16px; }
      .count.all { color: var(--clear); }
      .count.some { color: var(--warning); }
      label.inline { display: inline-flex; gap: 4px; align-items: center; font-size: 13px; }
      label.inline input { min-height: 0; }
      table { margin-top: 8px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-acks': PolicyAcks;
  }
}
