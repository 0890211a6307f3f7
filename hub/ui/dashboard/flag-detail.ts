import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import type { VenueNames } from '../../../shared/schemas/dashboard.js';
import { getJson } from './api.js';
import { fireEvent } from './fire-event.js';
import { fmtDate, fmtDateTime } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { evidenceLines, windowText, type EvidenceContext, type EvidenceLine } from './evidence-text.js';
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
  private readonly detail = new Resource(this, () => getJson<{ flag: Flag; history: FlagHistoryEntry[]; names: VenueNames; undone: string[] }>(`/api/flags/${this.flagId}`));

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('flagId') && this.flagId) {
      this.detail.value = undefined;
      void this.detail.run();
    }
  }

  override render() {
    return html`<div class="panel" data-testid="flag-detail" data-flag-id=${this.flagId}>
      ${this.detail.render(({ flag, history, names, undone }) => this._flag(flag, history, { names, undone }))}
    </div>`;
  }

  private _flag(f: Flag, history: FlagHistoryEntry[], ctx: EvidenceContext) {
    return html`<h3>${label('rule', f.rule)} <span class="chip s-${f.severity}">${label('sev', f.severity)}</span></h3>
      <p><a href=${venueHref(f.venueId, { flag: f.id })}>${f.venueName}</a> · <span class="muted" data-testid="flag-window">${windowText(f.windowKey, ctx.names)}</span></p>
      <dl>
        <dt>${t('status')}</dt><dd><span class="chip s-${f.status}" data-testid="flag-status" data-status=${f.status}>${label('flag', f.status)}</span></dd>
        <dt>${t('openedAt')}</dt><dd>${fmtDateTime(f.openedAt)}</dd>
        ${f.deadline ? html`<dt>${t('deadline')}</dt><dd data-testid="flag-deadline">${fmtDate(f.deadline)}</dd>` : nothing}
        ${f.note && history.length === 0 ? html`<dt>${t('note')}</dt><dd>${f.note}</dd>` : nothing}
      </dl>
      <h4>${t('evidence')}</h4>
      <dl data-testid="flag-evidence">${evidenceLines(f, ctx).map((l) => html`<dt>${l.term}</dt>${this._line(l, ctx.undone)}`)}</dl>
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

  /** A line of evidence: record ids become buttons that find the record in the log, the rest is words. */
  private _line(l: EvidenceLine, undone: readonly string[]) {
    if (!('records' in l)) return html`<dd data-testid="evidence-${l.key}">${l.text}</dd>`;
    return html`<dd><span class="ids">${l.records.map((id, i) =>
      UUID.test(id)
        ? html`<button class="link" data-testid="evidence-record" data-record-id=${id} title=${id}
            @click=${() => fireEvent(this, 'record-focus', { id })}>${t('ev_record', { n: i + 1 })}${undone.includes(id) ? ` (${t('undone')})` : ''}</button>`
        : html`<span>${t('ev_record', { n: i + 1 })}</span>`,
    )}</span></dd>`;
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
      p a { text-decoration: underline; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
      dt { color: var(--muted); font-size: 13px; }
      dd { margin: 0; overflow-wrap: anywhere; }
      @media (max-width: 640px) { dl { grid-template-columns: minmax(0, 1fr); } dd { margin-bottom: 4px; } }
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
