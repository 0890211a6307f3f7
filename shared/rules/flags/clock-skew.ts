import type { RaisedFlag } from '../../schemas/flags.js';
import type { FlagThresholds } from '../../schemas/policy.js';
import { capIds, dayKey, type FlagVenue } from './window.js';

/**
 * `clock_skew` — a kiosk whose clock is `clockSkewMinutes` or more away from
 * the hub's. Every window above (hours, opening hours, pass expiry) is read
 * from the kiosk's clock, so a skewed one can hide admissions after closing.
 *
 * Ahead: a record stamped later than the hub received it. Behind: only for
 * records sent at once, i.e. by a kiosk connected for at least the threshold
 * (its backlog went out in the first seconds), whose newest record of the
 * batch is that much older than its arrival. An offline kiosk's backlog is
 * never taken for skew.
 *
 * Severity `warning`: the door's times cannot be trusted until it is set.
 * Per batch. Window: the kiosk and the venue-local day of arrival
 * (`kiosk-1@2026-11-23`).
 */
export function clockSkew(
  venue: FlagVenue,
  kioskId: string,
  records: readonly { id: string; kioskTimeMs: number }[],
  receivedAt: number,
  connectedAt: number | undefined,
  thresholds: FlagThresholds,
): RaisedFlag[] {
  if (records.length === 0) return [];
  const limit = thresholds.clockSkewMinutes * 60_000;
  const ahead = records.filter((r) => r.kioskTimeMs - receivedAt >= limit);
  const newest = records.reduce((a, b) => (b.kioskTimeMs > a.kioskTimeMs ? b : a));
  const sentAtOnce = connectedAt !== undefined && receivedAt - connectedAt >= limit;
  const behind = sentAtOnce && receivedAt - newest.kioskTimeMs >= limit ? [newest] : [];
  const skewed = ahead.length > 0 ? ahead : behind;
  if (skewed.length === 0) return [];
  const worst = ahead.length > 0 ? Math.max(...ahead.map((r) => r.kioskTimeMs)) : newest.kioskTimeMs;
  return [
    {
      venueId: venue.id,
      rule: 'clock_skew',
      severity: 'warning',
      windowKey: `${kioskId}@${dayKey(receivedAt, venue.utcOffsetMinutes)}`,
      evidence: {
        kioskId,
        recordIds: capIds(skewed.map((r) => r.id)),
        // Positive: the kiosk is ahead of the hub.
        skewMinutes: Math.round((worst - receivedAt) / 60_000),
        kioskTime: new Date(worst).toISOString(),
        receivedAt,
      },
    },
  ];
}
