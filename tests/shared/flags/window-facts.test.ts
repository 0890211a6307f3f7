import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admittedDespiteRisk,
  admittedWhileClosed,
  emptyHour,
  emptySpan,
  foldHour,
  foldSpan,
  hourKey,
  hourStart,
  judgeClosed,
  judgeMissing,
  judgeNoPhone,
  judgeRisk,
  judgeScans,
  judgeSkipped,
  missingCheck,
  noPhoneShare,
  scansBelowAdmissions,
  skippedCheck,
  standingAdmissions,
  type HeldEntrance,
  type HourFacts,
  type SpanFacts,
} from '../../../shared/rules/flags/index.js';
import { EMPTY_DOOR, occupancyFrom, stepDoor, type DoorCount, type DoorStep } from '../../../shared/rules/occupancy.js';
import type { Checks } from '../../../shared/schemas/checks.js';
import { NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';
import type { SyncRecord } from '../../../shared/schemas/record.js';
import { CLEAN_CHECKS, OFFSET, THRESHOLDS, VENUE, at } from './day.js';

/**
 * Judging incrementally, batch by batch in any split and any order, raises
 * exactly the flags a from-scratch judgement of the same records raises, and
 * a door stepped record by record counts what occupancyFrom counts
 * (shared/rules/flags/window-facts.ts, shared/rules/occupancy.ts stepDoor).
 * The instants are data: the rules never read the clock.
 */

// A second policy, version 2, closing the venue's type: admissions under it (or after it came into force) are closed by policy;
// it also asks the vaccination (004 §3.11 三码联查), so an admission without one misses a check under it.
const CLOSING: Policy = { ...NORMAL_POLICY, version: 2, closedVenueTypes: [VENUE.type], threeCodeCheck: true };
// Judged on small hours, so the no-phone share fires in some of them: the street's usual share as the policy's default.
const NO_PHONE_TH = { ...THRESHOLDS, minAdmissionsForNoPhoneCheck: 3, minNoPhoneShare: 0.3, maxNoPhoneFalseAlarm: 0.05 };
const STREET = { admissions: 0, noPhone: 0 };
const SWITCH_AT = at(15, 30);
const policyOf = (v: number): Policy => (v === 2 ? CLOSING : NORMAL_POLICY);
const policyAt = (ms: number): Policy => (ms >= SWITCH_AT ? CLOSING : NORMAL_POLICY);

const skippedOr = <T,>(done: T) => fc.constantFrom<T | { outcome: 'skipped'; reason: string }>(done, done, done, { outcome: 'skipped', reason: '排队' });

// Some checks absent (a tampered kiosk): missing_check counts them.
const checksArb: fc.Arbitrary<Checks> = fc.record({
  scan: fc.constantFrom<Checks['scan']>({ outcome: 'scanned' }, { outcome: 'scanned' }, { outcome: 'no_phone', shown: 'paper_itinerary' }, { outcome: 'skipped', reason: '排队' }),
  temperature: fc.oneof(
    fc.integer({ min: 355, max: 390 }).map((t) => ({ outcome: 'measured' as const, celsius: t / 10 })),
    fc.constant({ outcome: 'skipped' as const, reason: '测温枪没电' }),
  ),
  mask: skippedOr({ outcome: 'worn' as const }),
  healthCode: fc.constantFrom<Checks['healthCode']>({ outcome: 'green' }, { outcome: 'green' }, { outcome: 'yellow' }, { outcome: 'skipped', reason: '手机没电' }),
  itinerary: fc.constantFrom<Checks['itinerary']>({ outcome: 'local' }, { outcome: 'local' }, { outcome: 'medium_risk' }),
  vaccination: fc.constantFrom<Checks['vaccination']>({ outcome: 'complete' }, { outcome: 'none' }),
}, { requiredKeys: ['temperature', 'healthCode'] }) as fc.Arbitrary<Checks>;

/** One entrance record as the hub holds it; `corrected` says a later correction undid it. */
const heldArb = fc
  .record({
    // 13:00–17:59 local: several hours, across the policy switch and the 23:00 close of a KTV open 10–23 as well as before 10:00.
    minute: fc.integer({ min: 0, max: 5 * 60 - 1 }),
    second: fc.integer({ min: 0, max: 59 }),
    early: fc.boolean(),
    kiosk: fc.constantFrom('kiosk-1', 'kiosk-2', 'kiosk-3'),
    operator: fc.constantFrom('staff-1', 'staff-2', 'staff-3'),
    version: fc.constantFrom(1, 1, 2),
    decision: fc.constantFrom<'admit' | 'refuse'>('admit', 'admit', 'admit', 'refuse'),
    pass: fc.boolean(),
    corrected: fc.boolean(),
    checks: checksArb,
    id: fc.uuid(),
    seq: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map(
    (g): HeldEntrance => ({
      record: {
        type: 'entrance',
        id: g.id,
        venueId: VENUE.id,
        kioskId: g.kiosk,
        seq: g.seq,
        kioskTime: new Date((g.early ? at(8, 0) : at(13, 0)) + g.minute * 60_000 + g.second * 1000).toISOString(),
        operatorId: g.operator,
        policyVersion: g.version,
        checks: g.checks,
        decision: g.decision,
        reasons: [],
        ...(g.pass ? { pass: { id: g.id, person: 0, src: 'patron' as const } } : {}),
      } as HeldEntrance['record'],
      receivedAt: 0,
      corrected: g.corrected && g.decision === 'admit',
    }),
  );

/** Records split into batches, the batches in any order. */
const splitArb = <T,>(items: fc.Arbitrary<T[]>) =>
  items.chain((list) =>
    fc
      .tuple(fc.array(fc.integer({ min: 1, max: Math.max(1, list.length) }), { maxLength: list.length }), fc.func(fc.integer()))
      .map(([cuts, order]) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const batches: T[][] = [];
        let from = 0;
        for (const c of [...at, list.length]) {
          if (c > from) batches.push(list.slice(from, c));
          from = Math.max(from, c);
        }
        return { list, batches: batches.map((b, i) => ({ b, k: order(i) })).sort((x, y) => x.k - y.k).map((x) => x.b) };
      }),
  );

const byHour = (held: readonly HeldEntrance[]) => {
  const m = new Map<number, HeldEntrance[]>();
  for (const e of held) {
    const h = hourStart(Date.parse(e.record.kioskTime), OFFSET);
    m.set(h, [...(m.get(h) ?? []), e]);
  }
  return m;
};

const sorted = (flags: { rule: string; windowKey: string }[]) => [...flags].sort((a, b) => `${a.rule} ${a.windowKey}`.localeCompare(`${b.rule} ${b.windowKey}`));
const SCANS = { passes: 3, people: 4 };

describe('running figures of an hour, a day and a door', () => {
  it('raise the same flags batch by batch, in any split and order, as the rules over every record at once', () => {
    fc.assert(
      fc.property(splitArb(fc.array(heldArb, { minLength: 1, maxLength: 120 })), ({ list, batches }) => {
        // Incremental: what the hub does, one batch at a time, each hour's figures from the last.
        const hours = new Map<number, HourFacts>();
        for (const batch of batches) {
          for (const [h, held] of byHour(batch)) hours.set(h, foldHour(hours.get(h) ?? emptyHour(), VENUE, standingAdmissions(held), policyOf, policyAt));
        }
        const incremental = [...hours].flatMap(([h, f]) => {
          const key = hourKey(h, OFFSET);
          return [
            ...judgeSkipped(VENUE, key, f.skipped),
            ...judgeRisk(VENUE, key, f.risk),
            ...judgeClosed(VENUE, key, f.closed),
            ...judgeScans(VENUE, h, f.scans, SCANS, THRESHOLDS),
            ...judgeMissing(VENUE, key, f.missing),
            ...judgeNoPhone(VENUE, h, f.noPhone, STREET, NO_PHONE_TH),
          ];
        });
        // From scratch: the rules over every record at once, hour by hour as the sweep reads them.
        const scratch = [
          ...skippedCheck(VENUE, list, policyOf),
          ...admittedDespiteRisk(VENUE, list, policyOf),
          ...admittedWhileClosed(VENUE, list, policyOf, policyAt),
          ...[...byHour(list)].flatMap(([h, held]) => scansBelowAdmissions(VENUE, h, held, SCANS, THRESHOLDS)),
          ...missingCheck(VENUE, list, policyOf, policyAt),
          ...noPhoneShare(VENUE, list, () => STREET, NO_PHONE_TH),
        ];
        expect(sorted(incremental)).toEqual(sorted(scratch));
      }),
      { numRuns: 200 },
    );
  });

  it('count a day the same in any split: entrance records, admissions that stand, who was on duty', () => {
    fc.assert(
      fc.property(splitArb(fc.array(heldArb, { maxLength: 80 })), ({ list, batches }) => {
        const incremental = batches.reduce<SpanFacts>((f, b) => foldSpan(f, b), emptySpan());
        const scratch = foldSpan(emptySpan(), list);
        expect(incremental).toEqual({ ...scratch, onDuty: expect.objectContaining(scratch.onDuty) });
        expect(Object.keys(incremental.onDuty).sort()).toEqual([...new Set(list.map((e) => e.record.operatorId))].sort());
        expect(incremental.admissions).toBe(list.filter((e) => e.record.decision === 'admit' && !e.corrected).length);
      }),
      { numRuns: 200 },
    );
  });

  it('the evidence names the earliest records, whatever order they came in', () => {
    const skip = (m: number): HeldEntrance => ({
      record: {
        type: 'entrance', id: `00000000-0000-4000-8000-${String(m).padStart(12, '0')}`, venueId: VENUE.id, kioskId: 'kiosk-1', seq: m + 1,
        kioskTime: new Date(at(14, 0) + m * 1000).toISOString(), operatorId: 'staff-1', policyVersion: 1,
        checks: { ...CLEAN_CHECKS(36.5), mask: { outcome: 'skipped', reason: '排队' } }, decision: 'admit', reasons: [],
      },
      receivedAt: 0,
      corrected: false,
    });
    const all = Array.from({ length: 70 }, (_, m) => skip(m));
    const late = foldHour(emptyHour(), VENUE, all.slice(35), policyOf, policyAt);
    const f = foldHour(late, VENUE, all.slice(0, 35), policyOf, policyAt);
    const [flag] = judgeSkipped(VENUE, '2026-11-23T14', f.skipped);
    expect(flag!.evidence).toMatchObject({ withSkippedCheck: 70, recordIds: all.slice(0, 50).map((e) => e.record.id) });
  });
});

/** A door's records in seq order: admissions and refusals, undoing an earlier one, exits, head counts, close-outs. */
const doorArb = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('admit' as const), refuse: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('undo' as const), back: fc.nat(30) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('exit' as const), n: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('headcount' as const), n: fc.nat(20) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('close_out' as const) }) },
  ),
  { maxLength: 150 },
);

