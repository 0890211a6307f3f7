import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../hub/src/store/database.js';
import { createGroupCommit } from '../../hub/src/store/group-commit.js';
import { sqliteSql, type Sql } from '../../hub/src/store/sql.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { locationOf, openTestStore } from '../support/store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import {
  admittedDespiteRisk,
  admittedWhileClosed,
  baselineDays,
  dayStart,
  emptySpan,
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
  policiesFor,
  scansBelowAdmissions,
  skippedCheck,
  standingAdmissions,
  weekStart,
} from '../../shared/rules/flags/index.js';
import { occupancyFrom } from '../../shared/rules/occupancy.js';
import type { Checks } from '../../shared/schemas/checks.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import { HOUR, MIN, cstAt, cstMidnight } from '../support/clock.js';
import { enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { recordBase } from '../support/records.js';

/**
 * The running figures the ingest transaction keeps (hub/src/store/aggregates.ts)
 * against a from-scratch count of the same stored records, on a real SQLite
 * file: random admissions, refusals, corrections, exits, head counts and
 * close-outs from two doors, pushed in random batches that commit together
 * (group commit), give the same people inside per door, the same hour flags
 * and the same day and week figures as the rules over every record at once.
 */

const temp = tempDir();
afterAll(() => temp.remove());

const SCANS = { passes: 0, people: 0 };
const CHECKS: Checks[] = [
  { scan: { outcome: 'scanned' }, temperature: { outcome: 'measured', celsius: 36.5 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } },
  { scan: { outcome: 'skipped', reason: '排队' }, temperature: { outcome: 'measured', celsius: 36.6 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } },
  { scan: { outcome: 'no_phone', shown: 'id_card' }, temperature: { outcome: 'measured', celsius: 37.9 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'yellow' }, itinerary: { outcome: 'local' } },
  // A tampered kiosk: no scan, no itinerary recorded at all (missing_check).
  { temperature: { outcome: 'measured', celsius: 36.4 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' } },
  { scan: { outcome: 'no_phone', shown: 'paper_itinerary' }, temperature: { outcome: 'measured', celsius: 36.5 }, mask: { outcome: 'worn' }, healthCode: { outcome: 'green' }, itinerary: { outcome: 'local' } },
];
// Small hours judged, so the no-phone share fires in some of them.
const NO_PHONE = { minAdmissionsForNoPhoneCheck: 3, minNoPhoneShare: 0.3, maxNoPhoneFalseAlarm: 0.05 };

type Op = { t: 'admit' | 'refuse'; checks: number; minutes: number; operator: number } | { t: 'undo'; back: number } | { t: 'exit'; n: number } | { t: 'headcount'; n: number } | { t: 'close_out' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constantFrom<'admit' | 'refuse'>('admit', 'admit', 'admit', 'refuse'), checks: fc.nat(4), minutes: fc.nat(170), operator: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('undo' as const), back: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('exit' as const), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('headcount' as const), n: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'close_out' as const }) },
);

/**
 * A door's records in seq order from the ops, kiosk times rising with seq (a door's clock runs
 * forward) within about three hours before `base`.
 */
function recordsOf(kiosk: KioskIdentity, ops: readonly Op[], base: number): SyncRecord[] {
  const out: SyncRecord[] = [];
  let last = base - 3 * HOUR;
  const next = (candidate: number) => (last = Math.max(last + 1000, candidate));
  for (const op of ops) {
    const seq = out.length + 1;
    const head = { ...recordBase(kiosk, seq, `venue-a-staff-${'operator' in op ? op.operator + 1 : 1}`) };
    const time = (ms: number) => new Date(ms).toISOString();
    if (op.t === 'admit' || op.t === 'refuse') {
      out.push({ ...head, kioskTime: time(next(base - 3 * HOUR + op.minutes * MIN)), type: 'entrance', policyVersion: 1, checks: CHECKS[op.checks]!, decision: op.t, reasons: [] } as SyncRecord);
    } else if (op.t === 'undo') {
      const target = out.filter((r) => r.type === 'entrance').at(-1 - op.back);
      if (target) out.push({ ...head, kioskTime: time(next(0)), type: 'correction', correctsId: target.id, reason: '误操作' } as SyncRecord);
    } else {
      out.push({ ...head, kioskTime: time(next(0)), type: 'occupancy', kind: op.t, count: op.t === 'close_out' ? 0 : (op as { n: number }).n } as SyncRecord);
    }
  }
  return out;
}

