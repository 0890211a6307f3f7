import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
// uuid draws on getRandomValues, which a dashboard served over plain HTTP on the LAN also has (randomUUID needs HTTPS).
import { v4 as uuidv4 } from 'uuid';
import type { Flag } from '../../../shared/schemas/flags.js';
import { INSPECTION_ITEMS, type Inspection, type InspectionItem, type InspectionResult } from '../../../shared/schemas/inspection.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { fmtDate } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { Resource, errorText } from './resource.js';
import { base } from './styles.js';

const RESULTS: readonly InspectionResult[] = ['pass', 'fail', 'not_applicable'];
const RESULT_TEXT = { pass: 'inspPass', fail: 'inspFail', not_applicable: 'inspNa' } as const;

/**
 * The on-site inspection's checklist (000 §3 "逐一过滤", §2(2)), filled on the
 * inspector's phone at the venue: each point passed, failed or not applicable,
 * with an optional note; the venue's rectifications waiting to be closed, to
 * tick those seen done. The hub stamps the time and the inspector. One column
 * at any width, so it works at 390 px without scrolling sideways.
 */
@customElement('inspection-form')
export class InspectionForm extends LitElement {
  @property() venueId = '';

  @state() private results: Partial<Record<InspectionItem, InspectionResult>> = {};
  @state() private busy = false;
  /** This filling-in's id: a save sent again after a lost reply is the same inspection (docs/inspectors-guide.md). */
  private clientId = uuidv4();
  @state() private error: { message: string; field?: string } | undefined;

