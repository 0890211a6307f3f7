import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestStore } from '../support/store.js';
import { backfill } from '../../hub/src/services/flags.js';
import { createAggregates } from '../../hub/src/store/aggregates.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { crashReadWorkersForTest, createReadPool, readRepositories, type ReadRepositories } from '../../hub/src/store/read-pool.js';
import { createRuleContext } from '../../hub/src/store/rule-context.js';
import { sqliteSql } from '../../hub/src/store/sql.js';
import { RecordsQuery } from '../../shared/schemas/dashboard.js';
import { seedStreet, type SeedStats } from '../../scripts/seed-street.js';
import { enrolKiosk, seedVenue, tempDir } from '../support/hub.js';
import { entranceRecord } from '../support/records.js';
import { cstAt, cstMidnight, MIN } from '../support/clock.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

/**
 * The dashboard's and tracing's reads answered by a worker thread with its own
 * read-only connection (hub/src/store/read-pool.ts, read-worker.ts), on real
 * SQLite files: the same answers as on the main connection, errors that keep
 * their class and message, a dead worker that fails its calls and is replaced,
 * a main thread that keeps running while the worker reads, and every
 * committed write visible to the next read.
 */

const DAY = 86_400_000;
const UNTIL = Date.parse('2026-11-23T21:00:00+08:00');
const ALL = WHOLE_CITY;

/** The read repositories on a connection of this thread, as the store has them where there is no worker (readRepositories). */
function inProcess(db: Database.Database): ReadRepositories {
  return readRepositories(sqliteSql(db), createAggregates(createRuleContext()));
}

