import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../hub/src/store/migrations.js';

/**
 * A hub's database records how many migrations it has run (`user_version`, store/database.ts), not
 * which: a migration changed or moved after some hub ran it is never run again there, so that
 * database silently lacks what the new text adds (a table the code then reads, for one). Migrations
 * are therefore appended, never edited: this list pins the text of every migration released so
 * far. A new migration goes at the end of MIGRATIONS and its hash at the end of this list.
 */
const RELEASED = [
  '0a85ed3bcaa71aa8',
  'ca1fc87cb9e94850',
  '5be8178041f99a8c',
  '15fb6c2a11f314ff',
  '4bc73c9bc8684436',
  '75f6caf746cd80e6',
  'a2a4f7b43dc24f22',
  '2fbb9d572cf709dc',
  '06bf31ff460b5a96',
  '4f148f2e6194de2f',
  '68f6fcc647e1c33e',
  '17664e2164667a5f',
  '14a4200f0f5023b4',
  '686eda90f00e8c95',
  '4e2ed2a68b894a97',
  '1aed43a6df36ec82',
  '403e0a53fd4a9d26',
  'e62fb281af1bdaf6',
  '61d63c93934dadd7',
  '64f89a984986b915',
  'b985a54d7c2c3035',
  '5694dc927812eb05',
  'a7424c0534a3d39b',
  '705c9d2eeb93b6d7',
  'bb355665431e3be2',
  '1f3ed4e1775539a4',
  '7359d60f4b213b89',
  '1b478638ef73665c',
  'ffebd2f0bc04f65d',
  '338de5a31cc56641',
];

const hash = (sql: string) => createHash('sha256').update(sql).digest('hex').slice(0, 16);

describe('migrations are append-only', () => {
  it('keeps the text of every released migration, in its place', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(RELEASED.length);
    expect(MIGRATIONS.slice(0, RELEASED.length).map(hash)).toEqual(RELEASED);
  });

  it('has every migration pinned here (a new one adds its hash at the end)', () => {
    expect(MIGRATIONS.map(hash).slice(RELEASED.length)).toEqual([]);
  });
});
