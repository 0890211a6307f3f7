import { afterAll, describe, expect, it } from 'vitest';
import { startOfDay, venueClock } from '../../kiosk/src/venue-time.js';
import { toIsoWithOffset } from '../../shared/rules/time.js';
import { CST, HOUR, cstAt, cstIso, cstMidnight } from '../support/clock.js';

// The tablet's own zone, set the way a tablet shipped from elsewhere would have it. Node reads TZ
// afresh when it changes, so each row sets it before judging and the file puts it back at the end.
const tabletTz = process.env.TZ;
afterAll(() => {
  if (tabletTz === undefined) delete process.env.TZ;
  else process.env.TZ = tabletTz;
});

/** What the kiosk did before: midnight on the tablet's clock. */
const tabletMidnight = (now: number) => new Date(now).setHours(0, 0, 0, 0);

describe('startOfDay: the today list counts the venue\'s day, as the hub does (VenueRules.utcOffsetMinutes)', () => {
  const today = cstMidnight(0);
  it.each([
    // A venue in China Standard Time whose tablet was left on another zone.
    { tz: 'America/Los_Angeles', now: cstAt(today, 9, 30), offset: CST, midnight: today },
    { tz: 'America/Los_Angeles', now: cstAt(today, 23, 59), offset: CST, midnight: today },
    { tz: 'UTC', now: cstAt(today, 0, 0, 1), offset: CST, midnight: today },
    { tz: 'UTC', now: cstAt(today, 7, 59), offset: CST, midnight: today },
    { tz: 'Europe/London', now: cstAt(today, 8, 30), offset: CST, midnight: today },
    { tz: 'Asia/Shanghai', now: cstAt(today, 12), offset: CST, midnight: today },
    // A venue kept at UTC, its tablet in New Zealand: the UTC day, not Auckland's.
    { tz: 'Pacific/Auckland', now: cstAt(today, 12), offset: 0, midnight: Math.floor(cstAt(today, 12) / (24 * HOUR)) * 24 * HOUR },
  ])('tablet in $tz, venue at offset $offset min: midnight is the venue\'s', ({ tz, now, offset, midnight }) => {
    process.env.TZ = tz;
    expect(startOfDay(now, offset)).toBe(midnight);
    expect(startOfDay(now, offset)).toBeLessThanOrEqual(now);
    expect(now - startOfDay(now, offset)).toBeLessThan(24 * HOUR);
  });

  it('differs from the tablet\'s own midnight when the tablet is set to another zone', () => {
    process.env.TZ = 'America/Los_Angeles';
    // 09:30 at the venue is 17:30 or 18:30 the day before in Los Angeles: the tablet's midnight
    // would pull in yesterday afternoon at the venue.
    const now = cstAt(cstMidnight(0), 9, 30);
    expect(tabletMidnight(now)).toBeLessThan(cstMidnight(0));
    expect(startOfDay(now, CST)).toBe(cstMidnight(0));
  });
});

describe('venueClock: the today list shows the time at the venue', () => {
  it.each([
    { written: 'a tablet at -08:00', kioskTime: toIsoWithOffset(cstAt(cstMidnight(0), 9, 30, 5), -8 * 60), shown: '09:30:05' },
    { written: 'a tablet at UTC', kioskTime: toIsoWithOffset(cstAt(cstMidnight(0), 0, 0, 1), 0), shown: '00:00:01' },
    { written: 'a tablet at +08:00', kioskTime: cstIso(cstAt(cstMidnight(0), 23, 1, 2)), shown: '23:01:02' },
  ])('$written → $shown', ({ kioskTime, shown }) => {
    expect(venueClock(kioskTime, CST)).toBe(shown);
  });
});
