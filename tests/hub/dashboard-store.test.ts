import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../hub/src/store/index.js';
import { openTestStore } from '../support/store.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { DayQuery, RecordsQuery, StreetOverview, WeekQuery, WeeklyReport } from '../../shared/schemas/dashboard.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import type { Checks } from '../../shared/schemas/checks.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import { enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { cstDate, cstIso, cstMonday, cstWeek, DAY, HOUR, MIN } from '../support/clock.js';
import { entranceRecord, recordBase } from '../support/records.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * 00:00 in China Standard Time (UTC+8, the test venues' zone) on the Monday of the current ISO week
 * there, read from the wall clock: the day, the 7-day ranking and the ISO week the read model is
 * asked for are counted from it, in UTC+8.
 */
const MONDAY = cstMonday(0);
/** The ISO week (UTC+8) that MONDAY starts, as the weekly report takes it. */
const WEEK = cstWeek(MONDAY);
const iso = (ms: number) => new Date(ms).toISOString();
const GREEN: Checks = {
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius: 36.5 },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
};

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let a: KioskIdentity;
let b: KioskIdentity;
const seqs = new Map<string, number>();

/** Door events of one kiosk, each given its next seq, stored through the hub's own ingest. */
async function push(kiosk: KioskIdentity, receivedAt: number, ...records: ((seq: number) => SyncRecord)[]): Promise<SyncRecord[]> {
  const built = records.map((make) => {
    const seq = (seqs.get(kiosk.id) ?? 0) + 1;
    seqs.set(kiosk.id, seq);
    return make(seq);
  });
  const out = await store.records.ingest(built, receivedAt);
  expect(out.every((o) => o.status === 'accepted')).toBe(true);
  return built;
}
const admit = (kiosk: KioskIdentity, at: number, checks: Checks = GREEN) => (seq: number) =>
  entranceRecord(kiosk, seq, { kioskTime: iso(at), checks });
const refuse = (kiosk: KioskIdentity, at: number) => (seq: number) =>
  entranceRecord(kiosk, seq, { kioskTime: iso(at), checks: { ...GREEN, temperature: { outcome: 'measured', celsius: 38.1 } }, decision: 'refuse', reasons: ['fever'] });
const occupancy = (kiosk: KioskIdentity, at: number, kind: 'exit' | 'headcount' | 'close_out', count: number) => (seq: number): SyncRecord => ({
  ...recordBase(kiosk, seq),
  kioskTime: iso(at),
  type: 'occupancy',
  kind,
  count,
});

/** Writes flags and their events as the flag repository would (another engineer's); the read model only reads them. */
async function flag(venueId: string, rule: string, severity: string, openedAt: number, status = 'open', events: { action: string; at: number; deadline?: number; visitedAt?: number }[] = [], deadline: number | null = null): Promise<number> {
  const { id } = (await store.sql.get<{ id: number }>(
    'INSERT INTO flags (venue_id, rule, severity, window_key, evidence, opened_at, status, updated_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [venueId, rule, severity, randomUUID(), '{}', openedAt, status, openedAt, deadline],
  ))!;
  for (const e of events) {
    await store.sql.run('INSERT INTO flag_events (flag_id, at, action, note, deadline, visited_at) VALUES (?, ?, ?, ?, ?, ?)', [id, e.at, e.action, 'note', e.deadline ?? null, e.visitedAt ?? null]);
  }
  return id;
}

beforeEach(async () => {
  tmp = tempDir();
  store = await openTestStore(tmp.dir);
  seqs.clear();
  a = (await enrolKiosk(store, await seedVenue(store, 'venue-a'))).kiosk;
  b = (await enrolKiosk(store, await seedVenue(store, 'venue-b', { type: 'restaurant', ratedCapacity: 40 }))).kiosk;
});

afterEach(async () => {
  await store.close();
  tmp.remove();
});

