import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CommunityList, CommunityRow, RegistryVenue, RegistryVenueList } from '../../../shared/schemas/registry.js';
import { getJson, withQuery } from './api.js';
import { fmtDateTime, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { replaceHash, routeHref, venueHref } from './router.js';
import { venueTypeLabel } from './registry-labels.js';
import { base } from './styles.js';
import './registry-community.js';
import './registry-import.js';
import './registry-staff.js';
import './registry-venue-form.js';

/**
 * The street office's venue registry: the street's venues by
 * community, searchable; a venue's form (`#/registry?venue=<id>`) with its
 * door staff; communities; importing and exporting a community's list.
 */
@customElement('registry-screen')
export class RegistryScreen extends LitElement {
  /** The venue open in the form (from the route). */
  @property() venueId: string | undefined;

  @state() private community = '';
  @state() private search = '';
  @state() private creating = false;
  @state() private importing = false;

  private readonly i18n = new I18nController(this);
  private readonly communities = new Resource(this, () => getJson<CommunityList>('/api/registry/communities').then((r) => r.items));
  private readonly venues = new Resource(this, () => getJson<RegistryVenueList>('/api/registry/venues').then((r) => r.items));

  override connectedCallback(): void {
    super.connectedCallback();
    void this.communities.run();
    void this.venues.run();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) this.creating = false;
  }

  override render() {
    const communities = this.communities.value ?? [];
    const open = this.venueId ? this.venues.value?.find((v) => v.id === this.venueId) : undefined;
    const editing = this.creating || open !== undefined;
    return html`<section class="panel">
        <div class="row head">
          <h2>${t('regTitle')}</h2>
          <select data-testid="registry-community" aria-label=${t('community')} @change=${(e: Event) => (this.community = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.community === ''}>${t('regAllCommunities')}</option>
            ${communities.map((c) => html`<option value=${c.id} ?selected=${c.id === this.community}>${c.name}（${c.venues}）</option>`)}
          </select>
          <input type="search" placeholder=${t('regSearch')} aria-label=${t('regSearch')} data-testid="registry-search" .value=${this.search}
            @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)} />
          <span class="spacer"></span>
          <button class="primary" data-testid="registry-new" @click=${this._new}>${t('regNewVenue')}</button>
          <button data-testid="registry-import-toggle" aria-pressed=${this.importing} @click=${() => (this.importing = !this.importing)}>${t('regImport')}</button>
          <a class="button" download data-testid="registry-export" href=${withQuery('/api/registry/export.csv', { communityId: this.community || undefined })}>
            ${this.community ? t('regExport') : t('regExportStreet')}
          </a>
        </div>
        <registry-community .communities=${communities} .selected=${this.community} @community-changed=${this._communityChanged}></registry-community>
      </section>
      ${this.importing
        ? html`<section class="panel" data-testid="registry-import-panel">
            <registry-import .communities=${communities} .communityId=${this.community} @registry-imported=${this._reload}></registry-import>
          </section>`
        : nothing}
      <div class="layout ${editing ? 'editing' : ''}">
        <section class="panel list">${this.venues.render((all) => this._table(all, editing))}</section>
        ${editing
          ? html`<section class="panel editor" data-testid="registry-editor">
              <registry-venue-form .venue=${open} .communities=${communities} .communityId=${this.community}
                @venue-saved=${this._saved} @venue-form-close=${this._close}></registry-venue-form>
              <hr />
              <registry-staff .venue=${open} @venue-saved=${this._saved}></registry-staff>
            </section>`
          : nothing}
      </div>`;
  }

  private _table(all: RegistryVenue[], compact: boolean) {
    const q = this.search.trim().toLowerCase();
    const shown = all.filter(
      (v) => (!this.community || v.communityId === this.community) && (!q || [v.name, v.address, v.id].some((s) => s.toLowerCase().includes(q))),
    );
    if (shown.length === 0) return html`<p class="muted" data-testid="registry-empty">${t('regNoMatch')}</p>`;
    return html`<p class="muted count">${t('regCount', { n: shown.length })}</p>
      <div class="scroll">
        <table data-testid="registry-table" class=${compact ? 'compact' : ''}>
          <thead>
            <tr>
              <th>${t('regName')}</th><th>${t('regType')}</th><th>${t('community')}</th><th>${t('address')}</th>
              <th class="n">${t('ratedCapacity')}</th><th>${t('openingHours')}</th><th>${t('regEntrances')}</th>
              <th>${t('officerPrevention')}</th><th>${t('regStaff')}</th><th></th>
            </tr>
          </thead>
          <tbody>
            ${shown.map(
              (v) => html`<tr data-testid="registry-row" data-venue=${v.id} aria-selected=${v.id === this.venueId}>
                <td><strong>${v.name}</strong><br /><code class="muted">${v.id}</code></td>
                <td>${venueTypeLabel(v.type)}</td>
                <td>${v.communityName}</td>
                <td class="addr">${v.address}</td>
                <td class="n">${num(v.ratedCapacity)}</td>
                <td class="nowrap">${v.openingHours ? `${v.openingHours.open}–${v.openingHours.close}` : t('allDay')}</td>
                <td>${v.entrances.map((e) => html`<div>${e.name}${e.kiosks ? html` <span class="muted">· ${t('regKiosksAt', { n: e.kiosks })}</span>` : nothing}</div>`)}</td>
                <td>${v.officers.prevention ? html`${v.officers.prevention.name}<br /><span class="muted">${v.officers.prevention.phone}</span>` : t('none')}</td>
                <td class="n">${v.staff.filter((s) => s.active).length}</td>
                <td class="links">
                  <a href=${routeHref('registry', { venue: v.id })} data-testid="registry-edit">${t('regEdit')}</a>
                  <a href=${routeHref('kiosks', { venue: v.id })} data-testid="registry-kiosks">${t('regKiosks')}</a>
                  <a href=${venueHref(v.id)} data-testid="registry-venue-page">${t('regVenuePage')}</a>
                  ${v.updatedAt ? html`<span class="muted small" title=${t('regUpdated')}>${fmtDateTime(v.updatedAt)}</span>` : nothing}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  private _new() {
    this.creating = true;
    if (this.venueId) replaceHash(routeHref('registry'));
  }

  private _close() {
    this.creating = false;
    replaceHash(routeHref('registry'));
  }

  /** The list takes the saved venue at once; a new one opens in the form by its route. */
  private _saved(e: CustomEvent<RegistryVenue>) {
    const saved = e.detail;
    const list = this.venues.value ?? [];
    const known = list.some((v) => v.id === saved.id);
    this.venues.value = known ? list.map((v) => (v.id === saved.id ? saved : v)) : [...list, saved];
    this.requestUpdate();
    if (!known) {
      void this.communities.run();
      this.creating = false;
      replaceHash(routeHref('registry', { venue: saved.id }));
    }
  }

  private _communityChanged(e: CustomEvent<CommunityRow>) {
    void this.communities.run();
    this.community = e.detail.id;
    void this.venues.run();
  }

  private _reload() {
    void this.communities.run();
    void this.venues.run();
  }

  static override styles = [
    base,
    css`
      :host { display: grid; gap: 12px; }
      .head h2 { margin: 0 8px 0 0; }
      .head input[type='search'] { min-width: 14em; }
      .spacer { flex: 1; }
      a.button { display: inline-flex; align-items: center; border: 1px solid var(--line); border-radius: 4px; padding: 4px 10px; min-height: 32px; box-sizing: border-box; background: #f4f6f9; }
      .layout { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); }
      :host > *, .layout > * { min-width: 0; }
      @media (max-width: 640px) { .head input[type='search'] { min-width: 0; flex: 1 1 10em; } }
      .layout.editing { grid-template-columns: minmax(0, 1fr) minmax(380px, 520px); align-items: start; }
      .editor { position: sticky; top: 52px; max-height: calc(100vh - 64px); overflow: auto; }
      .scroll { overflow-x: auto; }
      .count { margin: 0 0 4px; }
      tr[aria-selected='true'] td { background: #eef4fd; }
      td.addr { max-width: 16em; white-space: pre-line; }
      td.links { display: grid; gap: 2px; white-space: nowrap; }
      .nowrap { white-space: nowrap; }
      .small { font-size: 12px; }
      hr { border: 0; border-top: 1px solid var(--line); margin: 12px 0; }
      /* Beside the form, or on a small tablet, the list keeps what tells venues apart. */
      table.compact :is(th, td):is(:nth-child(3), :nth-child(4), :nth-child(8)) { display: none; }
      @media (max-width: 1100px) {
        .layout.editing { grid-template-columns: minmax(0, 1fr); }
        .editor { position: static; max-height: none; order: -1; }
        table :is(th, td):is(:nth-child(3), :nth-child(4), :nth-child(8)) { display: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-screen': RegistryScreen;
  }
}
