import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { toIsoWithOffset } from '../../../shared/rules/time.js';
import type { Enrolment, Shift } from '../db.js';
import { saveDoorRecord, saveFailedText, validateBody, type RecordBody } from '../door-records.js';
import { fireEvent } from '../fire-event.js';
import { temperatureErrorKey, typedCelsius } from './draft.js';
import { I18nController, t } from '../i18n.js';

type Form = 'venue_check' | 'disinfection' | 'staff_temperature' | 'staff_health';

/**
 * The venue's own ledgers (台账, 000 §2(2)(2)–(4), 002): the door checks per
 * opening, disinfection and ventilation, staff temperatures, staff tests and
 * vaccination. Each entry is a record synced exactly like an entrance record.
 */
@customElement('ledger-screen')
export class LedgerScreen extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;
  @property({ attribute: false }) shift!: Shift;

  @state() private form: Form = 'venue_check';
  @state() private values: Record<string, string> = {};
  @state() private errors: Record<string, string> = {};
  @state() private savedNote = '';
  @state() private saving = false;

  private readonly i18n = new I18nController(this);

  override render() {
    const tab = (f: Form) =>
      html`<button data-testid="ledger-${f}" aria-pressed=${this.form === f} @click=${() => this._switch(f)}>${t(`type_${f}`)}</button>`;
    return html`<div class="tabs">${tab('venue_check')}${tab('disinfection')}${tab('staff_temperature')}${tab('staff_health')}</div>
      <form @submit=${this._save} novalidate>
        ${this._fields()}
        <button class="save" type="submit" data-testid="ledger-save" ?disabled=${this.saving}>${t('save')}</button>
        ${this.errors[''] ? html`<p class="error" role="alert">${this.errors['']}</p>` : nothing}
        ${this.savedNote ? html`<p class="ok" role="status" data-testid="ledger-saved">${this.savedNote}</p>` : nothing}
      </form>`;
  }

  private _fields() {
    const staff = this.enrolment.venue.staff;
    const yesNo = (name: string, label: string) => this._choice(name, label, [['yes', t('yes')], ['no', t('no')]]);
    const staffPick = this._choice('staffId', t('staffMember'), staff.map((s) => [s.id, s.name]));
    switch (this.form) {
      case 'venue_check':
        return html`${yesNo('oneMetreLine', t('oneMetreLine'))}${yesNo('noticesPosted', t('noticesPosted'))}${this._text('note', t('note'))}`;
      case 'disinfection':
        return html`${this._choice('kind', t('kind'), [['disinfection', t('kind_disinfection')], ['ventilation', t('kind_ventilation')]])}
          ${this._text('area', t('area'))}${this._text('officer', t('officer'))}${this._text('doneAt', t('doneAt'), 'datetime-local')}`;
      case 'staff_temperature':
        return html`${staffPick}${this._text('celsius', t('temperature'), 'text', 'decimal')}`;
      case 'staff_health':
        return html`${staffPick}${this._text('lastTestDate', t('lastTestDate'), 'date')}
          ${this._choice('vaccination', t('vaccination'), [['booster', t('vacc_booster')], ['complete', t('vacc_complete')], ['incomplete', t('incomplete')], ['none', t('none')]])}`;
    }
  }

  private _choice(name: string, label: string, options: string[][]) {
    return html`<fieldset>
      <legend>${label}</legend>
      ${options.map(
        ([v, l]) => html`<button type="button" data-testid="lf-${name}-${v}" aria-pressed=${this.values[name] === v} @click=${() => this._set(name, v!)}>${l}</button>`,
      )}
      ${this.errors[name] ? html`<p class="error" role="alert">${this.errors[name]}</p>` : nothing}
    </fieldset>`;
  }

  private _text(name: string, label: string, type = 'text', inputmode = 'text') {
    return html`<label>
      ${label}
      <input type=${type} inputmode=${inputmode} data-testid="lf-${name}" .value=${this.values[name] ?? ''} @input=${(e: Event) => this._set(name, (e.target as HTMLInputElement).value)} />
      ${this.errors[name] ? html`<p class="error" role="alert">${this.errors[name]}</p>` : nothing}
    </label>`;
  }

  private _switch(f: Form) {
    this.form = f;
    this.errors = {};
    this.savedNote = '';
    const now = new Date();
    const local = toIsoWithOffset(now.getTime(), -now.getTimezoneOffset()).slice(0, 16);
    this.values =
      f === 'disinfection' ? { kind: 'disinfection', officer: this.enrolment.venue.officers.disinfection?.name ?? '', doneAt: local } : {};
  }

  private _set(name: string, value: string) {
    this.values = { ...this.values, [name]: value };
    this.savedNote = '';
  }

  private _body(): RecordBody | undefined {
    const v = this.values;
    const opt = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
    switch (this.form) {
      case 'venue_check':
        return { type: 'venue_check', oneMetreLine: v.oneMetreLine === 'yes', noticesPosted: v.noticesPosted === 'yes', note: opt(v.note) } as RecordBody;
      case 'disinfection': {
        const at = v.doneAt ? new Date(v.doneAt) : undefined;
        const doneAt = at && !Number.isNaN(at.getTime()) ? toIsoWithOffset(at.getTime(), -at.getTimezoneOffset()) : '';
        return { type: 'disinfection', kind: v.kind, area: v.area ?? '', officer: v.officer ?? '', doneAt } as RecordBody;
      }
      case 'staff_temperature':
        return { type: 'staff_temperature', staffId: v.staffId ?? '', celsius: typedCelsius(v.celsius ?? '') } as RecordBody;
      case 'staff_health':
        return { type: 'staff_health', staffId: v.staffId ?? '', lastTestDate: v.lastTestDate ?? '', vaccination: v.vaccination } as RecordBody;
    }
  }

  private async _save(e: Event) {
    e.preventDefault();
    const required = this.form === 'venue_check' ? ['oneMetreLine', 'noticesPosted'] : [];
    const missing = Object.fromEntries(required.filter((n) => !this.values[n]).map((n) => [n, t('missing')]));
    const body = this._body()!;
    const v = validateBody(body);
    // The shared schema finds the field; staff read why in the kiosk's language.
    const fieldErrors = v.ok
      ? {}
      : Object.fromEntries(
          Object.keys(v.errors).map((f) => [
            f,
            f === 'celsius' ? t(temperatureErrorKey(this.values[f] ?? '')) : !this.values[f]?.trim() ? t('missing') : t('fieldInvalid'),
          ]),
        );
    this.errors = { ...fieldErrors, ...missing };
    if (Object.keys(this.errors).length || this.saving) return;
    this.saving = true;
    let stored;
    try {
      stored = await saveDoorRecord(this.enrolment, this.shift, body);
    } catch (err) {
      this.savedNote = '';
      this.errors = { '': saveFailedText(err) };
      return;
    } finally {
      this.saving = false;
    }
    this.savedNote = `✓ ${t('savedOnDevice')} · #${stored.seq}`;
    fireEvent(this, 'record-saved', stored);
    const keep: Record<string, string> = this.form === 'disinfection' ? { kind: this.values.kind ?? 'disinfection', officer: this.values.officer ?? '' } : {};
    this.values = keep;
  }

  static override styles = css`
    :host { display: grid; gap: 0.8rem; max-width: 44rem; }
    .tabs { display: flex; flex-wrap: wrap; gap: 0.5rem; }
    button { min-height: 3rem; padding: 0 1rem; font-size: 1.05rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; }
    button[aria-pressed='true'] { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
    form { display: grid; gap: 0.7rem; }
    fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
    legend { font-weight: 600; padding-bottom: 0.3rem; }
    label { display: grid; gap: 0.3rem; font-weight: 600; }
    input { font-size: 1.2rem; padding: 0.5rem; border: 2px solid #9aa5b1; border-radius: 0.5rem; font-weight: 400; }
    .save { background: #1d4ed8; color: #fff; border-color: #1d4ed8; min-height: 3.6rem; font-size: 1.2rem; }
    .error { color: #b91c1c; font-weight: 600; margin: 0; width: 100%; }
    .ok { color: #15803d; font-weight: 700; margin: 0; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'ledger-screen': LedgerScreen;
  }
}
