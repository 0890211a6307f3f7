import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { OrgDistrict } from '../../../shared/schemas/organisation.js';
import { issuePath } from '../../../shared/schemas/errors.js';
import { MAX_VISITS, TracingQuery } from '../../../shared/schemas/tracing.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { issueText, type Issue } from './issue-text.js';
import { base } from './styles.js';

/** What the form hands up: a query the shared schema accepted, and whether to show it or download it. */
export interface TracingSubmit {
  query: TracingQuery;
  mode: 'run' | 'export';
}

declare module './fire-event.js' {
  interface DashboardEvents {
    'tracing-submit': TracingSubmit;
  }
}
declare global {
  interface HTMLElementEventMap {
    'tracing-submit': CustomEvent<TracingSubmit>;
  }
}

interface DraftVisit {
  venueId: string;
  /** datetime-local values, in this browser's time zone (the street's). */
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** An instant as a datetime-local value in this browser's zone. */
function localInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
/** NaN for an empty or malformed value, which the schema then names. */
const instant = (local: string) => (local ? new Date(local).getTime() : Number.NaN);

/**
 * The case's visits (venue and window, up to 20), the assumed stay and the
 * required reason. Checked here with the hub's own schema, so a field is
 * named before anything is sent; the hub checks again.
 */
@customElement('tracing-form')
export class TracingForm extends LitElement {
  /** The venues the account may trace (GET /api/organisation): one street's, or every street it covers. */
  @property({ attribute: false }) districts: OrgDistrict[] | undefined;
  @property({ type: Boolean }) busy = false;
  /** An error the hub named a field for: shown next to that field. */
  @property({ attribute: false }) serverError: { field?: string | undefined; message: string } | undefined;

  @state() private visits: DraftVisit[] = [TracingForm.blank()];
  @state() private stayMinutes = '120';
  @state() private reason = '';
  @state() private clientError: { field: string; message: string } | undefined;

  private readonly i18n = new I18nController(this);

  private static blank(): DraftVisit {
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    return { venueId: '', from: localInput(now - 24 * 60 * 60_000), to: localInput(now) };
  }

