import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { fireEvent } from '../fire-event.js';

/** On-screen numeric pad with big keys; fires `pad-key` with '0'–'9', '.', 'back', 'clear'. */
@customElement('num-pad')
export class NumPad extends LitElement {
  /** Whether to show the decimal point key. */
  @property({ type: Boolean }) decimal = true;
  /** Two rows of six keys (the door, where height is short): the pad stays low at every tablet size. */
  @property({ type: Boolean, reflect: true }) wide = false;

  override render() {
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', this.decimal ? '.' : 'clear', '0', 'back'];
    return html`${keys.map(
      (k) => html`<button type="button" data-testid="pad-${k}" @click=${() => fireEvent(this, 'pad-key', { key: k })}>
        ${k === 'back' ? '⌫' : k === 'clear' ? 'C' : k}
      </button>`,
    )}`;
  }

  static override styles = css`
    :host { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.4rem; }
    :host([wide]) { grid-template-columns: repeat(6, 1fr); }
    button { min-height: 2.9rem; font-size: 1.6rem; border: 2px solid #9aa5b1; border-radius: 0.6rem; background: #fff; color: #1f2933; }
    button:active { background: #dbeafe; }
  `;
}

/** Applies a pad key to a text value (shared by every field the pad types into). */
export function applyPadKey(value: string, key: string, maxLength = 5): string {
  if (key === 'back') return value.slice(0, -1);
  if (key === 'clear') return '';
  if (key === '.' && value.includes('.')) return value;
  return value.length >= maxLength ? value : value + key;
}

declare global {
  interface HTMLElementTagNameMap {
    'num-pad': NumPad;
  }
}
