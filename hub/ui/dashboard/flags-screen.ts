import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { I18nController, t } from './i18n.js';
import { flagsHref, replaceHash } from './router.js';
import { base } from './styles.js';
import './flag-list.js';

const ACTIVE = ['open', 'acknowledged', 'rectification_ordered'];

/** Every flag the account may see, to handle (default) or all, with the chosen one open. */
@customElement('flags-screen')
export class FlagsScreen extends LitElement {
  @property({ type: Number }) flagId: number | undefined;
  @property({ type: Boolean }) all = false;

  private readonly i18n = new I18nController(this);

  override render() {
    return html`<section class="panel">
      <div class="row head">
        <h2>${t('navFlags')}</h2>
        <div class="row" role="group" aria-label=${t('statusFilter')}>
          <a href=${flagsHref({ flag: this.flagId })} aria-current=${!this.all} data-testid="flags-active">${t('activeFlags')}</a>
          <a href=${flagsHref({ flag: this.flagId, all: true })} aria-current=${this.all} data-testid="flags-all">${t('allFlags')}</a>
        </div>
      </div>
      <flag-list .statuses=${this.all ? undefined : ACTIVE} .selected=${this.flagId}
        @flag-select=${(e: CustomEvent<{ id: number }>) => replaceHash(flagsHref({ flag: e.detail.id, all: this.all }))}></flag-list>
    </section>`;
  }

  static override styles = [
    base,
    css`
      .head { justify-content: space-between; margin-bottom: 8px; }
      .head h2 { margin: 0; }
      [role='group'] a { padding: 4px 10px; border: 1px solid var(--line); border-radius: 4px; }
      [role='group'] a[aria-current='true'] { background: var(--accent); color: #fff; border-color: var(--accent); }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'flags-screen': FlagsScreen;
  }
}
