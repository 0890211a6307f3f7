import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import type { JointEnforcementRow } from '../../../shared/schemas/dashboard.js';
import { getJson } from './api.js';
import { num } from './format.js';
import { I18nController, t } from './i18n.js';
import { Resource } from './resource.js';
import { venueHref } from './router.js';
import { base } from './styles.js';

/** Repeat offenders and rectifications not done (屡查屡犯、查后不改, 000 §5): for joint enforcement. */
@customElement('joint-screen')
export class JointScreen extends LitElement {
  private readonly i18n = new I18nController(this);
  private readonly joint = new Resource(this, () => getJson<{ items: JointEnforcementRow[] }>('/api/joint-enforcement').then((r) => r.items));

  override connectedCallback(): void {
    super.connectedCallback();
    void this.joint.run();
  }

  override render() {
    return html`<section class="panel">
      <h2>${t('jointTitle')}</h2>
      ${this.joint.render((items) =>
        items.length === 0
          ? html`<p class="muted" data-testid="joint-empty">${t('noJoint')}</p>`
          : html`<table data-testid="joint-table">
              <thead><tr><th>${t('venue')}</th><th>${t('community')}</th><th class="n">${t('violations')}</th><th class="n">${t('missedDeadlines')}</th></tr></thead>
              <tbody>
                ${items.map(
                  (i) => html`<tr data-testid="joint-row" data-venue=${i.venueId}>
                    <td><a href=${venueHref(i.venueId)}>${i.venueName}</a></td>
                    <td>${i.communityName}</td>
                    <td class="n">${num(i.violations)}</td>
                    <td class="n ${i.missedDeadlines > 0 ? 'hot' : ''}">${num(i.missedDeadlines)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`,
      )}
    </section>`;
  }

  static override styles = [base, css`.hot { color: var(--violation); font-weight: 600; }`];
}

declare global {
  interface HTMLElementTagNameMap {
    'joint-screen': JointScreen;
  }
}
