/**
 * The inspectors' dashboard over a street of 5 million entrance records
 * (docs/benchmarks.md): the street overview and one venue-day page of the entrance log,
 * each against a plain indexed count over the same table in the same run
 * (`count(*) … WHERE venue_id = ? AND kiosk_time_ms BETWEEN ? AND ?`). The
 * street is built by scripts/seed-street.ts (minutes; progress on stderr), or
 * reused from --data-dir if it is already seeded. Prints one JSON line.
 *
 *   npm run bench:dashboard -- --json [--data-dir DIR] [--records 5000000] [--runs 7]
 *
 * With `--streets N` (N > 1), or a --data-dir seeded with several streets, the run is on a district
 * (seed-street --streets: N streets of --venues venues each) and measures oversight instead
 * (hub/src/store/oversight.ts): the city overview over every street, and one street's (its
 * oversight row, and the street admin's own overview of it, community by community), each against
 * the plain indexed counts of what it summarises, for the same venues in the same run: per venue,
 * its entrance records of today and of the 7 days the scan rate covers, its passes of those days,
 * its kiosks and its open flags (`count(*)` over each table's index).
 *
 *   npm run bench:dashboard -- --json --data-dir DIR --streets 10 --venues 200 [--records 5000000]
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';
import { RecordsQuery } from '../../shared/schemas/dashboard.js';
import { parseFlags } from '../cli.js';
import { seedStreet } from '../seed-street.js';

const flags = parseFlags(
  z.object({
    'data-dir': z.string().min(1).optional(),
    records: z.coerce.number().int().min(10_000).max(50_000_000).default(5_000_000),
    runs: z.coerce.number().int().min(1).max(100).default(7),
    /** Streets to seed (a district); venues are per street. */
    streets: z.coerce.number().int().min(1).max(30).default(1),
    venues: z.coerce.number().int().min(1).max(2000).default(200),
    json: z.boolean().default(false),
  }),
);

const DAY = 86_400_000;
const OFFSET_MS = 480 * 60_000;
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 3) => Number(x.toFixed(d));

