import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TracingResult, TracingRow } from '../../../shared/schemas/tracing.js';
import { fmtDateTime, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { base } from './styles.js';

/**
 * The rows of a tracing run, one table per visit of the case (a row shows
 * under the first visit it overlaps, and says which others), sortable by
 * time in. Contact numbers appear here and in the export, nowhere else.
 */
@customElement('tracing-results')
export class TracingResults extends LitElement {
  @property({ attribute: false }) result: TracingResult | undefined;

  @state() private newestFirst = false;

  private readonly i18n = new I18nController(this);

  override render() {
    const r = this.result;
    if (!r) return nothing;
    const sorted = [...r.rows].sort((a, b) => (this.newestFirst ? b.timeIn - a.timeIn : a.timeIn - b.timeIn));
    return html`<p data-testid="tracing-summary">
        ${t('trResultSummary', { rows: num(r.rows.length), contacts: num(r.contactsRevealed) })}
        <span class="muted">· ${t('trRanAt', { at: fmtDateTime(r.at), stay: r.stayMinutes })}</span>
      </p>
      ${r.visits.map((v, i) => {
        const rows = sorted.filter((row) => row.visits[0] === i);
        return html`<section data-testid="tracing-group" data-visit=${i}>
          <h3>${t('trVisitN', { n: i + 1 })} · ${r.streets.length > 1 ? `${v.streetName} · ` : ''}${v.venueName} · ${fmtDateTime(v.from)} – ${fmtDateTime(v.to)}</h3>
          ${rows.length === 0
            ? html`<p class="muted">${r.rows.some((row) => row.visits.includes(i)) ? t('trShownAbove') : t('trNoRows')}</p>`
            : html`<div class="scroll"><table>
                <thead>
                  <tr>
                    <th aria-sort=${this.newestFirst ? 'descending' : 'ascending'}>
                      <button class="link" data-testid="tracing-sort" @click=${() => (this.newestFirst = !this.newestFirst)}>
                        ${t('trTimeIn')} ${this.newestFirst ? '↓' : '↑'}
                      </button>
                    </th>
                    <th>${t('trTimeOut')}</th>
                    <th>${t('trEntrance')}</th>
                    <th>${t('trKind')}</th>
                    <th>${t('trDecision')}</th>
                    <th class="n">${t('trPeople')}</th>
                    <th>${t('trPassCode')}</th>
                    <th>${t('trContact')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map((row) => this._row(row, i))}
                </tbody>
              </table></div>`}
        </section>`;
      })}`;
  }

  private _row(row: TracingRow, visit: number) {
    const others = row.visits.filter((v) => v !== visit);
    const labels = row.labels.filter((l): l is string => l !== null);
    return html`<tr data-testid="tracing-row" data-kind=${row.kind} class=${row.corrected ? 'undone' : ''}>
      <td class="nowrap">${fmtDateTime(row.timeIn)}</td>
      <td class="nowrap">${fmtDateTime(row.timeOut)} <span class="muted small">${row.timeOutKnown ? t('trOutKnown') : t('trOutAssumed')}</span></td>
      <td>${row.entranceName ?? '—'}</td>
      <td>
        ${row.kind === 'booking' ? t('trKindBooking') : row.kind === 'pass' ? t('trKindPass') : t('trKindRecord')}
        ${others.length ? html`<div class="muted small">${t('trAlsoVisits', { n: others.map((o) => o + 1).join('、') })}</div>` : nothing}
      </td>
      <td>
        ${row.decision === null
          ? html`<span class="muted">${t('trNotAtDoor')}</span>`
          : html`<span class="chip ${row.decision === 'admit' ? 's-clear' : 's-violation'}">${row.decision === 'admit' ? t('trAdmit') : t('trRefuse')}</span>`}
        ${row.corrected ? html`<span class="chip s-closed" data-testid="tracing-undone">${t('trCorrected')}</span>` : nothing}
      </td>
      <td class="n">${row.people}${labels.length ? html`<div class="muted small">${labels.join('、')}</div>` : nothing}</td>
      <td class="mono">${row.passCode ?? '—'}</td>
      <td class="mono" data-testid="tracing-contact">
        ${row.contact ?? (row.contactUnreadable ? html`<span class="error-text">${t('trUnreadable')}</span>` : html`<span class="muted">${t('trNoContact')}</span>`)}
      </td>
    </tr>`;
  }

  static override styles = [
    base,
    css`
      section { margin-top: 12px; }
      .scroll { overflow-x: auto; }
      .nowrap { white-space: nowrap; }
      .small { font-size: 12px; }
      .mono { font-family: ui-monospace, monospace; white-space: nowrap; }
      tr.undone td { background: #f7f7f7; }
      .error-text { color: var(--violation); }
      .chip + .chip { margin-left: 4px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'tracing-results': TracingResults;
  }
}
