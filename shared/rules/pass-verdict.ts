import type { Checks } from '../schemas/checks.js';
import type { PassPerson, PersonDeclaration } from '../schemas/pass.js';
import { testWindowHours, type Policy } from '../schemas/policy.js';
import type { VenueRules } from '../schemas/venue.js';
import { decideEntry, type EntryDecision } from './decide-entry.js';
import { requiredChecks } from './required-checks.js';

/**
 * From a patron's declaration to the pass, with the same rules the
 * door uses. The phone can only declare; temperature and mask are checked by
 * staff at the door, so a pass never says more than "may enter after those".
 */

/** One person as the pass carries them: only the checks the policy asks here, the test judged against its window. */
export function passPerson(
  policy: Policy,
  venueType: VenueRules['type'],
  person: PersonDeclaration,
  commitmentAgreed: boolean,
  now: number,
): PassPerson {
  const asked = requiredChecks(policy, venueType, person.itinerary);
  const out: PassPerson = { h: person.healthCode, i: person.itinerary };
  if (person.label) out.n = person.label;
  if (asked.includes('testProof')) {
    const tested = person.lastNegativeTestAt ? Date.parse(person.lastNegativeTestAt) : NaN;
    const windowMs = testWindowHours(policy, venueType, person.itinerary === 'starred' ? 'starred' : 'other_province') * 3_600_000;
    // A test in the future is a typo, not a proof.
    out.t = tested <= now && now - tested <= windowMs ? 'negative' : 'none';
  }
  if (asked.includes('commitment')) out.c = commitmentAgreed ? 'signed' : 'not_signed';
  if (asked.includes('vaccination') && person.vaccination) out.v = person.vaccination;
  return out;
}

/** The checks a pass pre-fills at the door for one person; the scan is the pass itself. */
export function declaredChecks(person: PassPerson): Checks {
  const checks: Checks = {
    scan: { outcome: 'scanned' },
    healthCode: { outcome: person.h },
    itinerary: { outcome: person.i },
  };
  if (person.t) checks.testProof = { outcome: person.t };
  if (person.c) checks.commitment = { outcome: person.c };
  if (person.v) checks.vaccination = { outcome: person.v };
  return checks;
}

export type PassVerdict = 'enter' | 'staff' | 'refuse';

export interface PersonVerdict extends EntryDecision {
  /** Admission rests on a test report staff must see. */
  showTest: boolean;
}

/**
 * The pass page's big answer: `refuse` if anyone would be refused by
 * `decideEntry` on what they declared; `staff` if someone's admission rests on
 * a test report staff must look at; otherwise `enter` (after temperature and mask).
 */
export function passVerdict(
  policy: Policy,
  venue: Pick<VenueRules, 'type' | 'openingHours' | 'utcOffsetMinutes'>,
  people: readonly PassPerson[],
  now: number,
): { verdict: PassVerdict; people: PersonVerdict[] } {
  const each = people.map((p) => ({ ...decideEntry(policy, venue, declaredChecks(p), now), showTest: p.t === 'negative' }));
  const verdict = each.some((p) => p.decision === 'refuse') ? 'refuse' : each.some((p) => p.showTest) ? 'staff' : 'enter';
  return { verdict, people: each };
}