describe('dashboard.overview', () => {
  it('counts people inside per venue by the kiosk rule, and today’s admissions', async () => {
    const t = MONDAY + 10 * HOUR;
    await push(a, t, admit(a, t - 3 * HOUR), admit(a, t - 2 * HOUR), admit(a, t - HOUR), refuse(a, t - HOUR), occupancy(a, t - 30 * MIN, 'exit', 1));
    // Yesterday evening's patrons were closed out: they count neither inside nor today.
    await push(b, t, admit(b, t - 14 * HOUR), occupancy(b, t - 13 * HOUR, 'close_out', 1), admit(b, t - 5 * MIN));
    const o = StreetOverview.parse(await store.dashboard.overview(WHOLE_CITY, t));
    const all = Object.fromEntries(o.communities.flatMap((c) => c.venues).map((v) => [v.id, v]));
    expect(all['venue-a']).toMatchObject({ inside: 2, cap: 100, admissionsToday: 3, status: 'clear', openFlags: 0, lastSeenAt: t });
    expect(all['venue-b']).toMatchObject({ inside: 1, cap: 40, admissionsToday: 1, status: 'clear' });
    expect(o.communities.map((c) => c.id)).toEqual(['c-venue-a', 'c-venue-b']);
  });

  it('counts inside exactly as the kiosk socket does (OccupancyRepository.byVenue), undos and head counts included', async () => {
    const t = MONDAY + 20 * HOUR;
    const [first] = await push(a, t, admit(a, t - 5 * HOUR), admit(a, t - 4 * HOUR), admit(a, t - 4 * HOUR + MIN));
    await push(a, t, (seq) => ({ ...recordBase(a, seq), kioskTime: iso(t - 3 * HOUR), type: 'correction', correctsId: first!.id, reason: '误操作' }));
    await push(a, t, occupancy(a, t - 2 * HOUR, 'headcount', 5), admit(a, t - HOUR), occupancy(a, t - 50 * MIN, 'exit', 2), admit(a, t - 10 * MIN));
    const [undo] = await push(a, t, admit(a, t - 5 * MIN));
    await push(a, t, (seq) => ({ ...recordBase(a, seq), kioskTime: iso(t - 4 * MIN), type: 'correction', correctsId: undo!.id, reason: '误操作' }));
    const byVenue = (await store.occupancy.byVenue('venue-a', t)).reduce((n, e) => n + e.inside, 0);
    const venue = (await store.dashboard.overview({ ...WHOLE_CITY, communityId: 'c-venue-a' }, t)).communities[0]!.venues[0]!;
    expect([venue.inside, byVenue]).toEqual([5, 5]);
    expect(venue.admissionsToday).toBe(4); // 6 admitted, 2 undone
  });

  it('shows the worst open flag, a policy closure, and a silent kiosk while open', async () => {
    const t = MONDAY + 12 * HOUR;
    await push(a, t - 5 * MIN, admit(a, t - 5 * MIN));
    await push(b, t - 11 * MIN, admit(b, t - 11 * MIN));
    const status = async () => Object.fromEntries((await store.dashboard.overview(WHOLE_CITY, t)).communities.flatMap((c) => c.venues).map((v) => [v.id, [v.status, v.openFlags]]));
    // venue-b's kiosk has not been heard from for 11 minutes and it is always open.
    expect(await status()).toEqual({ 'venue-a': ['clear', 0], 'venue-b': ['kiosk_offline', 0] });
    await flag('venue-a', 'skipped_check', 'warning', t - HOUR);
    await flag('venue-a', 'over_capacity', 'violation', t - HOUR, 'rectified');
    await flag('venue-b', 'kiosk_silent', 'info', t - HOUR);
    expect(await status()).toEqual({ 'venue-a': ['warning', 1], 'venue-b': ['kiosk_offline', 1] });
    await flag('venue-a', 'admitted_despite_risk', 'violation', t - HOUR, 'rectification_ordered');
    expect((await status())['venue-a']).toEqual(['violation', 2]);
    // 004 §3.1: the emergency policy closes KTVs.
    const { version: _, ...emergency } = EMERGENCY_POLICY;
    await store.policies.activate(emergency, t);
    expect(await status()).toEqual({ 'venue-a': ['closed', 2], 'venue-b': ['kiosk_offline', 1] });
  });

  it('tells a venue that never reported and one whose tablets are all offline from a clear one', async () => {
    const t = MONDAY + 12 * HOUR;
    const all = async () => Object.fromEntries((await store.dashboard.overview(WHOLE_CITY, t)).communities.flatMap((c) => c.venues).map((v) => [v.id, v]));
    // Enrolled, never heard: nothing to judge is no evidence of a clean door.
    expect((await all())['venue-a']).toMatchObject({ status: 'no_data', lastSeenAt: null, offlineSince: null, kiosks: 1 });
    // A venue with no tablet at all reads the same.
    await seedVenue(store, 'venue-c');
    expect((await all())['venue-c']).toMatchObject({ status: 'no_data', kiosks: 0 });
    // venue-a heard 5 minutes ago: clear. venue-b last heard 3 hours ago: offline since then.
    await push(a, t - 5 * MIN, admit(a, t - 5 * MIN));
    await push(b, t - 3 * HOUR, admit(b, t - 3 * HOUR));
    const now = await all();
    expect(now['venue-a']).toMatchObject({ status: 'clear', offlineSince: null });
    expect(now['venue-b']).toMatchObject({ status: 'kiosk_offline', offlineSince: t - 3 * HOUR, lastSeenAt: t - 3 * HOUR });
  });

  it('shows a community only its own venues', async () => {
    const o = await store.dashboard.overview({ ...WHOLE_CITY, communityId: 'c-venue-b' }, MONDAY);
    expect(o.communities.map((c) => [c.id, c.venues.map((v) => v.id)])).toEqual([['c-venue-b', ['venue-b']]]);
    expect((await store.dashboard.overview({ ...WHOLE_CITY, communityId: 'nobody' }, MONDAY)).communities).toEqual([]);
    expect(await store.dashboard.venueCommunity('venue-a')).toBe('c-venue-a');
    expect(await store.dashboard.venueCommunity('no-such-venue')).toBeUndefined();
  });
});

