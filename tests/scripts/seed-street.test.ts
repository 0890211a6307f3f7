import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../hub/src/store/index.js';
import { seedStreet } from '../../scripts/seed-street.js';
import { DAY } from '../support/clock.js';
import { tempDir } from '../support/hub.js';

describe('seed-street: one street as before, or a district of streets', () => {
  const dirs: { remove(): void }[] = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
  const until = Date.now() - DAY;

  it('keeps the deployment\u2019s one street and its ids by default', async () => {
    const stats = await seedStreet({ dataDir: dir(), venues: 4, communities: 2, weeks: 1, records: 400, until });
    expect(stats).toMatchObject({ streets: 1, communities: 2, venues: 4 });
    const store = await openStore(stats.file, { reads: { inProcess: true } });
    try {
      const streets = await store.organisation.streets();
      expect(streets).toHaveLength(1);
      const communities = await store.sql.all<{ id: string; street_id: string }>('SELECT id, street_id FROM communities ORDER BY id');
      expect(communities).toEqual([
        { id: 'c01', street_id: streets[0]!.id },
        { id: 'c02', street_id: streets[0]!.id },
      ]);
      expect((await store.sql.all<{ id: string }>('SELECT id FROM venues ORDER BY id')).map((v) => v.id.slice(0, 5))).toEqual(['v001-', 'v002-', 'v003-', 'v004-']);
    } finally {
      await store.close();
    }
  });

  it('builds a district with --streets: each street its venues and communities, door traffic at every street', async () => {
    const stats = await seedStreet({ dataDir: dir(), streets: 3, venues: 2, communities: 2, weeks: 1, records: 900, until });
    expect(stats).toMatchObject({ streets: 3, communities: 6, venues: 6 });
    const store = await openStore(stats.file, { reads: { inProcess: true } });
    try {
      const streets = await store.organisation.streets();
      expect(streets).toHaveLength(3);
      expect(new Set(streets.map((s) => s.districtId)).size).toBe(1);
      const perStreet = await store.sql.all<{ street: string; venues: number; records: number }>(
        `SELECT c.street_id AS street, count(DISTINCT v.id) AS venues, count(r.id) AS records
           FROM communities c JOIN venues v ON v.community_id = c.id LEFT JOIN entrance_records r ON r.venue_id = v.id GROUP BY c.street_id ORDER BY c.street_id`,
      );
      expect(perStreet.map((s) => s.venues)).toEqual([2, 2, 2]);
      expect(perStreet.every((s) => s.records > 0)).toBe(true);
      expect((await store.sql.all<{ id: string }>("SELECT id FROM communities WHERE id LIKE 's02-%' ORDER BY id")).map((c) => c.id)).toEqual(['s02-c01', 's02-c02']);
    } finally {
      await store.close();
    }
  });

  it('documents its options under --help', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/seed-street.ts', '--help'], { encoding: 'utf8' });
    for (const option of ['--data-dir', '--streets', '--venues', '--communities', '--weeks', '--records', '--seed', '--until', '--skip-flags', '--json']) expect(out).toContain(option);
  });
});
