import type { FastifyBaseLogger } from 'fastify';
import type { Flag } from '../../../shared/schemas/flags.js';

/**
 * Pushes that follow stored batches, coalesced: a burst of batches from many
 * kiosks of a venue makes one occupancy push and one slots push for that
 * venue, one push per changed flag and one per kiosk whose view changed. They
 * go out once the event loop has sent the acknowledgements of the batches
 * behind them (setImmediate), so a kiosk learns its records are stored before
 * it sees figures that include them.
 */
export interface PushQueue {
  occupancy(venueId: string): void;
  slots(venueId: string): void;
  flags(flags: readonly Flag[]): void;
  kiosk(kioskId: string): void;
}

export interface PushSenders {
  occupancy(venueId: string): Promise<void>;
  slots(venueId: string): Promise<void>;
  flags(flags: readonly Flag[]): Promise<void>;
  kiosk(kioskId: string): Promise<void>;
}

export function createPushQueue(send: PushSenders, log: FastifyBaseLogger): PushQueue {
  let occupancy = new Set<string>();
  let slots = new Set<string>();
  let flags = new Map<number, Flag>();
  let kiosks = new Set<string>();
  let scheduled = false;

  const failed = (what: string, id: string | number) => (err: unknown) => log.error({ err, id }, `could not push ${what}`);

  function flush(): void {
    scheduled = false;
    const [o, s, f, k] = [occupancy, slots, flags, kiosks];
    occupancy = new Set();
    slots = new Set();
    flags = new Map();
    kiosks = new Set();
    for (const venueId of o) send.occupancy(venueId).catch(failed('occupancy', venueId));
    for (const venueId of s) send.slots(venueId).catch(failed('booking slots', venueId));
    if (f.size > 0) send.flags([...f.values()]).catch(failed('flags', f.size));
    for (const kioskId of k) send.kiosk(kioskId).catch(failed('the kiosk view', kioskId));
  }
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    occupancy(venueId) {
      occupancy.add(venueId);
      schedule();
    },
    slots(venueId) {
      slots.add(venueId);
      schedule();
    },
    flags(list) {
      if (list.length === 0) return;
      // The newest state of each flag is the one worth sending.
      for (const flag of list) flags.set(flag.id, flag);
      schedule();
    },
    kiosk(kioskId) {
      kiosks.add(kioskId);
      schedule();
    },
  };
}