describe('dashboard.trends', () => {
  it('gives each venue its admissions and flags by venue-local hour today and by day over the week, and its scans per admission', async () => {
    const now = MONDAY + 7 * DAY + 15 * HOUR; // next Monday 15:00 at the venue
    await push(a, now, admit(a, now - 6 * HOUR), admit(a, now - 6 * HOUR + MIN), admit(a, now - 2 * DAY));
    // An admission undone at the door leaves the figures; one 8 days ago is outside the week.
    const [undone] = await push(a, now, admit(a, now - HOUR), admit(a, now - 8 * DAY));
    await push(a, now, (seq) => ({ ...recordBase(a, seq), kioskTime: iso(now - 50 * MIN), type: 'correction', correctsId: undone!.id, reason: '误操作' }));
    await flag('venue-a', 'skipped_check', 'warning', now - 6 * HOUR);
    await flag('venue-a', 'over_capacity', 'violation', now - 3 * DAY);
    await flag('venue-a', 'kiosk_silent', 'warning', now - 2 * HOUR, 'withdrawn');
    const t = (await store.dashboard.trends(WHOLE_CITY, now)).venues.find((v) => v.venueId === 'venue-a')!;
    expect(t.hours.admissions[9]).toBe(2);
    expect(t.hours.admissions.reduce((x, y) => x + y, 0)).toBe(2);
    expect(t.hours.flags[9]).toBe(1);
    expect(t.days.dates).toEqual(Array.from({ length: 7 }, (_, i) => cstDate(now - (6 - i) * DAY)));
    expect(t.days.admissions).toEqual([0, 0, 0, 0, 1, 0, 2]);
    expect(t.days.flags).toEqual([0, 0, 0, 1, 0, 0, 1]);
    expect(t).toMatchObject({ admissions7: 3, scans7: 0, scansPerAdmission: 0 });
    const b7 = (await store.dashboard.trends({ ...WHOLE_CITY, communityId: 'c-venue-b' }, now)).venues;
    expect(b7.map((v) => [v.venueId, v.admissions7, v.scansPerAdmission])).toEqual([['venue-b', 0, null]]);
  });
});

