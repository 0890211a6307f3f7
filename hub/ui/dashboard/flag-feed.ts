import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import { fmtDateTime } from './format.js';
import { I18nController, label, t } from './i18n.js';
import { venueHref } from './router.js';
import { base } from './styles.js';

/** Flags newest first, each linking to its venue with the flag open. */
@customElement('flag-feed')
export class FlagFeed extends LitElement {
  @property({ attribute: false }) flags: Flag[] = [];
  /** Flags that arrived live, for a brief highlight. */
  @property({ attribute: false }) fresh: ReadonlySet<number> = new Set();

  private readonly i18n = new I18nController(this);

  override render() {
    if (this.flags.length === 0) return html`<p class="muted">${t('noFlags')}</p>`;
    return html`<ol>
      ${this.flags.map(
        (f) => html`<li data-testid="flag" data-rule=${f.rule} data-venue=${f.venueId} data-flag-id=${f.id} data-status=${f.status}
          class=${this.fresh.has(f.id) ? 'fresh' : ''} @click=${() => (location.hash = venueHref(f.venueId, { flag: f.id }))}>
          <span class="chip s-${f.severity}">${label('sev', f.severity)}</span>
          <a href=${venueHref(f.venueId, { flag: f.id })}>${f.venueName}</a>
          <span class="rule">${label('rule', f.rule)}</span>
          <span class="meta">${fmtDateTime(f.openedAt)} · ${label('flag', f.status)}${f.deadline ? html` · ${t('deadline')} ${fmtDateTime(f.deadline).slice(0, 10)}` : nothing}</span>
        </li>`,
      )}
    </ol>`;
  }

  static override styles = [
    base,
    css`
      ol { list-style: none; margin: 0; padding: 0; }
      li { cursor: pointer; display: grid; grid-template-columns: auto 1fr; column-gap: 8px; padding: 6px 4px; border-bottom: 1px solid var(--line); }
      li .chip { grid-row: span 2; align-self: start; margin-top: 2px; }
      li .rule { grid-column: 2; }
      li .meta { grid-column: 2; color: var(--muted); font-size: 12px; }
      li a { font-weight: 600; }
      li:hover { background: #f4f7fb; }
      li.fresh { animation: flash 3s ease-out; }
      @keyframes flash { from { background: #fff3c4; } to { background: transparent; } }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'flag-feed': FlagFeed;
  }
}
