import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { decideEntry, type EntryDecision } from '../../../shared/rules/decide-entry.js';
import { isOpenUnder } from '../../../shared/rules/opening-hours.js';
import { suspensionAt } from '../../../shared/rules/suspension.js';
import type { DoorSuspension } from '../../../shared/schemas/suspension.js';
import type { CheckName } from '../../../shared/schemas/checks.js';
import { testWindowHours } from '../../../shared/schemas/policy.js';
import type { ApiError } from '../../../shared/schemas/errors.js';
import { slotCapLowered, slotReasons } from '../../../shared/rules/slot-door.js';
import { getPassUse, isBookingCancelled, type DoorSlots, type Enrolment, type Shift } from '../db.js';
import { saveDoorRecord, saveFailedText } from '../door-records.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t, tf, tMaybe } from '../i18n.js';
import { admissionUpdate, advance, graceMinutes, passUse, undoUpdate, type ActivePass, type PassLookup } from '../pass-check.js';
import { checkSeparately, heldCompanions, partyQuestion, type PartyQuestion } from '../party.js';
import { doorSlot, venueClock, type DoorSlot } from '../slot-seats.js';
import { playDecision } from '../sound.js';
import { DoorVoice } from '../speech.js';
import '../components/check-row.js';
import '../components/pass-panel.js';
import '../components/num-pad.js';
import '../components/occupancy-panel.js';
import '../components/slot-panel.js';
import { applyPadKey } from '../components/num-pad.js';
import { askedChecks, draftFromPass, emptyDraft, temperatureErrorKey, validateDraft, type Draft } from './draft.js';

/** How long the last record can be undone (recorded as a correction, never deleted). */
const UNDO_MS = 30_000;
/**
 * What "routine" fills in: the checks of a green local patron that staff saw, with the vaccination
 * they saw under the three-code check (004 §3.11), so an emergency door still takes one tap.
 */
const ROUTINE: Partial<Record<CheckName, string>> = { scan: 'scanned', mask: 'worn', healthCode: 'green', itinerary: 'local', vaccination: 'complete' };

type Shown = EntryDecision & {
  seq: number;
  id: string;
  at: number;
  undone: boolean;
  pass?: { key: string; person: number };
  /** For a fever refusal: the reading measured and the policy's threshold, said with the reason. */
  fever?: { celsius: number; thresholdC: number };
  /** Staff have started on the next patron: the verdict is dimmed, marked as the previous one. */
  stale?: boolean;
};

/** The door's decision with the slot's reasons added: any reason refuses (and a refusal carries no warning). */
function withSlot(d: EntryDecision, extra: EntryDecision['reasons']): EntryDecision {
  const reasons = [...d.reasons, ...extra.filter((r) => !d.reasons.includes(r))];
  return reasons.length ? { decision: 'refuse', reasons } : d;
}

/**
 * One patron at the door: every check, then the decision, saved to
 * IndexedDB (committed) before it says "saved". A routine green patron takes
 * the temperature digits and one tap.
 */
@customElement('entrance-screen')
export class EntranceScreen extends LitElement {
  @property({ attribute: false }) enrolment!: Enrolment;
  @property({ attribute: false }) shift!: Shift;
  /** Inside the venue (all doors). */
  @property({ type: Number }) inside = 0;
  /** Of which at the other doors, as the hub last counted. */
  @property({ type: Number }) others = 0;
  @property() othersAt = '';
  @property({ type: Number }) cap = 0;
  /** Looks a typed pass code up at the hub, when online. */
  @property({ attribute: false }) lookup: PassLookup | undefined;
  /** The current booking slot as shown; undefined where the venue takes no bookings. */
  @property({ attribute: false }) doorSlot: DoorSlot | undefined;
  /** The hub's last slot figures, counted afresh at each decision. */
  @property({ attribute: false }) venueSlots: DoorSlots | undefined;
  @property({ type: Boolean }) online = false;
  /** The venue's suspension orders (停业整顿) as the hub last sent them: while one holds, everyone is refused. */
  @property({ attribute: false }) suspensions: DoorSuspension[] = [];

