import { admissionSlot, seatsLeft, slotAt, slotCap, type Slot, type SlotCount } from '../../shared/rules/slots.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import type { BookingMode } from '../../shared/schemas/booking-settings.js';
import { Policy } from '../../shared/schemas/policy.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import { getPassUse, recordsSince, type DoorSlots, type Enrolment, type StoredRecord } from './db.js';
import { graceMinutes, passKey } from './pass-check.js';

/**
 * The current slot as this door knows it (003 §13 限量、预约、错峰),
 * with no network: the hub's last figures for the slot ('slots:venue', kept in
 * IndexedDB) plus what this door admitted in it that the hub had not counted
 * then. Which is which comes from the sequence numbers: when the figures
 * arrived, the hub held every record of this kiosk up to `heldThrough` (its
 * acknowledgements say so), so a record numbered above it is added and one at
 * or below never is. An offline door thus never counts its own admissions
 * twice, however long it is cut off.
 */
export interface DoorSlot {
  mode: BookingMode;
  slot: Slot;
  /** Seats under the policy the door enforces now (rules/slots.ts slotCap). */
  cap: number;
  count: SlotCount;
  /** For someone without a held seat now (a walk-in, or a booking past its guarantee). */
  seatsLeft: number;
  /**
   * Hub time of the figures this builds on; undefined when the hub gave none
   * for this slot (offline since before the day's figures): `booked` is then
   * unknown and taken as 0. At an optional venue walk-ins are still admitted
   * on the door's own count, with the slotNoFigures warning up (booked seats
   * may be given away); at a required venue walk-ins are refused anyway.
   */
  asOf: number | undefined;
}

const MINUTE_MS = 60_000;
/** The most grace a policy can give (schemas/policy.ts): a booking may come in this long before its slot. */
const MAX_GRACE_MS = (Policy.shape.bookingGraceMinutes.unwrap().maxValue ?? 0) * MINUTE_MS;

/**
 * The door's current slot — or `at`, the slot of a booking being checked (it
 * may be the next one, for a party come early) — or undefined where the venue
 * takes no bookings.
 */
export async function doorSlot(e: Enrolment, hub: DoorSlots | undefined, now: number, at?: Slot): Promise<DoorSlot | undefined> {
  const settings = e.venue.booking;
  if (!settings || settings.mode === 'off') return undefined;
  const slot = at ?? slotAt(now, settings.slotMinutes, e.venue.utcOffsetMinutes);
  const grace = graceMinutes(e);
  const view = hub && hub.venueId === e.venue.id ? hub.slots.find((s) => s.start === slot.start) : undefined;
  // Without the hub's figure for this slot nothing of this door is in one: count all it did.
  const heldThrough = view ? (hub?.heldThrough ?? 0) : 0;
  const records = await recordsSince(slot.start - MAX_GRACE_MS - MINUTE_MS);
  const own = await ownCount(records, slot, heldThrough, settings.slotMinutes, e.venue.utcOffsetMinutes);
  const count: SlotCount = {
    booked: view?.booked ?? 0,
    arrivedBooked: Math.max(0, (view?.arrivedBooked ?? 0) + own.arrivedBooked),
    walkIns: Math.max(0, (view?.walkIns ?? 0) + own.walkIns),
  };
  const cap = slotCap(settings, e.policy, e.venue);
  return { mode: settings.mode, slot, cap, count, seatsLeft: seatsLeft(slot, count, cap, now, grace), asOf: view ? hub?.at : undefined };
}

type Admission = Extract<SyncRecord, { type: 'entrance' }>;

/**
 * This door's admissions in `slot` that the hub's figures do not hold: made
 * after `heldThrough` and not undone; less those the figures hold that were
 * undone after it. A booking's people count in their booking's slot (they may
 * come in up to the grace before it), anyone else in the slot they came in.
 */
async function ownCount(records: StoredRecord[], slot: Slot, heldThrough: number, slotMinutes: number, utcOffsetMinutes: number): Promise<{ arrivedBooked: number; walkIns: number }> {
  const undoneAt = new Map<string, number>();
  for (const r of records) if (r.record.type === 'correction') undoneAt.set(r.record.correctsId, r.seq);
  const out = { arrivedBooked: 0, walkIns: 0 };
  for (const r of records) {
    const rec = r.record;
    if (rec.type !== 'entrance' || rec.decision !== 'admit') continue;
    const undo = undoneAt.get(rec.id);
    let delta = 0;
    if (r.seq > heldThrough && undo === undefined) delta = 1;
    else if (r.seq <= heldThrough && undo !== undefined && undo > heldThrough) delta = -1;
    if (delta === 0) continue;
    const where = await countsIn(rec, r.savedAt, slot, slotMinutes, utcOffsetMinutes);
    if (where) out[where] += delta;
  }
  return out;
}

/** Where an admission counts: rules/slots.ts admissionSlot, the rule the hub and the slot_over_cap flag use. */
async function countsIn(rec: Admission, savedAt: number, slot: Slot, slotMinutes: number, utcOffsetMinutes: number): Promise<'arrivedBooked' | 'walkIns' | undefined> {
  if (rec.pass?.src === 'booking') {
    const use = await getPassUse(passKey(rec.pass.code, rec.pass.minute));
    // Bookkeeping pruned: the slot it came in is the best there is.
    const booking = use?.slot !== undefined ? { start: use.slot, end: use.slot + slotMinutes * MINUTE_MS } : undefined;
    return admissionSlot(savedAt, booking, slotMinutes, utcOffsetMinutes) === slot.start ? 'arrivedBooked' : undefined;
  }
  return admissionSlot(savedAt, undefined, slotMinutes, utcOffsetMinutes) === slot.start ? 'walkIns' : undefined;
}

/** HH:MM on the venue's clock (the times patrons read on their booking). */
export function venueClock(ms: number, utcOffsetMinutes: number): string {
  return toIsoWithOffset(ms, utcOffsetMinutes).slice(11, 16);
}
