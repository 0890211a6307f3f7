import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { occupancyLevel } from '../../../shared/rules/capacity.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, currentLang, t } from '../i18n.js';
import { applyPadKey } from './num-pad.js';
import './num-pad.js';

type Asking = 'exit' | 'headcount' | 'close_out' | undefined;

/**
 * The occupancy gauge, always visible: inside against the cap,
 * amber from 80 %, full at the cap; with "one left", "N left", a head count
 * and closing out the day, each a recorded event.
 */
@customElement('occupancy-panel')
export class OccupancyPanel extends LitElement {
  /** Inside the venue (all doors). */
  @property({ type: Number }) inside = 0;
  /** Of which at the other doors, as the hub last counted at `othersAt`. */
  @property({ type: Number }) others = 0;
  @property() othersAt = '';
  @property({ type: Number }) cap = 0;

  @state() private asking: Asking;
  @state() private number = '';

  private readonly i18n = new I18nController(this);

  override render() {
    const level = occupancyLevel(this.inside, this.cap);
    const pct = this.cap > 0 ? Math.min(100, Math.round((this.inside / this.cap) * 100)) : 100;
    return html`<div class="gauge ${level}" data-testid="occupancy" data-inside=${this.inside} data-cap=${this.cap} data-level=${level}>
        <div class="bar" style=${styleMap({ width: `${pct}%` })}></div>
        <span class="count"><strong>${this.inside}</strong> / ${this.cap} ${t('inside')}</span>
        ${level === 'full' ? html`<span class="full" data-testid="at-cap">${t('atCap')}</span>` : nothing}
      </div>
      ${this.others > 0
        ? html`<p class="others" data-testid="other-doors">
            ${t('otherDoors').replace('{n}', String(this.others)).replace('{t}', this.othersAt ? new Date(this.othersAt).toLocaleTimeString(currentLang(), { hour: '2-digit', minute: '2-digit' }) : '')}
          </p>`
        : nothing}
      <div class="actions">
        <button type="button" class="exit" data-testid="exit-one" ?disabled=${this.inside - this.others === 0} @click=${() => this._fire('exit', 1)}>
          ${t('oneLeft')}
        </button>
        <button type="button" data-testid="exit-n" @click=${() => this._ask('exit')}>${t('nLeft')}</button>
        <button type="button" data-testid="headcount" @click=${() => this._ask('headcount')}>${t('headcount')}</button>
        <button type="button" data-testid="close-out" @click=${() => this._ask('close_out')}>${t('closeDay')}</button>
      </div>
      ${this.asking ? this._renderAsk(this.asking) : nothing}`;
  }

  override updated(): void {
    const d = this.renderRoot.querySelector('dialog');
    if (d && !d.open) d.showModal();
  }

  /**
   * The question in a modal dialog: the door behind it is inert, its pad the
   * only one that takes taps, and a USB keypad types here (the entrance screen
   * leaves keys typed inside a dialog alone).
   */
  private _renderAsk(kind: NonNullable<Asking>) {
    if (kind === 'close_out') {
      return html`<dialog class="ask" tabindex="-1" aria-labelledby="ask-title" data-testid="ask-dialog" @cancel=${this._cancel}>
        <p id="ask-title">${t('closeDayConfirm').replace('{n}', String(this.inside - this.others))}</p>
        <div class="ask-go">
          <button type="button" class="ok" data-testid="ask-ok" @click=${() => this._fire('close_out', this.inside - this.others)}>${t('confirm')}</button>
          <button type="button" data-testid="ask-cancel" @click=${this._cancel}>${t('cancel')}</button>
        </div>
      </dialog>`;
    }
    const valid = this._valid(kind);
    return html`<dialog class="ask" tabindex="-1" aria-labelledby="ask-title" data-testid="ask-dialog" @cancel=${this._cancel} @keydown=${this._key}>
      <p id="ask-title">${kind === 'exit' ? t('howManyLeft') : t('howManyInside')}</p>
      <output data-testid="ask-number" aria-labelledby="ask-title">${this.number || '—'}</output>
      <num-pad .decimal=${false} @pad-key=${(e: CustomEvent<{ key: string }>) => (this.number = applyPadKey(this.number, e.detail.key, 5))}></num-pad>
      <div class="ask-go">
        <button type="button" class="ok" data-testid="ask-ok" ?disabled=${!valid} @click=${() => this._fire(kind, Number(this.number))}>${t('confirm')}</button>
        <button type="button" data-testid="ask-cancel" @click=${this._cancel}>${t('cancel')}</button>
      </div>
    </dialog>`;
  }

