import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKeys } from '../../hub/src/keys.js';
import { tempDir } from '../support/hub.js';

// Several hub processes sharing one data dir start at once (docs/operations.md "A district on PostgreSQL"):
// every one must end up with the same keys, or a pass signed by one hub is refused by the next.
describe('the key file', () => {
  const tmp = tempDir();
  afterEach(() => tmp.remove());

  it('is created once when several starts race for it: all get the same keys, the file whole, nothing left beside it', async () => {
    const file = join(tmp.dir, 'data', 'hub-keys.json');
    const all = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateKeys(file)));
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    for (const keys of all) expect(keys).toEqual(stored);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(tmp.dir, 'data'))).toEqual(['hub-keys.json']);
    // A later start reads the same file.
    expect(await loadOrCreateKeys(file)).toEqual(stored);
  });
});
