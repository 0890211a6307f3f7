import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Enrolment } from '../db.js';
import { I18nController, currentLang, t } from '../i18n.js';
import type { RetireOutcome, SyncStatus } from '../sync/sync-client.js';
import '../components/retire-panel.js';
import '../components/speech-setting.js';

/**
 * The tablet itself, for staff on duty: which kiosk it is, the app
 * build, what it still has to send, and retiring it from service.
 */
@customElement('device-screen')
export class DeviceScreen extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;
  @property({ attribute: false }) status: SyncStatus | undefined;
  @property() appVersion = '';
  @property({ attribute: false }) retire: (() => Promise<RetireOutcome>) | undefined;

  private readonly i18n = new I18nController(this);

  override render() {
    const e = this.enrolment;
    const s = this.status;
    const when = (ms: number) => new Date(ms).toLocaleString(currentLang(), { dateStyle: 'medium', timeStyle: 'short' });
    const row = (label: string, value: unknown, id: string) => html`<div><dt>${label}</dt><dd data-testid=${id}>${value}</dd></div>`;
    return html`<h1>${t('deviceTitle')}</h1>
      <dl data-testid="device-info">
        ${row(t('deviceKioskId'), html`<code>${e.kioskId}</code>`, 'device-kiosk-id')}
        ${row(t('deviceVenue'), `${e.venue.name} · ${e.venue.communityName}`, 'device-venue')}
        ${row(t('deviceEntrance'), e.entranceName, 'device-entrance')}
        ${row(t('deviceAppVersion'), html`<code>${this.appVersion}</code>`, 'device-app-version')}
        ${row(t('deviceEnrolledAt'), when(e.enrolledAt), 'device-enrolled-at')}
        ${row(t('devicePolicy'), `${e.policy.mode === 'emergency' ? t('policyEmergency') : t('policyNormal')} · v${e.policy.version}`, 'device-policy')}
        ${row(t('deviceConnection'), s ? t(s.connection) : '—', 'device-connection')}
        ${row(t('deviceLastSync'), s?.lastSyncAt ? when(s.lastSyncAt) : t('deviceNever'), 'device-last-sync')}
        ${row(
          t('deviceRecords'),
          html`<span data-testid="device-pending" data-count=${s?.pending ?? 0}>${s?.pending ?? 0} ${t('pending')}</span> ·
            <span data-testid="device-synced" data-count=${s?.synced ?? 0}>${s?.synced ?? 0} ${t('synced')}</span> ·
            <span data-testid="device-rejected" data-count=${s?.rejected ?? 0} class=${s?.rejected ? 'rejected' : ''}>${s?.rejected ?? 0} ${t('rejected')}</span>`,
          'device-records',
        )}
      </dl>
      <speech-setting data-testid="speech-setting"></speech-setting>
      <retire-panel .pending=${s?.pending ?? 0} .rejected=${s?.rejected ?? 0} .retire=${this.retire}></retire-panel>`;
  }

  static override styles = css`
    :host { display: grid; gap: 1rem; max-width: 48rem; }
    h1 { margin: 0.4rem 0 0; font-size: 1.4rem; }
    dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 0.6rem 1.2rem; margin: 0; padding: 1rem; background: #fff; border: 1px solid #d9e2ec; border-radius: 0.8rem; }
    dt { font-size: 0.9rem; color: #52606d; }
    dd { margin: 0.1rem 0 0; font-size: 1.1rem; font-weight: 600; overflow-wrap: anywhere; }
    code { font-size: 1rem; }
    .rejected { color: #b91c1c; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'device-screen': DeviceScreen;
  }
}
