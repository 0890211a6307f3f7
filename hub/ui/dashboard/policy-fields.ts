import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { DoorCheck } from '../../../shared/schemas/checks.js';
import type { StaffTestFrequency } from '../../../shared/schemas/ledgers.js';
import type { PolicyDraft } from '../../../shared/schemas/policy-admin.js';
import { VaccinationEffect } from '../../../shared/schemas/policy.js';
import type { VenueType } from '../../../shared/schemas/venue.js';
import { I18nController, label, t, type TextKey } from './i18n.js';
import { DOOR_CHECKS, VENUE_TYPES, pathText, vaccinationEffectText, venueTypeText } from './policy-labels.js';
import { base } from './styles.js';

/** Sets (or, with undefined, removes) the value at a dotted path in a copy of the draft. */
export function setIn(draft: PolicyDraft, path: string, value: unknown): PolicyDraft {
  const copy = structuredClone(draft) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as unknown as PolicyDraft;
}

function getIn(draft: PolicyDraft, path: string): unknown {
  return path.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], draft);
}

const FLAG_NUMBERS: { key: keyof PolicyDraft['flags']; step: number }[] = [
  { key: 'kioskOfflineMinutes', step: 1 },
  { key: 'kioskSilentMinutes', step: 1 },
  { key: 'clockSkewMinutes', step: 1 },
  { key: 'kioskTimePastDays', step: 1 },
  { key: 'kioskTimeFutureMinutes', step: 1 },
  { key: 'minScansPerAdmission', step: 0.05 },
  { key: 'minAdmissionsForScanCheck', step: 1 },
  { key: 'minAdmissionsForNoPhoneCheck', step: 1 },
  { key: 'noPhoneShareFactor', step: 0.5 },
  { key: 'minNoPhoneShare', step: 0.05 },
  { key: 'maxNoPhoneFalseAlarm', step: 0.0001 },
  { key: 'noPhoneBaselineDays', step: 1 },
  { key: 'minNoPhoneBaselineAdmissions', step: 10 },
  { key: 'usualNoPhoneShare', step: 0.01 },
  { key: 'temperatureWindow', step: 1 },
  { key: 'maxSameReadingShare', step: 0.05 },
  { key: 'minTemperatureStdDevC', step: 0.01 },
  { key: 'temperatureTestWindow', step: 1 },
  { key: 'temperatureTestAlpha', step: 0.0001 },
  { key: 'honestTemperatureStdDevC', step: 0.01 },
  { key: 'disinfectionsPerDay', step: 1 },
  { key: 'repeatViolations', step: 1 },
  { key: 'repeatWindowDays', step: 1 },
];

/** The staff test frequencies of 003's table, each with the value a new choice starts at. */
const FREQUENCIES: { every: '' | StaffTestFrequency['every']; text: TextKey }[] = [
  { every: '', text: 'freqNone' },
  { every: 'week', text: 'freqWeek' },
  { every: 'days', text: 'freqDays' },
  { every: 'daily_sample', text: 'freqSample' },
];
const FREQUENCY_PRESET: Record<string, StaffTestFrequency | undefined> = {
  week: { every: 'week', times: 2 },
  days: { every: 'days', days: 5 },
  daily_sample: { every: 'daily_sample', percent: 20 },
};

/**
 * The policy's fields as controls, an editor over the shared schema itself
 * (so no field can be missed): every field of the shared Policy schema, errors from the same
 * schema shown next to the field they name. Emits `policy-draft-change` with
 * the whole new draft; the editor owns it.
 */
@customElement('policy-fields')
export class PolicyFields extends LitElement {
  @property({ attribute: false }) draft!: PolicyDraft;
  /** Messages by field path (`capPercent.byVenueType.library`). */
  @property({ attribute: false }) errors: ReadonlyMap<string, string> = new Map();

  private readonly i18n = new I18nController(this);

