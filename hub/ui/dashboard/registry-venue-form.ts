import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { issuePath } from '../../../shared/schemas/errors.js';
import { VenueCreate, VenueEdit, type CommunityRow, type RegistryVenue } from '../../../shared/schemas/registry.js';
import { VenueType } from '../../../shared/schemas/venue.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { errorText } from './resource.js';
import { venueTypeLabel } from './registry-labels.js';
import { base } from './styles.js';

interface Draft {
  id: string;
  communityId: string;
  name: string;
  type: string;
  address: string;
  ratedCapacity: string;
  alwaysOpen: boolean;
  open: string;
  close: string;
  utcOffsetMinutes: string;
  officers: { prevention: { name: string; phone: string }; disinfection: { name: string; phone: string } };
  entrances: { id?: string; name: string; kiosks: number; inUse: boolean }[];
}

const toDraft = (v: RegistryVenue | undefined, communityId: string): Draft => ({
  id: v?.id ?? '',
  communityId: v?.communityId ?? communityId,
  name: v?.name ?? '',
  type: v?.type ?? '',
  address: v?.address ?? '',
  ratedCapacity: v ? String(v.ratedCapacity) : '',
  alwaysOpen: v ? v.openingHours === null : false,
  open: v?.openingHours?.open ?? '09:00',
  close: v?.openingHours?.close ?? '22:00',
  utcOffsetMinutes: String(v?.utcOffsetMinutes ?? 480),
  officers: {
    prevention: { name: v?.officers.prevention?.name ?? '', phone: v?.officers.prevention?.phone ?? '' },
    disinfection: { name: v?.officers.disinfection?.name ?? '', phone: v?.officers.disinfection?.phone ?? '' },
  },
  entrances: v ? v.entrances.map((e) => ({ ...e })) : [{ name: '正门', kiosks: 0, inUse: false }],
});

/**
 * Creating or editing a venue (issue 7): checked with the registry's shared
 * schema before it is sent, and the hub's answer shown next to the field it
 * names (`ratedCapacity`, `entrances.1.name`, `officers.prevention.phone`).
 */
@customElement('registry-venue-form')
export class RegistryVenueForm extends LitElement {
  /** The venue being edited; undefined for a new one. */
  @property({ attribute: false }) venue: RegistryVenue | undefined;
  @property({ attribute: false }) communities: CommunityRow[] = [];
  /** The community a new venue starts in (the list's filter). */
  @property() communityId = '';

  @state() private draft: Draft = toDraft(undefined, '');
  @state() private errors = new Map<string, string>();
  @state() private general = '';
  @state() private busy = false;
  @state() private saved = false;

