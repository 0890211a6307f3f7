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

  private _renderAsk(kind: NonNullable<Asking>) {
    if (kind === 'close_out') {
      return html`<div class="ask" role="dialog">
        <p>${t('closeDayConfirm').replace('{n}', String(this.inside - this.others))}</p>
        <button type="button" class="ok" data-testid="ask-ok" @click=${() => this._fire('close_out', this.inside - this.others)}>${t('confirm')}</button>
        <button type="button" @click=${() => (this.asking = undefined)}>${t('cancel')}</button>
      </div>`;
    }
    const n = Number(this.number);
    const valid = this.number !== '' && Number.isInteger(n) && (kind === 'headcount' ? n >= 0 : n >= 1);
    return html`<div class="ask" role="dialog">
      <p>${kind === 'exit' ? t('howManyLeft') : t('howManyInside')}</p>
      <output data-testid="ask-number">${this.number || '—'}</output>
      <num-pad .decimal=${false} @pad-key=${(e: CustomEvent<{ key: string }>) => (this.number = applyPadKey(this.number, e.detail.key, 5))}></num-pad>
      <button type="button" class="ok" data-testid="ask-ok" ?disabled=${!valid} @click=${() => this._fire(kind, n)}>${t('confirm')}</button>
      <button type="button" @click=${() => (this.asking = undefined)}>${t('cancel')}</button>
    </div>`;
  }

  private _ask(kind: NonNullable<Asking>) {
    this.asking = kind;
    this.number = '';
  }

  private _fire(kind: 'exit' | 'headcount' | 'close_out', count: number) {
    this.asking = undefined;
    fireEvent(this, 'occupancy-event', { kind, count });
  }

  static override styles = css`
    :host { display: block; }
    .gauge { position: relative; height: 3rem; border-radius: 0.8rem; background: #e4e7eb; overflow: hidden; display: flex; align-items: center; padding: 0 1rem; gap: 1rem; }
    .bar { position: absolute; inset: 0 auto 0 0; background: #16a34a; transition: width 0.2s; }
    .amber .bar { background: #f59e0b; }
    .full .bar { background: #dc2626; }
    .count, .full { position: relative; font-size: 1.3rem; color: #111827; }
    .count strong { font-size: 1.7rem; }
    .full { font-weight: 800; color: #fff; }
    .others { margin: 0.3rem 0 0; color: #52606d; font-size: 0.95rem; }
    .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.5rem; }
    .actions button, .ask button { min-height: 2.8rem; padding: 0 1rem; font-size: 1.05rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; }
    .actions .exit { border-color: #1d4ed8; color: #1d4ed8; font-weight: 700; }
    .ask { margin-top: 0.6rem; padding: 0.8rem; border: 2px solid #1d4ed8; border-radius: 0.8rem; background: #fff; display: grid; gap: 0.5rem; max-width: 22rem; }
    .ask p { margin: 0; font-weight: 600; }
    .ask output { font-size: 2rem; }
    .ask .ok { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
    .ask .ok[disabled] { opacity: 0.5; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'occupancy-panel': OccupancyPanel;
  }
}
