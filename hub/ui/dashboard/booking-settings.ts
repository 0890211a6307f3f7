import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import QRCode from 'qrcode';
import type { VenueBooking } from '../../../shared/schemas/booking-admin.js';
import { BookingSettings, SLOT_MINUTES, type BookingMode } from '../../../shared/schemas/booking-settings.js';
import { MAX_PARTY } from '../../../shared/schemas/common.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { fmtDateTime, num } from './format.js';
import { I18nController, t, type TextKey } from './i18n.js';
import { apiErrorText, apiField, issueTexts } from './issue-text.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

const MODES: readonly BookingMode[] = ['off', 'optional', 'required'];
const LABEL: Record<keyof BookingSettings, TextKey> = {
  mode: 'bkMode',
  slotMinutes: 'bkSlotMinutes',
  slotCap: 'bkSlotCap',
  maxParty: 'bkMaxParty',
  daysAhead: 'bkDaysAhead',
};
type Draft = Record<keyof BookingSettings, string>;

/**
 * A venue's booking settings (docs/bookings.md): how it takes bookings,
 * the slot length and seats per slot — shown against the policy's cap, which
 * holds it lower whatever is saved — the party limit and how far ahead; its
 * shareable booking link with a QR to print. Everyone in scope reads it; the
 * street admin edits it, checked with the shared schema before it is sent and
 * the hub's refusal shown at its field. Emits `booking-settings-saved`.
 */
@customElement('booking-settings')
export class BookingSettingsEditor extends LitElement {
  @property() venueId = '';
  @property({ type: Boolean }) admin = false;

  @state() private draft: Draft | undefined;
  @state() private errors: ReadonlyMap<string, string> = new Map();
  @state() private busy = false;
  @state() private saved = false;
  @state() private qr: string | undefined;

  private readonly i18n = new I18nController(this);
  private readonly view = new Resource(this, () => getJson<VenueBooking>(`/api/venues/${encodeURIComponent(this.venueId)}/booking`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) void this._load();
  }

  override render() {
    return this.view.render((v) => html`<div class="settings" data-testid="booking-settings" data-mode=${v.settings.mode}>
      <div class="facts">
        <p>
          <strong>${t(`bkMode_${v.settings.mode}`)}</strong>
          ${v.settings.mode === 'off' ? nothing : html` · ${num(v.settings.slotMinutes)} ${t('polMinutes')} · ${t('bkEffective', { n: v.slotCap })}`}
          <span class="muted">· ${t('bkPolicyCap', { cap: v.policyCap, version: v.policyVersion })}</span>
        </p>
        ${v.capped ? html`<p class="warn" data-testid="booking-capped">${t('bkCapped', { cap: v.slotCap })}</p>` : nothing}
        ${v.overbooked > 0 ? html`<p class="warn" data-testid="booking-overbooked">${t('bkOverbookedCount', { n: v.overbooked })}</p>` : nothing}
        <p class="muted">${v.saved ? t('bkUpdated', { at: fmtDateTime(v.updatedAt), who: v.updatedBy ?? '—' }) : t('bkNeverSaved')}</p>
        ${v.settings.mode === 'off' ? nothing : this._link(v)}
      </div>
      ${this.admin && this.draft ? this._form(this.draft, v) : html`<p class="muted">${t('bkAdminOnly')}</p>`}
    </div>`);
  }

  private _link(v: VenueBooking) {
    const url = v.bookingUrl;
    return html`<div class="link">
      ${this.qr ? html`<img src=${this.qr} width="120" height="120" alt=${t('bkLink')} data-testid="booking-qr" />` : nothing}
      <div>
        <div class="muted">${t('bkLink')}</div>
        <a href=${v.bookingPath} target="_blank" rel="noopener" data-testid="booking-link">${url}</a>
        <div class="muted small">${t('bkLinkHint')}</div>
      </div>
    </div>`;
  }

