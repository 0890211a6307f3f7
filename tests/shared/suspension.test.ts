import { describe, expect, it } from 'vitest';
import { decideEntry } from '../../shared/rules/decide-entry.js';
import { admittedWhileSuspended, type HeldSuspension } from '../../shared/rules/flags/index.js';
import { suspensionAt, suspensionBinding, suspensionSpan, suspensionsAhead, venueToday } from '../../shared/rules/suspension.js';
import type { Checks } from '../../shared/schemas/checks.js';
import { SuspensionOrder } from '../../shared/schemas/suspension.js';
import { EMERGENCY_POLICY, NORMAL_POLICY } from '../../shared/schemas/policy.js';
import { VENUE, at, entrance } from './flags/day.js';

/**
 * 停业整顿 (000 §5(2) "责令停业整顿"): an inspector's order that one venue admit nobody from a
 * venue-local date to another. Fixed instants as data (pure rules): 2026-11-23 at the test venue (UTC+8).
 */

const green: Checks = {
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
};
const DAY = 86_400_000;
/** Ordered on the 22nd at 16:00 for 23 and 24 November: 23rd 00:00 to 25th 00:00 at the venue. */
const ORDER: HeldSuspension = { id: 7, from: '2026-11-23', to: '2026-11-24', reason: '屡查屡犯，未落实扫码测温', orderedAt: at(16, 0, 0, 22), ...suspensionSpan('2026-11-23', '2026-11-24', 480) };
const venue = { type: 'museum' as const, openingHours: null, utcOffsetMinutes: 480 };

describe('suspensionSpan and suspensionAt: the venue\'s own days, both included (000 §5(2))', () => {
  it.each([
    { what: 'the first day\'s midnight at the venue', at: at(0, 0, 0, 23), holds: true },
    { what: 'the last second before it', at: at(0, 0, 0, 23) - 1000, holds: false },
    { what: 'the middle of the first day', at: at(14, 0, 0, 23), holds: true },
    { what: 'the last second of the last day', at: at(23, 59, 59, 24), holds: true },
    { what: 'the midnight after the last day', at: at(0, 0, 0, 25), holds: false },
  ])('$what → held: $holds', ({ at: ms, holds }) => {
    expect(suspensionAt([ORDER], ms)?.id).toBe(holds ? 7 : undefined);
  });

  it('reads the dates in the venue\'s zone: a venue at UTC starts eight hours later', () => {
    expect(suspensionSpan('2026-11-23', '2026-11-23', 0).startsAt - ORDER.startsAt).toBe(8 * 3_600_000);
    expect(suspensionSpan('2026-11-23', '2026-11-23', 480).endsAt - ORDER.startsAt).toBe(DAY);
  });

  it.each([
    { what: 'lifted at 15:00: the minute before still held', liftedAt: at(15, 0, 0, 23), at: at(14, 59, 0, 23), holds: true },
    { what: 'lifted at 15:00: from then on, not', liftedAt: at(15, 0, 0, 23), at: at(15, 0, 0, 23), holds: false },
    { what: 'lifted before it began: never held', liftedAt: at(20, 0, 0, 22), at: at(10, 0, 0, 23), holds: false },
  ])('an order lifted early: $what', ({ liftedAt, at: ms, holds }) => {
    expect(suspensionAt([{ ...ORDER, liftedAt }], ms) !== undefined).toBe(holds);
  });

  it.each([
    { what: 'ordered the day before: from the first midnight', orderedAt: at(16, 0, 0, 22), at: at(0, 0, 0, 23), binds: true },
    { what: 'ordered at 15:00 on its first day: an admission at 14:59 broke nothing', orderedAt: at(15, 0, 0, 23), at: at(14, 59, 0, 23), binds: false },
    { what: 'ordered at 15:00 on its first day: from 15:00 on it binds', orderedAt: at(15, 0, 0, 23), at: at(15, 0, 0, 23), binds: true },
  ])('suspensionBinding judges from max(start, ordered): $what', ({ orderedAt, at: ms, binds }) => {
    expect(suspensionBinding([{ ...ORDER, orderedAt }], ms)?.id).toBe(binds ? 7 : undefined);
  });

  it('venueToday is the date at the venue: 23:30 UTC on the 22nd is already the 23rd at UTC+8', () => {
    expect(venueToday(Date.UTC(2026, 10, 22, 23, 30), 480)).toBe('2026-11-23');
    expect(venueToday(Date.UTC(2026, 10, 22, 23, 30), 0)).toBe('2026-11-22');
  });

  it('tells the door the orders not over and not lifted, a future one included', () => {
    const later = { ...ORDER, id: 8, ...suspensionSpan('2026-12-01', '2026-12-03', 480) };
    const lifted = { ...ORDER, id: 9, liftedAt: at(9, 0, 0, 23) };
    expect(suspensionsAhead([ORDER, later, lifted], at(10, 0, 0, 23)).map((s) => s.id)).toEqual([7, 8]);
    expect(suspensionsAhead([ORDER, later, lifted], at(0, 0, 0, 25)).map((s) => s.id)).toEqual([8]);
  });

  it.each([
    { body: { from: '2026-11-24', to: '2026-11-23', reason: '整改' }, field: 'to' },
    { body: { from: '2026-11-23', to: '2026-11-24', reason: '  ' }, field: 'reason' },
    { body: { from: '2026-02-30', to: '2026-11-24', reason: '整改' }, field: 'from' },
    { body: { from: '2026-11-23', to: '2026-11-24', reason: '整改', venueId: 'x' }, field: '' },
  ])('refuses an order naming the field at fault: $field', ({ body, field }) => {
    const r = SuspensionOrder.safeParse(body);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join('.')).toBe(field);
  });
});

