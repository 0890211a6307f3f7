import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { capacityCap } from '../../shared/rules/capacity.js';
import { occupancyFrom, venueInside } from '../../shared/rules/occupancy.js';
import type { VenueSlots } from '../../shared/schemas/booking.js';
import type { VenueProfile, VenueSecret } from '../../shared/schemas/enrolment.js';
import type { PassLeft } from '../../shared/schemas/pass.js';
import type { VenueOccupancy } from '../../shared/schemas/sync.js';
import type { Policy } from '../../shared/schemas/policy.js';
import type { DoorSuspension, VenueSuspensions } from '../../shared/schemas/suspension.js';
import {
  getEnrolment,
  getLeftSince,
  getRevocation,
  getShift,
  prunePassUses,
  getVenueOccupancy,
  getVenueSlots,
  getSuspensions,
  recordsSince,
  saveLeftSince,
  savePolicy,
  saveRevocation,
  saveShift,
  saveVenueOccupancy,
  saveVenueProfile,
  saveVenueSecret,
  saveVenueSlots,
  unlockRecording,
  whenRecordingAllowed,
  wipeIfRetired,
  type DoorSlots,
  type Enrolment,
  type Revocation,
  type Shift,
  type StoredRecord,
} from './db.js';
import { saveDoorRecord, saveFailedText } from './door-records.js';
import type { KioskEvents } from './fire-event.js';
import { I18nController, currentLang, setLang, t, tf } from './i18n.js';
import { exitBody, exitUpdate, graceMinutes, passKey } from './pass-check.js';
import { doorSlot, venueClock, type DoorSlot } from './slot-seats.js';
import { SyncClient, type RetireOutcome, type SyncStatus } from './sync/sync-client.js';
import { startOfDay } from './venue-time.js';
import { APP_VERSION } from './version.js';
import './components/occupancy-panel.js';
import './components/revoked-notice.js';
import './components/sync-status.js';
import './components/venue-code.js';
import './screens/device-screen.js';
import './screens/enrol-screen.js';
import './screens/entrance-screen.js';
import './screens/ledger-screen.js';
import './screens/shift-screen.js';
import './screens/today-screen.js';

type View = 'door' | 'today' | 'ledgers' | 'device';
/** A one-line notice over the screen until staff dismiss it. */
type Notice = 'retiredDone' | 'venueUpdated';
/** Occupancy counts from the last close-out, looking back at most this far (venues open past midnight). */
const OCCUPANCY_LOOKBACK_MS = 36 * 60 * 60 * 1000;
/** Sync-state changes re-read the records at most this often: a read must not hold up the next save. */
const REREAD_MS = 1000;

