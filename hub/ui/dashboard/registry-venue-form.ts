import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { VenueCreate, VenueEdit, type CommunityRow, type RegistryVenue } from '../../../shared/schemas/registry.js';
import { VenueType } from '../../../shared/schemas/venue.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { apiErrorText, apiField, issueTexts } from './issue-text.js';
import { venueTypeLabel } from './registry-labels.js';
import { draftBody, fieldLabel, isChoice, toDraft, type Draft, type OfficerRole } from './registry-venue-draft.js';
import { base } from './styles.js';

/**
 * Creating or editing a venue: checked with the registry's shared
 * schema before it is sent, and the hub's answer shown next to the field it
 * names (`ratedCapacity`, `entrances.1.name`, `officers.prevention.phone`),
 * in the dashboard's language (issue-text.ts); the hub's English is the tooltip.
 */
@customElement('registry-venue-form')
export class RegistryVenueForm extends LitElement {
  /** The venue being edited; undefined for a new one. */
  @property({ attribute: false }) venue: RegistryVenue | undefined;
  @property({ attribute: false }) communities: CommunityRow[] = [];
  /** The community a new venue starts in (the list's filter). */
  @property() communityId = '';

  @state() private draft: Draft = toDraft(undefined, '');
  /** Each field's problem in words, and the hub's own message for the tooltip when it came from the hub. */
  @state() private errors = new Map<string, { text: string; detail?: string }>();
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
      html`<div class="cell"><label><span>${labelText}${opts.required ? html`<b class="req">*</b>` : nothing}</span>
          <input type=${opts.type ?? 'text'} .value=${String(d[key])} data-testid="venue-${key}" placeholder=${opts.hint ?? ''}
            @input=${(e: Event) => this._set({ [key]: (e.target as HTMLInputElement).value })} />
        </label>${this._err(key)}</div>`;
    return html`<form novalidate @submit=${this._submit} data-testid="venue-form">
      <h3>${editing ? `${t('regEdit')} · ${this.venue!.name}` : t('regNewVenue')}</h3>
      <div class="grid">
        ${editing
          ? html`<div class="ro"><span class="muted">${t('regVenueId')}</span> <code>${d.id}</code></div>
              <div class="ro"><span class="muted">${t('community')}</span> ${this.venue!.communityName}</div>`
          : html`${text('id', t('regVenueId'), { hint: t('regVenueIdHint') })}
              <div class="cell"><label><span>${t('community')}<b class="req">*</b></span>
                <select data-testid="venue-communityId" .value=${d.communityId} @change=${(e: Event) => this._set({ communityId: (e.target as HTMLSelectElement).value })}>
                  ${this.communities.map((c) => html`<option value=${c.id} ?selected=${c.id === d.communityId}>${c.name}</option>`)}
                </select></label
              >${this._err('communityId')}</div>`}
        ${text('name', t('regName'), { required: true })}
        <div class="cell"><label><span>${t('regType')}<b class="req">*</b></span>
          <select data-testid="venue-type" @change=${(e: Event) => this._set({ type: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${d.type === ''}>—</option>
            ${VenueType.options.map((type) => html`<option value=${type} ?selected=${type === d.type}>${venueTypeLabel(type)}</option>`)}
          </select></label
        >${this._err('type')}</div>
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

  private _officer(role: OfficerRole, title: string) {
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
    const e = this.errors.get(path);
    return e ? html`<span class="error field" role="alert" data-testid="field-error" data-field=${path} title=${e.detail ?? nothing}>${e.text}</span>` : nothing;
  }

  private _set(patch: Partial<Draft>) {
    this.draft = { ...this.draft, ...patch };
    this.saved = false;
  }

  private _entrance(i: number, name: string) {
    this._set({ entrances: this.draft.entrances.map((e, j) => (j === i ? { ...e, name } : e)) });
  }

  private async _submit(e: SubmitEvent) {
    e.preventDefault();
    const body = draftBody(this.draft, this.venue !== undefined);
    const checked = (this.venue ? VenueEdit : VenueCreate).safeParse(body, { reportInput: true });
    this.general = '';
    if (!checked.success) {
      const texts = issueTexts(checked.error.issues, fieldLabel, (path) => ({ choice: isChoice(path) }));
      this.errors = new Map([...texts].map(([path, text]) => [path, { text }]));
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
      await this._hubError(err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err)));
    } finally {
      this.busy = false;
    }
  }

  /** A refusal next to the field the hub names, or above the buttons when the form has no such field. */
  private async _hubError(f: ApiFailure) {
    const field = apiField(f);
    if (!field || f.status < 400 || f.status >= 500) {
      this.general = apiErrorText(f);
      return;
    }
    // The two refusals only the hub can make about this form's fields, said as what to do.
    const text =
      f.code === 'conflict' && field === 'entrances' ? t('regEntranceInUse') : f.code === 'not_found' && field === 'communityId' ? t('regNoCommunity') : apiErrorText(f, fieldLabel(field));
    this.errors = new Map([[field, { text, detail: f.message }]]);
    // Shown where the form has a place for that field; otherwise (a field it never shows) above the buttons.
    await this.updateComplete;
    if (!this.renderRoot.querySelector(`[data-testid="field-error"][data-field="${CSS.escape(field)}"]`)) this.general = text;
  }

  static override styles = [
    base,
    css`
      form { display: grid; gap: 10px; }
      h3 { margin: 0; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 12px; align-items: start; }
      .cell { display: grid; gap: 4px; align-content: start; }
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