  override render() {
    const streets = (this.districts ?? []).flatMap((d) => d.streets);
    // Above a street, each community is named with its street: a case's visits may span several.
    const communities = streets.flatMap((st) => st.communities.map((c) => ({ ...c, name: streets.length > 1 ? `${st.name} · ${c.name}` : c.name })));
    return html`<form novalidate @submit=${(e: SubmitEvent) => this._submit(e, 'run')} data-testid="tracing-form">
      <fieldset>
        <legend>${t('trVisits')}</legend>
        ${this.visits.map(
          (v, i) => html`<div class="visit" data-testid="tracing-visit">
            <span class="n">${t('trVisitN', { n: i + 1 })}</span>
            <label
              >${t('trVenue')}
              <select data-testid="tracing-venue" .value=${v.venueId} @change=${(e: Event) => this._set(i, 'venueId', (e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${v.venueId === ''}>${t('trChooseVenue')}</option>
                ${communities.map(
                  (c) => html`<optgroup label=${c.name}>
                    ${c.venues.map((venue) => html`<option value=${venue.id} ?selected=${venue.id === v.venueId}>${venue.name}</option>`)}
                  </optgroup>`,
                )}
              </select>
            </label>
            ${this._fieldError(`visits.${i}.venueId`)}
            <label
              >${t('trFrom')}
              <input type="datetime-local" data-testid="tracing-from" .value=${v.from} @change=${(e: Event) => this._set(i, 'from', (e.target as HTMLInputElement).value)} />
            </label>
            ${this._fieldError(`visits.${i}.from`)}
            <label
              >${t('trTo')}
              <input type="datetime-local" data-testid="tracing-to" .value=${v.to} @change=${(e: Event) => this._set(i, 'to', (e.target as HTMLInputElement).value)} />
            </label>
            ${this._fieldError(`visits.${i}.to`)}
            ${this.visits.length > 1
              ? html`<button type="button" class="small" data-testid="tracing-remove-visit" @click=${() => this._remove(i)}>${t('trRemoveVisit')}</button>`
              : nothing}
          </div>`,
        )}
        ${this._fieldError('visits')}
        ${this.visits.length < MAX_VISITS
          ? html`<button type="button" class="small" data-testid="tracing-add-visit" @click=${this._add}>${t('trAddVisit')}</button>`
          : nothing}
      </fieldset>
      <div class="row">
        <label
          >${t('trStay')}
          <input type="number" min="0" max="1440" step="10" data-testid="tracing-stay" .value=${this.stayMinutes} @change=${(e: Event) => (this.stayMinutes = (e.target as HTMLInputElement).value)} />
        </label>
        <span class="muted hint">${t('trStayHint')}</span>
      </div>
      ${this._fieldError('stayMinutes')}
      <label class="reason"
        >${t('trReason')}
        <textarea rows="2" maxlength="500" required data-testid="tracing-reason" placeholder=${t('trReasonHint')} .value=${this.reason} @input=${(e: Event) => (this.reason = (e.target as HTMLTextAreaElement).value)}></textarea>
      </label>
      ${this._fieldError('reason')}
      ${this.serverError && !this.serverError.field ? html`<p class="error" role="alert" data-testid="tracing-error">${this.serverError.message}</p>` : nothing}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="tracing-run">${this.busy ? t('trRunning') : t('trRun')}</button>
        <button type="button" ?disabled=${this.busy} data-testid="tracing-export" @click=${(e: Event) => this._submit(e, 'export')}>${t('trExport')}</button>
      </div>
    </form>`;
  }

  private _fieldError(field: string) {
    const err = this.clientError?.field === field ? this.clientError : this.serverError?.field === field ? this.serverError : undefined;
    return err ? html`<p class="error field" role="alert" data-testid="field-error" data-field=${field}>${err.message}</p>` : nothing;
  }

  private _set(i: number, key: keyof DraftVisit, value: string) {
    this.visits = this.visits.map((v, j) => (j === i ? { ...v, [key]: value } : v));
  }

  private readonly _add = () => {
    const last = this.visits[this.visits.length - 1];
    this.visits = [...this.visits, last ? { ...last, venueId: '' } : TracingForm.blank()];
  };

  private _remove(i: number) {
    this.visits = this.visits.filter((_, j) => j !== i);
    this.clientError = undefined;
  }

  private _submit(e: Event, mode: TracingSubmit['mode']) {
    e.preventDefault();
    const parsed = TracingQuery.safeParse({
      // The inputs have minutes; the end minute counts whole (to 11:00 includes 11:00:40).
      visits: this.visits.map((v) => ({ venueId: v.venueId, from: instant(v.from), to: instant(v.to) + 59_999 })),
      stayMinutes: this.stayMinutes === '' ? undefined : Number(this.stayMinutes),
      reason: this.reason,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issuePath(issue.path);
      this.clientError = { field, message: fieldMessage(field, issue) };
      return;
    }
    this.clientError = undefined;
    fireEvent(this, 'tracing-submit', { query: parsed.data, mode });
  }

  static override styles = [
    base,
    css`
      fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 0 0 10px; }
      legend { color: var(--muted); font-size: 13px; padding: 0 4px; }
      .visit { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; padding: 6px 0; border-bottom: 1px dashed var(--line); }
      .visit .n { font-weight: 600; min-width: 4em; align-self: center; }
      label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; color: var(--muted); }
      label > * { color: #1c2430; }
      select { min-width: 14em; }
      input[type='number'] { width: 8em; }
      .hint { font-size: 12px; align-self: end; padding-bottom: 6px; }
      .reason { margin: 10px 0; }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px 8px; width: 100%; max-width: 640px; box-sizing: border-box; }
      .error.field { margin: 4px 0; padding: 4px 8px; }
      .row { margin-top: 8px; }
    `,
  ];
}

/**
 * An issue of the shared schema in the dashboard's language (issue-text.ts);
 * only the visit's two refinements, whose rule the issue does not carry, are
 * told apart here.
 */
function fieldMessage(field: string, issue: Issue): string {
  if (/^visits\.\d+\.venueId$/.test(field)) return issueText(issue, t('trVenue'), { choice: true });
  if (/^visits\.\d+\.(from|to)$/.test(field)) {
    return issue.code === 'custom' && issue.message.includes('14 days') ? t('trWindowTooLong') : t('trWindowOrder');
  }
  if (field === 'reason') return issueText(issue, t('trReasonLabel'));
  if (field === 'stayMinutes') return issueText(issue, t('trStay'));
  if (field === 'visits') return issueText(issue, t('trVisits'));
  return issueText(issue, field);
}

declare global {
  interface HTMLElementTagNameMap {
    'tracing-form': TracingForm;
  }
}
