import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { StaffCreate, StaffEdit, type RegistryVenue, type StaffView } from '../../../shared/schemas/registry.js';
import { ApiFailure, getJson, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { apiErrorText, apiField, issueText, issueTexts, type Issue } from './issue-text.js';
import { base } from './styles.js';

/**
 * The door staff of a venue: who may start a shift on its kiosks.
 * A PIN is typed once, hashed by the hub and never shown again; a member who
 * leaves is deactivated (records keep naming them), not deleted.
 */
@customElement('registry-staff')
export class RegistryStaff extends LitElement {
  @property({ attribute: false }) venue: RegistryVenue | undefined;

  /** Whose PIN is being reset, if anyone's. */
  @state() private resetting: string | undefined;
  @state() private errors = new Map<string, string>();
  @state() private general = '';
  @state() private busy = false;

  private readonly i18n = new I18nController(this);

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('venue') && (changed.get('venue') as RegistryVenue | undefined)?.id !== this.venue?.id) {
      this.resetting = undefined;
      this.errors = new Map();
      this.general = '';
    }
  }

  override render() {
    const v = this.venue;
    if (!v) return html`<p class="muted">${t('regStaffAfterCreate')}</p>`;
    return html`<h3>${t('regStaff')}</h3>
      ${v.staff.length === 0 ? html`<p class="muted" data-testid="no-staff">${t('regNoStaff')}</p>` : nothing}
      <table data-testid="staff-table">
        <tbody>
          ${v.staff.map((s) => this._row(s))}
        </tbody>
      </table>
      <form class="row add" novalidate @submit=${this._add} data-testid="staff-add">
        <label>${t('regOfficerName')}<input name="name" data-testid="staff-name" />${this._err('name')}</label>
        <label>${t('regStaffRole')}<input name="role" .value=${t('regStaffRoleDefault')} data-testid="staff-role" />${this._err('role')}</label>
        <label>${t('regPin')}<input name="pin" type="password" inputmode="numeric" autocomplete="new-password" maxlength="6" data-testid="staff-pin" />${this._err('pin')}</label>
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="staff-add-submit">${t('regAddStaff')}</button>
      </form>
      <p class="muted small">${t('regPinNote')}</p>
      ${this.general ? html`<p class="error" role="alert" data-testid="staff-error">${this.general}</p>` : nothing}`;
  }

  private _row(s: StaffView) {
    return html`<tr data-testid="staff-row" data-staff=${s.id} class=${s.active ? '' : 'inactive'}>
      <td>${s.name}</td>
      <td class="muted">${s.role}</td>
      <td>${s.active ? nothing : html`<span class="chip">${t('regInactive')}</span>`}</td>
      <td class="actions">
        ${this.resetting === s.id
          ? html`<form class="row" novalidate @submit=${(e: SubmitEvent) => this._resetPin(e, s.id)}>
              <input name="pin" type="password" inputmode="numeric" autocomplete="new-password" maxlength="6" aria-label=${t('regNewPin')} placeholder=${t('regNewPin')} data-testid="staff-new-pin" />
              <button class="small primary" type="submit" ?disabled=${this.busy}>${t('regSave')}</button>
              <button class="small" type="button" @click=${() => (this.resetting = undefined)}>${t('cancel')}</button>
              ${this._err(`${s.id}.pin`)}
            </form>`
          : html`<button class="small" data-testid="staff-reset" @click=${() => ((this.resetting = s.id), (this.errors = new Map()))}>${t('regResetPin')}</button>`}
        <button class="small" data-testid="staff-toggle" ?disabled=${this.busy} @click=${() => this._send(s.id, { active: !s.active })}>
          ${s.active ? t('regDeactivate') : t('regReactivate')}
        </button>
      </td>
    </tr>`;
  }

  private _err(key: string) {
    const m = this.errors.get(key);
    return m ? html`<span class="error field" role="alert" data-testid="field-error" data-field=${key}>${m}</span>` : nothing;
  }

  private async _add(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const body = { name: String(data.get('name') ?? ''), role: String(data.get('role') ?? ''), pin: String(data.get('pin') ?? '') };
    const checked = StaffCreate.safeParse(body);
    if (!checked.success) {
      this.errors = issueTexts(checked.error.issues, staffLabel, (path) => (path === 'pin' ? { format: t('regPinFormat') } : undefined));
      return;
    }
    if (await this._post(`/api/registry/venues/${encodeURIComponent(this.venue!.id)}/staff`, body, '')) form.reset();
  }

  private async _resetPin(e: SubmitEvent, staffId: string) {
    e.preventDefault();
    const pin = String(new FormData(e.target as HTMLFormElement).get('pin') ?? '');
    const checked = StaffEdit.safeParse({ pin });
    if (!checked.success) {
      this.errors = new Map([[`${staffId}.pin`, issueText(checked.error.issues[0] as Issue, t('regPinLabel'), { format: t('regPinFormat') })]]);
      return;
    }
    if (await this._send(staffId, { pin })) this.resetting = undefined;
  }

  private _send(staffId: string, edit: StaffEdit): Promise<boolean> {
    return this._post(`/api/registry/venues/${encodeURIComponent(this.venue!.id)}/staff/${encodeURIComponent(staffId)}`, edit, `${staffId}.`);
  }

  /** Sends, then reloads the venue so every list showing it agrees. */
  private async _post(path: string, body: unknown, errorPrefix: string): Promise<boolean> {
    this.busy = true;
    this.errors = new Map();
    this.general = '';
    try {
      await postJson<StaffView>(path, body);
      fireEvent(this, 'venue-saved', await getJson<RegistryVenue>(`/api/registry/venues/${encodeURIComponent(this.venue!.id)}`));
      return true;
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      const field = apiField(f);
      // The hub checks with the same schema, so its 400 names a field the form shows.
      if (f.status === 400 && field) this.errors = new Map([[`${errorPrefix}${field}`, apiErrorText(f, staffLabel(field))]]);
      else this.general = apiErrorText(f);
      return false;
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      h3 { margin-top: 0; }
      tr.inactive td:first-child { text-decoration: line-through; color: var(--muted); }
      td.actions { display: flex; gap: 6px; flex-wrap: wrap; justify-content: flex-end; }
      form.add { align-items: flex-start; margin-top: 8px; }
      form.add label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      form.add button { align-self: flex-end; }
      input[name='pin'] { width: 8em; }
      .small { font-size: 12px; }
      span.error.field { padding: 2px 6px; font-size: 13px; display: block; }
    `,
  ];
}

/** What the add form calls a field, for its error text. */
function staffLabel(path: string): string {
  return path === 'name' ? t('regOfficerName') : path === 'role' ? t('regStaffRole') : path === 'pin' ? t('regPinLabel') : path;
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-staff': RegistryStaff;
  }
}
