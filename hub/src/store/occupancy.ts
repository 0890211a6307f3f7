import { OCCUPANCY_LOOKBACK_MS, type Aggregates, type DoorInside } from './aggregates.js';
import type { Sql } from './sql.js';

export type EntranceOccupancy = DoorInside;

export interface OccupancyRepository {
  /**
   * People inside per kiosk of the venue, by the same rule the kiosk uses
   * (counting restarts at a close-out, or after 36 h without one), from the
   * running figures the ingest transaction keeps: one row per door.
   */
  byVenue(venueId: string, now: number): Promise<EntranceOccupancy[]>;
}

export { OCCUPANCY_LOOKBACK_MS };

export function createOccupancyRepository(sql: Sql, aggregates: Aggregates): OccupancyRepository {
  return {
    async byVenue(venueId, now) {
      return aggregates.doors(sql, venueId, now);
    },
  };
}
