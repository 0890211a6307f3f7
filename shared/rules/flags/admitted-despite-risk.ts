import type { RaisedFlag } from '../../schemas/flags.js';
import type { ReasonCode } from '../../schemas/record.js';
import { decideEntry } from '../decide-entry.js';
import { capIds, groupBy, hourKey, kioskTimeMs, standingAdmissions, tally, type FlagVenue, type HeldEntrance, type PolicyOf } from './window.js';

/** Reasons judged by `admitted_while_closed`, not here. */
const VENUE_REASONS: readonly ReasonCode[] = ['venue_closed_by_policy', 'outside_opening_hours'];

/**
 * `admitted_despite_risk` — a patron admitted although the checks as recorded
 * say they must be refused: fever (000 §2(2)(1)), yellow or red health code,
 * medium/high-risk travel (003 §30), a starred or other-province itinerary
 * without a negative test or commitment (000; 004 §3.8), a refused mask
 * (000 §2(2)(1), 001 §2(2)).
 *
 * The checks are judged again with the door's own `decideEntry`, under the
 * policy the record names. Severity `violation`: each is a person the seeds
 * say must be turned away (and referred or quarantined); the kiosk would
 * have refused, so an admission means the decision was overridden.
 *
 * Per batch, over each venue-local hour the batch touches. Window: the hour.
 */
export function admittedDespiteRisk(venue: FlagVenue, entrances: readonly HeldEntrance[], policyOf: PolicyOf): RaisedFlag[] {
  const byHour = groupBy(standingAdmissions(entrances), (e) => hourKey(kioskTimeMs(e), venue.utcOffsetMinutes));
  const flags: RaisedFlag[] = [];
  for (const [windowKey, admissions] of byHour) {
    const risky = admissions.flatMap((e) => {
      const { reasons } = decideEntry(policyOf(e.record.policyVersion), venue, e.record.checks, kioskTimeMs(e));
      const personal = reasons.filter((r) => !VENUE_REASONS.includes(r));
      return personal.length > 0 ? [{ record: e.record, reasons: personal }] : [];
    });
    if (risky.length === 0) continue;
    flags.push({
      venueId: venue.id,
      rule: 'admitted_despite_risk',
      severity: 'violation',
      windowKey,
      evidence: {
        recordIds: capIds(risky.map((r) => r.record.id)),
        count: risky.length,
        byReason: tally(risky.flatMap((r) => r.reasons)),
        kioskIds: [...new Set(risky.map((r) => r.record.kioskId))],
        operatorIds: [...new Set(risky.map((r) => r.record.operatorId))],
      },
    });
  }
  return flags;
}
