import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { onPostgres } from '../support/store.js';
import { loadOrCreateKeys } from '../../hub/src/keys.js';
import { openStore } from '../../hub/src/store/index.js';
import { seedVenue, tempDir } from '../support/hub.js';

const mode = (path: string) => statSync(path).mode & 0o777;

// docs/security.md "Files": the database holds password and door-PIN hashes and contact numbers.
// SQLite only: the file, its WAL and backups are the hub's files; a PostgreSQL database is the server's.
describe.skipIf(onPostgres)('the hub’s files are private to its user', () => {
  const tmp = tempDir();
  const oldUmask = process.umask(0o022); // the usual umask, under which files come out 0644
  afterEach(() => tmp.remove());
  afterAll(() => process.umask(oldUmask));

  it('creates the data folder 0700 and the database, its WAL and shared memory 0600', async () => {
    const dir = join(tmp.dir, 'data', 'street');
    const file = join(dir, 'hub.sqlite');
    const store = await openStore(file);
    try {
      await seedVenue(store); // a write, so the WAL holds something
      expect(mode(dir)).toBe(0o700);
      for (const side of ['', '-wal', '-shm']) expect([side, mode(`${file}${side}`)]).toEqual([side, 0o600]);
    } finally {
      await store.close();
    }
  });

  it('tightens a database and folder an older hub left readable', async () => {
    const dir = join(tmp.dir, 'old');
    const file = join(dir, 'hub.sqlite');
    await (await openStore(file)).close();
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o644);
    const store = await openStore(file);
    try {
      expect(mode(dir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('writes a backup 0600 into a 0700 folder, and the key file 0600', async () => {
    const store = await openStore(join(tmp.dir, 'data', 'hub.sqlite'));
    try {
      await seedVenue(store);
      const backup = join(tmp.dir, 'data', 'backups', 'copy.sqlite');
      await store.backup(backup);
      expect(mode(join(tmp.dir, 'data', 'backups'))).toBe(0o700);
      expect(mode(backup)).toBe(0o600);
    } finally {
      await store.close();
    }
    const keys = join(tmp.dir, 'keys', 'hub-keys.json');
    await loadOrCreateKeys(keys);
    expect(mode(join(tmp.dir, 'keys'))).toBe(0o700);
    expect(mode(keys)).toBe(0o600);
  });

  it('leaves an existing folder chosen for a backup as its owner set it; the copy is still 0600', async () => {
    const store = await openStore(join(tmp.dir, 'data', 'hub.sqlite'));
    const shared = join(tmp.dir, 'shared-mount');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    try {
      await seedVenue(store);
      const backup = join(shared, 'copy.sqlite');
      await store.backup(backup);
      expect(mode(shared)).toBe(0o755);
      expect(mode(backup)).toBe(0o600);
    } finally {
      await store.close();
    }
  });
});
