import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getEnrolment, recentRecords, type Enrolment, type StoredRecord } from './db.js';
import { I18nController, currentLang, setLang, t, tMaybe } from './i18n.js';
import { SyncClient, type SyncStatus } from './sync/sync-client.js';
import './components/sync-status.js';
import './screens/enrol-screen.js';
import './screens/entrance-screen.js';

/** The kiosk shell: enrol once, then the entrance screen with sync running underneath. */
@customElement('kiosk-app')
export class KioskApp extends LitElement {
  @state() private enrolment: Enrolment | undefined;
  @state() private loaded = false;
  @state() private status: SyncStatus | undefined;
  @state() private recent: StoredRecord[] = [];

  private readonly i18n = new I18nController(this);
  private sync: SyncClient | undefined;

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    this._start(await getEnrolment());
    this.loaded = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.sync?.stop();
  }

  override render() {
    if (!this.loaded) return nothing;
    const e = this.enrolment;
    const code = new URLSearchParams(location.search).get('enrol') ?? '';
    return html`<header>
        <div class="where">
          <strong>${e ? e.venue.name : t('appTitle')}</strong>
          ${e ? html`<span>${e.entranceName} · ${e.venue.communityName}</span>` : nothing}
        </div>
        <sync-status .status=${this.status}></sync-status>
        <button class="lang" data-testid="lang" @click=${() => setLang(currentLang() === 'en' ? 'zh-CN' : 'en')}>${t('language')}</button>
      </header>
      <main>
        ${e
          ? html`<entrance-screen .enrolment=${e} @record-saved=${this._saved}></entrance-screen>
              ${this._renderRecent()}`
          : html`<enrol-screen .initialCode=${code} @enrolled=${(ev: CustomEvent<Enrolment>) => this._enrolled(ev.detail)}></enrol-screen>`}
      </main>`;
  }

  private _renderRecent() {
    if (this.recent.length === 0) return nothing;
    return html`<section class="recent">
      <h2>${t('recent')}</h2>
      <ol data-testid="recent">
        ${this.recent.map(
          (r) => html`<li class=${r.sync}>
            #${r.seq} ${r.record.kioskTime.slice(11, 19)} · ${t(r.record.decision)} · ${t(r.sync)}
            ${r.error ? html`<em>${r.error.field ?? ''} ${tMaybe(r.error.message)}</em>` : nothing}
          </li>`,
        )}
      </ol>
    </section>`;
  }

  private _enrolled(e: Enrolment) {
    // Forget the one-time code in the address bar so a reload does not try to spend it again.
    history.replaceState(null, '', location.pathname);
    this._start(e);
  }

  private _start(e: Enrolment | undefined) {
    this.enrolment = e;
    if (!e || this.sync) return;
    this.sync = new SyncClient(e.token);
    this.sync.addEventListener('status', (ev) => {
      this.status = (ev as CustomEvent<SyncStatus>).detail;
      void this._refreshRecent();
    });
    this.sync.start();
  }

  private _saved() {
    this.sync?.notify();
  }

  private async _refreshRecent() {
    this.recent = await recentRecords(8);
  }

  static override styles = css`
    :host { display: block; min-height: 100vh; font-family: system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; color: #1f2933; background: #f5f7fa; }
    header { position: sticky; top: 0; z-index: 1; display: flex; align-items: center; gap: 1rem; padding: 0.6rem 1rem; background: #fff; border-bottom: 1px solid #d9e2ec; flex-wrap: wrap; }
    .where { display: flex; flex-direction: column; flex: 1; min-width: 12rem; }
    .where strong { font-size: 1.3rem; }
    .lang { min-height: 2.8rem; padding: 0 1rem; font-size: 1rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; }
    main { padding: 1rem; max-width: 60rem; margin: 0 auto; }
    .recent h2 { font-size: 1.1rem; margin: 1.5rem 0 0.4rem; }
    .recent ol { list-style: none; padding: 0; margin: 0; font-size: 0.95rem; }
    .recent li { padding: 0.25rem 0; border-bottom: 1px solid #e4e7eb; }
    .recent li.rejected { color: #b91c1c; }
    .recent li.pending { color: #b45309; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'kiosk-app': KioskApp;
  }
}