/** The kiosk shell: enrol once, start a shift, then the door with sync running underneath. */
@customElement('kiosk-app')
export class KioskApp extends LitElement {
  @state() private enrolment: Enrolment | undefined;
  @state() private shift: Shift | undefined;
  @state() private loaded = false;
  @state() private status: SyncStatus | undefined;
  @state() private view: View = 'door';
  @state() private today: StoredRecord[] = [];
  /** People inside counted at this door, from its own records. */
  @state() private inside = 0;
  /** The venue's count per entrance as the hub last sent it (other doors). */
  @state() private venue: VenueOccupancy | undefined;
  /** The hub no longer accepts this tablet: the door is shut. */
  @state() private revoked: Revocation | undefined;
  @state() private notice: Notice | undefined;
  /** A retirement is under way: no record can be made until it ends. */
  @state() private retiring = false;
  /** Why an occupancy change made here was not saved, until staff dismiss it. */
  @state() private failure = '';
  /** The venue's booking slots as the hub last pushed them, kept for an offline reload. */
  @state() private slots: DoorSlots | undefined;
  /** The current slot as this door counts it; undefined where the venue takes no bookings. */
  @state() private doorSlot: DoorSlot | undefined;
  /** The venue's suspension orders (停业整顿) as the hub last sent them, kept for an offline reload. */
  @state() private suspensions: DoorSuspension[] = [];
  /** Redraws the door when an order starts or ends by the clock alone. */
  private suspensionTimer: ReturnType<typeof setTimeout> | undefined;
  private slotTimer: ReturnType<typeof setTimeout> | undefined;
  /** Slot counts are made one at a time; the latest asked for wins. */
  private slotCounting: Promise<void> = Promise.resolve();
  /** Records since the occupancy lookback, oldest first, kept in memory between re-reads. */
  private recent: StoredRecord[] = [];
  private rereadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sync states changed since the records were last read (today's list shows them). */
  private syncStatesChanged = false;
  /** Hub time of the last "I have left" handled; the hub resends from it on reconnect. */
  private leftSince: number | undefined;
  /** "I have left" messages are handled one at a time, in order. */
  private leftQueue: Promise<void> = Promise.resolve();

  private readonly i18n = new I18nController(this);
  private sync: SyncClient | undefined;
  private readonly lookupPass = (key: { code: string; minute: number }) => this.sync?.lookupPass(key) ?? Promise.resolve(undefined);
  /**
   * Retiring goes through the sync client: it must drain the outbox and ask the
   * hub first. Recording is locked meanwhile, and the screen says so.
   */
  private readonly retire = async (): Promise<RetireOutcome> => {
    if (!this.sync) return { outcome: 'offline', pending: this.status?.pending ?? 0 };
    this.retiring = true;
    try {
      return await this.sync.retire();
    } finally {
      this.retiring = false;
    }
  };

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    this.shift = await getShift();
    this.venue = await getVenueOccupancy();
    this.leftSince = await getLeftSince();
    this.revoked = await getRevocation();
    this.slots = await getVenueSlots();
    const kept = await getSuspensions();
    // Passes are valid minutes; "I have left" can come hours later, so keep them for the occupancy lookback.
    void prunePassUses(Date.now() - OCCUPANCY_LOOKBACK_MS);
    this._start(await getEnrolment());
    if (kept) this._suspensions(kept);
    await this._refresh();
    this.loaded = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.sync?.stop();
    clearTimeout(this.rereadTimer);
    clearTimeout(this.slotTimer);
    clearTimeout(this.suspensionTimer);
  }

  override render() {
    if (!this.loaded) return nothing;
    const e = this.enrolment;
    if (e && this.revoked) {
      return html`<revoked-notice
        .reason=${this.revoked.reason}
        .kioskId=${e.kioskId}
        .where=${`${e.venue.name} · ${e.entranceName}`}
        .pending=${this.status?.pending ?? 0}
      ></revoked-notice>`;
    }
    const code = new URLSearchParams(location.search).get('enrol') ?? '';
    return html`<header>
        <div class="where">
          <strong>${e ? e.venue.name : t('appTitle')}</strong>
          ${e ? html`<span>${e.entranceName} · ${e.venue.communityName}</span>` : nothing}
        </div>
        ${e ? this._renderPolicy(e.policy) : nothing}
        ${this.shift ? html`<span class="duty" data-testid="operator">${t('onDuty')}: ${this.shift.name}</span>
              <button class="small" data-testid="end-shift" @click=${this._endShift}>${t('endShift')}</button>` : nothing}
        <sync-status .status=${this.status}></sync-status>
        <button class="small" data-testid="lang" @click=${() => setLang(currentLang() === 'en' ? 'zh-CN' : 'en')}>${t('language')}</button>
      </header>
      ${this._renderOffline()}
      ${this.retiring ? html`<p class="notice" role="status" data-testid="retiring">${t('retiringNotice')}</p>` : nothing}
      ${this.failure
        ? html`<p class="notice failure" role="alert" data-testid="save-failure">
            ${this.failure} <button class="small" @click=${() => (this.failure = '')}>${t('confirm')}</button>
          </p>`
        : nothing}
      ${this.notice
        ? html`<p class="notice" role="status" data-testid="notice" data-notice=${this.notice}>
            ${t(this.notice)} <button class="small" @click=${() => (this.notice = undefined)}>${t('confirm')}</button>
          </p>`
        : nothing}
      <main>${this._renderMain(e, code)}</main>`;
  }

