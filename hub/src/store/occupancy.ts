import { occupancyFrom } from '../../../shared/rules/occupancy.js';
import type { SyncRecord } from '../../../shared/schemas/record.js';
import type { Db } from './database.js';

export interface EntranceOccupancy {
  kioskId: string;
  entranceName: string;
  inside: number;
}

export interface OccupancyRepository {
  /**
   * People inside per kiosk of the venue, folded by the same rule the kiosk
   * uses. Only records after the kiosk's last close-out are read: the rule
   * restarts there anyway, and a busy day stays a short read.
   */
  byVenue(venueId: string, now: number, lookbackMs: number): Promise<EntranceOccupancy[]>;
}

export function createOccupancyRepository(db: Db): OccupancyRepository {
  const kiosks = db.prepare<[string], { id: string; entrance_name: string }>(
    `SELECT k.id, e.name AS entrance_name FROM kiosks k JOIN entrances e ON e.id = k.entrance_id
      WHERE k.venue_id = ? AND k.revoked_at IS NULL ORDER BY e.id, k.id`,
  );
  const lastCloseOut = db.prepare<[string, number], { seq: number | null }>(
    `SELECT max(seq) AS seq FROM kiosk_records
      WHERE kiosk_id = ? AND type = 'occupancy' AND json_extract(body, '$.kind') = 'close_out' AND kiosk_time_ms >= ?`,
  );
  const since = db.prepare<[string, number, number], { id: string; type: string; body: string }>(
    `SELECT id, type, body FROM kiosk_records
      WHERE kiosk_id = ? AND seq > ? AND kiosk_time_ms >= ? AND type IN ('entrance', 'correction', 'occupancy')
      ORDER BY seq`,
  );
  return {
    async byVenue(venueId, now, lookbackMs) {
      const from = now - lookbackMs;
      return kiosks.all(venueId).map((k) => {
        const after = lastCloseOut.get(k.id, from)?.seq ?? 0;
        // Stored bodies were validated on the way in; the fold reads only type, id and the body's fields.
        const records = since.all(k.id, after, from).map((r) => ({ ...JSON.parse(r.body), id: r.id, type: r.type }) as SyncRecord);
        return { kioskId: k.id, entranceName: k.entrance_name, inside: occupancyFrom(records) };
      });
    },
  };
}
