import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { PolicyRollup } from '../../../shared/schemas/policy-admin.js';
import { getJson } from './api.js';
import { ago } from './format.js';
import { I18nController, t } from './i18n.js';
import { onKioskStatus, onPolicyChange } from './live.js';
import { Resource } from './resource.js';
import { base } from './styles.js';

/** How often the roll-up is read again while it is shown: acks of many streets are not all pushed to a city's dashboard. */
const REREAD_MS = 5_000;

/**
 * The acknowledgement roll-up (docs/policy.md "Acknowledgement roll-up"): per district and street of
 * the admin's area, how many doors (kiosks in service) enforce the version now in force for their
 * community, how many are online, when the street was last heard from, and which doors have not
 * acknowledged yet. Read again on every policy change, kiosk report and every few seconds.
 */
@customElement('policy-rollup')
export class PolicyRollupView extends LitElement {
  @state() private now = Date.now();

  private readonly i18n = new I18nController(this);
  private readonly rollup = new Resource(this, () => getJson<PolicyRollup>('/api/policy/rollup'));
  private stop: (() => void)[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.rollup.run();
    const reread = () => void this.rollup.run();
    this.stop.push(onPolicyChange(reread), onKioskStatus(reread));
    const timer = setInterval(() => {
      this.now = Date.now();
      if (!this.rollup.loading) reread();
    }, REREAD_MS);
    this.stop.push(() => clearInterval(timer));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const s of this.stop.splice(0)) s();
  }

  /** Read again now (after a switch made here). */
  reload(): void {
    void this.rollup.run();
  }

  override render() {
    return html`<section class="panel" data-testid="policy-rollup">
      <h3>${t('rollTitle')}</h3>
      ${this.rollup.render((r) =>
        r.districts.length === 0
          ? html`<p class="muted">${t('rollNone')}</p>`
          : html`<table>
              <thead>
                <tr><th>${t('rollDistrict')}</th><th>${t('rollStreet')}</th><th class="n">${t('rollAcked')}</th><th class="n">${t('rollOnline')}</th><th>${t('rollLastSeen')}</th><th>${t('rollPending')}</th></tr>
              </thead>
              <tbody>
                ${r.districts.flatMap((d) =>
                  d.streets.map(
                    (s, i) => html`<tr data-testid="rollup-street" data-street=${s.id} data-district=${d.id} data-acked=${s.acked} data-doors=${s.doors}>
                      ${i === 0
                        ? html`<td rowspan=${d.streets.length} data-testid="rollup-district" data-acked=${d.acked} data-doors=${d.doors}>
                            <strong>${d.name}</strong><br /><span class="count ${d.acked === d.doors ? 'all' : 'some'}">${d.acked} / ${d.doors}</span>
                          </td>`
                        : nothing}
                      <td>${s.name}</td>
                      <td class="n"><span class="count ${s.acked === s.doors ? 'all' : 'some'}">${s.acked} / ${s.doors}</span></td>
                      <td class="n">${s.connected}</td>
                      <td>${s.lastSeenAt === null ? t('rollNever') : ago(s.lastSeenAt, this.now)}</td>
                      <td class="pending">
                        ${s.pending.length === 0
                          ? html`<span class="ok">${t('rollAllDone')}</span>`
                          : s.pending.slice(0, 3).map(
                              (p) => html`<div data-testid="rollup-pending" data-kiosk=${p.kioskId} title=${p.lastSeenAt === null ? t('rollNever') : ago(p.lastSeenAt, this.now)}>
                                <span class="dot ${p.connected ? 'on' : 'off'}"></span>${t('rollPendingDoor', { venue: p.venueName, community: p.communityName, due: p.due, acked: p.acked ?? '—' })}
                              </div>`,
                            )}
                        ${s.pending.length > 3 ? html`<div class="muted">… +${s.pending.length - 3}</div>` : nothing}
                      </td>
                    </tr>`,
                  ),
                )}
              </tbody>
            </table>`,
      )}
    </section>`;
  }

  static override styles = [
    base,
    css`
      h3 { margin-top: 0; }
      .count.all, .ok { color: var(--clear); font-weight: 600; }
      .count.some { color: var(--violation); font-weight: 600; }
      td.pending { font-size: 13px; }
      .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 4px; background: var(--muted); }
      .dot.on { background: var(--clear); }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'policy-rollup': PolicyRollupView;
  }
}