  /** Offline, said plainly under the header: since when, and how many records wait on this tablet. */
  private _renderOffline() {
    const s = this.status;
    if (!s || s.offlineSince === undefined || s.connection === 'online' || s.connection === 'unauthorized') return nothing;
    const offset = this.enrolment?.venue.utcOffsetMinutes ?? -new Date().getTimezoneOffset();
    const since = venueClock(s.offlineSince, offset);
    // Down since an earlier day: the date too.
    const day = (ms: number) => Math.floor((ms + offset * 60_000) / 86_400_000);
    const when = day(s.offlineSince) === day(Date.now()) ? since : `${new Date(s.offlineSince + offset * 60_000).toISOString().slice(5, 10)} ${since}`;
    return html`<p class="offline-banner" role="status" data-testid="offline-banner" data-since=${s.offlineSince} data-pending=${s.pending}>
      ${tf('offlineBanner', { t: when, n: s.pending })}
    </p>`;
  }

  private _renderPolicy(p: Policy) {
    return html`<span class="policy ${p.mode}" data-testid="policy" data-version=${p.version} data-mode=${p.mode}>
      ${p.mode === 'emergency' ? t('policyEmergency') : t('policyNormal')} · v${p.version}
    </span>`;
  }

  private _renderMain(e: Enrolment | undefined, code: string) {
    if (!e) {
      return html`<enrol-screen .initialCode=${code} @enrolled=${(ev: CustomEvent<Enrolment>) => this._enrolled(ev.detail)}></enrol-screen>`;
    }
    if (!this.shift) {
      return html`<shift-screen .staff=${e.venue.staff} @shift-started=${(ev: CustomEvent<Shift>) => (this.shift = ev.detail)}></shift-screen>`;
    }
    const cap = capacityCap(e.policy, e.venue);
    // The cap holds for the venue: this door's own count plus the other doors as last heard.
    const inside = venueInside(this.inside, e.kioskId, this.venue);
    const others = inside - this.inside;
    const tab = (v: View, label: string) =>
      html`<button role="tab" data-testid="tab-${v}" aria-selected=${this.view === v} @click=${() => this._show(v)}>${label}</button>`;
    // The tab bar is the same on every tab, at the same place (the venue code's button with it).
    // On the door tab the gauge sits beside the pad (entrance-screen); elsewhere it heads the page, under the tabs.
    return html`<div class="tabs">
        <nav role="tablist">${tab('door', t('tabDoor'))}${tab('today', t('tabToday'))}${tab('ledgers', t('tabLedgers'))}${tab('device', t('tabDevice'))}</nav>
        <venue-code .enrolment=${e} ?online=${this.status?.connection === 'online'}></venue-code>
      </div>
      ${this.view === 'door'
        ? nothing
        : html`<occupancy-panel .inside=${inside} .others=${others} .othersAt=${this.venue?.at ?? ''} .cap=${cap} @occupancy-event=${this._occupancy}></occupancy-panel>`}
      ${this.view === 'door'
        ? html`<entrance-screen
            .enrolment=${e}
            .shift=${this.shift}
            .inside=${inside}
            .others=${others}
            .othersAt=${this.venue?.at ?? ''}
            .cap=${cap}
            .lookup=${this.lookupPass}
            .doorSlot=${this.doorSlot}
            .venueSlots=${this.slots}
            .suspensions=${this.suspensions}
            ?online=${this.status?.connection === 'online'}
            @record-saved=${this._saved}
            @occupancy-event=${this._occupancy}
          ></entrance-screen>`
        : this.view === 'today'
          ? html`<today-screen .records=${this.today} .utcOffsetMinutes=${e.venue.utcOffsetMinutes}></today-screen>`
          : this.view === 'ledgers'
            ? html`<ledger-screen .enrolment=${e} .shift=${this.shift} @record-saved=${this._saved}></ledger-screen>`
            : html`<device-screen .enrolment=${e} .status=${this.status} .appVersion=${APP_VERSION} .retire=${this.retire} @retired=${this._retired}></device-screen>`}`;
  }

  private _show(v: View) {
    this.view = v;
    if (v === 'today' && this.syncStatesChanged) void this._refresh();
  }

  private _rereadSoon() {
    this.rereadTimer ??= setTimeout(() => {
      this.rereadTimer = undefined;
      void this._refresh();
    }, REREAD_MS);
  }

