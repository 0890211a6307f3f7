import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { KioskView } from '../../../shared/schemas/kiosk-admin.js';
import { fireEvent } from './fire-event.js';
import { ago, fmtDateTime, num } from './format.js';
import { I18nController, t } from './i18n.js';
import { venueHref } from './router.js';
import { base } from './styles.js';
import './kiosk-revoke.js';

/** A clock difference in words: "+2 min 5 s", "−40 s". */
function skewText(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  // Under half a second either way is no skew: no sign on a zero.
  const sign = s === 0 ? '' : ms < 0 ? '−' : '+';
  if (s < 60) return `${sign}${t('ksSeconds', { n: s })}`;
  if (s < 3600) return `${sign}${t('ksMinutes', { n: Math.floor(s / 60) })}${s % 60 ? ` ${t('ksSeconds', { n: s % 60 })}` : ''}`;
  return `${sign}${t('ksHoursShort', { n: (s / 3600).toFixed(1) })}`;
}

/**
 * The street's kiosks as rows: where, state, connected or last seen,
 * app version, policy acknowledged against due, backlog, clock skew, records
 * held. Kiosks out of service are greyed with who, why and when.
 */
@customElement('kiosk-table')
export class KioskTable extends LitElement {
  @property({ attribute: false }) items: KioskView[] = [];
  /** Clock skew beyond this many minutes is highlighted, per community (policy flags.clockSkewMinutes). */
  @property({ attribute: false }) skewMinutes: (communityId: string) => number = () => 5;
  /** The time "last seen" is measured from; the screen ticks it. */
  @property({ attribute: false }) now = Date.now();

  private readonly i18n = new I18nController(this);

  override render() {
    if (this.items.length === 0) return html`<p class="muted" data-testid="kiosks-empty">${t('ksEmpty')}</p>`;
    return html`<table data-testid="kiosk-table">
      <thead>
        <tr>
          <th>${t('ksWhere')}</th><th>${t('ksState')}</th><th>${t('ksSeen')}</th><th>${t('ksAppVersion')}</th>
          <th>${t('ksPolicy')}</th><th class="n">${t('ksBacklog')}</th><th class="n">${t('ksSkew')}</th><th class="n">${t('ksHeld')}</th><th></th>
        </tr>
      </thead>
      <tbody>${this.items.map((k) => this._row(k))}</tbody>
    </table>`;
  }

  private _row(k: KioskView) {
    const gone = k.state !== 'active';
    const behind = !gone && (k.policyVersionAcked ?? 0) < k.policyVersionDue;
    const skewed = !gone && k.clockSkewMs !== null && Math.abs(k.clockSkewMs) >= this.skewMinutes(k.communityId) * 60_000;
    return html`<tr class=${gone ? 'gone' : ''} data-testid="kiosk-row" data-kiosk=${k.id} data-state=${k.state} data-connected=${String(k.connected)}>
      <td>
        <a href=${venueHref(k.venueId)}>${k.venueName}</a> · ${k.entranceName}
        <div class="muted small">${k.communityName} · <span class="mono">${k.id}</span> · ${t('ksEnrolled', { when: fmtDateTime(k.enrolledAt) })}</div>
      </td>
      <td>
        <span class="chip st-${k.state}" data-testid="kiosk-state">${t(k.state === 'active' ? 'ksActive' : k.state === 'retired' ? 'ksRetired' : 'ksRevoked')}</span>
        ${k.state === 'revoked'
          ? html`<div class="small" data-testid="kiosk-revoked-info">${t('ksRevokedBy', { who: k.revokedBy ?? '—', when: fmtDateTime(k.revokedAt) })}<br />${k.revokeReason ?? ''}</div>`
          : k.state === 'retired'
            ? html`<div class="small">${t('ksRetiredAt', { when: fmtDateTime(k.retiredAt) })}</div>`
            : nothing}
      </td>
      <td>
        ${k.connected ? html`<span class="chip online" data-testid="kiosk-online">${t('ksOnline')}</span>` : html`<span class="muted">${t('ksOffline')}</span>`}
        <div class="small muted">${t('ksLastSeen', { when: ago(k.lastSeenAt, this.now) })}</div>
      </td>
      <td class="mono small">${k.appVersion ?? '—'}</td>
      <td class=${behind ? 'warn' : ''} data-testid="kiosk-policy" data-behind=${String(behind)}>
        ${t('ksAckedOfDue', { acked: k.policyVersionAcked === null ? '—' : `v${k.policyVersionAcked}`, due: `v${k.policyVersionDue}` })}
        ${k.policyAckedAt !== null ? html`<div class="small muted">${fmtDateTime(k.policyAckedAt)}</div>` : nothing}
      </td>
      <td class="n ${!gone && (k.backlog ?? 0) > 0 ? 'warn' : ''} ${k.state === 'revoked' && (k.backlog ?? 0) > 0 ? 'lost' : ''}" data-testid="kiosk-backlog">
        ${num(k.backlog)}${k.statusAt !== null ? html`<div class="small muted">${ago(k.statusAt, this.now)}</div>` : nothing}
      </td>
      <td class="n ${skewed ? 'warn' : ''}" data-testid="kiosk-skew" data-skewed=${String(skewed)}>${k.clockSkewMs === null ? '—' : skewText(k.clockSkewMs)}</td>
      <td class="n">${num(k.recordsHeld)}<div class="small muted">${t('ksLastSeq', { n: num(k.lastSeq) })}</div></td>
      <td class="actions">
        <button class="small" data-testid="kiosk-enrol-here" @click=${() => fireEvent(this, 'enrol-entrance', { venueId: k.venueId, entranceId: k.entranceId })}>${t('ksCodeHere')}</button>
        <kiosk-revoke .kiosk=${k}></kiosk-revoke>
      </td>
    </tr>`;
  }

  static override styles = [
    base,
    css`
      /* A small tablet scrolls the table sideways rather than cutting off the actions. */
      :host { display: block; overflow-x: auto; }
      .small { font-size: 12px; }
      .mono { font-family: ui-monospace, monospace; }
      tr.gone td { color: var(--muted); background: #f5f6f8; }
      tr.gone a { color: var(--muted); }
      td.warn { color: var(--warning); font-weight: 600; background: #fff6e5; }
      /* What a revoked tablet still held stays visible on its greyed row. */
      td.lost, tr.gone td.lost { color: var(--violation); font-weight: 600; }
      .chip.st-active { background: var(--clear); }
      .chip.st-retired { background: var(--closed); }
      .chip.st-revoked { background: var(--violation); }
      .chip.online { background: var(--accent); }
      td.actions { white-space: nowrap; }
      td.actions > * { margin-bottom: 4px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'kiosk-table': KioskTable;
  }
}
