import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPostgres } from '../support/store.js';
import { parseVenueType } from '../../hub/src/services/venue-csv.js';
import { MIGRATIONS } from '../../hub/src/store/migrations.js';
import { openStore } from '../../hub/src/store/index.js';
import { EMERGENCY_POLICY } from '../../shared/schemas/policy.js';
import { tempDir } from '../support/hub.js';

/**
 * Schools and training centres were one type; 004 §3.1 stops offline training while §3.2 keeps
 * schools open, so they are two. A hub file from before the split is brought forward by its
 * migration: venues by their names, stored policies naming the old type in lists as both.
 */
// SQLite only: a SQLite migration run on an old file; PostgreSQL starts from the baseline after it.
describe.skipIf(onPostgres)('the school / training-centre split', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'hub.sqlite');
  });
  afterEach(() => tmp.remove());

  it('moves stored venues and policies of the old type forward in a real SQLite file', async () => {
    const store = await openStore(file);
    await store.venues.addCommunity({ id: 'c1', name: '测试社区' });
    const names = { a: '和平路小学', b: '启明培训学校', c: '新东方' };
    for (const [id, name] of Object.entries(names)) {
      await store.venues.add({ id, communityId: 'c1', name, type: 'school', address: '测试路1号', ratedCapacity: 100, openingHours: null, utcOffsetMinutes: 480, officers: {} });
    }
    await store.policies.activate({ ...EMERGENCY_POLICY, capPercent: { default: 100, byVenueType: { training_centre: 30 } } }, Date.now());
    await store.close();
    // Back to the file as the hub before the split left it.
    const old = new Database(file);
    old.exec(`UPDATE venues SET type = 'school_training'`);
    old.exec(`UPDATE policies SET body = replace(replace(body, '"training_centre":', '"school_training":'), '"training_centre"', '"school_training"')`);
    expect(old.prepare('SELECT body FROM policies').pluck().get()).toContain('"school_training"');
    // The split migration run on that file as the hub's migrate() runs it (found by its text, so
    // migrations appended after it, which cannot run twice, stay applied).
    const split = MIGRATIONS.findIndex((m) => m.includes("WHERE type = 'school_training'"));
    expect(split).toBeGreaterThan(0);
    old.transaction(() => old.exec(MIGRATIONS[split]!))();
    old.close();

    const reopened = await openStore(file);
    try {
      // The policy in force per community is kept from the versions (migration 30): the split
      // rewrote the versions only, so it is written again from them, as after any such rewrite.
      await reopened.policies.refreshInForce();
      expect(await Promise.all(Object.keys(names).map(async (id) => (await reopened.venues.profile(id))?.type))).toEqual(['school', 'training_centre', 'training_centre']);
      const policy = await reopened.policies.activeFor('c1');
      expect(policy.closedVenueTypes).toEqual(expect.arrayContaining(['school', 'training_centre']));
      expect(policy.closedVenueTypes).not.toContain('school_training');
      expect(policy.capPercent.byVenueType).toEqual({ training_centre: 30 });
    } finally {
      await reopened.close();
    }
  });

  it.each([
    ['学校', '', 'school'],
    ['培训机构', '', 'training_centre'],
    ['小学', '', 'school'],
    ['学校培训机构', '和平路小学', 'school'],
    ['学校培训机构', '启明培训学校', 'training_centre'],
    ['school_training', '', 'training_centre'],
    ['理发店', '', 'barber'],
    ['文化馆', '', 'cultural_centre'],
    ['美术馆', '', 'art_gallery'],
    ['火车站', '', 'station'],
  ] as const)('the CSV import reads %s (venue %s) as %s', (cell, name, type) => {
    expect(parseVenueType(cell, name)).toBe(type);
  });
});
