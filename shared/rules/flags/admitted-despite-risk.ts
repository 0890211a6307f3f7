import type { RaisedFlag } from '../../schemas/flags.js';
import { emptyRisk, foldRisk, idsOf, names, sortedCounts, type RiskFacts } from './window-facts.js';
import { groupBy, hourKey, kioskTimeMs, standingAdmissions, type FlagVenue, type HeldEntrance, type PolicyOf } from './window.js';

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
  return [...byHour].flatMap(([windowKey, admissions]) => judgeRisk(venue, windowKey, foldRisk(emptyRisk(), venue, admissions, policyOf)));
}

/** The rule over one hour's running figures (window-facts.ts). */
export function judgeRisk(venue: FlagVenue, windowKey: string, f: RiskFacts): RaisedFlag[] {
  if (f.count === 0) return [];
  return [
    {
      venueId: venue.id,
      rule: 'admitted_despite_risk',
      severity: 'violation',
      windowKey,
      evidence: {
        recordIds: idsOf(f.ids),
        count: f.count,
        byReason: sortedCounts(f.byReason),
        kioskIds: names(f.kiosks),
        operatorIds: names(f.operators),
      },
    },
  ];
}
