import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { CommunityMoveResult, OrgCommunity, OrgImportReport, OrgStreet, OrgTree } from '../../../shared/schemas/organisation.js';
import { MAX_IMPORT_BYTES } from '../../../shared/schemas/registry.js';
import { ApiFailure, getJson, postBytes, postJson } from './api.js';
import { num } from './format.js';
import { I18nController, hasText, t } from './i18n.js';
import { apiErrorText } from './issue-text.js';
import { Resource } from './resource.js';
import { base } from './styles.js';
import './registry-import.js';

/**
 * The registry above the venue, for a district or city admin (docs/district-guide.md): the streets
 * they cover with their communities; a district's sheet of streets and communities imported (dry
 * run first); a street's venue list imported into one of its communities; a community moved to
 * another street after a confirmation that says what goes with it. The imports open in a dialog,
 * so the main view fits a 1024×600 screen.
 */
@customElement('registry-streets')
export class RegistryStreets extends LitElement {
  @state() private streetId = '';
  @state() private moving: OrgCommunity | undefined;
  @state() private moveTo = '';
  @state() private moveError = '';
  @state() private moved: (CommunityMoveResult & { name: string }) | undefined;
  @state() private busy = false;
  @state() private dialog: 'district' | 'venues' | undefined;
  @state() private file: File | undefined;
  @state() private report: OrgImportReport | undefined;
  @state() private importError = '';

  @query('dialog.move') private moveDialog!: HTMLDialogElement;
  @query('dialog.import') private importDialog!: HTMLDialogElement;

  private readonly i18n = new I18nController(this);
  private readonly tree = new Resource(this, () => getJson<OrgTree>('/api/organisation'));

  override connectedCallback(): void {
    super.connectedCallback();
    void this.tree.run();
  }

  private get streets(): (OrgStreet & { districtName: string })[] {
    return (this.tree.value?.districts ?? []).flatMap((d) => d.streets.map((s) => ({ ...s, districtName: d.name })));
  }

  override render() {
    const streets = this.streets;
    const street = streets.find((s) => s.id === this.streetId) ?? streets[0];
    return html`<section class="panel">
        <div class="row head">
          <h2>${t('orgTitle')}</h2>
          <span class="spacer"></span>
          <button data-testid="org-import-toggle" @click=${() => this._open('district')}>${t('orgImportToggle')}</button>
          <button data-testid="org-venue-import-toggle" ?disabled=${!street?.communities.length} @click=${() => this._open('venues')}>${t('orgVenueImportToggle')}</button>
        </div>
        ${this.moved
          ? html`<p class="ok" role="status" data-testid="org-moved">
              ${t('orgMoveDone', {
                community: this.moved.name,
                from: this.moved.from.name,
                to: this.moved.to.name,
                venues: this.moved.venues,
                kiosks: this.moved.kiosks,
                inspectors: this.moved.inspectors,
              })}
            </p>`
          : nothing}
      </section>
      ${this.tree.render(() =>
        streets.length === 0
          ? html`<p class="muted">${t('orgNoStreets')}</p>`
          : html`<div class="layout">
              <section class="panel streets">
                <h3>${t('orgStreets')}</h3>
                <ul data-testid="org-streets">
                  ${streets.map(
                    (s, i) => html`${i === 0 || streets[i - 1]!.districtName !== s.districtName ? html`<li class="district">${s.districtName}</li>` : nothing}
                      <li>
                        <button class="street" data-testid="org-street" data-street=${s.id} aria-pressed=${s.id === street?.id} @click=${() => (this.streetId = s.id)}>
                          <span>${s.name}</span><span class="muted">${num(s.communities.length)}</span>
                        </button>
                      </li>`,
                  )}
                </ul>
              </section>
              <section class="panel communities">${street ? this._communities(street) : nothing}</section>
            </div>`,
      )}
      ${this._moveDialog(streets)} ${this._importDialog(street)}`;
  }