  private _enrolled(e: Enrolment) {
    // Forget the one-time code in the address bar so a reload does not try to spend it again.
    history.replaceState(null, '', location.pathname);
    this.notice = undefined;
    this._start(e);
  }

  /**
   * The hub confirmed it holds every record this tablet made and let it go:
   * forget everything, back to the enrol screen. Recording has been
   * locked since before the count; the wipe checks again that nothing was made
   * or left unsent since, and the lock is lifted only once the tablet is blank.
   */
  private async _retired(ev: CustomEvent<KioskEvents['retired']>) {
    this.sync?.stop();
    this.sync = undefined;
    clearTimeout(this.rereadTimer);
    this.rereadTimer = undefined;
    if (!(await wipeIfRetired(ev.detail.lastSeq))) {
      // The hub no longer takes this tablet, yet it holds records the hub lacks: keep them, shut the door.
      this.revoked = { at: Date.now() };
      await saveRevocation(this.revoked);
      await this._refresh();
      unlockRecording();
      return;
    }
    this.leftQueue = Promise.resolve();
    this.recent = [];
    this.leftSince = undefined;
    this.enrolment = undefined;
    this.shift = undefined;
    this.venue = undefined;
    this.slots = undefined;
    this.doorSlot = undefined;
    clearTimeout(this.slotTimer);
    this.status = undefined;
    this.revoked = undefined;
    this.today = [];
    this.inside = 0;
    this.view = 'door';
    this.notice = 'retiredDone';
    unlockRecording();
  }

  private _start(e: Enrolment | undefined) {
    this.enrolment = e;
    if (!e || this.sync) return;
    this.sync = new SyncClient(e.token, {
      onPolicy: (p) => this._policy(p),
      onOccupancy: (o) => {
        this.venue = o;
        void saveVenueOccupancy(o);
      },
      onPassLeft: (l) => (this.leftQueue = this.leftQueue.then(() => this._passLeft(l)).catch(() => undefined)),
      leftSince: () => this.leftSince,
      policyVersion: e.policy.version,
      onVenue: (v) => this._venueProfile(v),
      onSecret: (s) => this._venueSecret(s),
      onSlots: (slots, heldThrough) => this._slots(slots, heldThrough),
      onSuspensions: (list) => this._suspensions(list),
      appVersion: APP_VERSION,
    });
    this.sync.addEventListener('status', (ev) => {
      this.status = (ev as CustomEvent<SyncStatus>).detail;
      void this._revocation(this.status);
      // Sync states changed in IndexedDB: only today's list shows them. Re-read soon (not on every
      // batch) while it is open, else when it is opened: a re-read of the day at the door would hold
      // up the next patron's save on a slow tablet (docs/benchmarks.md).
      this.syncStatesChanged = true;
      if (this.view === 'today') this._rereadSoon();
    });
    this.sync.start();
  }

  /** A policy pushed by the hub: stored, applied at once, then acknowledged by the sync client. */
  private async _policy(p: Policy) {
    const next = await savePolicy(p);
    if (next) this.enrolment = next;
    // The slot's cap and the grace follow the policy.
    this._countSlot();
  }

  /**
   * The venue's suspension orders (kept in IndexedDB by the sync client, or
   * read back from it at start): the door refuses everyone while one holds,
   * and redraws when one starts or ends. Orders for another venue are not this door's.
   */
  private _suspensions(list: VenueSuspensions) {
    if (list.venueId !== this.enrolment?.venue.id) return;
    this.suspensions = list.suspensions;
    clearTimeout(this.suspensionTimer);
    const now = Date.now();
    const turns = list.suspensions.flatMap((s) => [s.startsAt, s.endsAt]).filter((at) => at > now);
    // setTimeout holds at most ~24.8 days; a later turn is met by the next redraw or push.
    if (turns.length) this.suspensionTimer = setTimeout(() => this._suspensions(list), Math.min(Math.min(...turns) - now + 50, 2 ** 31 - 1));
    this.requestUpdate();
  }