describe('dashboard.records', () => {
  const q = (over: Record<string, string>) => RecordsQuery.parse(over);

  it('filters by time, outcome, skipped check and skipped, and pages on the server', async () => {
    const t = MONDAY + 9 * HOUR;
    const skipTemp: Checks = { ...GREEN, temperature: { outcome: 'skipped', reason: '人多来不及' } };
    const skipScan: Checks = { ...GREEN, scan: { outcome: 'skipped', reason: '没手机' } };
    const made = await push(
      a,
      t + DAY,
      ...Array.from({ length: 7 }, (_, i) => admit(a, t + i * MIN)),
      refuse(a, t + 10 * MIN),
      admit(a, t + 11 * MIN, skipTemp),
      admit(a, t + 12 * MIN, skipScan),
      admit(a, t + DAY),
    );
    await push(b, t, admit(b, t));
    const page = async (over: Record<string, string>) => store.dashboard.records('venue-a', q(over));
    expect((await page({})).total).toBe(11);
    const first = await page({ pageSize: '4' });
    expect([first.total, first.items.length, first.items[0]!.id]).toEqual([11, 4, made[10]!.id]);
    const third = await page({ pageSize: '4', page: '3' });
    expect(third.items.map((r) => r.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
    const day = { from: String(MONDAY), to: String(MONDAY + DAY) };
    expect((await page(day)).total).toBe(10);
    expect((await page({ ...day, outcome: 'refuse' })).items.map((r) => [r.decision, r.reasons])).toEqual([['refuse', ['fever']]]);
    expect((await page({ ...day, outcome: 'admit' })).total).toBe(9);
    expect((await page({ skipped: 'true' })).items.map((r) => r.skipped)).toEqual([['scan'], ['temperature']]);
    expect((await page({ skipped: 'false' })).total).toBe(9);
    expect((await page({ check: 'temperature' })).items.map((r) => r.id)).toEqual([made[8]!.id]);
    expect((await page({ check: 'mask' })).total).toBe(0);
    const log = (await page({ check: 'scan' })).items[0]!;
    expect(log).toMatchObject({ kioskId: a.id, operatorId: 'staff-1', decision: 'admit', passId: null, correctedBy: null, checks: skipScan });
    // An operator id the registry does not hold has no name; the kiosk is named by its entrance.
    expect(log).toMatchObject({ operatorName: null, kiosk: { entrance: '正门', n: 1, of: 1 } });
  });

  it('names the door staff and the kiosk (its entrance, and its number there when there are several)', async () => {
    const second = (await enrolKiosk(store, 'venue-a-1')).kiosk;
    await push(a, MONDAY, (seq) => ({ ...admit(a, MONDAY + HOUR)(seq), operatorId: 'venue-a-staff-2' }));
    await push(second, MONDAY, (seq) => ({ ...admit(second, MONDAY + 2 * HOUR)(seq), operatorId: 'venue-a-staff-1' }));
    const items = (await store.dashboard.records('venue-a', q({}))).items;
    expect(items.map((r) => [r.operatorName, r.kiosk])).toEqual([
      ['王芳', { entrance: '正门', n: 2, of: 2 }],
      ['李强', { entrance: '正门', n: 1, of: 2 }],
    ]);
    expect(await store.dashboard.names('venue-a')).toEqual({
      kiosks: { [a.id]: { entrance: '正门', n: 1, of: 2 }, [second.id]: { entrance: '正门', n: 2, of: 2 } },
      staff: { 'venue-a-staff-1': '王芳', 'venue-a-staff-2': '李强' },
    });
  });

  it('shows an undone admission with the correction that undid it', async () => {
    const [rec] = await push(a, MONDAY, admit(a, MONDAY + HOUR));
    const [fix] = await push(a, MONDAY, (seq) => ({ ...recordBase(a, seq), type: 'correction', correctsId: rec!.id, reason: '误操作' }));
    expect((await store.dashboard.records('venue-a', q({}))).items[0]!.correctedBy).toBe(fix!.id);
    expect(await store.dashboard.undone([rec!.id, fix!.id, 'no-such-record'])).toEqual([rec!.id]);
  });
});

describe('dashboard.day', () => {
  it('gives venue-local hours with admissions, refusals, scans and people inside, and the outcome of each check', async () => {
    const day = MONDAY + DAY; // the Tuesday, from its venue-local midnight
    await push(
      a,
      day,
      admit(a, day - 30 * MIN), // the evening before, still inside at midnight
      admit(a, day + 9 * HOUR + 5 * MIN),
      admit(a, day + 9 * HOUR + 10 * MIN, { ...GREEN, temperature: { outcome: 'skipped', reason: '熟客' } }),
      refuse(a, day + 9 * HOUR + 20 * MIN),
      occupancy(a, day + 10 * HOUR + 30 * MIN, 'exit', 2),
      admit(a, day + 23 * HOUR + 59 * MIN),
    );
    await store.sql.run(
      `INSERT INTO passes (id, venue_id, entrance_id, kiosk_id, source, code, code_minute, code_n, issued_at, expires_at, policy_version, people, verdict, declaration, signed)
       VALUES (?, 'venue-a', 'venue-a-1', NULL, 'poster', 'AAAAAA', 0, ?, ?, 0, 1, 1, 'enter', '[]', '')`,
      [randomUUID(), 1, day + 9 * HOUR + 3 * MIN],
    );
    const d = await store.dashboard.day('venue-a', DayQuery.parse({ date: cstDate(day) }).date);
    expect(d!.hours).toHaveLength(24);
    expect(d!.hours[0]).toEqual({ hour: 0, admissions: 0, refusals: 0, scans: 0, inside: 1 });
    expect(d!.hours[9]).toEqual({ hour: 9, admissions: 2, refusals: 1, scans: 1, inside: 3 });
    expect(d!.hours[10]!.inside).toBe(1);
    expect(d!.hours[23]).toMatchObject({ admissions: 1, inside: 2 });
    expect(d!.breakdown.temperature).toEqual({ measured: 3, skipped: 1 });
    expect(d!.breakdown.healthCode).toEqual({ green: 4 });
    expect(await store.dashboard.day('no-such-venue', cstDate(day))).toBeUndefined();
  });
});

describe('dashboard.ranking', () => {
  it('ranks by skipped-check rate over 7 days, with scans per admission and last week’s figures', async () => {
    const skip: Checks = { ...GREEN, temperature: { outcome: 'skipped', reason: '人多' } };
    const date = cstDate(MONDAY + 6 * DAY); // the Sunday: the 7 days Monday–Sunday of this week, against the 7 before
    await push(a, MONDAY, admit(a, MONDAY - 3 * DAY, skip), admit(a, MONDAY - 3 * DAY), admit(a, MONDAY + HOUR, skip), admit(a, MONDAY + 2 * HOUR));
    await push(b, MONDAY, admit(b, MONDAY + HOUR), admit(b, MONDAY + 7 * DAY + HOUR)); // the second is after the window
    const rows = (await store.dashboard.ranking(date, WHOLE_CITY)).rows;
    expect(rows.map((r) => r.venueId)).toEqual(['venue-a', 'venue-b']);
    expect(rows[0]).toMatchObject({ admissions: 2, skippedRate: 0.5, scansPerAdmission: 0, previousSkippedRate: 0.5, previousScansPerAdmission: 0 });
    expect(rows[1]).toMatchObject({ admissions: 1, skippedRate: 0, previousSkippedRate: null, previousScansPerAdmission: null });
    expect((await store.dashboard.ranking(date, { ...WHOLE_CITY, communityId: 'c-venue-b' })).rows.map((r) => r.venueId)).toEqual(['venue-b']);
  });
});

describe('dashboard.weeklyReport', () => {
  it('reports per venue: admissions, refusals, skipped rate, flags by rule, inspections, rectifications, repeat offenders', async () => {
    const week = WeekQuery.parse({ week: WEEK }).week;
    await push(a, MONDAY, admit(a, MONDAY + HOUR), refuse(a, MONDAY + HOUR), admit(a, MONDAY + 7 * DAY + HOUR), admit(a, MONDAY - HOUR));
    await flag('venue-a', 'skipped_check', 'warning', MONDAY + DAY);
    await flag('venue-a', 'skipped_check', 'warning', MONDAY + 2 * DAY, 'withdrawn');
    await flag('venue-a', 'over_capacity', 'violation', MONDAY + 2 * DAY, 'rectified', [
      { action: 'order_rectification', at: MONDAY + 2 * DAY + HOUR, deadline: MONDAY + 4 * DAY },
      { action: 'mark_rectified', at: MONDAY + 3 * DAY, visitedAt: MONDAY + 3 * DAY - HOUR },
    ]);
    // Ordered last week, deadline missed this week, still open: 查后不改.
    await flag('venue-b', 'ledger_not_kept', 'violation', MONDAY - 5 * DAY, 'rectification_ordered', [{ action: 'order_rectification', at: MONDAY - 4 * DAY, deadline: MONDAY + DAY }], MONDAY + DAY);
    const r = WeeklyReport.parse(await store.dashboard.weeklyReport(week, WHOLE_CITY));
    expect([r.from, r.to]).toEqual([MONDAY, MONDAY + 7 * DAY]);
    const [ra, rb] = r.rows;
    expect(ra).toEqual({
      communityId: 'c-venue-a',
      communityName: '测试社区',
      venueId: 'venue-a',
      venueName: '测试KTV',
      admissions: 1,
      refusals: 1,
      skippedRate: 0,
      flagsByRule: { skipped_check: 1, over_capacity: 1 },
      inspections: 1,
      inspectionItemsFailed: 0,
      rectificationsOpen: 0,
      rectificationsClosed: 1,
      repeatOffender: false,
    });
    expect(rb).toMatchObject({ venueId: 'venue-b', flagsByRule: {}, rectificationsOpen: 1, rectificationsClosed: 0, repeatOffender: true });
    // Three violations within the policy's 30 days make a repeat offender too (000 §5 屡查屡犯).
    await flag('venue-a', 'admitted_while_closed', 'violation', MONDAY - 10 * DAY);
    await flag('venue-a', 'admitted_despite_risk', 'violation', MONDAY + 5 * DAY);
    expect((await store.dashboard.weeklyReport(week, { ...WHOLE_CITY, communityId: 'c-venue-a' })).rows).toMatchObject([{ venueId: 'venue-a', repeatOffender: true }]);
    expect(() => WeekQuery.parse({ week: '2026-48' })).toThrow();
    // A week no calendar has (2025 has 52 ISO weeks): a fixed fact, not a date that will pass.
    await expect(store.dashboard.weeklyReport('2025-W53', WHOLE_CITY)).rejects.toThrow(RangeError);
  });
});

describe('dashboard.ledgers', () => {
  it('returns the venue’s ledgers in the window, newest first', async () => {
    await push(
      a,
      MONDAY,
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + HOUR), type: 'venue_check', oneMetreLine: true, noticesPosted: false }),
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + 2 * HOUR), type: 'disinfection', kind: 'ventilation', area: '大厅', officer: '孙丽', doneAt: iso(MONDAY + 2 * HOUR) }),
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + 3 * HOUR), type: 'staff_temperature', staffId: 'venue-a-staff-1', celsius: 36.4 }),
      admit(a, MONDAY + 4 * HOUR),
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + 2 * DAY), type: 'staff_health', staffId: 'venue-a-staff-1', lastTestDate: cstDate(MONDAY + DAY), vaccination: 'booster' }),
    );
    const got = await store.dashboard.ledgers('venue-a', MONDAY, MONDAY + DAY);
    expect(got.items.map((l) => l.type)).toEqual(['staff_temperature', 'disinfection', 'venue_check']);
    expect(got.items[2]).toMatchObject({ kioskId: a.id, oneMetreLine: true, noticesPosted: false, receivedAt: MONDAY });
    expect(got.unreadable).toEqual([]);
    expect(await store.dashboard.ledgers('venue-b', MONDAY, MONDAY + DAY)).toEqual({ items: [], unreadable: [] });
  });

  it('leaves out and names the stored rows that no longer fit the schema, reading the rest', async () => {
    const [check, disinfection, temperature] = await push(
      a,
      MONDAY,
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + HOUR), type: 'venue_check', oneMetreLine: true, noticesPosted: true }),
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + 2 * HOUR), type: 'disinfection', kind: 'ventilation', area: '大厅', officer: '孙丽', doneAt: iso(MONDAY + 2 * HOUR) }),
      (seq) => ({ ...recordBase(a, seq), kioskTime: iso(MONDAY + 3 * HOUR), type: 'staff_temperature', staffId: 'venue-a-staff-1', celsius: 36.4 }),
    );
    // Rows kept under an older schema, as a file from before today's checks holds them: a kiosk
    // time written with an offset no clock has, and a body missing a field now required.
    const badTime = cstIso(MONDAY + 2 * HOUR).replace('+08:00', '+23:59');
    await store.sql.run('UPDATE kiosk_records SET kiosk_time = ? WHERE id = ?', [badTime, disinfection!.id]);
    const { body } = (await store.sql.get<{ body: string }>('SELECT body FROM kiosk_records WHERE id = ?', [temperature!.id]))!;
    const { celsius: _, ...withoutCelsius } = JSON.parse(body) as Record<string, unknown>;
    await store.sql.run('UPDATE kiosk_records SET body = ? WHERE id = ?', [JSON.stringify(withoutCelsius), temperature!.id]);
    const got = await store.dashboard.ledgers('venue-a', MONDAY, MONDAY + DAY);
    expect(got.items.map((l) => l.id)).toEqual([check!.id]);
    expect(got.unreadable).toEqual([
      { id: temperature!.id, type: 'staff_temperature', kioskTime: iso(MONDAY + 3 * HOUR) },
      { id: disinfection!.id, type: 'disinfection', kioskTime: badTime },
    ]);
  });
});

