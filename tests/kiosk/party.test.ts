import { describe, expect, it } from 'vitest';
import { checkSeparately, heldCompanions, partyQuestion } from '../../kiosk/src/party.js';
import { advance, passUse, type ActivePass } from '../../kiosk/src/pass-check.js';
import type { EntryDecision } from '../../shared/rules/decide-entry.js';
import { SyncRecord } from '../../shared/schemas/record.js';
import { recordBase } from '../support/records.js';

/**
 * A party with one fever (docs/door-guide.md "A party with one fever"). The seeds are silent on
 * companions; 000 §2(2)(1) refuses the one with a fever. What a street office expects, and what these
 * rows hold: the door asks staff about the companions still outside, and keeps their answer on the
 * companions' own records: checked separately, or held (refused, nobody checked).
 */

const kiosk = { id: 'kiosk-1', venueId: 'venue-a' };
const pass = (people: number, next = 0, over: Partial<ActivePass> = {}): ActivePass => ({ key: 'ABC234:100', code: 'ABC234', minute: 100, people, via: 'qr', next, ...over });
const fever: EntryDecision = { decision: 'refuse', reasons: ['fever'] };
const closedAndFever: EntryDecision = { decision: 'refuse', reasons: ['venue_closed_by_policy', 'fever'] };
const mask: EntryDecision = { decision: 'refuse', reasons: ['mask_refused'] };
const admit: EntryDecision = { decision: 'admit', reasons: [] };

describe('partyQuestion: when the door asks (seeds silent; 000 §2(2)(1) refuses the fever)', () => {
  it.each([
    { row: 'the first of three has a fever', p: pass(3, 0), d: fever, admitted: [], ask: { feverPerson: 0, waiting: [1, 2], inside: [] } },
    { row: 'the second of three, the first already inside', p: pass(3, 1), d: fever, admitted: [0], ask: { feverPerson: 1, waiting: [2], inside: [0] } },
    { row: 'the last of three, the first refused for a mask and still outside', p: pass(3, 2), d: fever, admitted: [1], ask: { feverPerson: 2, waiting: [0], inside: [1] } },
    { row: 'a fever among other reasons still asks', p: pass(2, 0), d: closedAndFever, admitted: [], ask: { feverPerson: 0, waiting: [1], inside: [] } },
    { row: 'the last of two, the other inside: nobody left to ask about', p: pass(2, 1), d: fever, admitted: [0], ask: undefined },
    { row: 'a pass for one person', p: pass(1, 0), d: fever, admitted: [], ask: undefined },
    { row: 'a refusal for another reason', p: pass(3, 0), d: mask, admitted: [], ask: undefined },
    { row: 'an admission', p: pass(3, 0), d: admit, admitted: [0], ask: undefined },
    { row: 'a second fever while checking separately leaves the first out', p: pass(3, 1, { party: { feverPerson: 0, choice: 'separately' }, partyQueue: [2] }), d: fever, admitted: [], ask: { feverPerson: 1, waiting: [2], inside: [] } },
  ])('$row', ({ p, d, admitted, ask }) => {
    const q = partyQuestion(p, d, admitted);
    if (ask === undefined) expect(q).toBeUndefined();
    else expect(q).toMatchObject(ask);
  });

  it('never asks without a pass', () => {
    expect(partyQuestion(undefined, fever, [])).toBeUndefined();
  });
});

describe('checked separately: each companion in turn, the choice on each record', () => {
  it('goes through the companions still outside, before and after, never back to the fever', () => {
    // Four people; the first was refused for a mask and stays outside; the third has a fever.
    const q = partyQuestion(pass(4, 2), fever, [1])!;
    const first = checkSeparately(q);
    expect([first.next, first.party]).toEqual([0, { feverPerson: 2, choice: 'separately' }]);
    const second = advance(first, [1, 0])!;
    expect(second.next).toBe(3);
    expect(advance(second, [1, 0, 3])).toBeUndefined();
  });

  it('writes records the hub accepts, naming the fever person', () => {
    const p = checkSeparately(partyQuestion(pass(2, 0), fever, [])!);
    const record = { ...recordBase(kiosk, 2), type: 'entrance', policyVersion: 1, checks: {}, decision: 'admit', reasons: [], pass: passUse(p), party: p.party };
    expect(SyncRecord.safeParse(record).success).toBe(true);
  });
});

describe('the whole party held: a refusal per companion, nothing invented', () => {
  it('makes one party_held refusal per companion outside, with no checks, and records the hub accepts', () => {
    const held = heldCompanions(partyQuestion(pass(3, 1, { party: undefined }), fever, [])!);
    expect(held.map((h) => [h.person, h.pass.next, h.body])).toEqual([
      [0, 0, { decision: 'refuse', reasons: ['party_held'], checks: {}, party: { feverPerson: 1, choice: 'held' } }],
      [2, 2, { decision: 'refuse', reasons: ['party_held'], checks: {}, party: { feverPerson: 1, choice: 'held' } }],
    ]);
    for (const [i, h] of held.entries()) {
      const r = SyncRecord.safeParse({ ...recordBase(kiosk, i + 1), type: 'entrance', policyVersion: 1, ...h.body, pass: passUse(h.pass) });
      expect(r.success).toBe(true);
    }
  });

  it.each([
    { row: 'party_held without the held choice', over: { reasons: ['party_held'], party: undefined } },
    { row: 'the held choice without party_held', over: { reasons: ['fever'] } },
    { row: 'a party choice naming the record\'s own person', over: { party: { feverPerson: 0, choice: 'held' } } },
    { row: 'a party choice without a pass', over: { pass: undefined } },
  ])('the hub refuses $row, naming the field', ({ over }) => {
    const h = heldCompanions(partyQuestion(pass(2, 1), fever, [])!)[0]!;
    const r = SyncRecord.safeParse({ ...recordBase(kiosk, 1), type: 'entrance', policyVersion: 1, ...h.body, pass: passUse(h.pass), ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('party');
  });
});