/** Splits a door's records into consecutive batches at the cut points. */
function batchesOf(records: readonly SyncRecord[], cuts: readonly number[]): SyncRecord[][] {
  const at = [...new Set(cuts.map((c) => c % Math.max(1, records.length)))].sort((a, b) => a - b);
  const out: SyncRecord[][] = [];
  let from = 0;
  for (const c of [...at, records.length]) {
    if (c > from) out.push(records.slice(from, c));
    from = Math.max(from, c);
  }
  return out;
}

async function fromScratch(store: Store, now: number, kiosks: readonly KioskIdentity[], all: readonly SyncRecord[][]) {
  const venue = (await store.flags.facts.venue('venue-a'))!;
  const p = policiesFor(await store.flags.facts.policies(), venue);
  // Inside per door: the kiosk's own rule over its records since its last close-out in the last 36 h, else over the 36 h.
  const lookback = now - 36 * HOUR;
  const inside = kiosks.map((k, i) => {
    const recent = all[i]!.filter((r) => Date.parse(r.kioskTime) >= lookback);
    const co = recent.findLastIndex((r) => r.type === 'occupancy' && r.kind === 'close_out');
    return { kioskId: k.id, inside: occupancyFrom(recent.slice(co + 1)) };
  });
  const from = dayStart(now, venue.utcOffsetMinutes);
  const held = await store.flags.facts.entrances(venue.id, from - 14 * 24 * HOUR, from + 24 * HOUR);
  const hours = [...new Set(held.map((e) => hourStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes)))].sort();
  const th = { ...p.active.flags, ...NO_PHONE };
  const standing = standingAdmissions(held);
  // The street (this one venue) per day, and the rest of the street's days before each hour as the
  // hub reads them: the venue is left out of its own yardstick, so here nothing remains.
  const streetDay = (from: number, to: number) => {
    const inDays = standing.filter((e) => Date.parse(e.record.kioskTime) >= from && Date.parse(e.record.kioskTime) < to);
    return { admissions: inDays.length, noPhone: inDays.filter((e) => e.record.checks.scan?.outcome === 'no_phone').length };
  };
  const street = (_hour: number) => ({ admissions: 0, noPhone: 0 });
  const flags = [
    ...missingCheck(venue, held, p.of, p.at),
    ...noPhoneShare(venue, held, street, th),
    ...skippedCheck(venue, held, p.of),
    ...admittedDespiteRisk(venue, held, p.of),
    ...admittedWhileClosed(venue, held, p.of, p.at),
    ...hours.flatMap((h) => scansBelowAdmissions(venue, h, held.filter((e) => hourStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes) === h), SCANS, p.active.flags)),
  ];
  const days = [...new Set(held.map((e) => dayStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes)))].sort();
  const span = days.map((d) => ({ d, f: foldSpan(emptySpan(), held.filter((e) => dayStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes) === d)) }));
  const weeks = [...new Set(days.map((d) => weekStart(d, venue.utcOffsetMinutes)))];
  const week = weeks.map((w) => ({ w, f: foldSpan(emptySpan(), held.filter((e) => weekStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes) === w)) }));
  return { venue, p, th, inside, flags, hours, span, week, street, streetDay, streetDays: days.map((d) => ({ d, f: streetDay(d, d + 24 * HOUR) })) };
}

const sorted = (flags: { rule: string; windowKey: string }[]) => [...flags].sort((a, b) => `${a.rule} ${a.windowKey}`.localeCompare(`${b.rule} ${b.windowKey}`));
const plain = (f: { entrances: number; admissions: number; onDuty: Record<string, number> }) => ({ ...f, onDuty: Object.fromEntries(Object.entries(f.onDuty).sort()) });

