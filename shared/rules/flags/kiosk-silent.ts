import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds, Policy } from '../../schemas/policy.js';
import { openSinceUnder } from '../opening-hours.js';
import { hourKey, type FlagVenue } from './window.js';

/** What the hub knows of one of the venue's (not revoked) kiosks. */
export interface KioskHeard {
  id: string;
  enrolledAt: number;
  /** When the hub last received a record from it (hub time), or null. */
  lastRecordAt: number | null;
  /** Whether its socket is connected now. */
  connected: boolean;
}

/**
 * `kiosk_silent` — a kiosk the hub has heard no record from for
 * `kioskSilentMinutes` while its venue is open (a silent door shows nothing
 * of its checks; the remote log is what makes an unannounced look possible,
 * 004 §5(4) 四不两直). Silence is counted from the latest of:
 * its last record, its enrolment, and the start of the current opening (its
 * hours as the policy shortens them, 003 §14), so a venue that just opened is
 * not silent and one shut early by the policy is not expected to record. A venue closed by the policy is
 * expected to be silent and is not judged. `connected` in the evidence tells
 * a tablet switched off from one that is on but records nobody.
 *
 * Severity `warning`. Time-based: evaluated by the periodic sweep.
 * Window: the kiosk and the venue-local hour the silence began
 * (`kiosk-1@2026-11-23T14`), so one silence is one flag however long it lasts.
 */
export function kioskSilent(
  venue: FlagVenue,
  policy: Policy,
  kiosks: readonly KioskHeard[],
  thresholds: FlagThresholds,
  now: number,
): RaisedFlag[] {
  if (policy.closedVenueTypes.includes(venue.type)) return [];
  const opened = openSinceUnder(policy, venue, now);
  if (opened === undefined) return [];
  const limit = thresholds.kioskSilentMinutes * 60_000;
  return kiosks.flatMap((k) => {
    const since = Math.max(k.lastRecordAt ?? -Infinity, k.enrolledAt, opened);
    if (now - since < limit) return [];
    return [
      {
        venueId: venue.id,
        rule: 'kiosk_silent' as const,
        severity: 'warning' as const,
        windowKey: `${k.id}@${hourKey(since, venue.utcOffsetMinutes)}`,
        evidence: { kioskId: k.id, since, lastRecordAt: k.lastRecordAt, connected: k.connected, silentMinutes: thresholds.kioskSilentMinutes },
      },
    ];
  });
}