  /**
   * The hub's count of the venue's slots, with how far it held this
   * kiosk's records then: stored first (an offline reload keeps it), then the
   * door counts its slot again. A push for another venue is not this door's.
   */
  private async _slots(slots: VenueSlots, heldThrough: number) {
    if (slots.venueId !== this.enrolment?.venue.id) return;
    const stored: DoorSlots = { ...slots, heldThrough };
    this.slots = stored;
    await saveVenueSlots(stored);
    this._countSlot();
  }

  /**
   * Counts the current slot again, and again when its figures change by the
   * clock alone: held seats released at start + grace, the next slot at the end.
   */
  private _countSlot() {
    clearTimeout(this.slotTimer);
    this.slotTimer = undefined;
    this.slotCounting = this.slotCounting.then(async () => {
      const e = this.enrolment;
      const now = Date.now();
      const ds = e ? await doorSlot(e, this.slots, now) : undefined;
      this.doorSlot = ds;
      if (!ds || !e) return;
      const turns = [ds.slot.start + graceMinutes(e) * 60_000, ds.slot.end].filter((at) => at > now);
      clearTimeout(this.slotTimer);
      // A moment past the turn, so the count lands on the far side of it.
      this.slotTimer = setTimeout(() => this._countSlot(), Math.min(...turns) - now + 50);
    }).catch(() => {
      // Storage failed: the panel keeps its last figures; the next record or push counts again.
    });
  }

  /**
   * The hub's word on whether it still accepts this tablet, kept so an offline
   * reload still shows it; the hub accepting it again lifts it.
   */
  private async _revocation(s: SyncStatus) {
    if (s.revoked) {
      const reason = s.revoked.reason ?? this.revoked?.reason;
      if (this.revoked && this.revoked.reason === reason) return;
      this.revoked = reason === undefined ? { at: Date.now() } : { at: Date.now(), reason };
      await saveRevocation(this.revoked);
    } else if (s.connection === 'online' && this.revoked) {
      this.revoked = undefined;
      await saveRevocation(undefined);
    }
  }

  /**
   * The venue as the street office now registers it: the door reads
   * capacity, hours, entrances, officers and staff from the enrolment, so
   * storing it is applying it. Someone taken off the staff list leaves the door.
   */
  private async _venueProfile(v: VenueProfile) {
    const before = this.enrolment?.venue;
    const next = await saveVenueProfile(v);
    if (!next) return;
    this.enrolment = next;
    // The booking settings came with it.
    this._countSlot();
    if (before && JSON.stringify(before) !== JSON.stringify(next.venue)) this.notice = 'venueUpdated';
    if (this.shift && !next.venue.staff.some((s) => s.id === this.shift?.staffId)) await this._endShift();
  }

  /** The venue's pass-code secret, rotated when one of its tablets was revoked. */
  private async _venueSecret(s: VenueSecret) {
    const next = await saveVenueSecret(s);
    if (next) this.enrolment = next;
  }

  /**
   * A patron tapped "I have left": the people admitted here on that
   * pass leave the count, once, as an exit record that names the pass. The
   * operator is whoever is on duty; with nobody on duty, the patron themselves.
   * While the tablet retires it waits: recorded if the retirement fails, moot
   * once the tablet is wiped (its cursor goes too).
   */
  private async _passLeft(l: PassLeft) {
    await whenRecordingAllowed();
    const e = this.enrolment;
    if (!e) return;
    const key = passKey(l.code, l.minute);
    const shift = this.shift ?? { staffId: 'patron', name: '', startedAt: 0 };
    const now = Date.now();
    const stored = await saveDoorRecord(e, shift, exitBody(l.code, l.minute), now, exitUpdate(key, now));
    if (stored) this._saved(stored);
    if (l.at > (this.leftSince ?? 0)) {
      this.leftSince = l.at;
      await saveLeftSince(l.at);
    }
  }

  private async _endShift() {
    await saveShift(undefined);
    this.shift = undefined;
  }

