import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { StreetOverview, StreetTrends, VenueSummary, VenueTrend } from '../../../shared/schemas/dashboard.js';
import { ago, fmtDateTime, num } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { venueHref } from './router.js';
import { base } from './styles.js';
import './venue-spark.js';

/** The street's communities and their venues: status, people inside against the cap, open flags. */
@customElement('venue-board')
export class VenueBoard extends LitElement {
  @property({ attribute: false }) overview: StreetOverview | undefined;
  /** Each venue's day and week (small charts); the board shows without them until they arrive. */
  @property({ attribute: false }) trends: StreetTrends | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const o = this.overview;
    if (!o) return nothing;
    if (o.communities.every((c) => c.venues.length === 0)) return html`<p class="muted">${t('noVenues')}</p>`;
    const trends = new Map(this.trends?.venues.map((v) => [v.venueId, v]));
    return o.communities.map(
      (c) => html`<section data-testid="community" data-community=${c.id}>
        <h3>${c.name} <span class="muted">(${c.venues.length})</span></h3>
        <table>
          <thead><tr>
            <th>${t('status')}</th><th>${t('venue')}</th><th>${t('inside')} / ${t('cap')}</th>
            <th class="n">${t('openFlags')}</th><th class="n">${t('admissionsToday')}</th><th>${t('lastSeen')}</th>
            <th>${t('sparkHead')}</th>
          </tr></thead>
          <tbody>${c.venues.map((v) => this._row(v, o.at, trends.get(v.id)))}</tbody>
        </table>
      </section>`,
    );
  }

  private _row(v: VenueSummary, now: number, trend: VenueTrend | undefined) {
    const share = v.cap > 0 ? Math.min(1, v.inside / v.cap) : 0;
    const over = v.cap > 0 && v.inside > v.cap;
    return html`<tr data-testid="venue-row" data-venue=${v.id} data-status=${v.status}>
      <td>
        <span class="chip s-${v.status}">${label('venue', v.status)}</span>
        ${v.suspension ? html`<span class="muted" data-testid="suspended-until">${v.suspension.from} – ${v.suspension.to}</span>` : nothing}
        ${v.offlineSince !== null && v.status === 'kiosk_offline'
          ? html`<span class="muted since" data-testid="offline-since">${t('offlineSince', { when: fmtDateTime(v.offlineSince) })}</span>`
          : nothing}
        ${v.status === 'no_data' ? html`<span class="muted since" data-testid="no-data">${v.kiosks === 0 ? t('noKiosks') : t('neverReported')}</span>` : nothing}
      </td>
      <td class="name"><a href=${venueHref(v.id)}>${v.name}</a></td>
      <td class="occ-cell"><div class="occ">
        <span class="bar ${over ? 'over' : share >= 0.9 ? 'near' : ''}" title="${v.inside} / ${v.cap}"><span style=${styleMap({ width: `${(share * 100).toFixed(1)}%` })}></span></span>
        <span class="num">${num(v.inside)} / ${v.cap > 0 ? num(v.cap) : '—'}</span>
      </div></td>
      <td class="n ${v.openFlags > 0 ? 'hot' : ''}" data-label=${t('openFlags')}>${num(v.openFlags)}</td>
      <td class="n" data-label=${t('admissionsToday')}>${num(v.admissionsToday)}</td>
      <td class="muted" data-label=${t('lastSeen')}>${ago(v.lastSeenAt, now)}</td>
      <td class="sparks">${trend
        ? html`<venue-spark unit="hour" .admissions=${trend.hours.admissions} .flags=${trend.hours.flags}></venue-spark>
            <venue-spark unit="day" .admissions=${trend.days.admissions} .flags=${trend.days.flags}></venue-spark>`
        : nothing}</td>
    </tr>`;
  }

  static override styles = [
    base,
    css`
      section { margin-bottom: 12px; }
      h3 { margin-top: 4px; }
      td { vertical-align: middle; }
      .occ { display: flex; align-items: center; gap: 8px; min-width: 170px; }
      .bar { flex: 1; height: 10px; background: #e3e8ee; border-radius: 5px; overflow: hidden; min-width: 80px; }
      .bar > span { display: block; height: 100%; background: var(--clear); }
      .bar.near > span { background: var(--warning); }
      .bar.over > span { background: var(--violation); }
      .num { white-space: nowrap; font-variant-numeric: tabular-nums; font-size: 13px; }
      .hot { color: var(--violation); font-weight: 600; }
      .name { min-width: 8em; }
      .since { display: block; font-size: 12px; }
      .sparks { white-space: nowrap; }
      .sparks venue-spark + venue-spark { margin-left: 6px; }
      /* A phone in the field: each venue a card (status and name, the occupancy bar, then the figures). */
      @media (max-width: 640px) {
        thead { display: none; }
        tr { display: grid; grid-template-columns: auto 1fr 1fr; gap: 4px 10px; padding: 8px 0; border-bottom: 1px solid var(--line); }
        td { border: 0; padding: 0; }
        td.name { grid-column: 2 / 4; grid-row: 1; min-width: 0; font-weight: 600; }
        td.occ-cell, td.sparks { grid-column: 1 / 4; }
        .occ { min-width: 0; }
        td[data-label] { text-align: left; font-size: 13px; }
        td[data-label]::before { content: attr(data-label) ' '; color: var(--muted); font-weight: normal; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'venue-board': VenueBoard;
  }
}
