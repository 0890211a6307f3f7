import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { fireEvent } from '../fire-event.js';
import { I18nController, t } from '../i18n.js';

export interface ChoiceOption {
  value: string;
  label: string;
}

/**
 * One check at the door: a row of big option buttons plus "skip". Picking
 * skip asks for the reason right there; a skip is never shown as passed.
 * Slotted content (the temperature field) sits before the options.
 */
@customElement('check-row')
export class CheckRow extends LitElement {
  @property() name = '';
  @property() label = '';
  @property({ attribute: false }) options: ChoiceOption[] = [];
  @property() value: string | undefined;
  @property() skipReason = '';
  @property() error = '';
  /** Outlined as needing an answer; the words for a plain "not filled in" are said once, beside the buttons. */
  @property({ type: Boolean }) invalid = false;

  private readonly i18n = new I18nController(this);

  override render() {
    const skipped = this.value === 'skipped';
    return html`
      <fieldset class=${this.error || this.invalid ? 'invalid' : ''}>
        <legend>${this.label}</legend>
        <div class="options">
          <slot></slot>
          ${this.options.map(
            (o) => html`<button
              type="button"
              data-testid="opt-${this.name}-${o.value}"
              aria-pressed=${this.value === o.value}
              @click=${() => this._pick(o.value)}
            >
              ${o.label}
            </button>`,
          )}
          <button type="button" class="skip" data-testid="opt-${this.name}-skipped" aria-pressed=${skipped} @click=${() => this._pick('skipped')}>
            ${t('skip')}
          </button>
        </div>
        ${skipped
          ? html`<input
              data-testid="skip-reason-${this.name}"
              .value=${this.skipReason}
              placeholder=${t('skipReason')}
              aria-label=${t('skipReason')}
              maxlength="200"
              @input=${(e: Event) => fireEvent(this, 'choice', { name: this.name, value: 'skipped', skipReason: (e.target as HTMLInputElement).value })}
            />`
          : nothing}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      </fieldset>
    `;
  }

  private _pick(value: string) {
    fireEvent(this, 'choice', { name: this.name, value, skipReason: value === 'skipped' ? this.skipReason : '' });
  }

  static override styles = css`
    :host { display: block; }
    /* One line per check: the label in a narrow column, the options beside it (the door fits a 600 px high tablet). */
    fieldset { border: 0; margin: 0; padding: 0.15rem 0; display: grid; grid-template-columns: 4.8rem 1fr; column-gap: 0.4rem; align-items: center; }
    legend { float: left; padding: 0; font-weight: 600; font-size: 1rem; line-height: 1.2; }
    .options { display: flex; flex-wrap: wrap; gap: 0.35rem; align-items: center; }
    button {
      min-height: 2.6rem; min-width: 3.4rem; padding: 0 0.55rem; font-size: 1.05rem;
      border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; color: #1f2933; cursor: pointer;
    }
    button[aria-pressed='true'] { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
    button.skip { border-style: dashed; color: #9a3412; border-color: #c2410c; }
    button.skip[aria-pressed='true'] { background: #c2410c; color: #fff; }
    input { grid-column: 2; margin-top: 0.3rem; width: 100%; box-sizing: border-box; font-size: 1.05rem; padding: 0.4rem 0.6rem; border: 2px solid #c2410c; border-radius: 0.5rem; }
    .error { grid-column: 2; color: #b91c1c; margin: 0.15rem 0 0; font-weight: 600; font-size: 0.95rem; }
    .invalid legend { color: #b91c1c; }
    .invalid .options { outline: 2px solid #b91c1c; outline-offset: 2px; border-radius: 0.6rem; }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'check-row': CheckRow;
  }
}