  private readonly i18n = new I18nController(this);

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venue') || (changed.has('communityId') && !this.venue)) {
      // The same venue coming back after a save (new entrance ids) keeps the "saved" line.
      const same = changed.has('venue') && this.venue !== undefined && (changed.get('venue') as RegistryVenue | undefined)?.id === this.venue.id;
      this.draft = toDraft(this.venue, this.communityId || this.communities[0]?.id || '');
      this.errors = new Map();
      this.general = '';
      if (!same) this.saved = false;
    }
    if (changed.has('communities') && !this.venue && !this.draft.communityId && this.communities[0]) {
      this.draft = { ...this.draft, communityId: this.communityId || this.communities[0].id };
    }
  }

  override render() {
    const d = this.draft;
    const editing = this.venue !== undefined;
    const text = (key: keyof Draft & string, labelText: string, opts: { type?: string; required?: boolean; hint?: string } = {}) =>
      html`<label><span>${labelText}${opts.required ? html`<b class="req">*</b>` : nothing}</span>
          <input type=${opts.type ?? 'text'} .value=${String(d[key])} data-testid="venue-${key}" placeholder=${opts.hint ?? ''}
            @input=${(e: Event) => this._set({ [key]: (e.target as HTMLInputElement).value })} />
        </label>${this._err(key)}`;
    return html`<form novalidate @submit=${this._submit} data-testid="venue-form">
      <h3>${editing ? `${t('regEdit')} · ${this.venue!.name}` : t('regNewVenue')}</h3>
      <div class="grid">
        ${editing
          ? html`<div class="ro"><span class="muted">${t('regVenueId')}</span> <code>${d.id}</code></div>
              <div class="ro"><span class="muted">${t('community')}</span> ${this.venue!.communityName}</div>`
          : html`${text('id', t('regVenueId'), { hint: t('regVenueIdHint') })}
              <label><span>${t('community')}<b class="req">*</b></span>
                <select data-testid="venue-communityId" .value=${d.communityId} @change=${(e: Event) => this._set({ communityId: (e.target as HTMLSelectElement).value })}>
                  ${this.communities.map((c) => html`<option value=${c.id} ?selected=${c.id === d.communityId}>${c.name}</option>`)}
                </select></label
              >${this._err('communityId')}`}
        ${text('name', t('regName'), { required: true })}
        <label><span>${t('regType')}<b class="req">*</b></span>
          <select data-testid="venue-type" @change=${(e: Event) => this._set({ type: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${d.type === ''}>—</option>
            ${VenueType.options.map((type) => html`<option value=${type} ?selected=${type === d.type}>${venueTypeLabel(type)}</option>`)}
          </select></label
        >${this._err('type')}
        ${text('address', t('address'))} ${text('ratedCapacity', t('ratedCapacity'), { type: 'number', required: true })}
        <fieldset class="hours">
          <legend>${t('openingHours')}</legend>
          <label class="inline"><input type="checkbox" .checked=${d.alwaysOpen} data-testid="venue-alwaysOpen" @change=${(e: Event) => this._set({ alwaysOpen: (e.target as HTMLInputElement).checked })} /> ${t('regAlwaysOpen')}</label>
          ${d.alwaysOpen
            ? nothing
            : html`<label class="inline">${t('regOpens')} <input type="time" .value=${d.open} data-testid="venue-open" @input=${(e: Event) => this._set({ open: (e.target as HTMLInputElement).value })} /></label>
                <label class="inline">${t('regCloses')} <input type="time" .value=${d.close} data-testid="venue-close" @input=${(e: Event) => this._set({ close: (e.target as HTMLInputElement).value })} /></label>
                <span class="muted small">${t('regAfterMidnight')}</span>`}
          ${this._err('openingHours')} ${this._err('openingHours.open')} ${this._err('openingHours.close')}
        </fieldset>
        ${text('utcOffsetMinutes', t('regUtcOffset'), { type: 'number' })}
      </div>
      ${this._officer('prevention', t('officerPrevention'))} ${this._officer('disinfection', t('officerDisinfection'))}
      <fieldset data-testid="venue-entrances">
        <legend>${t('regEntrances')}<b class="req">*</b></legend>
        ${d.entrances.map(
          (e, i) => html`<div class="row entrance">
              <input .value=${e.name} aria-label="${t('regEntrances')} ${i + 1}" data-testid="entrance-name" @input=${(ev: Event) => this._entrance(i, (ev.target as HTMLInputElement).value)} />
              ${e.kiosks > 0 ? html`<span class="muted small">${t('regKiosksAt', { n: e.kiosks })}</span>` : nothing}
              <button type="button" class="small" data-testid="entrance-remove" ?disabled=${e.inUse || d.entrances.length === 1} title=${e.inUse ? t('regInUse') : ''}
                @click=${() => this._set({ entrances: d.entrances.filter((_, j) => j !== i) })}>${t('regRemove')}</button>
            </div>
            ${this._err(`entrances.${i}.name`)} ${this._err(`entrances.${i}.id`)}`,
        )}
        <button type="button" class="small" data-testid="entrance-add" @click=${() => this._set({ entrances: [...d.entrances, { name: '', kiosks: 0, inUse: false }] })}>${t('regAddEntrance')}</button>
        ${this._err('entrances')}
      </fieldset>
      ${this.general ? html`<p class="error" role="alert" data-testid="venue-form-error">${this.general}</p>` : nothing}
      ${this.saved ? html`<p class="ok" role="status" data-testid="venue-saved">${t('regSaved')}</p>` : nothing}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="venue-save">${editing ? t('regSave') : t('regCreate')}</button>
        <button type="button" @click=${() => fireEvent(this, 'venue-form-close', {})}>${t('close')}</button>
      </div>
    </form>`;
  }

  private _officer(role: 'prevention' | 'disinfection', title: string) {
    const o = this.draft.officers[role];
    const set = (patch: Partial<typeof o>) => this._set({ officers: { ...this.draft.officers, [role]: { ...o, ...patch } } });
    return html`<fieldset>
      <legend>${title}</legend>
      <div class="row">
        <label class="inline">${t('regOfficerName')} <input .value=${o.name} data-testid="officer-${role}-name" @input=${(e: Event) => set({ name: (e.target as HTMLInputElement).value })} /></label>
        <label class="inline">${t('regPhone')} <input type="tel" .value=${o.phone} data-testid="officer-${role}-phone" @input=${(e: Event) => set({ phone: (e.target as HTMLInputElement).value })} /></label>
      </div>
      ${this._err(`officers.${role}.name`)} ${this._err(`officers.${role}.phone`)} ${this._err(`officers.${role}`)}
    </fieldset>`;
  }

  private _err(path: string) {
    const message = this.errors.get(path);
    return message ? html`<span class="error field" role="alert" data-testid="field-error" data-field=${path}>${message}</span>` : nothing;
  }

  private _set(patch: Partial<Draft>) {
    this.draft = { ...this.draft, ...patch };
    this.saved = false;
  }

  private _entrance(i: number, name: string) {
    this._set({ entrances: this.draft.entrances.map((e, j) => (j === i ? { ...e, name } : e)) });
  }

  /** The body the API takes, from what was typed; the shared schema judges it. */
  private _body() {
    const d = this.draft;
    const officer = (o: { name: string; phone: string }) => (o.name.trim() || o.phone.trim() ? { name: o.name, phone: o.phone } : undefined);
    const number = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const officers: Record<string, unknown> = {};
    if (officer(d.officers.prevention)) officers.prevention = officer(d.officers.prevention);
    if (officer(d.officers.disinfection)) officers.disinfection = officer(d.officers.disinfection);
    return {
      ...(this.venue || d.id.trim() === '' ? {} : { id: d.id.trim() }),
      communityId: d.communityId,
      name: d.name,
      type: d.type === '' ? undefined : d.type,
      address: d.address,
      ratedCapacity: number(d.ratedCapacity),
      openingHours: d.alwaysOpen ? null : { open: d.open, close: d.close },
      utcOffsetMinutes: number(d.utcOffsetMinutes),
      officers,
      entrances: d.entrances.map((e) => (e.id ? { id: e.id, name: e.name } : { name: e.name })),
    };
  }

  private async _submit(e: SubmitEvent) {
    e.preventDefault();
    const body = this._body();
    const checked = (this.venue ? VenueEdit : VenueCreate).safeParse(body);
    this.general = '';
    if (!checked.success) {
      this.errors = new Map(checked.error.issues.map((i) => [issuePath(i.path), i.message]));
      this.general = t('regFixErrors');
      return;
    }
    this.busy = true;
    this.errors = new Map();
    try {
      const path = this.venue ? `/api/registry/venues/${encodeURIComponent(this.venue.id)}` : '/api/registry/venues';
      const saved = await postJson<RegistryVenue>(path, body);
      this.saved = true;
      fireEvent(this, 'venue-saved', saved);
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      const field = f.field?.replace(/^body\./, '');
      if (field && f.status >= 400 && f.status < 500) {
        this.errors = new Map([[field, f.message.replace(new RegExp(`^${field}: `), '')]]);
        if (!this.renderRoot.querySelector(`[data-field="${CSS.escape(field)}"]`)) this.general = f.message;
      } else this.general = errorText(f);
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      form { display: grid; gap: 10px; }
      h3 { margin: 0; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 12px; align-items: start; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      label.inline { display: inline-flex; align-items: center; gap: 6px; }
      input, select { color: #1c2430; }
      fieldset { border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px 10px; display: grid; gap: 6px; }
      fieldset.hours { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
      legend { font-size: 13px; color: var(--muted); padding: 0 4px; }
      .entrance input { flex: 1; min-width: 8em; }
      .ro { font-size: 13px; padding-top: 18px; }
      .req { color: var(--violation); margin-left: 2px; font-weight: normal; }
      .small { font-size: 12px; }
      span.error.field { padding: 2px 6px; font-size: 13px; display: block; }
      .ok { color: var(--clear); margin: 0; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-venue-form': RegistryVenueForm;
  }
}
