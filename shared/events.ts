import type { Ack } from './schemas/errors.js';
import type { BookingsCancelled, VenueSlots } from './schemas/booking.js';
import type { Flag } from './schemas/flags.js';
import type { KioskStatus, KioskView, RetireAnswer, RetireRequest } from './schemas/kiosk-admin.js';
import type { VenueProfile, VenueSecret } from './schemas/enrolment.js';
import type { PassKey, PassLeft } from './schemas/pass.js';
import type { PolicyChange } from './schemas/policy-admin.js';
import type { Policy } from './schemas/policy.js';
import type { PolicyAck, PushResult, VenueOccupancy } from './schemas/sync.js';
import type { VenueSuspensions } from './schemas/suspension.js';

/**
 * Socket.io event maps shared by kiosk and hub (STYLE.md "Sockets").
 * Payloads arrive as `unknown` on the hub and are parsed there: the types
 * here describe what a well-behaved client sends.
 */
export interface KioskToHubEvents {
  'records:push': (payload: { records: unknown[] }, ack: (res: Ack<PushResult>) => void) => void;
  /** The kiosk applied this policy version. */
  'policy:ack': (payload: PolicyAck, ack: (res: Ack<{ version: number }>) => void) => void;
  /** The signed pass behind a typed code of this venue, so staff get the declared answers when online. */
  'pass:lookup': (payload: PassKey, ack: (res: Ack<{ signed: string }>) => void) => void;
  /** The kiosk's app version, backlog and clock, whenever its backlog changes. */
  'kiosk:status': (payload: KioskStatus) => void;
  /** The tablet leaves service; refused, with how many, while the hub lacks any record it made. */
  'kiosk:retire': (payload: RetireRequest, ack: (res: Ack<RetireAnswer>) => void) => void;
}

export interface HubToKioskEvents {
  /** The street's policy in force, sent on connect and whenever it changes. */
  'policy:update': (policy: Policy) => void;
  /** People inside the venue per entrance, after any kiosk of the venue synced. */
  'occupancy:venue': (occupancy: VenueOccupancy) => void;
  /** A patron tapped "I have left" on a pass of this venue (live, and on connect for those missed). */
  'pass:left': (left: PassLeft) => void;
  /** The street office revoked this tablet; the hub closes the socket right after. */
  'kiosk:revoked': (info: { reason: string }) => void;
  /** The venue as the street office now registers it (capacity, hours, entrances, officers, door staff), on connect and after every edit. */
  'venue:profile': (venue: VenueProfile) => void;
  /** The venue's booking slots from the current one to its midnight, as the hub counts them: on connect, after bookings, cancels and batches. */
  'slots:venue': (slots: VenueSlots) => void;
  /** Bookings of the venue cancelled whose slots are not over: after each cancel, and all on connect; the door refuses their QR. */
  'bookings:cancelled': (cancelled: BookingsCancelled) => void;
  /** The venue's pass-code secret, on connect and when revoking one of its tablets rotated it. */
  'venue:secret': (secret: VenueSecret) => void;
  /** The venue's suspension orders not over and not lifted (停业整顿): on connect, and at once when one is ordered or lifted. */
  'suspensions:venue': (suspensions: VenueSuspensions) => void;
}

/** The kiosks' namespace on the hub. */
export const KIOSK_NAMESPACE = '/kiosk';

/** The inspectors' dashboards send nothing up the socket: they act over HTTP. */
export type DashboardToHubEvents = Record<string, never>;

export interface HubToDashboardEvents {
  /** A flag was raised, or changed (new evidence, an inspector's action), in the dashboard's scope. */
  'flag:raised': (flag: Flag) => void;
  /** A kiosk connected, disconnected, reported, acknowledged a policy, retired or was revoked (street admin only). */
  'kiosk:status': (kiosk: KioskView) => void;
  /** A policy version took force (now or by schedule), or a switch was scheduled or cancelled (street admin only). */
  'policy:changed': (change: PolicyChange) => void;
}

/** The dashboards' namespace: a street admin hears the whole street, an inspector their community. */
export const DASHBOARD_NAMESPACE = '/dashboard';
