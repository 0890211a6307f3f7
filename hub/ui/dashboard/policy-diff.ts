import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { I18nController, t } from './i18n.js';
import { pathText, valueText } from './policy-labels.js';
import { base } from './styles.js';

/** One difference between two policies: where, what it was, what it becomes (undefined: not set). */
export interface PolicyDiffRow {
  path: string;
  from: unknown;
  to: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What changes from `from` to `to`, field by field. Lists of types or checks
 * are sets (their order means nothing), so the same members in another order
 * is no change. The version is the hub's, never a difference.
 */
export function diffPolicy(from: unknown, to: unknown, path = ''): PolicyDiffRow[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].filter((k) => !(path === '' && k === 'version'));
    return keys.flatMap((k) => diffPolicy(from[k], to[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const a = [...from].map(String).sort();
    const b = [...to].map(String).sort();
    return a.length === b.length && a.every((x, i) => x === b[i]) ? [] : [{ path, from, to }];
  }
  return Object.is(from, to) ? [] : [{ path, from, to }];
}

/** The differences as a table: field, in force, draft. */
@customElement('policy-diff')
export class PolicyDiff extends LitElement {
  @property({ attribute: false }) rows: PolicyDiffRow[] = [];
  @property() fromLabel = '';
  @property() toLabel = '';

  private readonly i18n = new I18nController(this);

  override render() {
    if (this.rows.length === 0) return html`<p class="muted" data-testid="diff-none">${t('polNoChanges')}</p>`;
    return html`<table data-testid="policy-diff">
      <thead><tr><th>${t('polField')}</th><th>${this.fromLabel || t('polInForce')}</th><th>${this.toLabel || t('polDraft')}</th></tr></thead>
      <tbody>
        ${this.rows.map(
          (r) => html`<tr data-testid="diff-row" data-path=${r.path}>
            <td>${pathText(r.path)}</td>
            <td class="from">${valueText(r.from)}</td>
            <td class="to">${valueText(r.to)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  static override styles = [
    base,
    css`
      td.from { color: var(--muted); text-decoration: line-through; }
      td.to { font-weight: 600; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-diff': PolicyDiff;
  }
}