async function timed<T>(runs: number, f: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  let value = await f(); // warm-up: statements prepared, pages cached
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = await f();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

/**
 * Oversight on a district: the city overview and one street's, each against the plain indexed
 * counts over the same venues (see the head of this file). One JSON line.
 */
async function district(store: Store, raw: Database.Database): Promise<void> {
  const total = raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM entrance_records').get()!.n;
  const now = raw.prepare<[], { t: number }>('SELECT max(kiosk_time_ms) AS t FROM entrance_records').get()!.t;
  const venues = raw
    .prepare<[], { id: string; street: string; community: string }>('SELECT v.id, c.street_id AS street, c.id AS community FROM venues v JOIN communities c ON c.id = v.community_id ORDER BY v.id')
    .all();
  const streets = [...new Set(venues.map((v) => v.street))].sort();
  // The street measured: the first by id (the deployment's own street in a seeded district).
  const street = streets[0]!;
  const ofStreet = venues.filter((v) => v.street === street);
  const today = Math.floor((now + OFFSET_MS) / DAY) * DAY - OFFSET_MS;
  const weekFrom = today - 6 * DAY;
  const records = raw.prepare<[string, number, number], { n: number }>('SELECT count(*) AS n FROM entrance_records WHERE venue_id = ? AND kiosk_time_ms BETWEEN ? AND ?');
  const passes = raw.prepare<[string, number, number], { n: number }>('SELECT count(*) AS n FROM passes WHERE venue_id = ? AND issued_at BETWEEN ? AND ?');
  const kiosks = raw.prepare<[string], { n: number }>('SELECT count(*) AS n FROM kiosks WHERE venue_id = ? AND revoked_at IS NULL');
  const flagsOpen = raw.prepare<[string], { n: number }>("SELECT count(*) AS n FROM flags WHERE venue_id = ? AND status NOT IN ('rectified', 'withdrawn')");
  const counts = (vs: readonly { id: string }[]) =>
    vs.reduce(
      (s, v) =>
        s +
        records.get(v.id, today, today + DAY - 1)!.n +
        records.get(v.id, weekFrom, today + DAY - 1)!.n +
        passes.get(v.id, weekFrom, today + DAY - 1)!.n +
        kiosks.get(v.id)!.n +
        flagsOpen.get(v.id)!.n,
      0,
    );
  log(`${total.toLocaleString('en')} entrance records, ${venues.length} venues in ${streets.length} streets; street measured: ${street} (${ofStreet.length} venues)`);
  // Today's records alone, per venue (the street bench's baseline): the smallest count the overview stands for.
  const dayCounts = (vs: readonly { id: string }[]) => vs.reduce((s, v) => s + records.get(v.id, today, today + DAY - 1)!.n, 0);
  const cityDay = await timed(flags.runs, () => dayCounts(venues));
  const cityCounts = await timed(flags.runs, () => counts(venues));
  const streetCounts = await timed(flags.runs, () => counts(ofStreet));
  const city = await timed(flags.runs, () => store.oversight.overview(WHOLE_CITY, now));
  const streetScope = { districtId: null, streetId: street, communityId: null };
  const oneStreet = await timed(flags.runs, () => store.oversight.overview(streetScope, now));
  // The street admin's own overview of that street: its communities' boards, as /api/street draws them.
  const communities = [...new Set(ofStreet.map((v) => v.community))];
  const streetBoard = await timed(flags.runs, async () => {
    let n = 0;
    for (const communityId of communities) n += (await store.dashboard.overview({ ...WHOLE_CITY, communityId }, now)).communities.reduce((s, c) => s + c.venues.length, 0);
    return n;
  });
  if (streetBoard.value !== ofStreet.length) throw new Error(`street board ${streetBoard.value} venues ≠ ${ofStreet.length}`);
  const cityAdmissions = city.value.streets.reduce((s, x) => s + x.admissionsToday, 0);
  const line = {
    bench: 'dashboard-district',
    entrance_records: total,
    streets: streets.length,
    venues: venues.length,
    street_venues: ofStreet.length,
    runs: flags.runs,
    city_overview_ms: round(city.ms, 1),
    city_admissions_today: cityAdmissions,
    city_doors_online: city.value.streets.reduce((s, x) => s + x.doorsOnline, 0),
    street_overview_ms: round(oneStreet.ms, 1),
    street_board_ms: round(streetBoard.ms, 1),
    baseline_city_counts_ms: round(cityCounts.ms, 1),
    baseline_street_counts_ms: round(streetCounts.ms, 1),
    baseline_city_day_counts_ms: round(cityDay.ms, 1),
    ratio_city_overview_to_counts: round(city.ms / cityCounts.ms, 2),
    ratio_street_overview_to_counts: round(oneStreet.ms / streetCounts.ms, 2),
    ratio_street_board_to_counts: round(streetBoard.ms / streetCounts.ms, 2),
    ratio_city_overview_to_day_counts: round(city.ms / cityDay.ms, 2),
  };
  process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${JSON.stringify(line, null, 2)}\n`);
}

const temp = flags['data-dir'] ? undefined : mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
const dir = flags['data-dir'] ?? temp!;
try {
  const file = join(dir, 'hub.sqlite');
  const seeded = existsSync(file) && new Database(file, { readonly: true }).prepare<[], { n: number }>('SELECT count(*) AS n FROM venues').get()!.n > 0;
  if (!seeded) {
    log(`seeding ${flags.records.toLocaleString('en')} entrance records into ${file} …`);
    const s = await seedStreet(
      { dataDir: dir, venues: flags.venues, communities: 8, streets: flags.streets, weeks: 4, seed: 1, records: flags.records, until: Date.parse('2026-11-23T21:00:00+08:00') },
      log,
    );
    log(`seeded in ${(s.ms / 1000).toFixed(0)} s`);
  }
  const t0 = performance.now();
  const store = await openStore(file); // applies any pending migration (the dashboard's indices) first
  log(`store open (migrations) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const raw = new Database(file, { readonly: true });
  try {
    if (raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM streets').get()!.n > 1) await district(store, raw);
    else await street(store, raw);
  } finally {
    raw.close();
    await store.close();
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}

/** The street overview and a venue-day page of the log on one street (the bench before districts). */
async function street(store: Store, raw: Database.Database): Promise<void> {
  {
    const total = raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM entrance_records').get()!.n;
    const now = raw.prepare<[], { t: number }>('SELECT max(kiosk_time_ms) AS t FROM entrance_records').get()!.t;
    const venueIds = raw.prepare<[], { id: string }>('SELECT id FROM venues ORDER BY id').all().map((v) => v.id);
    // The last full venue-local day, at its busiest venue.
    const dayStart = Math.floor((now + OFFSET_MS) / DAY) * DAY - OFFSET_MS - DAY;
    const dayEnd = dayStart + DAY;
    const count = raw.prepare<[string, number, number], { n: number }>(
      'SELECT count(*) AS n FROM entrance_records WHERE venue_id = ? AND kiosk_time_ms BETWEEN ? AND ?',
    );
    const perVenue = venueIds.map((id) => ({ id, n: count.get(id, dayStart, dayEnd - 1)!.n }));
    const busiest = perVenue.reduce((a, b) => (b.n > a.n ? b : a));
    log(`${total.toLocaleString('en')} entrance records, ${venueIds.length} venues; log query at ${busiest.id} (${busiest.n} records that day)`);

    const baseline = await timed(flags.runs * 5, () => count.get(busiest.id, dayStart, dayEnd - 1)!.n);
    const streetCounts = await timed(flags.runs, () => venueIds.reduce((s, id) => s + count.get(id, dayStart, dayEnd - 1)!.n, 0));
    const overview = await timed(flags.runs, () => store.dashboard.overview(WHOLE_CITY, now));
    const q = RecordsQuery.parse({ from: String(dayStart), to: String(dayEnd), page: '1' });
    const page = await timed(flags.runs * 5, () => store.dashboard.records(busiest.id, q));
    if (page.value.total !== baseline.value) throw new Error(`log total ${page.value.total} ≠ count ${baseline.value}`);
    const inside = overview.value.communities.flatMap((c) => c.venues).reduce((s, v) => s + v.inside, 0);

    const line = {
      bench: 'dashboard',
      entrance_records: total,
      venues: venueIds.length,
      runs: flags.runs,
      overview_ms: round(overview.ms, 1),
      overview_people_inside: inside,
      venue_day_log_ms: round(page.ms),
      venue_day_rows: page.value.total,
      baseline_venue_day_count_ms: round(baseline.ms),
      baseline_street_day_counts_ms: round(streetCounts.ms, 1),
      ratio_overview_to_count: round(overview.ms / baseline.ms, 0),
      ratio_overview_to_street_counts: round(overview.ms / streetCounts.ms, 2),
      ratio_log_to_count: round(page.ms / baseline.ms, 1),
    };
    process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${JSON.stringify(line, null, 2)}\n`);
  }
}

