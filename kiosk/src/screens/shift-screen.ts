import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { verifyPin } from '../../../shared/rules/pin.js';
import type { StaffMember } from '../../../shared/schemas/venue.js';
import { saveShift } from '../db.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t } from '../i18n.js';
import '../components/num-pad.js';
import { applyPadKey } from '../components/num-pad.js';

/** Start of a shift: staff pick themselves and type their PIN; every record then carries them. */
@customElement('shift-screen')
export class ShiftScreen extends LitElement {
  @property({ attribute: false }) staff: StaffMember[] = [];

  @state() private picked: StaffMember | undefined;
  @state() private pin = '';
  @state() private error = '';
  @state() private checking = false;

  private readonly i18n = new I18nController(this);

  override render() {
    if (this.staff.length === 0) return html`<p class="error" role="alert">${t('noStaff')}</p>`;
    return html`<h1>${t('shiftTitle')}</h1>
      <div class="staff">
        ${this.staff.map(
          (s) => html`<button
            type="button"
            data-testid="staff-${s.id}"
            aria-pressed=${this.picked?.id === s.id}
            @click=${() => ((this.picked = s), (this.pin = ''), (this.error = ''))}
          >
            ${s.name}<small>${s.role}</small>
          </button>`,
        )}
      </div>
      ${this.picked
        ? html`<label>${t('pin')} · ${this.picked.name}</label>
            <output data-testid="pin-dots">${'●'.repeat(this.pin.length) || '—'}</output>
            ${this.error ? html`<p class="error" role="alert" data-testid="pin-error">${this.error}</p>` : nothing}
            <num-pad .decimal=${false} @pad-key=${this._key}></num-pad>
            <button class="go" data-testid="start-shift" ?disabled=${this.pin.length < 4 || this.checking} @click=${this._start}>
              ${t('startShift')}
            </button>`
        : nothing}`;
  }

  private _key(e: CustomEvent<{ key: string }>) {
    this.pin = applyPadKey(this.pin, e.detail.key, 6);
    this.error = '';
  }

  private async _start() {
    const s = this.picked;
    if (!s) return;
    this.checking = true;
    try {
      if (!(await verifyPin(this.pin, s.pinSalt, s.pinHash))) {
        this.error = t('pinWrong');
        this.pin = '';
        return;
      }
      const shift = { staffId: s.id, name: s.name, startedAt: Date.now() };
      await saveShift(shift);
      fireEvent(this, 'shift-started', shift);
    } finally {
      this.checking = false;
    }
  }

  static override styles = css`
    :host { display: grid; gap: 0.8rem; max-width: 30rem; margin: 1.5rem auto; }
    h1 { font-size: 1.5rem; margin: 0; }
    .staff { display: flex; flex-wrap: wrap; gap: 0.6rem; }
    .staff button { min-width: 8rem; min-height: 4rem; font-size: 1.3rem; border: 2px solid #9aa5b1; border-radius: 0.7rem; background: #fff; display: flex; flex-direction: column; align-items: center; justify-content: center; }
    .staff button small { font-size: 0.85rem; color: #52606d; }
    .staff button[aria-pressed='true'] { border-color: #1d4ed8; background: #dbeafe; }
    label { font-weight: 600; }
    output { font-size: 2rem; letter-spacing: 0.3em; min-height: 2.5rem; }
    .go { min-height: 3.6rem; font-size: 1.3rem; border: 0; border-radius: 0.7rem; background: #1d4ed8; color: #fff; }
    .go[disabled] { opacity: 0.5; }
    .error { color: #b91c1c; font-weight: 600; margin: 0; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'shift-screen': ShiftScreen;
  }
}
