import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { StreetOverview, StreetTrends } from '../../../shared/schemas/dashboard.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import { getJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { onFlag, upsertFlag } from './live.js';
import { Resource } from './resource.js';
import { base } from './styles.js';
import './flag-feed.js';
import './scan-ranking.js';
import './venue-board.js';

const ACTIVE = ['open', 'acknowledged', 'rectification_ordered'];
/** A burst of flags re-reads the overview once. */
const REFRESH_MS = 1500;
/** Occupancy moves without flags: the board is re-read this often anyway. */
const POLL_MS = 30_000;

/** The street at a glance: every venue's state beside the live flag feed. */
@customElement('street-screen')
export class StreetScreen extends LitElement {
  @state() private connected = false;
  @state() private fresh = new Set<number>();

  private readonly i18n = new I18nController(this);
  private readonly overview = new Resource(this, () => getJson<StreetOverview>('/api/street'));
  private readonly trends = new Resource(this, () => getJson<StreetTrends>('/api/street/trends'));
  private readonly flags = new Resource(this, () =>
    getJson<{ items: Flag[] }>('/api/flags', { status: ACTIVE.join(','), limit: 50 }).then((r) => r.items),
  );
  private unsubscribe: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.overview.run();
    void this.trends.run();
    void this.flags.run();
    this.pollTimer = setInterval(() => {
      void this.overview.run();
      void this.trends.run();
    }, POLL_MS);
    this.unsubscribe = onFlag(
      (f) => this._flag(f),
      (c) => (this.connected = c),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    clearInterval(this.pollTimer);
  }

  override render() {
    return html`<div class="layout">
      <section class="panel board">
        <h2>${t('navStreet')} ${this.overview.value ? html`<span class="muted at">${fmtDateTime(this.overview.value.at)}</span>` : ''}</h2>
        ${this.overview.render((o) => html`<venue-board .overview=${o} .trends=${this.trends.value}></venue-board>`)}
      </section>
      <aside class="panel feed">
        <h2>${t('flagFeed')}
          <span class="live ${this.connected ? 'on' : ''}" data-testid="live" data-connected=${this.connected}>● ${this.connected ? t('live') : t('liveOff')}</span>
        </h2>
        <div data-testid="flag-feed">${this.flags.render((items) => html`<flag-feed .flags=${items} .fresh=${this.fresh}></flag-feed>`)}</div>
        <scan-ranking class="ranking" .trends=${this.trends.value} .overview=${this.overview.value}></scan-ranking>
      </aside>
    </div>`;
  }

  private _flag(f: Flag) {
    const list = this.flags.value ?? [];
    const next = upsertFlag(list, f).filter((x) => ACTIVE.includes(x.status));
    this.flags.value = next.sort((a, b) => b.openedAt - a.openedAt).slice(0, 100);
    this.fresh = new Set([...this.fresh, f.id]);
    this.requestUpdate();
    // Counts and statuses on the board follow the flag; one re-read per burst (a steady stream still re-reads every REFRESH_MS).
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      void this.overview.run();
    }, REFRESH_MS);
  }

  static override styles = [
    base,
    css`
      .layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 12px; align-items: start; }
      .feed { position: sticky; top: 56px; max-height: calc(100vh - 72px); overflow: auto; }
      .at { font-size: 12px; font-weight: normal; }
      .live { font-size: 12px; font-weight: normal; color: var(--muted); margin-left: 6px; }
      .live.on { color: var(--clear); }
      .ranking { margin-top: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
      @media (max-width: 1000px) {
        .layout { grid-template-columns: 1fr; }
        .feed { position: static; max-height: 300px; order: -1; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'street-screen': StreetScreen;
  }
}