  private _form(d: Draft, v: VenueBooking) {
    const number = (key: 'slotCap' | 'maxParty' | 'daysAhead', min: number, max: number, hint?: unknown) => html`<label
      >${t(LABEL[key])}
      <input type="number" inputmode="numeric" min=${min} max=${max} step="1" data-field=${key} .value=${d[key]} @input=${(e: Event) => this._set(key, (e.target as HTMLInputElement).value)} />
      ${hint ?? nothing}${this._err(key)}</label
    >`;
    return html`<form class="form" @submit=${this._save} novalidate>
      <label>${t('bkMode')}
        <select data-field="mode" @change=${(e: Event) => this._set('mode', (e.target as HTMLSelectElement).value)}>
          ${MODES.map((m) => html`<option value=${m} ?selected=${d.mode === m}>${t(`bkMode_${m}`)}</option>`)}
        </select>${this._err('mode')}</label>
      <label>${t('bkSlotMinutes')}
        <select data-field="slotMinutes" @change=${(e: Event) => this._set('slotMinutes', (e.target as HTMLSelectElement).value)}>
          ${SLOT_MINUTES.map((m) => html`<option value=${m} ?selected=${d.slotMinutes === String(m)}>${m} ${t('polMinutes')}</option>`)}
        </select>${this._err('slotMinutes')}</label>
      ${number('slotCap', 1, 100_000, html`<span class="muted small">${t('bkPolicyCap', { cap: v.policyCap, version: v.policyVersion })}</span>`)}
      ${number('maxParty', 1, MAX_PARTY)} ${number('daysAhead', 0, 30)}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="booking-save">${t('bkSave')}</button>
        ${this.saved ? html`<span class="ok" role="status">${t('bkSaved')}</span>` : nothing} ${this._err('')}
      </div>
    </form>`;
  }

  private _err(field: string) {
    const m = this.errors.get(field);
    return m ? html`<span class="error" role="alert" data-testid="field-error" data-field=${field}>${m}</span>` : nothing;
  }

  private async _load() {
    await this.view.run();
    const v = this.view.value;
    if (!v) return;
    const s = v.settings;
    this.draft = { mode: s.mode, slotMinutes: String(s.slotMinutes), slotCap: String(s.slotCap), maxParty: String(s.maxParty), daysAhead: String(s.daysAhead) };
    this.qr = await QRCode.toDataURL(v.bookingUrl, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
  }

  private _set(key: keyof BookingSettings, value: string) {
    this.draft = { ...this.draft!, [key]: value };
    this.saved = false;
  }

  private async _save(e: Event) {
    e.preventDefault();
    const d = this.draft!;
    const n = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const checked = BookingSettings.safeParse(
      { mode: d.mode, slotMinutes: n(d.slotMinutes), slotCap: n(d.slotCap), maxParty: n(d.maxParty), daysAhead: n(d.daysAhead) },
      { reportInput: true },
    );
    if (!checked.success) {
      this.errors = issueTexts(checked.error.issues, (path) => t(LABEL[path as keyof BookingSettings] ?? 'bkSettings'), (path) => (path === 'mode' || path === 'slotMinutes' ? { choice: true } : undefined));
      return;
    }
    this.busy = true;
    this.errors = new Map();
    try {
      this.view.value = await postJson<VenueBooking>(`/api/venues/${encodeURIComponent(this.venueId)}/booking`, checked.data);
      this.saved = true;
      this.dispatchEvent(new CustomEvent('booking-settings-saved', { bubbles: true, composed: true }));
    } catch (err) {
      const failure = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      const field = apiField(failure) ?? '';
      const label = LABEL[field as keyof BookingSettings];
      const text = failure.code === 'conflict' && field === 'slotMinutes' ? t('bkLengthLocked') : apiErrorText(failure, label ? t(label) : undefined);
      this.errors = new Map([[label ? field : '', text]]);
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      .settings { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
      @media (max-width: 1000px) { .settings { grid-template-columns: 1fr; } }
      p { margin: 0 0 6px; }
      .warn { color: var(--warning); font-weight: 600; }
      .small { font-size: 12px; }
      .link { display: flex; gap: 12px; align-items: center; margin-top: 8px; }
      .link a { overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 13px; }
      img { image-rendering: pixelated; border: 1px solid var(--line); }
      .form { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px 12px; align-items: start; }
      .form label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      .form input, .form select { color: #1c2430; }
      .actions { grid-column: 1 / -1; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
      .ok { color: var(--clear); }
      span.error { display: block; padding: 2px 6px; font-size: 12px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'booking-settings': BookingSettingsEditor;
  }
}
