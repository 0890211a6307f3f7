import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { decideEntry, type EntryDecision } from '../../../shared/rules/decide-entry.js';
import { toIsoWithOffset } from '../../../shared/rules/time.js';
import type { CheckName } from '../../../shared/schemas/checks.js';
import type { ApiError } from '../../../shared/schemas/errors.js';
import { saveRecord, type Enrolment } from '../db.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t, tMaybe } from '../i18n.js';
import { randomUuid } from '../uuid.js';
import '../components/check-row.js';
import { askedChecks, emptyDraft, validateDraft, type Draft } from './draft.js';

type Shown = EntryDecision & { seq: number };

/**
 * One patron at the door: every check, then the decision, saved to
 * IndexedDB (committed) before it says "saved".
 */
@customElement('entrance-screen')
export class EntranceScreen extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;

  @state() private draft: Draft = emptyDraft();
  @state() private errors: Partial<Record<CheckName, ApiError>> = {};
  @state() private shown: Shown | undefined;
  @state() private saving = false;
  @state() private saveError = '';

  private readonly i18n = new I18nController(this);

  override render() {
    const asked = askedChecks(this.draft, this.enrolment.policy);
    const opts = (...values: string[]) => values.map((value) => ({ value, label: tMaybe(value) }));
    const row = (name: CheckName, label: string, options: { value: string; label: string }[]) => html`<check-row
      name=${name}
      label=${label}
      .options=${options}
      .value=${this.draft.values[name]}
      .skipReason=${this.draft.skipReasons[name] ?? ''}
      .error=${this._errorText(name)}
    ></check-row>`;
    return html`
      ${this.shown ? this._renderDecision(this.shown) : nothing}
      <form @submit=${this._submit} @choice=${this._choice} novalidate>
        ${row('scan', t('scan'), [
          { value: 'scanned', label: t('scanned') },
          { value: 'no_phone:paper_itinerary', label: t('noPhonePaper') },
          { value: 'no_phone:id_card', label: t('noPhoneId') },
        ])}
        <check-row
          name="temperature"
          label=${t('temperature')}
          .options=${[]}
          .value=${this.draft.values.temperature}
          .skipReason=${this.draft.skipReasons.temperature ?? ''}
          .error=${this._errorText('temperature')}
        >
          <input
            class="temperature"
            data-testid="temperature"
            inputmode="decimal"
            autocomplete="off"
            aria-label=${t('temperature')}
            placeholder=${t('temperaturePlaceholder')}
            .value=${this.draft.temperatureText}
            @input=${(e: Event) =>
              // Typing a reading undoes a skip.
              this._patch({
                temperatureText: (e.target as HTMLInputElement).value,
                values: { ...this.draft.values, temperature: undefined },
              })}
          />
        </check-row>
        ${row('mask', t('mask'), opts('worn', 'provided', 'refused'))}
        ${row('healthCode', t('healthCode'), opts('green', 'yellow', 'red'))}
        ${row('itinerary', t('itinerary'), opts('local', 'other_province', 'starred', 'medium_risk', 'high_risk'))}
        ${asked.includes('testProof') ? row('testProof', t('testProof'), opts('negative', 'none')) : nothing}
        ${asked.includes('commitment') ? row('commitment', t('commitment'), opts('signed', 'not_signed')) : nothing}
        ${asked.includes('vaccination') ? row('vaccination', t('vaccination'), opts('complete', 'incomplete', 'none')) : nothing}
        <button class="record" type="submit" data-testid="record" ?disabled=${this.saving}>
          ${this.saving ? t('saving') : t('record')}
        </button>
        ${this.saveError ? html`<p class="error" role="alert">${this.saveError}</p>` : nothing}
      </form>
    `;
  }

  private _renderDecision(s: Shown) {
    return html`<section class="decision ${s.decision}" data-testid="decision" role="status">
      <strong>${t(s.decision)}</strong>
      ${s.reasons.length ? html`<ul>${s.reasons.map((r) => html`<li>${tMaybe(`reason_${r}`)}</li>`)}</ul>` : nothing}
      <small data-testid="saved">✓ ${t('savedOnDevice')} · #${s.seq}</small>
    </section>`;
  }

  private _errorText(name: CheckName): string {
    const e = this.errors[name];
    if (!e) return '';
    const value = name === 'temperature' && this.draft.values.temperature !== 'skipped' ? this.draft.temperatureText : this.draft.values[name];
    if (value === undefined || value === '') return t('missing');
    if (this.draft.values[name] === 'skipped') return t('skipReasonMissing');
    if (name === 'temperature') return t('temperatureRange');
    return e.message;
  }

  private _patch(p: Partial<Draft>) {
    this.draft = { ...this.draft, ...p };
    if (Object.keys(this.errors).length) {
      const v = validateDraft(this.draft, this.enrolment.policy);
      this.errors = v.ok ? {} : v.errors;
    }
  }

  private _choice(e: CustomEvent<{ name: string; value: string; skipReason: string }>) {
    const name = e.detail.name as CheckName;
    this._patch({
      values: { ...this.draft.values, [name]: e.detail.value },
      skipReasons: { ...this.draft.skipReasons, [name]: e.detail.skipReason },
      ...(name === 'temperature' && e.detail.value === 'skipped' ? { temperatureText: '' } : {}),
    });
  }

  private async _submit(e: Event) {
    e.preventDefault();
    if (this.saving) return;
    const v = validateDraft(this.draft, this.enrolment.policy);
    if (!v.ok) {
      this.errors = v.errors;
      return;
    }
    const { kioskId, venue, policy } = this.enrolment;
    const now = Date.now();
    const decision = decideEntry(policy, venue, v.checks, now);
    this.saving = true;
    this.saveError = '';
    try {
      const stored = await saveRecord(
        (seq) => ({
          type: 'entrance',
          id: randomUuid(),
          venueId: venue.id,
          kioskId,
          seq,
          kioskTime: toIsoWithOffset(now, -new Date(now).getTimezoneOffset()),
          policyVersion: policy.version,
          checks: v.checks,
          ...decision,
        }),
        now,
      );
      this.shown = { ...decision, seq: stored.seq };
      this.draft = emptyDraft();
      this.errors = {};
      fireEvent(this, 'record-saved', { id: stored.id });
    } catch (err) {
      // Nothing was saved: say so, keep the form as it is so staff can retry.
      this.saveError = `${t('saving')} ✗ ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.saving = false;
    }
  }

  static override styles = css`
    :host { display: block; }
    form { display: grid; gap: 0.4rem; }
    input.temperature { font-size: 2rem; padding: 0.2rem 0.8rem; width: 9rem; min-height: 2.8rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; }
    .record { margin-top: 0.8rem; min-height: 4rem; font-size: 1.4rem; font-weight: 700; border: 0; border-radius: 0.8rem; background: #1d4ed8; color: #fff; }
    .record[disabled] { opacity: 0.6; }
    .decision { border-radius: 1rem; padding: 1rem 1.4rem; margin-bottom: 0.8rem; color: #fff; }
    .decision strong { display: block; font-size: 2.6rem; }
    .decision ul { margin: 0.3rem 0; font-size: 1.3rem; }
    .decision small { font-size: 1rem; opacity: 0.95; }
    .admit { background: #15803d; }
    .refuse { background: #b91c1c; }
    .error { color: #b91c1c; font-weight: 600; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'entrance-screen': EntranceScreen;
  }
}