  private readonly i18n = new I18nController(this);
  private readonly waiting = new Resource(this, () =>
    getJson<{ items: Flag[] }>('/api/flags', { venueId: this.venueId, status: 'rectification_ordered', limit: 100 }),
  );

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venueId') && this.venueId) void this.waiting.run();
  }

  override render() {
    const general = this.error && !this.error.field?.startsWith('items.') ? html`<p class="error" role="alert" data-testid="inspection-error">${this.error.message}</p>` : nothing;
    return html`<form @submit=${this._submit} novalidate data-testid="inspection-form">
      <p class="muted legend">${t('inspLegend')}</p>
      ${INSPECTION_ITEMS.map((item) => this._item(item))}
      <fieldset class="closes" data-testid="inspection-closes">
        <legend>${t('inspCloses')}</legend>
        ${this.waiting.render(({ items }) =>
          items.length === 0
            ? html`<p class="muted">${t('inspClosesNone')}</p>`
            : items.map(
                (f) => html`<label class="check"><input type="checkbox" name="closes" value=${f.id} data-testid="inspection-close" />
                  <span>${t('inspClosesItem', { rule: label('rule', f.rule), deadline: f.deadline === null ? '—' : fmtDate(f.deadline) })}</span></label>`,
              ),
        )}
      </fieldset>
      <label class="note">${t('inspGeneralNote')}<textarea name="note" rows="2" maxlength="500" data-testid="inspection-note"></textarea></label>
      ${general}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="inspection-submit">${t('submit')}</button>
        <button type="button" @click=${() => fireEvent(this, 'inspection-cancel', {})}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  private _item(item: InspectionItem) {
    const hint = t(`insph_${item}`);
    const err = this.error?.field?.startsWith(`items.${item}`) ? this.error.message : undefined;
    const chosen = this.results[item];
    return html`<fieldset class="item" data-testid="inspection-item" data-item=${item} data-result=${chosen ?? ''} aria-invalid=${err ? 'true' : 'false'}>
      <legend>${t(`insp_${item}`)}</legend>
      ${hint ? html`<p class="hint">${hint}</p>` : nothing}
      <div class="results">
        ${RESULTS.map(
          (r) => html`<label class="result r-${r}">
            <input type="radio" name=${item} value=${r} .checked=${chosen === r} data-testid="inspection-${r}" @change=${() => this._choose(item, r)} />
            <span>${t(RESULT_TEXT[r])}</span>
          </label>`,
        )}
      </div>
      <input type="text" name="note-${item}" maxlength="500" class="item-note" aria-label=${t('inspNoteFor', { item: t(`insp_${item}`) })}
        placeholder=${t('inspNote')} data-testid="inspection-item-note" />
      ${err ? html`<p class="error" role="alert" data-testid="field-error" data-field=${this.error!.field}>${err}</p>` : nothing}
    </fieldset>`;
  }

  private _choose(item: InspectionItem, result: InspectionResult) {
    this.results = { ...this.results, [item]: result };
    if (this.error?.field?.startsWith(`items.${item}`)) this.error = undefined;
  }

  private _submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const missing = INSPECTION_ITEMS.find((i) => !this.results[i]);
    if (missing) {
      this.error = { field: `items.${missing}.result`, message: t('inspUnanswered', { item: t(`insp_${missing}`) }) };
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>(`fieldset[data-item="${missing}"] input[type=radio]`)?.focus());
      return;
    }
    const items = Object.fromEntries(
      INSPECTION_ITEMS.map((i) => {
        const note = String(data.get(`note-${i}`) ?? '').trim();
        return [i, { result: this.results[i]!, ...(note ? { note } : {}) }];
      }),
    );
    const note = String(data.get('note') ?? '').trim();
    const closes = data.getAll('closes').map(Number);
    void this._send({ clientId: this.clientId, items, ...(note ? { note } : {}), closes }, form);
  }

  private async _send(body: unknown, form: HTMLFormElement) {
    this.busy = true;
    this.error = undefined;
    try {
      const saved = await postJson<Inspection>(`/api/venues/${encodeURIComponent(this.venueId)}/inspections`, body);
      form.reset();
      this.results = {};
      // The next checklist filled here is another inspection.
      this.clientId = uuidv4();
      fireEvent(this, 'inspection-saved', saved);
      // The rectifications it closed are no longer waiting.
      if (saved.closed.length > 0) void this.waiting.run();
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      // A 400 names the point (`items.one_metre_line.note`); a 409 the rectification (`closes.0`).
      this.error = { message: errorText(f), ...(f.field ? { field: f.field.replace(/^body\./, '') } : {}) };
      if (f.status === 409) await this.waiting.run();
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      form { display: grid; gap: 10px; margin-top: 8px; min-width: 0; }
      .legend { margin: 0; font-size: 13px; }
      fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0; padding: 8px 10px 10px; min-width: 0; display: grid; gap: 6px; }
      fieldset[aria-invalid='true'] { border-color: var(--violation); }
      legend { font-weight: 600; padding: 0 4px; overflow-wrap: anywhere; }
      .hint { margin: 0; font-size: 13px; color: var(--muted); }
      .results { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 6px; }
      .result { position: relative; display: block; }
      .result input { position: absolute; opacity: 0; inset: 0; margin: 0; width: 100%; height: 100%; cursor: pointer; }
      .result span { display: flex; align-items: center; justify-content: center; min-height: 44px; padding: 0 4px; border: 1px solid var(--line);
        border-radius: 6px; background: #f4f6f9; text-align: center; font-size: 14px; }
      .result input:focus-visible + span { outline: 2px solid var(--accent); outline-offset: 2px; }
      .r-pass input:checked + span { background: var(--clear); border-color: var(--clear); color: #fff; }
      .r-fail input:checked + span { background: var(--violation); border-color: var(--violation); color: #fff; }
      .r-not_applicable input:checked + span { background: var(--closed); border-color: var(--closed); color: #fff; }
      .item-note { width: 100%; box-sizing: border-box; min-height: 40px; }
      .item-note::placeholder { color: var(--muted); }
      .closes .check { display: flex; gap: 8px; align-items: flex-start; min-height: 36px; }
      .closes .check input { min-height: 0; width: 20px; height: 20px; margin: 2px 0 0; flex: none; }
      .note { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      textarea { font: inherit; border: 1px solid var(--line); border-radius: 4px; padding: 4px; width: 100%; box-sizing: border-box; color: #1c2430; }
      p.error { margin: 0; padding: 4px 8px; font-size: 13px; }
      .actions { display: grid; grid-template-columns: 2fr 1fr; gap: 8px; }
      .actions button { min-height: 44px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'inspection-form': InspectionForm;
  }
}
