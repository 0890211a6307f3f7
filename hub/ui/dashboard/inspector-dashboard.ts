import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { OVERSIGHT_ROLES, type AccountView } from '../../../shared/schemas/account.js';
import { ApiFailure, UNAUTHORIZED_EVENT, getJson, postJson } from './api.js';
import { resetLive } from './live.js';
import { I18nController, currentLang, label, setLang, t, type TextKey } from './i18n.js';
import { renderError } from './resource.js';
import { ADMIN_ROUTES, parseRoute, routeHref, flagsHref, type Route } from './router.js';
import { base } from './styles.js';
import './login-screen.js';
import './street-screen.js';
import './venue-screen.js';
import './inspection-screen.js';
import './flags-screen.js';
import './ranking-screen.js';
import './joint-screen.js';
import './report-screen.js';
import './oversight-screen.js';
import './oversight-report.js';
import './audit-screen.js';
import './registry-screen.js';
import './registry-streets.js';
import './kiosks-screen.js';
import './policy-screen.js';
import './policy-level-screen.js';
import './tracing-screen.js';
import './account-screen.js';
import './password-screen.js';

/** The admin screens a district or city admin uses too. */
const ABOVE_ROUTES: readonly Route['name'][] = ['registry', 'tracing', 'audit'];
const isAbove = (a: AccountView) => (OVERSIGHT_ROLES as readonly string[]).includes(a.role);

/**
 * The inspectors' dashboard: who is logged in, the navigation, and
 * the screen the hash names. Any 401 from any call brings back the login.
 */
@customElement('inspector-dashboard')
export class InspectorDashboard extends LitElement {
  /** undefined while asking /api/auth/me; null when nobody is logged in. */
  @state() private account: AccountView | null | undefined;
  @state() private meError: ApiFailure | undefined;
  @state() private route: Route = parseRoute(location.hash);

