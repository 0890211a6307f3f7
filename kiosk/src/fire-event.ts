import type { Enrolment } from './db.js';

/** Every event an element fires upward, with its detail type (STYLE.md "Kiosk"). */
export interface KioskEvents {
  enrolled: Enrolment;
  'record-saved': { id: string };
  /** A check-row's outcome or skip reason changed. */
  choice: { name: string; value: string; skipReason: string };
}

export function fireEvent<K extends keyof KioskEvents>(node: HTMLElement, type: K, detail: KioskEvents[K]): void {
  node.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    enrolled: CustomEvent<KioskEvents['enrolled']>;
    'record-saved': CustomEvent<KioskEvents['record-saved']>;
    choice: CustomEvent<KioskEvents['choice']>;
  }
}