  private _communities(street: OrgStreet) {
    return html`<h3>${t('orgCommunities', { street: street.name })} <code class="muted">${street.id}</code></h3>
      ${street.communities.length === 0
        ? html`<p class="muted" data-testid="org-no-communities">${t('orgNoCommunities')}</p>`
        : html`<div class="scroll">
            <table data-testid="org-communities">
              <thead>
                <tr><th>${t('orgCommunity')}</th><th class="n">${t('orgVenues')}</th><th class="n">${t('orgKiosks')}</th><th class="n">${t('orgInspectors')}</th><th></th></tr>
              </thead>
              <tbody>
                ${street.communities.map(
                  (c) => html`<tr data-testid="org-community" data-community=${c.id}>
                    <td><strong>${c.name}</strong> <code class="muted">${c.id}</code></td>
                    <td class="n">${num(c.venues.length)}</td>
                    <td class="n">${num(c.kiosks)}</td>
                    <td class="n">${num(c.inspectors)}</td>
                    <td class="n"><button class="small" data-testid="org-move" ?disabled=${this.streets.length < 2} @click=${() => this._startMove(c)}>${t('orgMove')}</button></td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`}`;
  }

  private _moveDialog(streets: OrgStreet[]) {
    const c = this.moving;
    const from = c ? streets.find((s) => s.communities.some((x) => x.id === c.id)) : undefined;
    return html`<dialog class="move" data-testid="org-move-dialog" @close=${() => (this.moving = undefined)}>
      ${c
        ? html`<h3>${t('orgMoveTitle', { community: c.name })}</h3>
            <p class="hint">${t('orgMoveHint')}</p>
            <p class="muted">${t('orgVenues')} ${num(c.venues.length)} · ${t('orgKiosks')} ${num(c.kiosks)} · ${t('orgInspectors')} ${num(c.inspectors)}</p>
            <label
              >${t('orgMoveTo')}
              <select data-testid="org-move-to" @change=${(e: Event) => (this.moveTo = (e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${this.moveTo === ''}>—</option>
                ${streets.filter((s) => s.id !== from?.id).map((s) => html`<option value=${s.id} ?selected=${s.id === this.moveTo}>${s.name}</option>`)}
              </select>
            </label>
            ${this.moveError ? html`<p class="error" role="alert" data-testid="org-move-error">${this.moveError}</p>` : nothing}
            <div class="row end">
              <button data-testid="org-move-cancel" @click=${() => this.moveDialog.close()}>${t('orgMoveCancel')}</button>
              <button class="primary" data-testid="org-move-confirm" ?disabled=${this.busy} @click=${this._move}>${t('orgMoveConfirm')}</button>
            </div>`
        : nothing}
    </dialog>`;
  }

  private _importDialog(street: OrgStreet | undefined) {
    const r = this.report;
    const changed = (key: 'street' | 'community') => new Set(r?.rows.filter((x) => x[key] === 'create' || x[key] === 'update').map((x) => (key === 'street' ? x.streetId : x.communityId))).size;
    return html`<dialog class="import" data-testid="org-import-dialog" @close=${() => (this.dialog = undefined)}>
      <div class="row end"><button class="small" data-testid="org-import-close" @click=${() => this.importDialog.close()}>×</button></div>
      ${this.dialog === 'venues' && street
        ? html`<p class="hint">${t('orgVenueImportHint')}</p>
            <registry-import .communities=${street.communities.map((c) => ({ id: c.id, name: c.name, venues: c.venues.length }))} @registry-imported=${() => void this.tree.run()}></registry-import>`
        : this.dialog === 'district'
          ? html`<h3>${t('orgImportTitle')}</h3>
              <p class="hint">${t('orgImportHint')}</p>
              <div class="row">
                <input type="file" accept=".csv,text/csv" data-testid="org-import-file" @change=${this._file} />
                <button ?disabled=${this.busy} data-testid="org-import-dry-run" @click=${() => this._import(true)}>${t('regDryRun')}</button>
                <button class="primary" ?disabled=${this.busy || !r?.dryRun} data-testid="org-import-run" @click=${() => this._import(false)}>${t('regDoImport')}</button>
              </div>
              ${this.importError ? html`<p class="error" role="alert" data-testid="org-import-error">${this.importError}</p>` : nothing}
              ${r
                ? html`<p class=${r.errors.length ? 'warn' : 'ok'} role="status" data-testid="org-import-summary">
                      ${t(r.dryRun ? 'orgReportDry' : 'orgReportDone', { s: changed('street'), c: changed('community'), e: r.errors.length })}
                    </p>
                    ${r.errors.length
                      ? html`<table data-testid="org-import-errors">
                          <thead><tr><th class="n">${t('regLine')}</th><th>${t('regColumn')}</th><th>${t('regProblem')}</th></tr></thead>
                          <tbody>
                            ${r.errors.map(
                              (e) => html`<tr data-testid="org-import-error-row" data-line=${e.line} data-code=${e.code}>
                                <td class="n">${e.line}</td><td>${e.field ?? t('regWholeFile')}</td>
                                <td title=${e.message}>${hasText(`orgErr_${e.code}`) ? t(`orgErr_${e.code}` as Parameters<typeof t>[0]) : e.message}</td>
                              </tr>`,
                            )}
                          </tbody>
                        </table>`
                      : nothing}
                    ${r.rows.length
                      ? html`<table data-testid="org-import-rows">
                          <thead><tr><th class="n">${t('regLine')}</th><th>${t('orgRowStreet')}</th><th>${t('orgRowCommunity')}</th></tr></thead>
                          <tbody>
                            ${r.rows.map(
                              (row) => html`<tr>
                                <td class="n">${row.line}</td>
                                <td><code>${row.streetId}</code> <span class="chip a-${row.street}">${t(`regAct_${row.street}`)}</span></td>
                                <td>${row.communityId ? html`<code>${row.communityId}</code> <span class="chip a-${row.community}">${t(`regAct_${row.community!}`)}</span>` : '—'}</td>
                              </tr>`,
                            )}
                          </tbody>
                        </table>`
                      : nothing}`
                : html`<p class="muted">${t('regNotDry')}</p>`}`
          : nothing}
    </dialog>`;
  }

  private _open(which: 'district' | 'venues') {
    this.dialog = which;
    this.report = undefined;
    this.importError = '';
    this.file = undefined;
    void this.updateComplete.then(() => this.importDialog.showModal());
  }

  private _startMove(c: OrgCommunity) {
    this.moving = c;
    this.moveTo = '';
    this.moveError = '';
    void this.updateComplete.then(() => this.moveDialog.showModal());
  }

  private readonly _move = async () => {
    const c = this.moving;
    if (!c) return;
    if (!this.moveTo) return void (this.moveError = t('orgMovePick'));
    this.busy = true;
    this.moveError = '';
    try {
      const result = await postJson<CommunityMoveResult>(`/api/organisation/communities/${encodeURIComponent(c.id)}/move`, { streetId: this.moveTo });
      this.moved = { ...result, name: c.name };
      this.streetId = result.to.id;
      this.moveDialog.close();
      await this.tree.run();
    } catch (err) {
      this.moveError = apiErrorText(err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err)));
    } finally {
      this.busy = false;
    }
  };

  private _file(e: Event) {
    this.file = (e.target as HTMLInputElement).files?.[0];
    this.report = undefined;
    this.importError = '';
  }

  private async _import(dryRun: boolean) {
    this.importError = '';
    if (!this.file) return void (this.importError = t('regPickFile'));
    if (this.file.size > MAX_IMPORT_BYTES) return void (this.importError = t('regFileTooLarge', { mb: MAX_IMPORT_BYTES / (1024 * 1024), max: 5000 }));
    this.busy = true;
    try {
      this.report = await postBytes<OrgImportReport>('/api/organisation/import', this.file, 'text/csv', { dryRun: dryRun ? 1 : 0 });
      if (!dryRun) await this.tree.run();
    } catch (err) {
      this.importError = apiErrorText(err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err)));
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      :host { display: grid; gap: 12px; }
      .head h2 { margin: 0; }
      .spacer { flex: 1; }
      .ok { color: var(--clear); margin: 8px 0 0; }
      .warn { color: var(--warning); }
      .layout { display: grid; gap: 12px; grid-template-columns: 230px minmax(0, 1fr); align-items: start; }
      .layout > * { min-width: 0; }
      h3 { margin-top: 0; }
      /* Long lists scroll inside their panel: the page itself fits a 1024×600 screen. */
      .streets ul { list-style: none; margin: 0; padding: 0; max-height: calc(100vh - 230px); overflow: auto; }
      .streets li.district { font-size: 12px; color: var(--muted); margin: 6px 0 2px; }
      button.street { width: 100%; display: flex; justify-content: space-between; gap: 8px; margin: 1px 0; text-align: left; }
      button.street[aria-pressed='true'] { background: #eef4fd; border-color: var(--accent); }
      .scroll { max-height: calc(100vh - 250px); overflow: auto; }
      dialog { border: 1px solid var(--line); border-radius: 6px; padding: 16px; max-width: min(720px, 92vw); max-height: 86vh; overflow: auto; }
      dialog::backdrop { background: rgb(0 0 0 / 0.3); }
      dialog label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); margin: 8px 0; }
      .hint { font-size: 13px; }
      .end { justify-content: flex-end; }
      .a-create { background: var(--accent); }
      .a-update { background: var(--warning); }
      .a-unchanged { background: var(--closed); }
      @media (max-width: 700px) { .layout { grid-template-columns: minmax(0, 1fr); } }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-streets': RegistryStreets;
  }
}