  override render() {
    const d = this.draft;
    return html`
      <fieldset>
        <legend>${t('polBasics')}</legend>
        <div class="grid">
          <label>${t('pfMode')}
            <select data-field="mode" @change=${(e: Event) => this._set('mode', (e.target as HTMLSelectElement).value)}>
              <option value="normal" ?selected=${d.mode === 'normal'}>${t('polNormal')}</option>
              <option value="emergency" ?selected=${d.mode === 'emergency'}>${t('polEmergency')}</option>
            </select>${this._err('mode')}</label>
          ${this._number('feverThresholdC', 0.1, '°C')} ${this._number('passValidMinutes', 1, t('polMinutes'))}
          ${this._number('contactRetentionDays', 1, t('polDays'))} ${this._number('bookingGraceMinutes', 1, t('polMinutes'))}
          ${this._number('testWindowHours.starred', 1, 'h')}
          ${this._number('testWindowHours.otherProvince', 1, 'h')} ${this._number('capPercent.default', 1, '%')}
          ${this._bool('commitmentAccepted')} ${this._bool('threeCodeCheck')}
          <label>${pathText('unvaccinated')}${this._effect('unvaccinated.default', false)}</label>
          <label>${pathText('shortenedHours')}${this._window('shortenedHours.default')}</label>
        </div>
        <div class="checks" data-field="doorChecks.default">
          <span class="muted">${pathText('doorChecks.default')}</span>
          ${DOOR_CHECKS.map((c) => this._checkBox('doorChecks.default', c, label('check', c)))} ${this._err('doorChecks.default')}
        </div>
      </fieldset>
      ${this._typeGrid('closedVenueTypes')} ${this._typeGrid('testAndCommitmentVenueTypes')}
      <details>
        <summary>${t('polPerType')}</summary>
        <p class="muted">${t('polPerTypeHint')}</p>
        <table data-testid="per-type">
          <thead><tr><th>${t('polVenueType')}</th><th>${pathText('capPercent')} %</th><th>${pathText('testWindowHours')} h</th><th>${pathText('doorChecks')}</th><th>${pathText('unvaccinated')}</th><th>${pathText('shortenedHours')}</th></tr></thead>
          <tbody>${VENUE_TYPES.map((type) => this._typeRow(type))}</tbody>
        </table>
      </details>
      <details>
        <summary>${t('pfFlags')}</summary>
        <div class="grid">${FLAG_NUMBERS.map((f) => this._number(`flags.${f.key}`, f.step, ''))}
          <label class="inline"><input type="checkbox" data-field="flags.staffBoosterRequired" .checked=${d.flags.staffBoosterRequired}
            @change=${(e: Event) => this._set('flags.staffBoosterRequired', (e.target as HTMLInputElement).checked)} />${pathText('staffBoosterRequired')}</label>
        </div>
      </details>
      <details>
        <summary>${t('polLedgers')}</summary>
        <p class="muted">${t('polLedgersHint')}</p>
        <table data-testid="ledger-frequencies">
          <thead><tr><th>${t('polVenueType')}</th><th>${pathText('disinfectionsByVenueType')}</th><th>${pathText('staffTests')}</th></tr></thead>
          <tbody>${VENUE_TYPES.map((type) => this._ledgerRow(type))}</tbody>
        </table>
      </details>
    `;
  }

  private _typeRow(type: VenueType) {
    const own = this.draft.doorChecks.byVenueType[type];
    const optional = (path: string) => html`<input
        type="number"
        inputmode="numeric"
        data-field=${path}
        placeholder=${String(getIn(this.draft, path.replace(/byVenueType\.\w+$/, path.startsWith('cap') ? 'default' : 'otherProvince')) ?? '')}
        .value=${String(getIn(this.draft, path) ?? '')}
        @change=${(e: Event) => this._setNumber(path, (e.target as HTMLInputElement).value)}
      />${this._err(path)}`;
    return html`<tr data-type=${type}>
      <td>${venueTypeText(type)}</td>
      <td>${optional(`capPercent.byVenueType.${type}`)}</td>
      <td>${optional(`testWindowHours.byVenueType.${type}`)}</td>
      <td>
        <label class="inline"><input type="checkbox" data-field="doorChecks.byVenueType.${type}" .checked=${own !== undefined}
          @change=${(e: Event) => this._set(`doorChecks.byVenueType.${type}`, (e.target as HTMLInputElement).checked ? [...this.draft.doorChecks.default] : undefined)} />${t('polOwnChecks')}</label>
        ${own ? DOOR_CHECKS.map((c) => this._checkBox(`doorChecks.byVenueType.${type}`, c, label('check', c))) : nothing}
        ${this._err(`doorChecks.byVenueType.${type}`)}
      </td>
      <td>${this._effect(`unvaccinated.byVenueType.${type}`, true)}</td>
      <td>${this._window(`shortenedHours.byVenueType.${type}`)}</td>
    </tr>`;
  }

  /** A venue type's ledger frequencies (docs/policy.md "Ledger frequencies"): disinfections a day, staff tests. */
  private _ledgerRow(type: VenueType) {
    const disinfections = `flags.disinfectionsByVenueType.${type}`;
    const path = `flags.staffTests.${type}`;
    const freq = this.draft.flags.staffTests[type];
    const amount = freq ? (freq.every === 'week' ? 'times' : freq.every === 'days' ? 'days' : 'percent') : undefined;
    return html`<tr data-type=${type}>
      <td>${venueTypeText(type)}</td>
      <td><input type="number" inputmode="numeric" data-field=${disinfections} placeholder=${String(this.draft.flags.disinfectionsPerDay)}
        .value=${String(getIn(this.draft, disinfections) ?? '')} @change=${(e: Event) => this._setNumber(disinfections, (e.target as HTMLInputElement).value)} />${this._err(disinfections)}</td>
      <td>
        <select data-field="${path}.every" @change=${(e: Event) => this._set(path, FREQUENCY_PRESET[(e.target as HTMLSelectElement).value])}>
          ${FREQUENCIES.map((f) => html`<option value=${f.every} ?selected=${(freq?.every ?? '') === f.every}>${t(f.text)}</option>`)}
        </select>
        ${amount
          ? html`<input type="number" inputmode="numeric" data-field="${path}.${amount}" .value=${String(getIn(this.draft, `${path}.${amount}`) ?? '')}
              @change=${(e: Event) => this._setNumber(`${path}.${amount}`, (e.target as HTMLInputElement).value)} />`
          : nothing}
        ${this._err(path)} ${amount ? this._err(`${path}.${amount}`) : nothing}
      </td>
    </tr>`;
  }