describe('a door stepped record by record', () => {
  it('counts what occupancyFrom counts over the same records', () => {
    fc.assert(
      fc.property(doorArb, (ops) => {
        const base = { venueId: VENUE.id, kioskId: 'kiosk-1', operatorId: 'staff-1' };
        const records: SyncRecord[] = [];
        // What the hub's tables know: which records are admissions, and which were undone already (corrected_by is set once).
        const admits = new Map<string, number>();
        const undone = new Set<string>();
        let c: DoorCount = EMPTY_DOOR;
        ops.forEach((op, i) => {
          const seq = i + 1;
          const kioskTime = new Date(at(10, 0) + seq * 1000).toISOString();
          const id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
          let step: DoorStep;
          if (op.t === 'admit') {
            records.push({ ...base, type: 'entrance', id, seq, kioskTime, policyVersion: 1, checks: CLEAN_CHECKS(36.5), decision: op.refuse ? 'refuse' : 'admit', reasons: [] } as SyncRecord);
            if (!op.refuse) admits.set(id, seq);
            step = { seq, ms: 0, kind: op.refuse ? 'none' : 'admit' };
          } else if (op.t === 'undo') {
            const target = records.filter((r) => r.type === 'entrance').at(-1 - op.back);
            if (!target) return;
            records.push({ ...base, type: 'correction', id, seq, kioskTime, correctsId: target.id, reason: '误操作' } as SyncRecord);
            const first = !undone.has(target.id);
            undone.add(target.id);
            step = first && admits.has(target.id) ? { seq, ms: 0, kind: 'undo', targetSeq: admits.get(target.id)! } : { seq, ms: 0, kind: 'none' };
          } else if (op.t === 'exit') {
            records.push({ ...base, type: 'occupancy', id, seq, kioskTime, kind: 'exit', count: op.n } as SyncRecord);
            step = { seq, ms: 0, kind: 'exit', count: op.n };
          } else if (op.t === 'headcount') {
            records.push({ ...base, type: 'occupancy', id, seq, kioskTime, kind: 'headcount', count: op.n } as SyncRecord);
            step = { seq, ms: 0, kind: 'headcount', count: op.n };
          } else {
            records.push({ ...base, type: 'occupancy', id, seq, kioskTime, kind: 'close_out', count: 0 } as SyncRecord);
            step = { seq, ms: 0, kind: 'close_out' };
          }
          c = stepDoor(c, step);
          expect(c.inside).toBe(occupancyFrom(records));
        });
      }),
      { numRuns: 300 },
    );
  });
});