  @state() private draft: Draft = emptyDraft();
  @state() private errors: Partial<Record<CheckName, ApiError>> = {};
  @state() private shown: Shown | undefined;
  /** The last booking checked met a slot at a cap lowered since it was booked (slot-door.ts slotCapLowered). */
  @state() private capLowered = false;
  @state() private saving = false;
  @state() private saveError = '';
  /** The patron's pass being checked, person by person. */
  @state() private pass: ActivePass | undefined;
  /** One of the party was refused for fever: staff say what happens to the companions before anything else. */
  @state() private partyAsk: PartyQuestion | undefined;
  /** How many companions were just held with the person who had a fever. */
  @state() private held = 0;

  private readonly i18n = new I18nController(this);
  /** Spoken prompts, when this door has them on (speech.ts). */
  private readonly voice = new DoorVoice(this);
  private undoTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onKey = (e: KeyboardEvent) => this._key(e);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    clearTimeout(this.undoTimer);
  }

  override render() {
    const { policy, venue } = this.enrolment;
    const asked = askedChecks(this.draft, policy, venue.type);
    const itinerary = this.draft.values.itinerary === 'starred' ? 'starred' : 'other_province';
    const windowHours = testWindowHours(policy, venue.type, itinerary);
    const opts = (...values: string[]) => values.map((value) => ({ value, label: tMaybe(value) }));
    const row = (name: CheckName, label: string, options: { value: string; label: string }[]) => html`<check-row
      name=${name}
      label=${label}
      .options=${options}
      .value=${this.draft.values[name]}
      .skipReason=${this.draft.skipReasons[name] ?? ''}
      .error=${this._rowError(name)}
      ?invalid=${this.errors[name] !== undefined}
    ></check-row>`;
    const suspended = suspensionAt(this.suspensions, Date.now());
    const closed = policy.closedVenueTypes.includes(venue.type);
    const open = isOpenUnder(policy, venue, Date.now());
    const full = !suspended && this.inside >= this.cap;
    // The checks still to fix, in the order they stand on screen (the temperature, in the pad column, last).
    const missing = [...asked.filter((n) => n !== 'temperature'), 'temperature' as const].filter((n) => this._isMissing(n));
    return html`
      ${suspended
        ? html`<p class="blocked" role="alert" data-testid="blocked" data-blocked="suspended">
            ${t('reason_venue_suspended')} · ${tf('suspendedDates', { from: suspended.from, to: suspended.to })}
            <span class="order-reason" data-testid="suspension-reason">${suspended.reason}</span>
            <small>${t('suspendedRefuseAll')}</small>
          </p>`
        : nothing}
      ${!suspended && closed ? html`<p class="blocked" role="alert" data-testid="blocked">${t('reason_venue_closed_by_policy')}</p>` : nothing}
      ${!suspended && !closed && !open ? html`<p class="blocked" role="alert" data-testid="blocked">${t('reason_outside_opening_hours')}</p>` : nothing}
      ${this._renderSlotNotice()} ${this._renderParty()}
      <div class="layout">
        <form class="col checks" @submit=${this._submit} @choice=${this._choice} novalidate>
          <pass-panel
            .enrolment=${this.enrolment}
            .active=${this.pass}
            .lookup=${this.lookup}
            @pass-accepted=${(e: CustomEvent<ActivePass>) => this._nextPatron(() => (this._usePass(e.detail), this.voice.fullCheck(this._toSee())))}
            @pass-cleared=${() => this._usePass(undefined)}
          ></pass-panel>
          ${asked.includes('scan')
            ? row('scan', t('scan'), [
                { value: 'scanned', label: t('scanned') },
                { value: 'no_phone:paper_itinerary', label: t('noPhonePaper') },
                { value: 'no_phone:id_card', label: t('noPhoneId') },
              ])
            : nothing}
          ${asked.includes('mask') ? row('mask', t('mask'), opts('worn', 'provided', 'refused')) : nothing}
          ${asked.includes('healthCode') ? row('healthCode', t('healthCode'), opts('green', 'yellow', 'red')) : nothing}
          ${asked.includes('itinerary')
            ? row('itinerary', t('itinerary'), opts('local', 'other_province', 'starred', 'medium_risk', 'high_risk'))
            : nothing}
          ${asked.includes('testProof')
            ? row('testProof', t('testProof'), [
                { value: 'negative', label: t('negativeWithin').replace('{h}', String(windowHours)) },
                { value: 'none', label: t('none') },
              ])
            : nothing}
          ${asked.includes('commitment') ? row('commitment', t('commitment'), opts('signed', 'not_signed')) : nothing}
          ${asked.includes('vaccination') ? row('vaccination', t('vaccination'), opts('complete', 'incomplete', 'none')) : nothing}
        </form>
        <div class="col pad-column">
          <occupancy-panel class="top" .inside=${this.inside} .others=${this.others} .othersAt=${this.othersAt} .cap=${this.cap}></occupancy-panel>
          ${this.doorSlot
            ? html`<slot-panel
                class="top"
                .current=${this.doorSlot}
                .utcOffsetMinutes=${venue.utcOffsetMinutes}
                .graceMinutes=${graceMinutes(this.enrolment)}
                ?online=${this.online}
              ></slot-panel>`
            : nothing}
          ${full ? html`<p class="wait top" role="alert" data-testid="wait">${t('waitAtCap')}</p>` : nothing}
          <check-row
            name="temperature"
            label=${t('temperature')}
            .options=${[]}
            .value=${this.draft.values.temperature}
            .skipReason=${this.draft.skipReasons.temperature ?? ''}
            .error=${this._rowError('temperature')}
            ?invalid=${this.errors.temperature !== undefined}
            @choice=${this._choice}
          >
            <input
              class="temperature"
              data-testid="temperature"
              inputmode="none"
              autocomplete="off"
              aria-label=${t('temperature')}
              placeholder=${t('temperaturePlaceholder')}
              .value=${this.draft.temperatureText}
              @input=${(e: Event) => this._typeTemperature((e.target as HTMLInputElement).value)}
            />
          </check-row>
          <num-pad wide data-testid="entrance-pad" @pad-key=${(e: CustomEvent<{ key: string }>) => this._typeTemperature(applyPadKey(this.draft.temperatureText, e.detail.key))}></num-pad>
          ${this.shown ? this._renderDecision(this.shown) : html`<p class="decision idle" data-testid="decision-idle">${t('decisionIdle')}</p>`}
          ${missing.length
            ? html`<p class="error missing" role="alert" data-testid="missing-summary">
                ${tf('missingSummary', { n: missing.length, list: missing.map((n) => t(n)).join(t('listSeparator')) })}
              </p>`
            : nothing}
          ${this.saveError ? html`<p class="error" role="alert">${this.saveError}</p>` : nothing}
          <div class="go">
            <button type="button" class="routine" data-testid="routine" ?disabled=${this.saving || full || suspended !== undefined || this.partyAsk !== undefined} @click=${this._routine}>
              ${t('routine')}<small>${asked.includes('vaccination') ? t('routineHintVaccinated') : t('routineHint')}</small>
            </button>
            <button type="button" class="record" data-testid="record" ?disabled=${this.saving || this.partyAsk !== undefined} @click=${this._submit}>
              ${this.saving ? t('saving') : t('record')}
            </button>
          </div>
        </div>
      </div>
    `;
  }

  /** What staff must know before they check a patron without a booking. */
  private _renderSlotNotice() {
    const ds = this.doorSlot;
    if (!ds || this.pass?.src === 'booking') return nothing;
    if (ds.mode === 'required') return html`<p class="slot-notice" role="status" data-testid="slot-notice" data-notice="required">${t('slotRequired')}</p>`;
    // Optional venue, no hub figure for this slot: admitted on the door's own count, but staff are told booked seats are unknown.
    if (ds.asOf === undefined && ds.seatsLeft > 0) {
      return html`<p class="slot-notice" role="alert" data-testid="slot-notice" data-notice="no-figures">${t('slotNoFigures')}</p>`;
    }
    if (ds.seatsLeft === 0) {
      const next = venueClock(ds.slot.end, this.enrolment.venue.utcOffsetMinutes);
      return html`<p class="slot-notice" role="status" data-testid="slot-notice" data-notice="full">${tf('slotFull', { t: next })}</p>`;
    }
    return nothing;
  }

  /** The question about a fever case's companions, or what was recorded after it. */
  private _renderParty() {
    const q = this.partyAsk;
    if (!q) {
      return this.held ? html`<p class="party done" role="status" data-testid="party-held">${tf('partyHeldDone', { n: this.held })}</p>` : nothing;
    }
    return html`<section class="party" role="alertdialog" aria-labelledby="party-title" data-testid="party-question" data-fever=${q.feverPerson} data-waiting=${q.waiting.length}>
      <strong id="party-title">${tf('partyQuestion', { i: q.feverPerson + 1, n: q.pass.people, w: q.waiting.length })}</strong>
      ${q.inside.length ? html`<p data-testid="party-inside">${tf('partyInside', { n: q.inside.length })}</p>` : nothing}
      <div class="party-choices">
        <button type="button" data-testid="party-separately" ?disabled=${this.saving} @click=${this._separately}>${t('partySeparately')}<small>${t('partySeparatelyHint')}</small></button>
        <button type="button" class="hold" data-testid="party-hold" ?disabled=${this.saving} @click=${this._holdParty}>${t('partyHold')}<small>${t('partyHoldHint')}</small></button>
      </div>
    </section>`;
  }

  private _renderDecision(s: Shown) {
    const canUndo = !s.undone && Date.now() - s.at < UNDO_MS;
    const reason = (r: string) =>
      r === 'fever' && s.fever ? tf('reasonFeverReading', { c: s.fever.celsius.toFixed(1), t: s.fever.thresholdC.toFixed(1) }) : tMaybe(`reason_${r}`);
    return html`<section class="decision ${s.undone ? 'undone' : s.decision} ${s.stale ? 'stale' : ''}" data-testid="decision" data-stale=${s.stale ? 'true' : 'false'} role="status">
      <strong>${s.stale ? html`<span class="prev">${t('previousPatron')}</span>` : nothing}${s.undone ? t('undone') : t(s.decision)}</strong>
      ${canUndo ? html`<button type="button" class="undo" data-testid="undo" @click=${this._undo}>${t('undo')}</button>` : nothing}
      ${s.reasons.length && s.stale ? html`<span class="brief">${s.reasons.map((r) => reason(r)).join(' · ')}</span>` : nothing}
      ${s.reasons.length && !s.stale ? html`<ul data-testid="reasons">${s.reasons.map((r) => html`<li data-reason=${r}>${reason(r)}</li>`)}</ul>` : nothing}
      ${s.warnings?.length && !s.undone && !s.stale ? html`<ul data-testid="warnings">${s.warnings.map((w) => html`<li>${tMaybe(`warn_${w}`)}</li>`)}</ul>` : nothing}
      ${this.capLowered && s.reasons.includes('slot_full') ? html`<p data-testid="cap-lowered">${t('slotCapLowered')}</p>` : nothing}
      <small data-testid="saved">✓ ${t('savedOnDevice')} · #${s.seq}</small>
    </section>`;
  }

  private _firstInvalidRow(): Element | undefined {
    return [...this.renderRoot.querySelectorAll('check-row')].find((r) => r.error !== '');
  }

  /** Staff started on the next patron: the last verdict stays (it can still be undone) but dimmed, marked as the previous one. */
  private _nextPatron(then: () => void) {
    if (this.shown && !this.shown.stale) this.shown = { ...this.shown, stale: true };
    this.held = 0;
    then();
  }

  /** Takes a pass (pre-filling its current person) or drops it; either way the form starts over. */
  private _usePass(p: ActivePass | undefined) {
    this.pass = p;
    this.draft = p ? draftFromPass(p.persons?.[p.next]) : emptyDraft();
    this.errors = {};
  }

  /** What the row itself says: a plain "not filled in" is left to the summary beside the buttons, so the rows keep their height. */
  private _rowError(name: CheckName): string {
    return this._isMissing(name) ? '' : this._errorText(name);
  }

  private _isMissing(name: CheckName): boolean {
    if (!this.errors[name]) return false;
    return name === 'temperature' ? this.draft.temperatureText === '' && this.draft.values.temperature === undefined : this.draft.values[name] === undefined;
  }

  private _errorText(name: CheckName): string {
    const e = this.errors[name];
    if (!e) return '';
    if (this.draft.values[name] === 'skipped') return t('skipReasonMissing');
    if (name === 'temperature') return t(temperatureErrorKey(this.draft.temperatureText));
    if (this.draft.values[name] === undefined) return t('missing');
    return t('fieldInvalid');
  }

  private _patch(p: Partial<Draft>) {
    this.draft = { ...this.draft, ...p };
    if (Object.keys(this.errors).length) {
      const v = validateDraft(this.draft, this.enrolment.policy, this.enrolment.venue.type);
      this.errors = v.ok ? {} : v.errors;
    }
  }

  private _typeTemperature(text: string) {
    if (this.shown && !this.shown.stale) this.shown = { ...this.shown, stale: true };
    this.voice.patronStarts();
    // Typing a reading undoes a skip.
    this._patch({ temperatureText: text, values: { ...this.draft.values, temperature: undefined } });
  }

  private _choice(e: CustomEvent<{ name: string; value: string; skipReason: string }>) {
    e.stopPropagation();
    if (this.shown && !this.shown.stale) this.shown = { ...this.shown, stale: true };
    const name = e.detail.name as CheckName;
    this._patch({
      values: { ...this.draft.values, [name]: e.detail.value },
      skipReasons: { ...this.draft.skipReasons, [name]: e.detail.skipReason },
      ...(name === 'temperature' && e.detail.value === 'skipped' ? { temperatureText: '' } : {}),
    });
    if (name === 'temperature') this.voice.patronStarts();
    else this.voice.fullCheck(this._toSee());
  }

  /** The checks asked of this patron that staff have not yet seen (what a spoken prompt asks for). */
  private _toSee(): CheckName[] {
    const { policy, venue } = this.enrolment;
    return askedChecks(this.draft, policy, venue.type).filter((c) => this.draft.values[c] === undefined);
  }

  /** Fills the routine answers into the asked checks staff have not set, and records. */
  private _routine() {
    // Under a suspension nobody was checked: the routine answers would be invented, so none is filled.
    if (suspensionAt(this.suspensions, Date.now())) return void this._submit();
    const { policy, venue } = this.enrolment;
    const asked = askedChecks(this.draft, policy, venue.type);
    const values = { ...this.draft.values };
    for (const [k, v] of Object.entries(ROUTINE)) if (asked.includes(k as CheckName)) values[k as CheckName] ??= v;
    this.draft = { ...this.draft, values };
    void this._submit();
  }

  private _key(e: KeyboardEvent) {
    // A dialog is open (a head count, the venue code): its keys are its own, one pad and one focus at
    // a time, even when a tap inside it left the focus on the page behind.
    if (e.defaultPrevented || e.composedPath().some((el) => el instanceof HTMLDialogElement) || openDialogIn(document)) return;
    const target = e.composedPath()[0];
    // Typing a skip reason is typing, not a shortcut.
    if (target instanceof HTMLInputElement && target.dataset.testid !== 'temperature') return;
    if (target instanceof HTMLInputElement && /^[0-9.]$|^Backspace$/.test(e.key)) return; // the field handles it
    if (/^[0-9.]$/.test(e.key)) this._typeTemperature(applyPadKey(this.draft.temperatureText, e.key));
    else if (e.key === 'Backspace') this._typeTemperature(applyPadKey(this.draft.temperatureText, 'back'));
    else if (e.key === 'Enter') this._routine();
    else if (e.key === '+') void this._submit();
    else if (e.key === '-') fireEvent(this, 'occupancy-event', { kind: 'exit', count: 1 });
    else if (e.key === 'Escape') this._usePass(undefined);
    else return;
    e.preventDefault();
  }

  private async _submit(e?: Event) {
    e?.preventDefault();
    if (this.saving) return;
    const { policy, venue } = this.enrolment;
    const now = Date.now();
    const v = validateDraft(this.draft, policy, venue.type);
    // Under a suspension order nobody enters, so nobody need be checked first: the refusal is
    // recorded at once, with whatever checks staff had already entered (none is invented).
    const suspended = suspensionAt(this.suspensions, now) !== undefined;
    if (!v.ok && !suspended) {
      // A tap for the next patron: the last verdict is the previous one now.
      if (this.shown && !this.shown.stale) this.shown = { ...this.shown, stale: true };
      this.errors = v.errors;
      await this.updateComplete;
      // The first row to fix is brought into view (on a short screen it may be the only thing off it).
      this._firstInvalidRow()?.scrollIntoView({ block: 'nearest' });
      return;
    }
    const checks = v.ok ? v.checks : {};
    const pass = this.pass;
    this.saving = true;
    this.saveError = '';
    try {
      const decision = withSlot(decideEntry(policy, venue, checks, now, this.suspensions), suspended ? [] : await this._slotReasons(pass, now));
      // At the cap only admissions wait (the "wait" banner is up); a refusal is still recorded.
      if (decision.decision === 'admit' && this.inside >= this.cap) return;
      const body = {
        type: 'entrance' as const,
        policyVersion: policy.version,
        checks,
        decision: decision.decision,
        reasons: decision.reasons,
        ...(pass ? { pass: passUse(pass) } : {}),
        ...(pass?.party ? { party: pass.party } : {}),
      };
      const stored = pass
        ? await saveDoorRecord(this.enrolment, this.shift, body, now, admissionUpdate(pass, decision.decision === 'admit', now))
        : await saveDoorRecord(this.enrolment, this.shift, body, now);
      if (!stored) {
        // This person of the pass was admitted meanwhile (a second tap): nothing saved.
        this.saveError = t('pass_used');
        return;
      }
      this.shown = {
        ...decision,
        seq: stored.seq,
        id: stored.id,
        at: now,
        undone: false,
        ...(pass && decision.decision === 'admit' ? { pass: { key: pass.key, person: pass.next } } : {}),
        ...(decision.reasons.includes('fever') && checks.temperature?.outcome === 'measured'
          ? { fever: { celsius: checks.temperature.celsius, thresholdC: policy.feverThresholdC } }
          : {}),
      };
      this.errors = {};
      this.held = 0;
      const admitted = pass ? ((await getPassUse(pass.key))?.admitted ?? []) : [];
      // One of a party refused for fever: staff decide about the companions first (party.ts).
      const ask = partyQuestion(pass, decision, admitted);
      if (ask) {
        this.partyAsk = ask;
        this._usePass(undefined);
      } else {
        // The next person on the same pass, if any, pre-filled; otherwise a blank form.
        this._usePass(pass && advance(pass, admitted));
      }
      playDecision(decision.decision);
      this.voice.decision(decision, checks);
      clearTimeout(this.undoTimer);
      this.undoTimer = setTimeout(() => this.requestUpdate(), UNDO_MS);
      fireEvent(this, 'record-saved', stored);
    } catch (err) {
      // Nothing was saved: say so, keep the form as it is so staff can retry.
      this.saveError = saveFailedText(err);
    } finally {
      this.saving = false;
    }
  }

  /**
   * The slot's word on this person, counted afresh from IndexedDB and
   * the hub's last figures, so two patrons in a row never share the last seat.
   */
  private async _slotReasons(pass: ActivePass | undefined, now: number) {
    const e = this.enrolment;
    const booking = pass?.src === 'booking' ? pass.slot : undefined;
    // The hub's cancel arrived while staff were checking this person: refused, and the record says why.
    if (booking && pass?.id && (await isBookingCancelled(pass.id))) return ['booking_cancelled' as const];
    const ds = await doorSlot(e, this.venueSlots, now);
    if (!ds && !booking) return [];
    // A booking is held to the cap in force in its own slot (it may be the next one: a party come early).
    const bs = booking ? await doorSlot(e, this.venueSlots, now, booking) : undefined;
    const inSlot = bs ? { admitted: bs.count.arrivedBooked + bs.count.walkIns, cap: bs.cap } : undefined;
    this.capLowered = booking !== undefined && slotCapLowered(inSlot);
    return slotReasons({ mode: ds?.mode ?? 'off', booking, seatsLeft: ds?.seatsLeft ?? Number.POSITIVE_INFINITY, now, graceMinutes: graceMinutes(e), ...(inSlot ? { inSlot } : {}) });
  }

  /** The companions are checked one by one, each record keeping that choice. */
  private _separately() {
    const q = this.partyAsk;
    if (!q) return;
    this.partyAsk = undefined;
    this._usePass(checkSeparately(q));
  }

  /** The whole party is held: a refusal for each companion waiting, none of them checked. */
  private async _holdParty() {
    const q = this.partyAsk;
    if (!q || this.saving) return;
    this.saving = true;
    this.saveError = '';
    let saved = 0;
    try {
      for (const h of heldCompanions(q)) {
        const now = Date.now();
        const body = { type: 'entrance' as const, policyVersion: this.enrolment.policy.version, ...h.body, pass: passUse(h.pass) };
        const stored = await saveDoorRecord(this.enrolment, this.shift, body, now, admissionUpdate(h.pass, false, now));
        if (stored) {
          saved++;
          fireEvent(this, 'record-saved', stored);
        }
      }
      this.partyAsk = undefined;
      this.held = saved;
      if (saved > 0) this.voice.decision({ decision: 'refuse', reasons: ['party_held'] });
    } catch (err) {
      // Those saved stay saved; the question stays up so staff can try again for the rest.
      this.saveError = saveFailedText(err);
      if (saved > 0) this.partyAsk = { ...q, waiting: q.waiting.slice(saved) };
    } finally {
      this.saving = false;
    }
  }

  private async _undo() {
    const s = this.shown;
    if (!s || s.undone || this.saving) return;
    this.saving = true;
    try {
      const body = { type: 'correction' as const, correctsId: s.id, reason: 'undo at the door' };
      // An admission on a pass that is undone frees that person of the pass again.
      const now = Date.now();
      const stored = s.pass
        ? await saveDoorRecord(this.enrolment, this.shift, body, now, undoUpdate(s.pass.key, s.pass.person, now))
        : await saveDoorRecord(this.enrolment, this.shift, body, now);
      if (!stored) return;
      this.shown = { ...s, undone: true };
      fireEvent(this, 'record-saved', stored);
    } catch (err) {
      this.saveError = saveFailedText(err);
    } finally {
      this.saving = false;
    }
  }

  static override styles = css`
    :host { display: block; }
    /* Landscape (1024×600 up): the checks left, the pad column right, all on one screen.
       Portrait (768×1024, 600×960): one column, the gauge on top and the two buttons last,
       still on one screen; nothing here may need a scroll (docs/door-guide.md). */
    .layout { display: grid; gap: 0.35rem; }
    .col { display: grid; gap: 0.35rem; align-content: start; }
    @media (min-width: 900px) { .layout { grid-template-columns: 1.5fr 1fr; align-items: start; gap: 0.8rem; } }
    @media (max-width: 899px) { .col { display: contents; } .top { order: -1; } }
    form { gap: 0.1rem; }
    input.temperature { font-size: 1.7rem; padding: 0 0.7rem; width: 7.5rem; min-height: 2.6rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; }
    .go { display: grid; grid-template-columns: 1.3fr 1fr; gap: 0.6rem; }
    .go button { min-height: 3.4rem; font-size: 1.3rem; font-weight: 700; border: 0; border-radius: 0.8rem; color: #fff; }
    .routine { background: #15803d; display: flex; flex-direction: column; align-items: center; justify-content: center; line-height: 1.2; }
    .routine small { font-size: 0.8rem; font-weight: 400; }
    .record { background: #1d4ed8; }
    .go button[disabled] { opacity: 0.45; }
    /* The verdict has a place of its own, so nothing moves when it appears. */
    .decision { margin: 0; min-height: 3.6rem; box-sizing: border-box; border-radius: 0.8rem; padding: 0.35rem 0.9rem; color: #fff; display: grid; grid-template-columns: 1fr auto; align-items: center; column-gap: 0.6rem; }
    .decision strong { font-size: 2rem; line-height: 1.1; }
    .decision .prev { font-size: 1rem; font-weight: 600; margin-right: 0.5rem; }
    .decision ul { grid-column: 1 / -1; margin: 0.1rem 0; padding-left: 1.2rem; font-size: 1.15rem; }
    .decision p { grid-column: 1 / -1; margin: 0; }
    .decision small { grid-column: 1 / -1; font-size: 0.95rem; }
    .decision .undo { grid-row: 1; grid-column: 2; min-height: 2.4rem; padding: 0 1rem; font-size: 1rem; border: 2px solid #fff; border-radius: 0.5rem; background: transparent; color: #fff; }
    .decision.idle { background: #fff; color: #52606d; border: 2px dashed #cbd2d9; font-size: 1.2rem; display: flex; align-items: center; justify-content: center; }
    .decision.stale { background: #e4e7eb; color: #1f2933; }
    .decision.stale strong { font-size: 1.3rem; }
    .decision.stale .undo { border-color: #1f2933; color: #1f2933; }
    .decision.stale small, .decision .brief { grid-column: 1 / -1; font-size: 0.95rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .decision.stale small { display: none; }
    .admit { background: #15803d; }
    .refuse { background: #b91c1c; }
    .undone { background: #52606d; }
    .missing { margin: 0; font-size: 1rem; }
    /* Notices across the door stay short: under them the two buttons are still on a 600 px high screen. */
    .blocked, .wait { margin: 0 0 0.35rem; padding: 0.4rem 0.9rem; border-radius: 0.8rem; font-size: 1.2rem; font-weight: 700; }
    .blocked { background: #7f1d1d; color: #fff; }
    .blocked .order-reason { font-weight: 400; margin-left: 0.6rem; }
    .blocked small { display: block; font-size: 0.95rem; font-weight: 400; }
    .wait { background: #f59e0b; color: #111827; margin: 0; font-size: 1.1rem; }
    .slot-notice { margin: 0 0 0.35rem; padding: 0.4rem 0.9rem; border-radius: 0.8rem; font-size: 1.15rem; font-weight: 700; background: #fef3c7; color: #78350f; }
    .error { color: #b91c1c; font-weight: 600; }
    .party { margin: 0 0 0.6rem; padding: 0.8rem 1rem; border-radius: 0.8rem; background: #fef3c7; border: 3px solid #b45309; color: #78350f; }
    .party strong { display: block; font-size: 1.3rem; }
    .party p { margin: 0.3rem 0 0; font-size: 1.1rem; }
    .party.done { border-width: 1px; font-weight: 700; }
    .party-choices { display: grid; grid-template-columns: 1fr 1fr; gap: 0.6rem; margin-top: 0.6rem; }
    .party-choices button { min-height: 3.6rem; font-size: 1.2rem; font-weight: 700; border: 0; border-radius: 0.8rem; color: #fff; background: #1d4ed8; display: flex; flex-direction: column; align-items: center; justify-content: center; }
    .party-choices button.hold { background: #b91c1c; }
    .party-choices small { font-size: 0.85rem; font-weight: 400; opacity: 0.95; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'entrance-screen': EntranceScreen;
  }
}

/** Whether a dialog is open anywhere on the page, shadow roots included (the door's dialogs live in its components). */
function openDialogIn(root: Document | ShadowRoot): boolean {
  if (root.querySelector('dialog[open]')) return true;
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot && openDialogIn(el.shadowRoot)) return true;
  return false;
}
