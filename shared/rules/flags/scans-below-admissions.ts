import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds } from '../../schemas/policy.js';
import { emptyScans, foldScans, idsOf, type ScanFacts } from './window-facts.js';
import { hourKey, standingAdmissions, type FlagVenue, type HeldEntrance } from './window.js';

/** The patron scans of one venue-local hour: passes issued at the venue, and the people they cover. */
export interface HourScans {
  passes: number;
  people: number;
}

/**
 * `scans_below_admissions` — far more admissions than patron scans in one
 * hour (each patron admitted should have scanned the venue code, 000
 * §2(2)(1) 扫码). A scan is the hub's own evidence: a pass issued when a
 * patron scanned the venue code, counted per person it covers. Admissions of
 * patrons without a phone (`scan: no_phone`, paper shown instead) need no
 * scan and are left out. An hour with fewer than `minAdmissionsForScanCheck`
 * admissions is too small to judge.
 *
 * Severity `warning`: a door that admits without the scan is skipping a
 * check, but the figure is statistical, not a named patron.
 *
 * Judged over a finished hour, by the periodic sweep (and again per batch
 * when late records land in an hour already over). Window: the hour.
 */
export function scansBelowAdmissions(
  venue: FlagVenue,
  hourStart: number,
  entrances: readonly HeldEntrance[],
  scans: HourScans,
  thresholds: FlagThresholds,
): RaisedFlag[] {
  return judgeScans(venue, hourStart, foldScans(emptyScans(), standingAdmissions(entrances)), scans, thresholds);
}

/** The rule over one finished hour's running figures (window-facts.ts). */
export function judgeScans(venue: FlagVenue, hourStart: number, f: ScanFacts, scans: HourScans, thresholds: FlagThresholds): RaisedFlag[] {
  if (f.admissions < thresholds.minAdmissionsForScanCheck) return [];
  const ratio = scans.people / f.admissions;
  if (ratio >= thresholds.minScansPerAdmission) return [];
  return [
    {
      venueId: venue.id,
      rule: 'scans_below_admissions',
      severity: 'warning',
      windowKey: hourKey(hourStart, venue.utcOffsetMinutes),
      evidence: {
        // The admissions that name no pass: where the scans are missing.
        recordIds: idsOf(f.noPass),
        admissions: f.admissions,
        scans: scans.people,
        passes: scans.passes,
        scansPerAdmission: Math.round(ratio * 100) / 100,
        minScansPerAdmission: thresholds.minScansPerAdmission,
      },
    },
  ];
}
