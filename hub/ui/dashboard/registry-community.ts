import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { issuePath } from '../../../shared/schemas/errors.js';
import { CommunityCreate, CommunityEdit, type CommunityRow } from '../../../shared/schemas/registry.js';
import { ApiFailure, postJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { I18nController, t } from './i18n.js';
import { apiErrorText, apiField, issueText } from './issue-text.js';
import { base } from './styles.js';

/** Adding a community to the street, or renaming the one chosen (its kiosks' profiles name it). */
@customElement('registry-community')
export class RegistryCommunity extends LitElement {
  @property({ attribute: false }) communities: CommunityRow[] = [];
  /** The community chosen in the list's filter, which "rename" acts on. */
  @property() selected = '';

  @state() private form: 'add' | 'rename' | undefined;
  /** The problem in words; `detail` is the hub's own message, kept as the tooltip. */
  @state() private error: { field: string | undefined; message: string; detail?: string } | undefined;
  @state() private busy = false;

  private readonly i18n = new I18nController(this);

  override render() {
    const chosen = this.communities.find((c) => c.id === this.selected);
    return html`<div class="row">
        <button class="small" data-testid="community-add" aria-pressed=${this.form === 'add'} @click=${() => this._open('add')}>${t('regNewCommunity')}</button>
        ${chosen ? html`<button class="small" data-testid="community-rename" aria-pressed=${this.form === 'rename'} @click=${() => this._open('rename')}>${t('regRename')} · ${chosen.name}</button>` : nothing}
      </div>
      ${this.form
        ? html`<form class="row" novalidate @submit=${this._submit} data-testid="community-form">
            <label>${t('regCommunityName')}<input name="name" .value=${this.form === 'rename' ? chosen?.name ?? '' : ''} data-testid="community-name" /></label>
            ${this.form === 'add' ? html`<label>${t('regCommunityId')}<input name="id" data-testid="community-id" /></label>` : nothing}
            <button class="primary" type="submit" ?disabled=${this.busy} data-testid="community-submit">${this.form === 'add' ? t('regAdd') : t('regSave')}</button>
            <button type="button" @click=${() => (this.form = undefined)}>${t('cancel')}</button>
          </form>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert" data-testid="community-error" data-field=${this.error.field ?? ''} title=${this.error.detail ?? nothing}>${this.error.message}</p>` : nothing}`;
  }

  private _open(form: 'add' | 'rename') {
    this.form = this.form === form ? undefined : form;
    this.error = undefined;
  }

  private async _submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const id = String(data.get('id') ?? '').trim();
    const body = this.form === 'add' ? { name: String(data.get('name') ?? ''), ...(id ? { id } : {}) } : { name: String(data.get('name') ?? '') };
    const checked = (this.form === 'add' ? CommunityCreate : CommunityEdit).safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const field = issuePath(issue.path);
      this.error = { field, message: issueText(issue, communityLabel(field)) };
      return;
    }
    this.busy = true;
    this.error = undefined;
    try {
      const path = this.form === 'add' ? '/api/registry/communities' : `/api/registry/communities/${encodeURIComponent(this.selected)}`;
      const row = await postJson<CommunityRow>(path, body);
      this.form = undefined;
      fireEvent(this, 'community-changed', row);
    } catch (err) {
      const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', String(err));
      const field = apiField(f);
      this.error = { field, message: apiErrorText(f, field ? communityLabel(field) : undefined), detail: f.message };
    } finally {
      this.busy = false;
    }
  }

  static override styles = [
    base,
    css`
      :host { margin-top: 8px; }
      form { margin-top: 6px; align-items: flex-end; }
      label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
      .error { margin: 6px 0 0; }
    `,
  ];
}

/** What the form calls a field, for its error text. */
function communityLabel(path: string): string {
  return path === 'id' ? t('regCommunityIdShort') : path === 'name' ? t('regCommunityName') : path;
}

declare global {
  interface HTMLElementTagNameMap {
    'registry-community': RegistryCommunity;
  }
}
