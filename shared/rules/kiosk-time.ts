import type { FlagThresholds } from '../schemas/policy.js';

const MIN_MS = 60_000;
const DAY_MS = 24 * 60 * MIN_MS;

/**
 * Why the hub refuses a record's kiosk time, or undefined when it takes it. Every hour, day and
 * week the inspectors read is the kiosk's clock (docs/inspectors-guide.md), so a time from nowhere
 * (year 9999, year 1) would open windows nobody can read and keep a door "inside" for ever.
 *
 * Back: a tablet kept offline sends its outbox when it is heard again; an offline day or several is
 * normal, and a venue closed for weeks (004 §3.1 暂时关停) may send its last evening late, so the
 * default allowance is a month (`kioskTimePastDays`). Ahead: a record is sent only after it was made,
 * so a kiosk time after its receipt is the tablet's clock running fast. The admission was still real
 * and must not be lost, so the default allowance ahead is a day (`kioskTimeFutureMinutes`, 1440);
 * beyond it the time is from nowhere and refused. clock_skew flags the drift itself.
 */
export function kioskTimeRefusal(kioskTime: string, receivedAt: number, th: Pick<FlagThresholds, 'kioskTimePastDays' | 'kioskTimeFutureMinutes'>): string | undefined {
  const ms = Date.parse(kioskTime);
  if (Number.isNaN(ms)) return 'not a time the hub can read';
  if (ms > receivedAt + th.kioskTimeFutureMinutes * MIN_MS) {
    return `${Math.round((ms - receivedAt) / MIN_MS)} min after the hub received it; the policy allows ${th.kioskTimeFutureMinutes} min of clock drift`;
  }
  if (ms < receivedAt - th.kioskTimePastDays * DAY_MS) {
    return `${Math.floor((receivedAt - ms) / DAY_MS)} days before the hub received it; the policy allows ${th.kioskTimePastDays} days offline`;
  }
  return undefined;
}