describe('running figures against a from-scratch count of the stored records', () => {
  let run = 0;
  it('give the same people inside, hour flags and day and week figures, in any split into batches committed together', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.array(opArb, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        // Records from 38 h to 35 h ago: the doors' figures start before the 36 h lookback and are counted from the records.
        fc.boolean(),
        async (opsA, opsB, cutsA, cutsB, old) => {
          const store = await openTestStore(temp.dir);
          try {
            const entranceId = await seedVenue(store);
            const a = (await enrolKiosk(store, entranceId)).kiosk;
            const b = (await enrolKiosk(store, entranceId)).kiosk;
            const now = cstAt(cstMidnight(0), 10, 0);
            const base = old ? now - 35 * HOUR : now;
            const all = [recordsOf(a, opsA, base), recordsOf(b, opsB, base)];
            // Each door sends its batches in order, as its outbox does; the two doors' batches commit together.
            await Promise.all(
              all.map(async (records, i) => {
                for (const batch of batchesOf(records, i === 0 ? cutsA : cutsB)) await store.records.ingest(batch, now);
              }),
            );
            const want = await fromScratch(store, now, [a, b], all);

            const doors = await store.occupancy.byVenue('venue-a', now);
            expect(doors.map((d) => ({ kioskId: d.kioskId, inside: d.inside })).sort((x, y) => x.kioskId.localeCompare(y.kioskId))).toEqual(
              [...want.inside].sort((x, y) => x.kioskId.localeCompare(y.kioskId)),
            );

            const got = [];
            for (const h of want.hours) {
              const f = await store.flags.facts.hour('venue-a', h);
              const key = hourKey(h, want.venue.utcOffsetMinutes);
              got.push(...judgeSkipped(want.venue, key, f.skipped), ...judgeRisk(want.venue, key, f.risk), ...judgeClosed(want.venue, key, f.closed));
              got.push(...judgeScans(want.venue, h, f.scans, SCANS, want.p.active.flags));
              got.push(...judgeMissing(want.venue, key, f.missing));
              const { from, to } = baselineDays(h, want.venue.utcOffsetMinutes, want.th.noPhoneBaselineDays);
              const street = await store.flags.facts.street(from, to, 'venue-a');
              expect(street).toEqual(want.street(h));
              // The whole street's figure is still the venue's own: it is taken out, not missing.
              expect(await store.flags.facts.street(from, to, 'venue-a', true)).toEqual(want.streetDay(from, to));
              got.push(...judgeNoPhone(want.venue, h, f.noPhone, street, want.th));
            }
            expect(sorted(got)).toEqual(sorted(want.flags));
            for (const { d, f } of want.span) expect(plain(await store.flags.facts.span('venue-a', 'day', d))).toEqual(plain(f));
            for (const { w, f } of want.week) expect(plain(await store.flags.facts.span('venue-a', 'week', w))).toEqual(plain(f));
            // The street's running day figures: admissions that stand and those without a phone, undone ones taken back.
            for (const { d, f } of want.streetDays) expect(await store.flags.facts.street(d, d + 24 * HOUR, 'venue-a', true)).toEqual(f);
          } finally {
            await store.close();
          }
        },
      ),
      {
        numRuns: 40,
        // Undoing an admission from before a head count changes nothing.
        examples: [[[{ t: 'admit', checks: 0, minutes: 10, operator: 0 }, { t: 'headcount', n: 3 }, { t: 'undo', back: 0 }], [], [1, 2], [], false]],
      },
    );
  });

  it('count a door whose records arrive out of sequence order from its records, until a close-out in order', async () => {
    const store = await openTestStore(temp.dir);
    const entranceId = await seedVenue(store);
    const a = (await enrolKiosk(store, entranceId)).kiosk;
    const now = cstAt(cstMidnight(0), 10, 0);
    const ops: Op[] = [
      { t: 'exit', n: 1 },
      { t: 'admit', checks: 0, minutes: 20, operator: 0 },
      { t: 'admit', checks: 0, minutes: 30, operator: 0 },
      { t: 'close_out' },
      { t: 'admit', checks: 0, minutes: 50, operator: 0 },
    ];
    const records = recordsOf(a, ops, now);
    const inside = async () => (await store.occupancy.byVenue('venue-a', now))[0]!.inside;
    // Seq 2–3 first, then 1: an exit stepped after the admissions would leave 1; in order it clamps at zero first, leaving 2.
    await store.records.ingest(records.slice(1, 3), now);
    await store.records.ingest(records.slice(0, 1), now);
    expect(await inside()).toBe(occupancyFrom(records.slice(0, 3)));
    expect(await inside()).toBe(2);
    await store.records.ingest(records.slice(3), now);
    expect(await inside()).toBe(1);
    expect(await store.sql.all('SELECT stale FROM door_counts')).toEqual([{ stale: 0 }]);
    await store.close();
  });

  it('are built from the records when a file has none (an upgrade, a seeded street)', async () => {
    const store = await openTestStore(temp.dir);
    const entranceId = await seedVenue(store);
    const a = (await enrolKiosk(store, entranceId)).kiosk;
    const now = cstAt(cstMidnight(0), 10, 0);
    const records = recordsOf(a, [
      { t: 'admit', checks: 1, minutes: 10, operator: 0 },
      { t: 'admit', checks: 0, minutes: 20, operator: 1 },
      { t: 'undo', back: 0 },
      { t: 'admit', checks: 2, minutes: 30, operator: 0 },
      { t: 'admit', checks: 3, minutes: 40, operator: 0 },
      { t: 'admit', checks: 4, minutes: 50, operator: 1 },
    ], now);
    await store.records.ingest(records, now);
    const figures = async (s: Store) => ({
      inside: await s.occupancy.byVenue('venue-a', now),
      hour: await s.flags.facts.hour('venue-a', hourStart(Date.parse(records[0]!.kioskTime), 480)),
      street: await s.flags.facts.street(0, now + 24 * HOUR, 'venue-a', true),
    });
    const before = await figures(store);
    // The figures go, as in a file from before them; opening it again builds them from the records.
    await store.sql.exec('DELETE FROM door_counts; DELETE FROM window_facts; DELETE FROM street_days; DELETE FROM aggregate_state;');
    await store.close();
    const again = await openStore(locationOf(store));
    expect(await figures(again)).toEqual(before);
    expect(before.inside[0]!.inside).toBe(4);
    // Four admissions stand (one undone), two of them without a phone; one misses its scan and itinerary.
    expect(before.street).toEqual({ admissions: 4, noPhone: 2 });
    expect(before.hour.missing).toMatchObject({ count: 1, byCheck: { scan: 1, itinerary: 1 } });
    await again.close();
  });
});

