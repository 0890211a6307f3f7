import type { AccountView } from '../../../shared/schemas/account.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import type { Inspection } from '../../../shared/schemas/inspection.js';
import type { KioskView } from '../../../shared/schemas/kiosk-admin.js';
import type { CommunityRow, RegistryVenue } from '../../../shared/schemas/registry.js';

/** Every event a dashboard element fires upward, with its detail type (STYLE.md "Kiosk"). */
export interface DashboardEvents {
  /** A venue saved in the registry (form, staff change); lists holding it replace it. */
  'venue-saved': RegistryVenue;
  /** An import wrote venues: the registry list reloads. */
  'registry-imported': { communityId: string };
  /** The venue form's close button. */
  'venue-form-close': Record<string, never>;
  /** A community added or renamed in the registry. */
  'community-changed': CommunityRow;
  'logged-in': AccountView;
  /** The password was changed here (the one-time one, or from the account screen). */
  'password-changed': AccountView;
  /** The second factor was set up here; this session is verified with it. */
  'totp-enrolled': AccountView;
  /** A flag changed by an action here; lists holding it replace it. */
  'flag-updated': Flag;
  /** An evidence record id clicked: the log highlights it if it is on the page. */
  'record-focus': { id: string };
  /** A flag chosen in a list. */
  'flag-select': { id: number };
  /** An action was refused as out of date (409): the flag changed under us. */
  'flag-stale': Record<string, never>;
  /** A kiosk changed by an action here (revoked); the list replaces it. */
  'kiosk-updated': KioskView;
  /** A suspension order given or lifted here: the venue's status reloads. */
  'suspension-changed': { venueId: string };
  /** An on-site inspection filed here: the venue's list shows it, and the flags it closed reload. */
  'inspection-saved': Inspection;
  /** The inspection form's cancel button. */
  'inspection-cancel': Record<string, never>;
  /** "Issue a code for this entrance" chosen on a kiosk's row. */
  'enrol-entrance': { venueId: string; entranceId: string };
}

export function fireEvent<K extends keyof DashboardEvents>(node: HTMLElement, type: K, detail: DashboardEvents[K]): void {
  node.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'venue-saved': CustomEvent<DashboardEvents['venue-saved']>;
    'registry-imported': CustomEvent<DashboardEvents['registry-imported']>;
    'venue-form-close': CustomEvent<DashboardEvents['venue-form-close']>;
    'community-changed': CustomEvent<DashboardEvents['community-changed']>;
    'logged-in': CustomEvent<DashboardEvents['logged-in']>;
    'password-changed': CustomEvent<DashboardEvents['password-changed']>;
    'totp-enrolled': CustomEvent<DashboardEvents['totp-enrolled']>;
    'flag-updated': CustomEvent<DashboardEvents['flag-updated']>;
    'record-focus': CustomEvent<DashboardEvents['record-focus']>;
    'flag-select': CustomEvent<DashboardEvents['flag-select']>;
    'flag-stale': CustomEvent<DashboardEvents['flag-stale']>;
    'kiosk-updated': CustomEvent<DashboardEvents['kiosk-updated']>;
    'enrol-entrance': CustomEvent<DashboardEvents['enrol-entrance']>;
  }
}