/** Counts event-loop turns (setImmediate) until `p` settles: 0 means the main thread was held the whole time. */
async function turnsWhile<T>(start: () => Promise<T>): Promise<{ turns: number; value: T }> {
  let turns = 0;
  let settled = false;
  const tick = () => {
    if (settled) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await start().finally(() => {
    settled = true;
  });
  return { turns, value };
}

// SQLite only: the read worker exists for better-sqlite3's synchronous reads (PostgreSQL reads on the pool).
describe.skipIf(onPostgres)('reads in a worker thread (read-pool.ts)', () => {
  const tmp = tempDir();
  let street: SeedStats;
  let store: Store;
  let local: Database.Database;
  let ref: ReadRepositories;
  let venueIds: string[];
  let communityId: string;

  beforeAll(async () => {
    street = await seedStreet({ dataDir: tmp.dir, venues: 6, communities: 2, weeks: 2, seed: 7, records: 20_000, until: UNTIL });
    store = await openStore(street.file); // builds the running figures of the seeded rows
    await backfill(store, street.from, street.until); // flags, so the reports have some
    local = new Database(street.file, { readonly: true });
    ref = inProcess(local);
    venueIds = local.prepare<[], { id: string }>('SELECT id FROM venues ORDER BY id').all().map((v) => v.id);
    communityId = local.prepare<[], { id: string }>('SELECT id FROM communities ORDER BY id LIMIT 1').get()!.id;
  });

  afterAll(async () => {
    local?.close();
    await store?.close();
    tmp.remove();
  });

  it('answers every read as the repositories on the main connection do', async () => {
    const lastDay = new Date(UNTIL + 8 * 3_600_000).toISOString().slice(0, 10);
    const week = ['2026-W47', '2026-W48'];
    const v = venueIds[0]!;
    const dayFrom = UNTIL - DAY;
    const queries = [
      RecordsQuery.parse({}),
      RecordsQuery.parse({ from: String(dayFrom), to: String(UNTIL), page: '2', pageSize: '20' }),
      RecordsQuery.parse({ outcome: 'refuse' }),
      RecordsQuery.parse({ check: 'temperature', skipped: 'true' }),
    ];
    // A case's visits: two hours around an admission at each of three venues.
    const admittedAt = local.prepare<[string], { t: number }>("SELECT kiosk_time_ms AS t FROM entrance_records WHERE venue_id = ? AND decision = 'admit' ORDER BY kiosk_time_ms DESC LIMIT 1 OFFSET 100");
    const visits = venueIds.slice(0, 3).map((venueId) => {
      const t = admittedAt.get(venueId)!.t;
      return { venueId, from: t - 3_600_000, to: t + 3_600_000 };
    });

    for (const scope of [ALL, { ...WHOLE_CITY, communityId }]) {
      const overview = await store.dashboard.overview(scope, UNTIL);
      expect(overview.communities.length).toBeGreaterThan(0);
      expect(overview).toEqual(await ref.dashboard.overview(scope, UNTIL));
      expect(await store.dashboard.ranking(lastDay, scope)).toEqual(await ref.dashboard.ranking(lastDay, scope));
      for (const w of week) {
        const report = await store.dashboard.weeklyReport(w, scope);
        expect(report).toEqual(await ref.dashboard.weeklyReport(w, scope));
        expect(report.rows.length).toBeGreaterThan(0);
      }
    }
    const report = await store.dashboard.weeklyReport(week[0]!, ALL);
    expect(report.rows.every((r) => r.admissions > 0)).toBe(true);
    for (const q of queries) {
      const page = await store.dashboard.records(v, q);
      expect(page).toEqual(await ref.dashboard.records(v, q));
    }
    expect((await store.dashboard.records(v, queries[0]!)).total).toBeGreaterThan(0);
    const day = await store.dashboard.day(v, lastDay);
    expect(day).toBeDefined();
    expect(day).toEqual(await ref.dashboard.day(v, lastDay));
    expect(await store.dashboard.day('no-such-venue', lastDay)).toBeUndefined();
    expect(await store.dashboard.venueCommunity(v)).toBe(await ref.dashboard.venueCommunity(v));
    expect(await store.dashboard.venueCommunity('no-such-venue')).toBeUndefined();
    expect(await store.dashboard.ledgers(v, street.from, street.until)).toEqual(await ref.dashboard.ledgers(v, street.from, street.until));

    // A Map crosses the thread as a Map (the route asks it .has()).
    const names = await store.tracing.venues([...venueIds.slice(0, 2), 'no-such-venue']);
    expect(names).toBeInstanceOf(Map);
    expect(names).toEqual(await ref.tracing.venues([...venueIds.slice(0, 2), 'no-such-venue']));
    expect(names.size).toBe(2);
    const traced = await store.tracing.trace(visits, 3_600_000);
    expect(traced.length).toBeGreaterThan(0);
    expect(traced).toEqual(await ref.tracing.trace(visits, 3_600_000));
  });

  it('hands an error thrown in the worker to the caller with its class, name and message', async () => {
    const rejected = store.dashboard.weeklyReport('2025-W53', ALL);
    await expect(rejected).rejects.toThrow(RangeError);
    await expect(rejected).rejects.toThrow('2025 has no week 53');
    // Not only the errors a repository means to throw: a wrong argument fails as on the main connection.
    const inWorker = await store.dashboard.records(venueIds[0]!, undefined as unknown as RecordsQuery).catch((e: unknown) => e);
    const onMain = await ref.dashboard.records(venueIds[0]!, undefined as unknown as RecordsQuery).catch((e: unknown) => e);
    expect(onMain).toBeInstanceOf(TypeError);
    expect(inWorker).toBeInstanceOf(TypeError);
    expect((inWorker as Error).name).toBe((onMain as Error).name);
    expect((inWorker as Error).message).toBe((onMain as Error).message);
    // The store goes on answering after an error.
    expect(await store.dashboard.venueCommunity(venueIds[0]!)).toBe(await ref.dashboard.venueCommunity(venueIds[0]!));
  });

  it('fails the calls pending on a worker that dies, and starts a new one on the next call', async () => {
    const pool = createReadPool(street.file, () => inProcess(local));
    try {
      // No call yet, no worker.
      expect(await crashReadWorkersForTest(pool)).toBe(0);
      // In flight: posted to a worker that is killed before it can answer.
      const report = pool.dashboard.weeklyReport('2026-W47', ALL);
      const overview = pool.dashboard.overview(ALL, UNTIL);
      const reportFailed = expect(report).rejects.toThrow(/read worker stopped .*before dashboard\.weeklyReport answered/);
      const overviewFailed = expect(overview).rejects.toThrow(/read worker stopped .*before dashboard\.overview answered/);
      expect(await crashReadWorkersForTest(pool)).toBe(1);
      await reportFailed;
      await overviewFailed;
      expect(await pool.dashboard.weeklyReport('2026-W47', ALL)).toEqual(await ref.dashboard.weeklyReport('2026-W47', ALL));
      // And again, from a worker that was answering.
      expect(await crashReadWorkersForTest(pool)).toBe(1);
      expect(await pool.tracing.venues(venueIds)).toEqual(await ref.tracing.venues(venueIds));
    } finally {
      await pool.close();
    }
    await expect(pool.dashboard.overview(ALL, UNTIL)).rejects.toThrow('the store is closed');
  });

  it('spreads calls over a pool of two workers, each answering as the main connection does', async () => {
    const pool = createReadPool(street.file, () => inProcess(local), { size: 2 });
    try {
      const [a, b] = await Promise.all([pool.dashboard.weeklyReport('2026-W47', ALL), pool.dashboard.overview(ALL, UNTIL)]);
      expect(await crashReadWorkersForTest(pool)).toBe(2);
      expect(a).toEqual(await ref.dashboard.weeklyReport('2026-W47', ALL));
      expect(b).toEqual(await ref.dashboard.overview(ALL, UNTIL));
    } finally {
      await pool.close();
    }
  });

  it('fails a call still pending when the store closes', async () => {
    const pool = createReadPool(street.file, () => inProcess(local));
    const pending = pool.dashboard.weeklyReport('2026-W47', ALL);
    const failed = expect(pending).rejects.toThrow(/closed before dashboard\.weeklyReport answered/);
    await pool.close();
    await failed;
  });

  it('keeps the main thread turning while weekly reports are read, where the main connection holds it', async () => {
    await store.dashboard.venueCommunity(venueIds[0]!); // the worker is up
    // Two dozen reports queued at once keep the worker reading for a while (each is answered on its own turn), so
    // "no turn at all" would take the main thread being held the whole time: what a read on the main connection does.
    const reports = (d: ReadRepositories['dashboard']) =>
      Promise.all(Array.from({ length: 24 }, (_, i) => d.weeklyReport(i % 2 ? '2026-W47' : '2026-W48', i % 3 ? ALL : { ...WHOLE_CITY, communityId })));
    const inWorker = await turnsWhile(() => reports(store.dashboard));
    const onMain = await turnsWhile(() => reports(ref.dashboard));
    expect(inWorker.value).toEqual(onMain.value);
    // The main connection answers inside the calls: not one turn of the event loop until they are done.
    expect(onMain.turns).toBe(0);
    expect(inWorker.turns).toBeGreaterThan(0);
  });

  it('runs the reads of a :memory: database on its own connection', async () => {
    const pool = createReadPool(':memory:', () => ref);
    expect(pool.dashboard).toBe(ref.dashboard);
    expect(pool.tracing).toBe(ref.tracing);
    expect(await crashReadWorkersForTest(pool)).toBe(0);
    await pool.close();
    // And a whole store on one.
    const memory = await openStore(':memory:');
    await seedVenue(memory);
    expect(await memory.dashboard.venueCommunity('venue-a')).toBe('c-venue-a');
    await memory.close();
  });
});

describe('read-your-writes through the store', () => {
  it('shows every write whose promise resolved to the next dashboard read', async () => {
    const tmp = tempDir();
    const store = await openTestStore(tmp.dir);
    try {
      const entranceId = await seedVenue(store);
      const { kiosk } = await enrolKiosk(store, entranceId);
      const q = RecordsQuery.parse({});
      let seq = 0;
      // Yesterday 10:00 at the venue, counted a minute on: one venue day at whatever hour the suite runs
      // (by the wall clock, a count a minute on missed the records near midnight).
      const at = cstAt(cstMidnight(-1), 10);
      for (let round = 1; round <= 10; round++) {
        const batch = Array.from({ length: 5 }, () => {
          seq++;
          return entranceRecord(kiosk, seq, { kioskTime: new Date(at + seq).toISOString() });
        });
        await store.records.ingest(batch, at + MIN);
        // Immediately: no wait, no retry.
        const page = await store.dashboard.records(kiosk.venueId, q);
        expect(page.total).toBe(round * 5);
        expect(page.items[0]!.id).toBe(batch[4]!.id);
        const overview = await store.dashboard.overview(ALL, at + MIN);
        expect(overview.communities[0]!.venues[0]!.admissionsToday).toBe(round * 5);
      }
      // A write outside the group commit too.
      await store.venues.addCommunity({ id: 'c-new', name: '新社区' });
      await store.venues.add({
        id: 'venue-new',
        communityId: 'c-new',
        name: '新店',
        type: 'ktv',
        address: '测试路2号',
        ratedCapacity: 50,
        openingHours: null,
        utcOffsetMinutes: 480,
        officers: { prevention: { name: '赵敏', phone: '13800000001' } },
      });
      expect(await store.dashboard.venueCommunity('venue-new')).toBe('c-new');
      expect((await store.tracing.venues(['venue-new'])).get('venue-new')?.name).toBe('新店');
    } finally {
      await store.close();
      tmp.remove();
    }
  });
});