describe('group commit', () => {
  it('commits writes that arrive together in one transaction; one that throws is undone alone and its caller told', async () => {
    const db = openDatabase(join(temp.dir, 'group.sqlite'));
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const sql = sqliteSql(db);
    const commits = createGroupCommit(sql);
    const insert = (tx: Sql, k: string) => tx.run('INSERT INTO t (k) VALUES (?)', [k]);
    const outcomes = await Promise.allSettled([
      commits.write(async (tx) => (await insert(tx, 'a')).changes),
      commits.write(async (tx) => {
        await insert(tx, 'b');
        await insert(tx, 'a'); // clashes: this write is rolled back, 'b' with it
      }),
      commits.write(async (tx) => (await insert(tx, 'c')).changes),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((await sql.all<{ k: string }>('SELECT k FROM t ORDER BY k')).map((r) => r.k)).toEqual(['a', 'c']);
    // One group, one COMMIT: the queue held all three before it ran, and nothing waits now.
    expect(commits.load()).toMatchObject({ queued: 0, queuedWeight: 0, groups: 1 });
    // A write on its own commits on its own, as soon as the event loop is free.
    await commits.write((tx) => insert(tx, 'd'));
    expect(commits.load().groups).toBe(2);
    // Before the store closes, what is queued is committed, not dropped.
    const pending = commits.write(async (tx) => (await insert(tx, 'e')).changes);
    await commits.drain();
    expect(await sql.get("SELECT count(*) AS n FROM t WHERE k = 'e'")).toEqual({ n: 1 });
    await sql.close();
    expect(await pending).toBe(1);
  });
});