describe('dashboard filters against SQL injection', () => {
  const HOSTILE = ["' OR 1=1 --", "'; DROP TABLE entrance_records; --", '1; DELETE FROM venues', '") OR ("1"="1', 'scan" OR "1"="1', '%', '\\', 'venue-a\' --'];

  it('refuses hostile filter values by validation, and finds nothing for hostile ids', async () => {
    await push(a, MONDAY, admit(a, MONDAY), refuse(a, MONDAY + MIN));
    for (const s of HOSTILE) {
      for (const field of ['from', 'to', 'outcome', 'check', 'skipped', 'page', 'pageSize', s]) {
        expect(RecordsQuery.safeParse({ [field]: s }).success, `${field}=${s}`).toBe(false);
      }
      expect(DayQuery.safeParse({ date: s }).success).toBe(false);
      expect(WeekQuery.safeParse({ week: s }).success).toBe(false);
      expect((await store.dashboard.records(s, RecordsQuery.parse({}))).total).toBe(0);
      expect(await store.dashboard.day(s, cstDate(MONDAY))).toBeUndefined();
      expect(await store.dashboard.venueCommunity(s)).toBeUndefined();
      expect(await store.dashboard.ledgers(s, 0, Date.now())).toEqual({ items: [], unreadable: [] });
      expect((await store.dashboard.overview({ ...WHOLE_CITY, communityId: s }, MONDAY)).communities).toEqual([]);
      expect((await store.dashboard.ranking(cstDate(MONDAY), { ...WHOLE_CITY, communityId: s })).rows).toEqual([]);
      expect((await store.dashboard.weeklyReport(WEEK, { ...WHOLE_CITY, communityId: s })).rows).toEqual([]);
    }
    // Everything still there.
    expect((await store.dashboard.records('venue-a', RecordsQuery.parse({}))).total).toBe(2);
    expect(await store.venues.count()).toBe(2);
  });
});