  private async _occupancy(ev: CustomEvent<KioskEvents['occupancy-event']>) {
    ev.stopPropagation();
    const { kind, count } = ev.detail;
    if (!this.enrolment || !this.shift) return;
    // Events correct this door's own count. Staff count everyone inside the venue, so a head
    // count is recorded net of the other doors; closing the day closes out this door's count.
    if (kind === 'exit' && this.inside === 0) return;
    const others = venueInside(this.inside, this.enrolment.kioskId, this.venue) - this.inside;
    const own = kind === 'exit' ? Math.min(count, this.inside) : kind === 'headcount' ? Math.max(0, count - others) : this.inside;
    try {
      this._saved(await saveDoorRecord(this.enrolment, this.shift, { type: 'occupancy', kind, count: own }));
    } catch (err) {
      // Nothing saved (the tablet is retiring, or storage failed): say so rather than lose it quietly.
      this.failure = saveFailedText(err);
    }
  }

  /** A record was committed: count it from memory at once, and let sync send it. */
  private _saved(e: CustomEvent<StoredRecord> | StoredRecord) {
    const stored = e instanceof CustomEvent ? e.detail : e;
    this.recent = [...this.recent, stored];
    this._derive();
    this.sync?.notify();
  }

  private async _refresh() {
    this.syncStatesChanged = false;
    this.recent = await recordsSince(Date.now() - OCCUPANCY_LOOKBACK_MS);
    this._derive();
  }

  /** This door's count (the rule restarts it at a close-out) and today's list, from the records in memory. */
  private _derive() {
    // The records in memory are kept to the lookback here, not only when the day is re-read (which
    // happens only with 今日记录 open): a door left on its check screen for days would otherwise
    // keep counting long-gone admissions towards the cap.
    const from = Date.now() - OCCUPANCY_LOOKBACK_MS;
    if (this.recent.length > 0 && this.recent[0]!.savedAt < from) this.recent = this.recent.filter((r) => r.savedAt >= from);
    this.inside = occupancyFrom(this.recent.map((r) => r.record), Date.now());
    const e = this.enrolment;
    const dayStart = e ? startOfDay(Date.now(), e.venue.utcOffsetMinutes) : Infinity;
    this.today = this.recent.filter((r) => r.savedAt >= dayStart);
    this._countSlot();
  }

  static override styles = css`
    :host { display: block; min-height: 100vh; font-family: system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; color: #1f2933; background: #f5f7fa; }
    header { display: flex; align-items: center; gap: 0.5rem; padding: 0.25rem 0.8rem; background: #fff; border-bottom: 1px solid #d9e2ec; flex-wrap: wrap; }
    .where { display: flex; align-items: baseline; gap: 0.6rem; flex: 1; min-width: 7rem; overflow: hidden; white-space: nowrap; }
    .where strong { font-size: 1.25rem; }
    .where span { color: #52606d; overflow: hidden; text-overflow: ellipsis; }
    .policy { padding: 0.15rem 0.6rem; border-radius: 999px; font-weight: 700; background: #e0f2fe; color: #075985; white-space: nowrap; }
    .policy.emergency { background: #7f1d1d; color: #fff; }
    .duty { font-weight: 600; white-space: nowrap; }
    .small { min-height: 2.4rem; padding: 0 0.8rem; font-size: 1rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; color: #1f2933; }
    main { padding: 0.35rem 0.8rem; max-width: 80rem; margin: 0 auto; display: grid; gap: 0.35rem; }
    .tabs { display: flex; align-items: center; gap: 0.5rem; border-bottom: 2px solid #d9e2ec; }
    nav { display: flex; gap: 0.2rem; flex: 1; }
    /* Every tab bold, the chosen one coloured and underlined: the labels keep their width, the bar never shifts. */
    nav button { min-height: 2.4rem; padding: 0 1rem; font-size: 1.05rem; font-weight: 700; color: #3e4c59; border: 0; background: transparent; border-bottom: 3px solid transparent; margin-bottom: -2px; }
    nav button[aria-selected='true'] { border-bottom-color: #1d4ed8; color: #1d4ed8; }
    .offline-banner { margin: 0; padding: 0.35rem 1rem; background: #92400e; color: #fff; font-weight: 700; font-size: 1.05rem; }
    .notice.failure { background: #fef3c7; color: #78350f; }
    .notice { margin: 0.5rem auto 0; max-width: 78rem; padding: 0.5rem 1rem; display: flex; gap: 1rem; align-items: center; justify-content: space-between; background: #e0f2fe; color: #075985; border-radius: 0.6rem; font-weight: 600; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'kiosk-app': KioskApp;
  }
}