  private _valid(kind: 'exit' | 'headcount'): boolean {
    const n = Number(this.number);
    return this.number !== '' && Number.isInteger(n) && (kind === 'headcount' ? n >= 0 : n >= 1);
  }

  /** A USB keypad in the dialog: digits and backspace to the number, Enter confirms. */
  private _key(e: KeyboardEvent) {
    const kind = this.asking;
    if (kind !== 'exit' && kind !== 'headcount') return;
    if (/^[0-9]$/.test(e.key)) this.number = applyPadKey(this.number, e.key, 5);
    else if (e.key === 'Backspace') this.number = applyPadKey(this.number, 'back', 5);
    else if (e.key === 'Enter') {
      if (this._valid(kind)) this._fire(kind, Number(this.number));
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private _cancel(e?: Event) {
    e?.preventDefault();
    this.renderRoot.querySelector('dialog')?.close();
    this.asking = undefined;
  }

  private _ask(kind: NonNullable<Asking>) {
    this.asking = kind;
    this.number = '';
  }

  private _fire(kind: 'exit' | 'headcount' | 'close_out', count: number) {
    this.renderRoot.querySelector('dialog')?.close();
    this.asking = undefined;
    fireEvent(this, 'occupancy-event', { kind, count });
  }

  static override styles = css`
    :host { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
    .gauge { position: relative; flex: 1 1 9rem; height: 2.6rem; border-radius: 0.7rem; background: #e4e7eb; overflow: hidden; display: flex; align-items: center; padding: 0 0.8rem; gap: 0.8rem; }
    .bar { position: absolute; inset: 0 auto 0 0; background: #16a34a; transition: width 0.2s; }
    .amber .bar { background: #f59e0b; }
    .full .bar { background: #dc2626; }
    .count, .full { position: relative; font-size: 1.15rem; color: #111827; white-space: nowrap; }
    .count strong { font-size: 1.5rem; }
    .full { font-weight: 800; color: #fff; }
    .others { flex-basis: 100%; margin: 0; color: #52606d; font-size: 0.95rem; order: 3; }
    .actions { display: flex; flex-wrap: wrap; gap: 0.4rem; }
    .actions button, .ask button { min-height: 2.6rem; padding: 0 0.6rem; font-size: 1rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; color: #1f2933; }
    .actions .exit { border-color: #1d4ed8; color: #1d4ed8; font-weight: 700; }
    .actions button[disabled] { color: #52606d; border-color: #cbd2d9; }
    .ask { border: 2px solid #1d4ed8; border-radius: 0.8rem; padding: 1rem; width: min(22rem, 90vw); box-sizing: border-box; }
    .ask[open] { display: grid; gap: 0.6rem; }
    .ask::backdrop { background: rgb(15 23 42 / 0.6); }
    .ask p { margin: 0; font-weight: 700; font-size: 1.2rem; }
    .ask output { font-size: 2.2rem; text-align: center; border: 2px solid #9aa5b1; border-radius: 0.6rem; }
    .ask-go { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5rem; }
    .ask .ok { background: #1d4ed8; color: #fff; border-color: #1d4ed8; font-weight: 700; }
    .ask .ok[disabled] { background: #93a5c9; border-color: #93a5c9; color: #1f2933; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'occupancy-panel': OccupancyPanel;
  }
}
