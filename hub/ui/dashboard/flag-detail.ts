import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import { StaffTestFrequency } from '../../../shared/schemas/ledgers.js';
import { getJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { fmtDate, fmtDateTime } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { frequencyText } from './policy-labels.js';
import { Resource } from './resource.js';
import { venueHref } from './router.js';
import { base } from './styles.js';
import './flag-actions.js';

export interface FlagHistoryEntry {
  at: number;
  accountName: string | null;
  action: string;
  note: string | null;
  deadline: number | null;
  visitedAt: number | null;
  /** The on-site inspection that closed the rectification, if one did. */
  inspectionId?: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One flag: what raised it, the evidence an inspector opens, what was done, and what to do next. */
@customElement('flag-detail')
export class FlagDetail extends LitElement {
  @property({ type: Number }) flagId = 0;

  private readonly i18n = new I18nController(this);
  private readonly detail = new Resource(this, () => getJson<{ flag: Flag; history: FlagHistoryEntry[] }>(`/api/flags/${this.flagId}`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('flagId') && this.flagId) {
      this.detail.value = undefined;
      void this.detail.run();
    }
  }

  override render() {
    return html`<div class="panel" data-testid="flag-detail" data-flag-id=${this.flagId}>
      ${this.detail.render(({ flag, history }) => this._flag(flag, history))}
    </div>`;
  }

  private _flag(f: Flag, history: FlagHistoryEntry[]) {
    return html`<h3>${label('rule', f.rule)} <span class="chip s-${f.severity}">${label('sev', f.severity)}</span></h3>
      <p><a href=${venueHref(f.venueId, { flag: f.id })}>${f.venueName}</a> · <span class="muted">${f.windowKey}</span></p>
      <dl>
        <dt>${t('status')}</dt><dd><span class="chip s-${f.status}" data-testid="flag-status" data-status=${f.status}>${label('flag', f.status)}</span></dd>
        <dt>${t('openedAt')}</dt><dd>${fmtDateTime(f.openedAt)}</dd>
        ${f.deadline ? html`<dt>${t('deadline')}</dt><dd data-testid="flag-deadline">${fmtDate(f.deadline)}</dd>` : nothing}
        ${f.note && history.length === 0 ? html`<dt>${t('note')}</dt><dd>${f.note}</dd>` : nothing}
      </dl>
      <h4>${t('evidence')}</h4>
      <dl data-testid="flag-evidence">${Object.entries(f.evidence).map(([k, v]) => html`<dt title=${k}>${label('field', k)}</dt><dd>${this._evidence(k, v)}</dd>`)}</dl>
      <flag-actions .flag=${f} @flag-updated=${this._updated} @flag-stale=${() => void this.detail.run()}></flag-actions>
      ${history.length
        ? html`<h4>${t('history')}</h4>
            <ol class="history" data-testid="flag-history">
              ${history.map(
                (h) => html`<li>
                  <span class="muted">${fmtDateTime(h.at)}</span> ${h.accountName ?? ''} · <b>${label('act', h.action)}</b>
                  ${h.deadline ? html` · ${t('deadline')} ${fmtDate(h.deadline)}` : nothing}
                  ${h.visitedAt ? html` · ${t('visitedAt')} ${fmtDateTime(h.visitedAt)}` : nothing}
                  ${h.inspectionId ? html` · <span data-testid="flag-closed-by-inspection">${t('inspClosedBy')}</span>` : nothing}
                  ${h.note ? html`<div class="note">${h.note}</div>` : nothing}
                </li>`,
              )}
            </ol>`
        : nothing}`;
  }

  /** Record ids become buttons that find the record in the log; anything else shows as text. */
  private _evidence(key: string, v: unknown): unknown {
    if (typeof v === 'number' && (key.endsWith('At') || key === 'since') && v > 1e12) return fmtDateTime(v);
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    const frequency = key === 'frequency' ? StaffTestFrequency.safeParse(v) : undefined;
    if (frequency?.success) return frequencyText(frequency.data);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
      return html`<span class="ids">${(v as string[]).map((id) =>
        UUID.test(id)
          ? html`<button class="link id" data-testid="evidence-record" data-record-id=${id} title=${id}
              @click=${() => fireEvent(this, 'record-focus', { id })}>${id.slice(0, 8)}</button>`
          : html`<span>${id}</span>`,
      )}</span>`;
    }
    if (v !== null && typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  private _updated(e: CustomEvent<Flag>) {
    // The list above hears the same event (it bubbles); here the history needs the new entry.
    if (this.detail.value) this.detail.value = { ...this.detail.value, flag: e.detail };
    void this.detail.run();
  }

  static override styles = [
    base,
    css`
      h3 { margin-top: 0; display: flex; gap: 8px; align-items: center; }
      h4 { margin: 12px 0 4px; font-size: 13px; color: var(--muted); }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
      dt { color: var(--muted); font-size: 13px; }
      dd { margin: 0; overflow-wrap: anywhere; }
      .ids { display: flex; flex-wrap: wrap; gap: 4px 10px; font-family: ui-monospace, monospace; font-size: 12px; }
      .history { padding-left: 18px; margin: 0; }
      .history li { margin-bottom: 4px; }
      .note { white-space: pre-wrap; color: #333; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'flag-detail': FlagDetail;
  }
}