  private readonly i18n = new I18nController(this);
  private readonly onHash = () => (this.route = parseRoute(location.hash));
  private readonly onUnauthorized = () => (this.account = null);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    void this._me();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
  }

  override render() {
    const langButton = html`<button class="small" data-testid="lang" @click=${() => setLang(currentLang() === 'en' ? 'zh-CN' : 'en')}>${t('language')}</button>`;
    if (this.account === undefined) {
      return html`<div class="center">${this.meError ? renderError(this.meError, () => void this._me()) : html`<p class="muted">${t('loading')}</p>`}</div>`;
    }
    if (this.account === null) {
      return html`<div class="login-top">${langButton}</div>
        <login-screen @logged-in=${this._loggedIn}></login-screen>`;
    }
    const a = this.account;
    const who = html`<span class="who" data-testid="account" data-role=${a.role}>
      ${a.name} · ${label('role', a.role)}${a.communityName ?? a.communityId ? html` · ${a.communityName ?? a.communityId}` : nothing}${a.role === 'district_admin' && (a.districtName ?? a.districtId) ? html` · ${a.districtName ?? a.districtId}` : nothing}
    </span>`;
    if (a.mustChangePassword) {
      // A one-time password (npm run admin): the hub answers nothing else until it is changed.
      return html`<header><strong class="title">${t('appTitle')}</strong><span class="spacer"></span>${who} ${langButton}
          <button class="small" data-testid="logout" @click=${this._logout}>${t('logout')}</button></header>
        <main><password-screen forced @password-changed=${this._accountChanged}></password-screen></main>`;
    }
    const admin = a.role === 'street_admin';
    const above = isAbove(a);
    const link = (name: Route['name'], href: string, key: TextKey) =>
      html`<a href=${href} data-testid="nav-${name}" aria-current=${this.route.name === name ? 'page' : 'false'}>${t(key)}</a>`;
    // A district or city admin's home is its streets (oversight-screen.ts), with the rolled-up report beside it.
    const overseer = (OVERSIGHT_ROLES as readonly string[]).includes(a.role);
    return html`<header class=${overseer ? 'above' : ''}>
        <strong class="title">${t('appTitle')}</strong>
        <nav>
          ${link('street', routeHref('street'), overseer ? 'navOversight' : 'navStreet')}
          ${overseer ? link('streets-report', routeHref('streets-report'), 'navOversightReport') : nothing} ${link('flags', flagsHref(), 'navFlags')}
          ${link('ranking', routeHref('ranking'), 'navRanking')} ${link('joint', routeHref('joint'), 'navJoint')}
          ${overseer ? nothing : link('reports', routeHref('reports'), 'navReports')}
          ${admin
            ? html`${link('registry', routeHref('registry'), 'navRegistry')} ${link('kiosks', routeHref('kiosks'), 'navKiosks')}
              ${link('policy', routeHref('policy'), 'navPolicy')} ${link('tracing', routeHref('tracing'), 'navTracing')}
              ${link('audit', routeHref('audit'), 'navAudit')}`
            : above
              ? html`${link('registry', routeHref('registry'), 'navOrg')} ${link('policy', routeHref('policy'), 'navPolicy')}
                ${link('tracing', routeHref('tracing'), 'navTracing')} ${link('audit', routeHref('audit'), 'navAudit')}`
              : nothing}
          ${link('account', routeHref('account'), 'navAccount')}
        </nav>
        ${who} ${langButton}
        <button class="small" data-testid="logout" @click=${this._logout}>${t('logout')}</button>
      </header>
      <main>${this._screen(a)}</main>`;
  }

  private _screen(a: AccountView) {
    const r = this.route;
    // A city or district admin switches its own level (policy-level-screen.ts).
    if (r.name === 'policy' && isAbove(a)) return html`<policy-level-screen></policy-level-screen>`;
    // Above a street: the streets' registry, tracing across them (docs/district-guide.md) and the
    // audit log of the streets covered (docs/security.md "Access by role").
    const aboveMay = isAbove(a) && ABOVE_ROUTES.includes(r.name);
    if (ADMIN_ROUTES.includes(r.name) && a.role !== 'street_admin' && !aboveMay) return html`<p class="error">${t('adminOnly')}</p>`;
    switch (r.name) {
      case 'venue':
        return html`<venue-screen .venueId=${r.id} .date=${r.date} .flagId=${r.flag} .admin=${a.role === 'street_admin'}></venue-screen>`;
      case 'inspect':
        return html`<inspection-screen .venueId=${r.id}></inspection-screen>`;
      case 'flags':
        return html`<flags-screen .flagId=${r.flag} .all=${r.all}></flags-screen>`;
      case 'ranking':
        return html`<ranking-screen .date=${r.date}></ranking-screen>`;
      case 'joint':
        return html`<joint-screen></joint-screen>`;
      case 'reports':
        return html`<report-screen .week=${r.week}></report-screen>`;
      case 'streets-report':
        return (OVERSIGHT_ROLES as readonly string[]).includes(a.role) ? html`<oversight-report .week=${r.week}></oversight-report>` : html`<p class="error">${t('adminOnly')}</p>`;
      case 'audit':
        return html`<audit-screen></audit-screen>`;
      case 'registry':
        return aboveMay ? html`<registry-streets></registry-streets>` : html`<registry-screen .venueId=${r.venue}></registry-screen>`;
      case 'kiosks':
        return html`<kiosks-screen .venueId=${r.venue}></kiosks-screen>`;
      case 'policy':
        return html`<policy-screen></policy-screen>`;
      case 'tracing':
        return html`<tracing-screen></tracing-screen>`;
      case 'account':
        return html`<account-screen .account=${a} @password-changed=${this._accountChanged} @totp-enrolled=${this._accountChanged}></account-screen>`;
      default:
        return (OVERSIGHT_ROLES as readonly string[]).includes(a.role) ? html`<oversight-screen></oversight-screen>` : html`<street-screen></street-screen>`;
    }
  }

  private async _me() {
    this.meError = undefined;
    try {
      this.account = await getJson<AccountView>('/api/auth/me', undefined, { quiet401: true });
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) this.account = null;
      else this.meError = e instanceof ApiFailure ? e : new ApiFailure(0, 'internal', String(e));
    }
  }

  private _loggedIn(e: CustomEvent<AccountView>) {
    // The live socket authenticated with the old cookie (or none): open it again with the new one.
    resetLive();
    this.account = e.detail;
  }

  /** The password changed or the second factor set up: the hub's new view of this session. */
  private _accountChanged(e: CustomEvent<AccountView>) {
    const wasForced = this.account?.mustChangePassword === true;
    this.account = e.detail;
    // The live feed was refused while the password was a one-time one: open it now.
    if (wasForced) resetLive();
  }

  private async _logout() {
    try {
      await postJson('/api/auth/logout', {}, { quiet401: true });
    } catch {
      // Logged out or not, the session is no use here any more; the server expires it.
    }
    resetLive();
    this.account = null;
  }

  static override styles = [
    base,
    css`
      :host { min-height: 100vh; background: #eef1f5; }
      header {
        display: flex; align-items: center; gap: 12px; flex-wrap: wrap;
        padding: 6px 16px; background: #16324f; color: #fff;
        position: sticky; top: 0; z-index: 10;
      }
      header .title { font-size: 16px; margin-right: 8px; }
      nav { display: flex; gap: 2px; flex: 1; flex-wrap: wrap; }
      .spacer { flex: 1; }
      nav a { color: #cfe0f5; padding: 6px 10px; border-radius: 4px; }
      nav a[aria-current='page'] { background: #2b5580; color: #fff; }
      nav a:hover { text-decoration: none; background: #234a72; }
      .who { font-size: 13px; color: #cfe0f5; }
      header button { background: #24476b; color: #fff; border-color: #3d6690; }
      header button:hover:not(:disabled) { background: #2f5a86; }
      @media (max-width: 1000px) {
        nav { order: 2; flex-basis: 100%; }
        .who { margin-left: auto; }
      }
      /* Above a street the nav is longer (the streets, their registry, policy, tracing, audit): on a
         tablet it takes a row of its own under the title, so the header stays two rows in any language. */
      @media (max-width: 1400px) {
        header.above nav { order: 2; flex-basis: 100%; }
        header.above .who { margin-left: auto; }
      }
      main { padding: 12px 16px; max-width: 1600px; margin: 0 auto; }
      .center { padding: 40px; text-align: center; }
      .login-top { display: flex; justify-content: flex-end; padding: 8px 16px; }
      @media print {
        :host { background: #fff; }
        header, .login-top { display: none; }
        main { padding: 0; max-width: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'inspector-dashboard': InspectorDashboard;
  }
}
