import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, type CommunityRow, type ImportReport } from '../../../shared/schemas/registry.js';
import { ApiFailure, postBytes } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { apiErrorText } from './issue-text.js';
import { importErrorText } from './registry-labels.js';
import { base } from './styles.js';

/**
 * Importing a community's venue list: pick the community and the
 * file, check it with a dry run, read the report (what each row would do, the
 * problems by line and column), then import. The file goes up as its own bytes
 * so the hub can tell UTF-8 from GBK.
 */
@customElement('registry-import')
export class RegistryImport extends LitElement {
  @property({ attribute: false }) communities: CommunityRow[] = [];
  @property() communityId = '';

  @state() private chosen = '';
  @state() private file: File | undefined;
  @state() private report: ImportReport | undefined;
  @state() private error = '';
  @state() private busy = false;

  private readonly i18n = new I18nController(this);

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('communityId') && this.communityId) this.chosen = this.communityId;
  }

  override render() {
    const r = this.report;
    return html`<h3>${t('regImportTitle')}</h3>
      <p class="muted hint">${t('regImportHint')}</p>
      <div class="row">
        <label>${t('community')}
          <select data-testid="import-community" @change=${(e: Event) => this._community((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.chosen === ''}>—</option>
            ${this.communities.map((c) => html`<option value=${c.id} ?selected=${c.id === this.chosen}>${c.name}</option>`)}
          </select>
        </label>
        <label>${t('regChooseFile')}
          <input type="file" accept=".csv,text/csv" data-testid="import-file" @change=${this._file} />
        </label>
        <button ?disabled=${this.busy} data-testid="import-dry-run" @click=${() => this._send(true)}>${t('regDryRun')}</button>
        <button class="primary" ?disabled=${this.busy || !r?.dryRun} data-testid="import-run" @click=${() => this._send(false)}>${t('regDoImport')}</button>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="import-error">${this.error}</p>` : nothing}
      ${r ? this._report(r) : html`<p class="muted">${t('regNotDry')}</p>`}`;
  }

  private _report(r: ImportReport) {
    const vars = { c: r.created, u: r.updated, n: r.unchanged, e: r.errors.length };
    return html`<div data-testid="import-report" data-dry-run=${r.dryRun ? '1' : '0'}>
      <p class=${r.errors.length ? 'warn' : 'ok'} role="status" data-testid="import-summary">
        ${t(r.dryRun ? 'regReportDry' : 'regReportDone', vars)} <span class="muted">· ${t('regEncoding', { e: r.encoding === 'utf-8' ? 'UTF-8' : 'GBK / GB18030' })}</span>
      </p>
      ${r.errors.length
        ? html`<h4>${t('regErrorsTitle')}</h4>
            <table data-testid="import-errors">
              <thead><tr><th class="n">${t('regLine')}</th><th>${t('regColumn')}</th><th>${t('regProblem')}</th></tr></thead>
              <tbody>
                ${r.errors.map(
                  (e) => html`<tr data-testid="import-error-row" data-line=${e.line} data-field=${e.field ?? ''} data-code=${e.code}>
                    <td class="n">${e.line}</td><td>${e.field ?? t('regWholeFile')}</td><td title=${e.message}>${importErrorText(e)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
        : nothing}
      ${r.rows.length
        ? html`<h4>${t('regRowsTitle')}</h4>
            <table data-testid="import-rows">
              <thead><tr><th class="n">${t('regLine')}</th><th>${t('regName')}</th><th>${t('regVenueId')}</th><th>${t('regAction')}</th></tr></thead>
              <tbody>
                ${r.rows.map(
                  (row) => html`<tr data-testid="import-row" data-action=${row.action}>
                    <td class="n">${row.line}</td><td>${row.name}</td><td><code>${row.venueId ?? '—'}</code></td>
                    <td><span class="chip a-${row.action}">${t(`regAct_${row.action}`)}</span></td>
                  </tr>`,
                )}
              </tbody>
            </table>`
        : nothing}
    </div>`;
  }

  private _community(id: string) {
    this.chosen = id;
    this.report = undefined;
  }

  private _file(e: Event) {
    this.file = (e.target as HTMLInputElement).files?.[0];
    this.report = undefined;
    this.error = '';
  }

  private async _send(dryRun: boolean) {
    this.error = '';
    if (!this.chosen) return void (this.error = t('regPickCommunity'));
    if (!this.file) return void (this.error = t('regPickFile'));
    const tooLarge = t('regFileTooLarge', { mb: MAX_IMPORT_BYTES / (1024 * 1024), max: MAX_IMPORT_ROWS });
    if (this.file.size > MAX_IMPORT_BYTES) return void (this.error = tooLarge);
    this.busy = true;
    try {
      const report = await postBytes<ImportReport>('/api/registry/import', this.file, 'text/csv', { communityId: this.chosen, dryRun: dryRun ? 1 : 0 });
      this.report = report;
      if (!dryRun) fireEvent(this, 'registry-imported', { communityId: this.chosen });
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      this.error = f.code === 'too_large' ? tooLarge : apiErrorText(f);
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      h3 { margin-top: 0; }
      h4 { margin: 10px 0 4px; font-size: 13px; color: var(--muted); }
      .hint { font-size: 13px; max-width: 80em; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      .row { align-items: flex-end; }
      .ok { color: var(--clear); }
      .warn { color: var(--warning); }
      .a-create { background: var(--accent); }
      .a-update { background: var(--warning); }
      .a-unchanged { background: var(--closed); }
      table { margin-top: 4px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-import': RegistryImport;
  }
}
