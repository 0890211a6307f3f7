import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import QRCode from 'qrcode';
import type { StreetOverview } from '../../../shared/schemas/dashboard.js';
import { formatEnrolmentCode } from '../../../shared/schemas/enrolment.js';
import type { EnrolmentCodeIssued } from '../../../shared/schemas/kiosk-admin.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { fmtDateTime } from './format.js';
import { I18nController, t } from './i18n.js';
import { errorText } from './resource.js';
import { base } from './styles.js';

const TTL_HOURS = [1, 4, 8, 24, 72] as const;

/**
 * Issuing a one-time enrolment code for an entrance: pick the venue
 * and entrance, then the code shows large (XXXX-XXXX) with its expiry and a QR
 * of the kiosk link, once: the hub keeps only its hash.
 */
@customElement('kiosk-enrol')
export class KioskEnrol extends LitElement {
  @property({ attribute: false }) communities: StreetOverview['communities'] = [];
  /** Preselected by the screen (the route's venue, or a row's "issue a code"). */
  @property() venueId: string | undefined;
  @property() entranceId: string | undefined;

  @state() private entrances: { id: string; name: string }[] | undefined;
  @state() private ttlHours = 24;
  @state() private busy = false;
  @state() private error: string | undefined;
  @state() private issued: (EnrolmentCodeIssued & { qr: string; venueName: string; entranceName: string }) | undefined;

  private readonly i18n = new I18nController(this);
  private loadSeq = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('venueId')) void this._loadEntrances();
  }

  override render() {
    if (this.issued) return this._issued(this.issued);
    const venues = this.communities.flatMap((c) => c.venues.map((v) => ({ ...v, communityName: c.name })));
    return html`<div class="row pick" data-testid="enrol-form">
        <label>${t('ksVenue')}
          <select data-testid="enrol-venue" @change=${(e: Event) => this._pickVenue((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.venueId}>${t('ksChooseVenue')}</option>
            ${this.communities.map(
              (c) => html`<optgroup label=${c.name}>
                ${c.venues.map((v) => html`<option value=${v.id} ?selected=${v.id === this.venueId}>${v.name}</option>`)}
              </optgroup>`,
            )}
          </select>
        </label>
        <label>${t('ksEntrance')}
          <select data-testid="enrol-entrance" ?disabled=${!this.entrances?.length} @change=${(e: Event) => (this.entranceId = (e.target as HTMLSelectElement).value || undefined)}>
            <option value="" ?selected=${!this.entranceId}>${t('ksChooseEntrance')}</option>
            ${(this.entrances ?? []).map((en) => html`<option value=${en.id} ?selected=${en.id === this.entranceId}>${en.name}</option>`)}
          </select>
        </label>
        <label>${t('ksValidity')}
          <select data-testid="enrol-ttl" @change=${(e: Event) => (this.ttlHours = Number((e.target as HTMLSelectElement).value))}>
            ${TTL_HOURS.map((h) => html`<option value=${h} ?selected=${h === this.ttlHours}>${t('ksHours', { n: h })}</option>`)}
          </select>
        </label>
        <button class="primary" data-testid="enrol-issue" ?disabled=${this.busy || !this.entranceId || !venues.some((v) => v.id === this.venueId)} @click=${this._issue}>
          ${t('ksIssueCode')}
        </button>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="enrol-error">${this.error}</p>` : nothing}`;
  }

  private _issued(i: NonNullable<KioskEnrol['issued']>) {
    return html`<div class="issued" data-testid="enrol-issued">
      <div>
        <p class="muted">${i.venueName} · ${i.entranceName}</p>
        <p class="code" data-testid="enrol-code">${formatEnrolmentCode(i.code)}</p>
        <p>${t('ksExpires', { when: fmtDateTime(i.expiresAt) })}</p>
        <p class="muted">${t('ksOnce')}</p>
        <p class="url" data-testid="enrol-url">${i.enrolUrl}</p>
        <button data-testid="enrol-done" @click=${() => (this.issued = undefined)}>${t('ksDone')}</button>
      </div>
      <img src=${i.qr} alt=${t('ksQrAlt')} width="240" height="240" data-testid="enrol-qr" />
    </div>`;
  }

  private _pickVenue(id: string) {
    this.venueId = id || undefined;
    this.entranceId = undefined;
  }

  private async _loadEntrances() {
    const n = ++this.loadSeq;
    this.entrances = undefined;
    this.error = undefined;
    if (!this.venueId) return;
    try {
      const { venue } = await getJson<{ venue: { entrances: { id: string; name: string }[] } }>(`/api/venues/${encodeURIComponent(this.venueId)}`);
      if (n !== this.loadSeq) return;
      this.entrances = venue.entrances;
      // One door: nothing to choose. A preselected one that is not here is dropped.
      if (!venue.entrances.some((e) => e.id === this.entranceId)) this.entranceId = venue.entrances.length === 1 ? venue.entrances[0]!.id : undefined;
    } catch (e) {
      if (n === this.loadSeq) this.error = errorText(e instanceof ApiFailure ? e : new ApiFailure(0, 'internal', String(e)));
    }
  }

  private async _issue() {
    const entrance = this.entrances?.find((e) => e.id === this.entranceId);
    const venue = this.communities.flatMap((c) => c.venues).find((v) => v.id === this.venueId);
    if (!entrance || !venue) return;
    this.busy = true;
    this.error = undefined;
    try {
      const res = await postJson<EnrolmentCodeIssued>(`/api/entrances/${encodeURIComponent(entrance.id)}/enrolment-codes`, { ttlHours: this.ttlHours });
      const qr = await QRCode.toDataURL(res.enrolUrl, { errorCorrectionLevel: 'M', margin: 2, width: 480 });
      this.issued = { ...res, qr, venueName: venue.name, entranceName: entrance.name };
    } catch (e) {
      this.error = errorText(e instanceof ApiFailure ? e : new ApiFailure(0, 'internal', String(e)));
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      .pick { align-items: flex-end; }
      label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; color: var(--muted); }
      select { min-width: 160px; color: #1c2430; }
      .issued { display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
      .issued p { margin: 0 0 6px; }
      .code { font: 700 56px/1.1 ui-monospace, 'SF Mono', Menlo, monospace; letter-spacing: 0.08em; color: #16324f; }
      .url { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; max-width: 520px; }
      img { image-rendering: pixelated; border: 1px solid var(--line); }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'kiosk-enrol': KioskEnrol;
  }
}
