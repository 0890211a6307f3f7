/**
 * The inspectors' dashboard over a street of 5 million entrance records
 * (docs/benchmarks.md): the street overview and one venue-day page of the entrance log,
 * each against a plain indexed count over the same table in the same run
 * (`count(*) … WHERE venue_id = ? AND kiosk_time_ms BETWEEN ? AND ?`). The
 * street is built by scripts/seed-street.ts (minutes; progress on stderr), or
 * reused from --data-dir if it is already seeded. Prints one JSON line.
 *
 *   npm run bench:dashboard -- --json [--data-dir DIR] [--records 5000000] [--runs 7]
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openStore } from '../../hub/src/store/index.js';
import { RecordsQuery } from '../../shared/schemas/dashboard.js';
import { parseFlags } from '../cli.js';
import { seedStreet } from '../seed-street.js';
import { WHOLE_CITY } from '../../hub/src/store/scope.js';

const flags = parseFlags(
  z.object({
    'data-dir': z.string().min(1).optional(),
    records: z.coerce.number().int().min(10_000).max(50_000_000).default(5_000_000),
    runs: z.coerce.number().int().min(1).max(100).default(7),
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

const temp = flags['data-dir'] ? undefined : mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
const dir = flags['data-dir'] ?? temp!;
try {
  const file = join(dir, 'hub.sqlite');
  const seeded = existsSync(file) && new Database(file, { readonly: true }).prepare<[], { n: number }>('SELECT count(*) AS n FROM venues').get()!.n > 0;
  if (!seeded) {
    log(`seeding ${flags.records.toLocaleString('en')} entrance records into ${file} …`);
    const s = await seedStreet({ dataDir: dir, venues: 200, communities: 8, weeks: 4, seed: 1, records: flags.records, until: Date.parse('2026-11-23T21:00:00+08:00') }, log);
    log(`seeded in ${(s.ms / 1000).toFixed(0)} s`);
  }
  const t0 = performance.now();
  const store = await openStore(file); // applies any pending migration (the dashboard's indices) first
  log(`store open (migrations) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const raw = new Database(file, { readonly: true });
  try {
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
  } finally {
    raw.close();
    await store.close();
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
