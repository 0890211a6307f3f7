import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { VenueDay, VenueSummary } from '../../../shared/schemas/dashboard.js';
import type { OpeningHours, Officers } from '../../../shared/schemas/venue.js';
import { getJson } from './api.js';
import { DEFAULT_OFFSET_MIN, ago, num, venueTodayIso } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { Resource } from './resource.js';
import { replaceHash, venueHref } from './router.js';
import { base } from './styles.js';
import './booking-panel.js';
import './check-breakdown.js';
import './day-chart.js';
import './flag-list.js';
import './inspection-list.js';
import './ledger-list.js';
import './records-log.js';
import './suspension-panel.js';

export interface VenueDetail {
  id: string;
  name: string;
  type: string;
  address: string;
  communityId: string;
  communityName: string;
  ratedCapacity: number;
  openingHours: OpeningHours;
  officers: Officers;
  utcOffsetMinutes?: number;
}

/**
 * One venue: who runs it, the day's entrance log, chart and
 * check outcomes, its bookings against arrivals per slot, its
 * ledgers and its flags with actions. A venue outside
 * the inspector's community shows only "no access" (403) and loads nothing else.
 */
@customElement('venue-screen')
export class VenueScreen extends LitElement {
  @property() venueId = '';
  @property() date: string | undefined;
  @property({ type: Number }) flagId: number | undefined;
  /** The street admin edits the venue's booking settings; inspectors read them. */
  @property({ type: Boolean }) admin = false;

  @state() private highlight: string | undefined;

  private readonly i18n = new I18nController(this);
  private readonly venue = new Resource(this, () =>
    getJson<{ venue: VenueDetail; summary: VenueSummary | undefined }>(`/api/venues/${encodeURIComponent(this.venueId)}`),
  );
  private readonly day = new Resource(this, () =>
    getJson<VenueDay>(`/api/venues/${encodeURIComponent(this.venueId)}/day`, { date: this._date() }),
  );

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId')) {
      this.venue.value = undefined;
      void this.venue.run().then(() => this.venue.value && this.day.run());
    } else if (changed.has('date') && this.venue.value) void this.day.run();
  }

  override render() {
    return this.venue.render(({ venue, summary }) => {
      const offset = venue.utcOffsetMinutes ?? DEFAULT_OFFSET_MIN;
      const date = this._date();
      return html`<section class="panel head" data-testid="venue-head" data-venue=${venue.id} data-status=${summary?.status ?? ''}>
          <div class="title">
            <h2>${venue.name}</h2>
            ${summary ? html`<span class="chip s-${summary.status}" data-testid="venue-status">${label('venue', summary.status)}</span>` : nothing}
            <span class="muted">${venue.communityName}</span>
            <label class="date">${t('date')} <input type="date" .value=${date} max=${venueTodayIso(offset)} data-testid="venue-date" @change=${this._dateChanged} /></label>
          </div>
          <dl>
            <div><dt>${t('address')}</dt><dd>${venue.address}</dd></div>
            <div><dt>${t('ratedCapacity')}</dt><dd>${num(venue.ratedCapacity)}</dd></div>
            <div><dt>${t('openingHours')}</dt><dd>${venue.openingHours ? `${venue.openingHours.open}–${venue.openingHours.close}` : t('allDay')}</dd></div>
            <div><dt>${t('officerPrevention')}</dt><dd>${this._officer(venue.officers.prevention)}</dd></div>
            <div><dt>${t('officerDisinfection')}</dt><dd>${this._officer(venue.officers.disinfection)}</dd></div>
            ${summary
              ? html`<div><dt>${t('inside')} / ${t('cap')}</dt><dd>${num(summary.inside)} / ${num(summary.cap)}</dd></div>
                  <div><dt>${t('admissionsToday')}</dt><dd>${num(summary.admissionsToday)}</dd></div>
                  <div><dt>${t('lastSeen')}</dt><dd>${ago(summary.lastSeenAt)}</dd></div>`
              : nothing}
          </dl>
        </section>
        <section class="panel" data-testid="inspection-panel">
          <h3>${t('inspTitle')}</h3>
          <inspection-list .venueId=${venue.id} startLink></inspection-list>
        </section>
        <div class="grid">
          <section class="panel chart">
            <h3>${t('dayChart')}</h3>
            ${this.day.render((d) => html`<day-chart .day=${d} .cap=${this.venue.value?.summary?.cap ?? 0}></day-chart>`)}
          </section>
          <section class="panel">
            <h3>${t('breakdown')}</h3>
            ${this.day.render((d) => html`<check-breakdown .breakdown=${d.breakdown}></check-breakdown>`)}
          </section>
        </div>
        <section class="panel" data-testid="suspension-panel">
          <h3>${t('suspensionTitle')}</h3>
          ${summary?.suspension ? html`<p class="suspended" role="status" data-testid="venue-suspended">${summary.suspension.from} – ${summary.suspension.to} · ${summary.suspension.reason}</p>` : nothing}
          <suspension-panel .venueId=${venue.id} .offsetMinutes=${offset} @suspension-changed=${() => void this.venue.run()}></suspension-panel>
        </section>
        <booking-panel .venueId=${venue.id} .date=${date} .offsetMinutes=${offset} .admin=${this.admin}></booking-panel>
        <section class="panel">
          <h3>${t('flagHistory')}</h3>
          <flag-list .venueId=${venue.id} .selected=${this.flagId} @flag-select=${this._selectFlag} @record-focus=${this._focus}></flag-list>
        </section>
        <section class="panel">
          <h3>${t('records')}</h3>
          <records-log .venueId=${venue.id} .date=${date} .offsetMinutes=${offset} .highlight=${this.highlight}></records-log>
        </section>
        <section class="panel">
          <h3>${t('ledgers')}</h3>
          <ledger-list .venueId=${venue.id} .date=${date} .offsetMinutes=${offset}></ledger-list>
        </section>`;
    });
  }

  /** The day shown: the one asked for, else the venue's today (not the browser's: an inspector may be in another zone). */
  private _date(): string {
    return this.date ?? venueTodayIso(this.venue.value?.venue.utcOffsetMinutes ?? DEFAULT_OFFSET_MIN);
  }

  private _officer(o: { name: string; phone: string } | undefined) {
    return o ? `${o.name}${o.phone ? ` · ${o.phone}` : ''}` : t('none');
  }

  private _dateChanged(e: Event) {
    const value = (e.target as HTMLInputElement).value;
    if (value) replaceHash(venueHref(this.venueId, { date: value, flag: this.flagId }));
  }

  private _selectFlag(e: CustomEvent<{ id: number }>) {
    replaceHash(venueHref(this.venueId, { date: this.date, flag: e.detail.id }));
  }

  private _focus(e: CustomEvent<{ id: string }>) {
    this.highlight = e.detail.id;
    this.renderRoot.querySelector('records-log')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  static override styles = [
    base,
    css`
      :host { display: grid; gap: 12px; }
      .title { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
      .title h2 { margin: 0; }
      .date { margin-left: auto; color: var(--muted); }
      dl { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 8px 0 0; }
      dt { color: var(--muted); font-size: 12px; }
      dd { margin: 0; }
      .grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
      h3 { margin-top: 0; }
      .suspended { margin: 0 0 8px; padding: 6px 10px; border-radius: 4px; background: #4a148c; color: #fff; font-weight: 600; }
      @media (max-width: 1000px) { .grid { grid-template-columns: minmax(0, 1fr); } }
      :host > *, .grid > * { min-width: 0; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'venue-screen': VenueScreen;
  }
}
