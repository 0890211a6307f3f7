import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { getJson } from './api.js';
import { DEFAULT_OFFSET_MIN, venueInstant } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

/** A ledger entry: the record's own fields under `body`, or (as the hub sends them now) spread beside the common ones. */
interface LedgerItem {
  id: string;
  type: string;
  kioskTime: string;
  operatorId: string | null;
  body?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Record fields every ledger entry has; the rest is what was logged. */
const PLUMBING = new Set(['id', 'type', 'venueId', 'kioskId', 'seq', 'kioskTime', 'operatorId', 'receivedAt', 'body']);
const DAYS = 7;

/** What the hub answers: the entries, and the stored rows that no longer fit the schema (left out). */
interface LedgerAnswer {
  items: LedgerItem[];
  unreadable?: { id: string; type: string; kioskTime: string }[];
}

/**
 * The venue's own ledgers (000 §2(2)(2)–(4)) for the week up to the chosen
 * day: staff tests come twice a week, so one day would look empty.
 */
@customElement('ledger-list')
export class LedgerList extends LitElement {
  @property() venueId = '';
  @property() date = '';
  @property({ type: Number }) offsetMinutes = DEFAULT_OFFSET_MIN;

  private readonly i18n = new I18nController(this);
  private readonly ledgers = new Resource(this, () => {
    const to = venueInstant(this.date, '00:00', this.offsetMinutes) + 86_400_000;
    return getJson<LedgerAnswer>(`/api/venues/${encodeURIComponent(this.venueId)}/ledgers`, {
      from: to - DAYS * 86_400_000,
      to,
    });
  });

  override willUpdate(changed: Map<string, unknown>): void {
    if (this.venueId && this.date && (changed.has('venueId') || changed.has('date'))) void this.ledgers.run();
  }

  override render() {
    return html`<p class="muted">${t('from')} ${this._fromDate()} ${t('to')} ${this.date}</p>
      ${this.ledgers.render(({ items, unreadable = [] }) => [
        unreadable.length > 0
          ? html`<p class="warn" role="status" data-testid="ledgers-unreadable">
              ${t('ledgersUnreadable', { n: unreadable.length, ids: unreadable.map((u) => u.id).join(', ') })}
            </p>`
          : '',
        items.length === 0
          ? unreadable.length > 0
            ? ''
            : html`<p class="muted" data-testid="ledgers-empty">${t('noLedgers')}</p>`
          : html`<table data-testid="ledgers">
              <thead><tr><th>${t('time')}</th><th>${t('what')}</th><th>${t('operator')}</th><th>${t('detail')}</th></tr></thead>
              <tbody>
                ${items.map(
                  (l) => html`<tr data-testid="ledger-row" data-type=${l.type}>
                    <td class="time">${l.kioskTime.slice(0, 16).replace('T', ' ')}</td>
                    <td>${label('ledger', l.type)}</td>
                    <td>${l.operatorId ?? '—'}</td>
                    <td>${this._body(l.body ?? l)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`,
      ])}`;
  }

  private _fromDate(): string {
    if (!this.date) return '';
    const d = new Date(`${this.date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - (DAYS - 1));
    return d.toISOString().slice(0, 10);
  }

  private _body(body: Record<string, unknown>) {
    return Object.entries(body)
      .filter(([k]) => !PLUMBING.has(k))
      .map(([k, v]) => html`<span class="kv"><b>${label('field', k)}</b> ${this._value(v)}</span>`);
  }

  private _value(v: unknown): string {
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 16).replace('T', ' ') : label('out', v);
    if (v === null || v === undefined) return '—';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  static override styles = [
    base,
    css`
      .time { white-space: nowrap; font-variant-numeric: tabular-nums; }
      .kv { margin-right: 12px; white-space: nowrap; }
      .kv b { font-weight: 500; color: var(--muted); }
      .warn { color: var(--warning); overflow-wrap: anywhere; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'ledger-list': LedgerList;
  }
}
