import type { EntryDecision } from '../../shared/rules/decide-entry.js';
import type { PartyChoice } from '../../shared/schemas/record.js';
import type { ActivePass } from './pass-check.js';

/**
 * A party with one fever (docs/door-guide.md "A party with one fever"). One
 * pass may carry several people; when one of them is refused for fever, the
 * door asks staff what to do with the companions still outside before it
 * goes on: check each separately, or hold the whole party. The seeds are
 * silent on it; a street office would expect the question asked and the
 * answer kept, so the choice rides on the companions' own records. Pure:
 * the entrance screen calls these.
 */

/** The question for staff: who had the fever, who of the party is still to be checked, who is already inside. */
export interface PartyQuestion {
  pass: ActivePass;
  feverPerson: number;
  /** Companions not admitted here yet (0-based on the pass), in order. */
  waiting: number[];
  /** Companions admitted here earlier on the same pass. */
  inside: number[];
}

/**
 * Whether to ask: the person just checked on `pass` was refused for fever and
 * some companion is still outside. `admitted` are the people of the pass
 * admitted here (as the kiosk's pass bookkeeping holds them after the save).
 */
export function partyQuestion(pass: ActivePass | undefined, decision: EntryDecision, admitted: readonly number[]): PartyQuestion | undefined {
  if (!pass || pass.people < 2 || !decision.reasons.includes('fever')) return undefined;
  // A second fever while companions are checked separately: the first one stays out of the party asked about.
  const others = Array.from({ length: pass.people }, (_, i) => i).filter((i) => i !== pass.next && i !== pass.party?.feverPerson);
  const waiting = others.filter((i) => !admitted.includes(i));
  if (waiting.length === 0) return undefined;
  return { pass, feverPerson: pass.next, waiting, inside: others.filter((i) => admitted.includes(i)) };
}

/**
 * "Check separately": the first companion waiting, pre-filled as usual, with
 * the choice carried into each companion's record.
 */
export function checkSeparately(q: PartyQuestion): ActivePass & { party: PartyChoice } {
  return { ...q.pass, next: q.waiting[0]!, partyQueue: q.waiting.slice(1), party: { feverPerson: q.feverPerson, choice: 'separately' } };
}

/**
 * "Hold the party": one refusal per companion waiting, for `party_held`, with
 * no check invented (nobody checked them) and the pass person it concerns.
 * The pass leaves them free, as any refusal does: after the fever is settled
 * they may come back on it and be checked.
 */
export function heldCompanions(q: PartyQuestion): { person: number; pass: ActivePass; body: HeldBody }[] {
  const { party: _choice, partyQueue: _queue, ...base } = q.pass;
  return q.waiting.map((person) => {
    const pass = { ...base, next: person };
    return {
      person,
      pass,
      body: { decision: 'refuse', reasons: ['party_held'], checks: {}, party: { feverPerson: q.feverPerson, choice: 'held' } },
    };
  });
}

export interface HeldBody {
  decision: 'refuse';
  reasons: ['party_held'];
  checks: Record<string, never>;
  party: PartyChoice;
}
