import { io, type Socket } from 'socket.io-client';
import type { HubToDashboardEvents } from '../../../shared/events.js';
import type { Flag } from '../../../shared/schemas/flags.js';
import type { KioskView } from '../../../shared/schemas/kiosk-admin.js';
import type { PolicyChange } from '../../../shared/schemas/policy-admin.js';

/**
 * The live feed: one socket.io connection to the hub's /dashboard
 * namespace, shared by every screen that wants flags as they are raised.
 * The session cookie authenticates it; `flag:raised` carries new flags and
 * changed ones (new evidence, an inspector's action).
 */

type FlagListener = (flag: Flag) => void;
type StatusListener = (connected: boolean) => void;
type KioskListener = (kiosk: KioskView) => void;
type PolicyListener = (change: PolicyChange) => void;

let socket: Socket<HubToDashboardEvents> | undefined;
const flagListeners = new Set<FlagListener>();
const kioskListeners = new Set<KioskListener>();
const policyListeners = new Set<PolicyListener>();
const statusListeners = new Set<StatusListener>();

function connect(): Socket<HubToDashboardEvents> {
  if (socket) return socket;
  const s: Socket<HubToDashboardEvents> = io('/dashboard', { withCredentials: true });
  const onFlag = (f: Flag) => flagListeners.forEach((l) => l(f));
  s.on('flag:raised', onFlag);
  // Kiosks are the street admin's business: the hub sends these to the admin's room only.
  s.on('kiosk:status', (k: KioskView) => kioskListeners.forEach((l) => l(k)));
  // A switch (now or by schedule), or a schedule set or cancelled: the street admin's room only.
  s.on('policy:changed', (c: PolicyChange) => policyListeners.forEach((l) => l(c)));
  s.on('connect', () => statusListeners.forEach((l) => l(true)));
  s.on('disconnect', () => statusListeners.forEach((l) => l(false)));
  s.on('connect_error', () => statusListeners.forEach((l) => l(false)));
  socket = s;
  return s;
}

/** Calls back with every flag raised or changed; returns the unsubscribe. */
export function onFlag(listener: FlagListener, status?: StatusListener): () => void {
  const s = connect();
  flagListeners.add(listener);
  if (status) {
    statusListeners.add(status);
    status(s.connected);
  }
  return () => {
    flagListeners.delete(listener);
    if (status) statusListeners.delete(status);
  };
}

/**
 * Calls back with a kiosk's view whenever it connects, disconnects, reports its
 * backlog, acknowledges a policy, retires or is revoked; returns the unsubscribe.
 * `status` hears the socket going up and down, so a screen can re-read what it missed.
 */
export function onKioskStatus(listener: KioskListener, status?: StatusListener): () => void {
  const s = connect();
  kioskListeners.add(listener);
  if (status) {
    statusListeners.add(status);
    status(s.connected);
  }
  return () => {
    kioskListeners.delete(listener);
    if (status) statusListeners.delete(status);
  };
}

/** Calls back with every policy change; returns the unsubscribe. `status` as for onKioskStatus. */
export function onPolicyChange(listener: PolicyListener, status?: StatusListener): () => void {
  const s = connect();
  policyListeners.add(listener);
  if (status) {
    statusListeners.add(status);
    status(s.connected);
  }
  return () => {
    policyListeners.delete(listener);
    if (status) statusListeners.delete(status);
  };
}

/** Puts a kiosk's new view into a list, replacing its old copy (a new kiosk goes at the end). */
export function upsertKiosk(list: readonly KioskView[], kiosk: KioskView): KioskView[] {
  return list.some((k) => k.id === kiosk.id) ? list.map((k) => (k.id === kiosk.id ? kiosk : k)) : [...list, kiosk];
}

/** After logout or login the cookie changed: reconnect with the new one. */
export function resetLive(): void {
  socket?.disconnect();
  socket = undefined;
}

/** Puts a changed flag into a list (newest first), replacing its old copy. */
export function upsertFlag(list: readonly Flag[], flag: Flag): Flag[] {
  const rest = list.filter((f) => f.id !== flag.id);
  return list.some((f) => f.id === flag.id) ? list.map((f) => (f.id === flag.id ? flag : f)) : [flag, ...rest];
}
