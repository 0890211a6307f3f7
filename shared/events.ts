import type { Ack } from './schemas/errors.js';
import type { PushResult } from './schemas/sync.js';

/**
 * Socket.io event maps shared by kiosk and hub (STYLE.md "Sockets").
 * Payloads arrive as `unknown` on the hub and are parsed there: the types
 * here describe what a well-behaved client sends.
 */
export interface KioskToHubEvents {
  'records:push': (payload: { records: unknown[] }, ack: (res: Ack<PushResult>) => void) => void;
}

/** Nothing yet: policy pushes (issue 4) arrive here. */
export type HubToKioskEvents = Record<never, never>;

/** The kiosks' namespace on the hub. */
export const KIOSK_NAMESPACE = '/kiosk';
