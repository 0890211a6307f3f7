import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { StreetOverview } from '../../../shared/schemas/dashboard.js';
import type { KioskState, KioskView } from '../../../shared/schemas/kiosk-admin.js';
import type { PolicyOverview } from '../../../shared/schemas/policy-admin.js';
import { getJson } from './api.js';
import { I18nController, t } from './i18n.js';
import { onKioskStatus, upsertKiosk } from './live.js';
import { Resource } from './resource.js';
import { replaceHash, routeHref } from './router.js';
import { base } from './styles.js';
import './kiosk-enrol.js';
import './kiosk-table.js';

/** policy.flags.clockSkewMinutes when the policy cannot be read (shared/schemas/policy.ts default). */
const DEFAULT_SKEW_MINUTES = 5;
const STATES: readonly KioskState[] = ['active', 'retired', 'revoked'];

/**
 * The street's tablets (street admin only): every kiosk with its
 * health, live from the dashboard socket; issuing an enrolment code per
 * entrance; revoking a lost or stolen tablet.
 */
@customElement('kiosks-screen')
export class KiosksScreen extends LitElement {
  /** From the route (`#/kiosks?venue=`): only this venue's kiosks. */
  @property() venueId: string | undefined;

  @state() private communityId = '';
  @state() private kioskState: KioskState | '' = '';
  @state() private enrolAt: { venueId: string | undefined; entranceId: string | undefined } = { venueId: undefined, entranceId: undefined };
  @state() private now = Date.now();
  @state() private skew = new Map<string, number>();

  private readonly i18n = new I18nController(this);
  private readonly kiosks = new Resource(this, () =>
    getJson<{ items: KioskView[] }>('/api/kiosks', { venueId: this.venueId, communityId: this.communityId, state: this.kioskState }).then((r) => r.items),
  );
  private readonly street = new Resource(this, () => getJson<StreetOverview>('/api/street'));
  private unsubscribe: (() => void) | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private wasConnected = true;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.street.run();
    void this._loadSkew();
    this.unsubscribe = onKioskStatus(
      (k) => this._live(k),
      // Back after a drop: re-read what changed meanwhile.
      (up) => {
        if (up && !this.wasConnected) void this.kiosks.run();
        this.wasConnected = up;
      },
    );
    // "Last seen 3 min ago" moves on its own.
    this.tick = setInterval(() => (this.now = Date.now()), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    clearInterval(this.tick);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('venueId')) this.enrolAt = { venueId: this.venueId, entranceId: undefined };
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('venueId') || changed.has('communityId') || changed.has('kioskState')) void this.kiosks.run();
  }

  override render() {
    const communities = this.street.value?.communities ?? [];
    const venue = communities.flatMap((c) => c.venues).find((v) => v.id === this.venueId);
    return html`<section class="panel">
        <h2>${t('ksEnrolTitle')}</h2>
        <p class="muted">${t('ksEnrolHint')}</p>
        <kiosk-enrol .communities=${communities} .venueId=${this.enrolAt.venueId} .entranceId=${this.enrolAt.entranceId}></kiosk-enrol>
      </section>
      <section class="panel">
        <h2>${t('ksTitle')}</h2>
        <div class="row filters">
          ${this.venueId
            ? html`<span class="chip venue" data-testid="kiosks-venue">${venue?.name ?? this.venueId}
                <button class="link" aria-label=${t('ksAllVenues')} @click=${() => replaceHash(routeHref('kiosks'))}>✕</button></span>`
            : nothing}
          <label>${t('ksCommunity')}
            <select data-testid="kiosks-community" @change=${(e: Event) => (this.communityId = (e.target as HTMLSelectElement).value)}>
              <option value="">${t('ksAll')}</option>
              ${communities.map((c) => html`<option value=${c.id} ?selected=${c.id === this.communityId}>${c.name}</option>`)}
            </select>
          </label>
          <label>${t('ksState')}
            <select data-testid="kiosks-state" @change=${(e: Event) => (this.kioskState = (e.target as HTMLSelectElement).value as KioskState | '')}>
              <option value="" ?selected=${this.kioskState === ''}>${t('ksAll')}</option>
              ${STATES.map((s) => html`<option value=${s} ?selected=${s === this.kioskState}>${t(s === 'active' ? 'ksActive' : s === 'retired' ? 'ksRetired' : 'ksRevoked')}</option>`)}
            </select>
          </label>
          ${this.kiosks.value ? html`<span class="muted" data-testid="kiosks-count">${this._summary(this.kiosks.value)}</span>` : nothing}
        </div>
        ${this.kiosks.render(
          (items) => html`<kiosk-table .items=${items} .now=${this.now} .skewMinutes=${(c: string) => this.skew.get(c) ?? this.skew.get('') ?? DEFAULT_SKEW_MINUTES}
            @kiosk-updated=${(e: CustomEvent<KioskView>) => this._live(e.detail)}
            @enrol-entrance=${(e: CustomEvent<{ venueId: string; entranceId: string }>) => this._enrolAt(e.detail)}></kiosk-table>`,
        )}
      </section>`;
  }

  private _summary(items: KioskView[]): string {
    const active = items.filter((k) => k.state === 'active');
    return t('ksSummary', {
      n: items.length,
      online: active.filter((k) => k.connected).length,
      behind: active.filter((k) => (k.policyVersionAcked ?? 0) < k.policyVersionDue).length,
      backlog: active.reduce((sum, k) => sum + (k.backlog ?? 0), 0),
    });
  }

  /** A kiosk's new view, live or from an action here: kept, replaced, or dropped if it left the filters. */
  private _live(k: KioskView) {
    const list = this.kiosks.value;
    if (!list) return;
    const fits = (!this.venueId || k.venueId === this.venueId) && (!this.communityId || k.communityId === this.communityId) && (!this.kioskState || k.state === this.kioskState);
    this.kiosks.value = fits ? upsertKiosk(list, k) : list.filter((x) => x.id !== k.id);
    this.requestUpdate();
  }

  private _enrolAt(at: { venueId: string; entranceId: string }) {
    this.enrolAt = at;
    this.renderRoot.querySelector('kiosk-enrol')?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }

  /** Each community's clock-skew threshold, from the policy it enforces; the default if the policy cannot be read. */
  private async _loadSkew() {
    try {
      const p = await getJson<PolicyOverview>('/api/policy');
      this.skew = new Map([['', p.street.policy.flags.clockSkewMinutes], ...p.communities.map((c) => [c.id, c.policy.flags.clockSkewMinutes] as [string, number])]);
    } catch {
      // Only the highlight depends on it: the default threshold stands.
    }
  }

  static override styles = [
    base,
    css`
      :host { display: flex; flex-direction: column; gap: 12px; }
      .filters { margin-bottom: 8px; align-items: flex-end; }
      .filters label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; color: var(--muted); }
      .filters select { color: #1c2430; }
      .chip.venue { background: var(--accent); font-size: 13px; line-height: 26px; padding: 0 8px; }
      .chip.venue button { color: #fff; margin-left: 4px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'kiosks-screen': KiosksScreen;
  }
}