// One row per point of the door under an order, naming its seed section.
const rows = [
  { rule: 'a green patron while the order holds', seed: '000 §5(2)', policy: NORMAL_POLICY, at: at(14, 0, 0, 23), checks: green, reasons: ['venue_suspended'] },
  { rule: 'a patron with no checks entered while the order holds', seed: '000 §5(2)', policy: NORMAL_POLICY, at: at(14, 0, 0, 23), checks: {}, reasons: ['venue_suspended'] },
  { rule: 'the order with a fever: every reason given', seed: '000 §5(2); 000 §2(2)(1)', policy: NORMAL_POLICY, at: at(14, 0, 0, 23), checks: { ...green, temperature: { outcome: 'measured' as const, celsius: 38.2 } }, reasons: ['venue_suspended', 'fever'] },
  { rule: 'the order at a KTV the emergency policy closes: both reasons', seed: '000 §5(2); 004 §3.1', policy: EMERGENCY_POLICY, type: 'ktv' as const, at: at(14, 0, 0, 23), checks: green, reasons: ['venue_suspended', 'venue_closed_by_policy'] },
  { rule: 'the day before the order', seed: '000 §5(2)', policy: NORMAL_POLICY, at: at(23, 0, 0, 22), checks: green, reasons: [] },
  { rule: 'the day after the order', seed: '000 §5(2)', policy: NORMAL_POLICY, at: at(9, 0, 0, 25), checks: green, reasons: [] },
  { rule: 'an order lifted early', seed: '000 §5(2)', policy: NORMAL_POLICY, at: at(14, 0, 0, 23), checks: green, lifted: at(12, 0, 0, 23), reasons: [] },
];

describe('decideEntry under a suspension order', () => {
  it.each(rows)('$rule ($seed)', ({ policy, type, at: ms, checks, lifted, reasons }) => {
    const order = lifted === undefined ? ORDER : { ...ORDER, liftedAt: lifted };
    expect(decideEntry(policy, { ...venue, type: type ?? venue.type }, checks, ms, [order])).toEqual({ decision: reasons.length ? 'refuse' : 'admit', reasons });
  });

  it('without orders decides as before (the argument is optional for every other caller)', () => {
    expect(decideEntry(NORMAL_POLICY, venue, green, at(14, 0, 0, 23))).toEqual({ decision: 'admit', reasons: [] });
  });
});

describe('admittedWhileSuspended (000 §5(2))', () => {
  it('stays silent with no order, and on refusals and undone admissions during one', () => {
    const refused = entrance(at(14, 0, 0, 23), { decision: 'refuse', reasons: ['venue_suspended'] });
    const undone = { ...entrance(at(14, 5, 0, 23)), corrected: true };
    expect(admittedWhileSuspended(VENUE, [entrance(at(14, 0, 0, 23))], [])).toEqual([]);
    expect(admittedWhileSuspended(VENUE, [refused, undone], [ORDER])).toEqual([]);
  });

  it('is a violation per venue-local hour, naming the records, the order and the kiosks', () => {
    const before = entrance(at(23, 59, 59, 22));
    const a = entrance(at(14, 10, 0, 23), {}, 'kiosk-2');
    const b = entrance(at(14, 20, 0, 23), {}, 'kiosk-1');
    const c = entrance(at(15, 5, 0, 23));
    expect(admittedWhileSuspended(VENUE, [before, b, a, c], [ORDER])).toEqual([
      {
        venueId: VENUE.id,
        rule: 'admitted_while_suspended',
        severity: 'violation',
        windowKey: '2026-11-23T14',
        evidence: { recordIds: [a.record.id, b.record.id], count: 2, suspensions: [{ id: 7, from: '2026-11-23', to: '2026-11-24', reason: ORDER.reason, liftedAt: null }], kioskIds: ['kiosk-1', 'kiosk-2'] },
      },
      expect.objectContaining({ windowKey: '2026-11-23T15', evidence: expect.objectContaining({ recordIds: [c.record.id], count: 1 }) }),
    ]);
  });

  it('never flags an admission made before the order was given, though its first day had begun', () => {
    // Entered at 15:00 on the 23rd for the 23rd and 24th: the door admitted in good faith until then.
    const late = { ...ORDER, orderedAt: at(15, 0, 0, 23) };
    const morning = entrance(at(10, 0, 0, 23));
    const justBefore = entrance(at(14, 59, 59, 23));
    const after = entrance(at(15, 20, 0, 23));
    const flags = admittedWhileSuspended(VENUE, [morning, justBefore, after], [late]);
    expect(flags.map((f) => [f.windowKey, f.evidence.recordIds, f.evidence.count])).toEqual([['2026-11-23T15', [after.record.id], 1]]);
  });

  it('judges by when the admission was made, not when the order was lifted: before the lift counts, after does not', () => {
    const lifted = { ...ORDER, liftedAt: at(15, 0, 0, 23) };
    const during = entrance(at(14, 50, 0, 23));
    const after = entrance(at(15, 10, 0, 23));
    const flags = admittedWhileSuspended(VENUE, [during, after], [lifted]);
    expect(flags.map((f) => [f.windowKey, f.evidence.recordIds])).toEqual([['2026-11-23T14', [during.record.id]]]);
    expect(flags[0]!.evidence.suspensions).toEqual([expect.objectContaining({ id: 7, liftedAt: at(15, 0, 0, 23) })]);
  });
});