  /** What an unvaccinated answer does (004 §3.11); per type, empty follows the default. */
  private _effect(path: string, inherit: boolean) {
    const value = getIn(this.draft, path) as string | undefined;
    return html`<select data-field=${path} @change=${(e: Event) => this._set(path, (e.target as HTMLSelectElement).value || undefined)}>
        ${inherit ? html`<option value="" ?selected=${value === undefined}>${t('polInherit')}</option>` : nothing}
        ${VaccinationEffect.options.map((v) => html`<option value=${v} ?selected=${value === v}>${vaccinationEffectText(v)}</option>`)}
      </select>${this._err(path)}`;
  }

  /** A shortened-hours window (003 §14): both times, or neither (no shortening here). */
  private _window(path: string) {
    const w = getIn(this.draft, path) as { open: string; close: string } | null | undefined;
    const set = (key: 'open' | 'close', raw: string) => {
      const next = { open: w?.open ?? '', close: w?.close ?? '', [key]: raw };
      // Cleared both: no shortening (null for the default, absent per type).
      this._set(path, next.open === '' && next.close === '' ? (path.endsWith('.default') ? null : undefined) : next);
    };
    return html`<span class="row">
        <input type="time" aria-label=${t('pfShortenedOpen')} data-field="${path}.open" .value=${w?.open ?? ''} @change=${(e: Event) => set('open', (e.target as HTMLInputElement).value)} />–
        <input type="time" aria-label=${t('pfShortenedClose')} data-field="${path}.close" .value=${w?.close ?? ''} @change=${(e: Event) => set('close', (e.target as HTMLInputElement).value)} />
      </span>${this._err(path)} ${this._err(`${path}.open`)} ${this._err(`${path}.close`)}`;
  }

  private _typeGrid(path: 'closedVenueTypes' | 'testAndCommitmentVenueTypes') {
    return html`<fieldset data-field=${path}>
      <legend>${pathText(path)}</legend>
      <div class="types">${VENUE_TYPES.map((type) => this._checkBox(path, type, venueTypeText(type)))}</div>
      ${this._err(path)}
    </fieldset>`;
  }

  private _checkBox(path: string, member: string, text: string) {
    const list = (getIn(this.draft, path) as string[] | undefined) ?? [];
    return html`<label class="inline"><input
        type="checkbox"
        data-member=${member}
        .checked=${list.includes(member)}
        @change=${(e: Event) => {
          const on = (e.target as HTMLInputElement).checked;
          this._set(path, on ? [...list.filter((m) => m !== member), member] : list.filter((m) => m !== member));
        }}
      />${text}</label>`;
  }

  private _number(path: string, step: number, unit: string) {
    return html`<label>${pathText(path.replace(/^flags\./, ''))}
      <span class="row"><input type="number" step=${step} data-field=${path} .value=${String(getIn(this.draft, path) ?? '')}
        @change=${(e: Event) => this._setNumber(path, (e.target as HTMLInputElement).value)} />${unit}</span>${this._err(path)}</label>`;
  }

  private _bool(path: 'commitmentAccepted' | 'threeCodeCheck') {
    return html`<label class="inline"><input type="checkbox" data-field=${path} .checked=${this.draft[path]}
      @change=${(e: Event) => this._set(path, (e.target as HTMLInputElement).checked)} />${pathText(path)}</label>`;
  }

  private _err(path: string) {
    const m = this.errors.get(path);
    return m ? html`<span class="error" role="alert" data-testid="field-error" data-field=${path}>${m}</span>` : nothing;
  }

  private _setNumber(path: string, raw: string) {
    this._set(path, raw.trim() === '' ? undefined : Number(raw));
  }

  private _set(path: string, value: unknown) {
    const draft = setIn(this.draft, path, value);
    this.dispatchEvent(new CustomEvent<PolicyDraft>('policy-draft-change', { detail: draft, bubbles: true, composed: true }));
  }

  static override styles = [
    base,
    css`
      fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 10px; padding: 8px 10px; }
      legend, summary { font-weight: 600; color: var(--muted); font-size: 13px; }
      details { margin: 0 0 10px; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px 12px; }
      .grid > label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      .grid input[type='number'] { width: 100px; }
      .types { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 2px 8px; }
      .checks { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; margin-top: 8px; }
      label.inline { display: inline-flex; gap: 4px; align-items: center; font-size: 13px; white-space: nowrap; margin-right: 8px; }
      label.inline input { min-height: 0; }
      td input[type='number'] { width: 72px; }
      span.error { display: block; padding: 2px 6px; font-size: 12px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-fields': PolicyFields;
  }
}
