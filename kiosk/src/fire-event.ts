import type { Enrolment, Shift, StoredRecord } from './db.js';
import type { ActivePass } from './pass-check.js';

/** Every event an element fires upward, with its detail type (STYLE.md "Kiosk"). */
export interface KioskEvents {
  enrolled: Enrolment;
  /** A record committed to IndexedDB. */
  'record-saved': StoredRecord;
  /** A check-row's outcome or skip reason changed. */
  choice: { name: string; value: string; skipReason: string };
  'pad-key': { key: string };
  'shift-started': Shift;
  'occupancy-event': { kind: 'exit' | 'headcount' | 'close_out'; count: number };
  /** A QR code read by the pass scanner, once per pass shown. */
  'pass-scanned': { text: string };
  /** A pass checked and valid here; its next person is at the door. */
  'pass-accepted': ActivePass;
  /** Staff dropped the pass being checked. */
  'pass-cleared': Record<string, never>;
  /** The hub let this tablet go, holding every record up to lastSeq; it may now forget everything. */
  retired: { retiredAt: number; lastSeq: number };
}

export function fireEvent<K extends keyof KioskEvents>(node: HTMLElement, type: K, detail: KioskEvents[K]): void {
  node.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    enrolled: CustomEvent<KioskEvents['enrolled']>;
    'record-saved': CustomEvent<KioskEvents['record-saved']>;
    choice: CustomEvent<KioskEvents['choice']>;
    'pad-key': CustomEvent<KioskEvents['pad-key']>;
    'shift-started': CustomEvent<KioskEvents['shift-started']>;
    'occupancy-event': CustomEvent<KioskEvents['occupancy-event']>;
    'pass-accepted': CustomEvent<KioskEvents['pass-accepted']>;
    'pass-cleared': CustomEvent<KioskEvents['pass-cleared']>;
    'pass-scanned': CustomEvent<KioskEvents['pass-scanned']>;
    retired: CustomEvent<KioskEvents['retired']>;
  }
}
