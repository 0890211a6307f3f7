import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, auditHash } from '../../hub/src/store/audit.js';
import { onPostgres } from '../support/store.js';
import { openStore, type Store } from '../../hub/src/store/index.js';
import { MIGRATIONS } from '../../hub/src/store/migrations.js';
import { tempDir } from '../support/hub.js';
import { cstAt, cstMidnight } from '../support/clock.js';

/** docs/security.md "The audit log": a hash chain that `npm run audit:verify` walks. */

const root = fileURLToPath(new URL('../..', import.meta.url));

function verify(file: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--file', file, ...args], { cwd: root });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

function edit(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

async function fiveEntries(store: Store): Promise<void> {
  const t0 = cstAt(cstMidnight(), 10);
  for (let i = 0; i < 5; i++) {
    await store.audit.record({ at: t0 + i * 60_000, accountId: 'acc-1', accountName: '王芳', action: i === 2 ? 'tracing_run' : 'flag_action', target: `t-${i}`, detail: { n: i } });
  }
}

// SQLite only: npm run audit-verify reads the SQLite file, and the tampering is done in it.
describe.skipIf(onPostgres)('the audit log', () => {
  const tmp = tempDir();
  afterEach(() => tmp.remove());

  it('verifies intact and prints its head', async () => {
    const file = join(tmp.dir, 'hub.sqlite');
    const store = await openStore(file);
    await fiveEntries(store);
    await store.close();
    const res = await verify(file);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^audit log intact: 5 entries, head 5:[0-9a-f]{64}\n$/);
  });

  it.each([
    ['a changed detail', 'UPDATE audit_log SET detail = \'{"n":99}\' WHERE id = 3', 3],
    ['a changed account', "UPDATE audit_log SET account_name = '李强' WHERE id = 2", 2],
    ['an entry removed from the middle', 'DELETE FROM audit_log WHERE id = 3', 4],
    ['a hash overwritten', "UPDATE audit_log SET hash = '" + 'a'.repeat(64) + "' WHERE id = 4", 4],
    ['a hash removed', 'UPDATE audit_log SET hash = NULL WHERE id = 5', 5],
  ])('names the first broken entry after %s', async (_what, sql, first) => {
    const file = join(tmp.dir, 'hub.sqlite');
    const store = await openStore(file);
    await fiveEntries(store);
    await store.close();
    edit(file, sql);
    const res = await verify(file);
    expect(res.code).toBe(1);
    expect(res.out).toContain(`audit log BROKEN at entry #${first} `);
  });

  it('catches the newest entries removed, against a head written down earlier', async () => {
    const file = join(tmp.dir, 'hub.sqlite');
    const store = await openStore(file);
    await fiveEntries(store);
    await store.close();
    const head = /head (\d+:[0-9a-f]{64})/.exec((await verify(file)).out)![1]!;
    expect((await verify(file, '--head', head)).code).toBe(0);
    edit(file, 'DELETE FROM audit_log WHERE id >= 4');
    expect((await verify(file)).code).toBe(0); // a shorter chain still holds by itself
    const res = await verify(file, '--head', head);
    expect(res.code).toBe(1);
    expect(res.out).toContain('entry #5 written down earlier is gone');
  });

  it('seals the entries a hub wrote before the chain, once, and keeps chaining after them', async () => {
    const file = join(tmp.dir, 'hub.sqlite');
    let store = await openStore(file);
    await fiveEntries(store);
    await store.close();
    // As the migration that adds the chain leaves a file from before it: no hashes, five entries to seal.
    edit(file, 'UPDATE audit_log SET hash = NULL; UPDATE audit_seal SET upto = 5, sealed_at = NULL');
    store = await openStore(file);
    await store.audit.record({ at: cstAt(cstMidnight(), 12), accountId: null, accountName: null, action: 'kiosk_retire', target: 'k-1' });
    await store.close();
    const res = await verify(file);
    expect(res.code).toBe(0);
    expect(res.out).toContain('intact: 6 entries');
  });

  it('still verifies after the upgrade that filed the entries from before streets under the one street, and chains new entries with their street', async () => {
    const file = join(tmp.dir, 'hub.sqlite');
    // A file as the hub before streets left it (schema 28), its entries chained as that hub chained them.
    mkdirSync(tmp.dir, { recursive: true });
    const old = new Database(file);
    for (let v = 0; v < 28; v++) old.exec(MIGRATIONS[v]!);
    old.pragma('user_version = 28');
    const t0 = cstAt(cstMidnight(), 9);
    let prev = AUDIT_GENESIS;
    for (let id = 1; id <= 3; id++) {
      const r = { id, at: t0 + id, account_id: 'acc-1', account_name: '王芳', action: 'flag_action', target: `t-${id}`, detail: '{}' };
      prev = auditHash(prev, r);
      old.prepare('INSERT INTO audit_log (id, at, account_id, account_name, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(r.id, r.at, r.account_id, r.account_name, r.action, r.target, r.detail, prev);
    }
    old.close();
    const store = await openStore(file);
    const street = { districtId: null, streetId: 'street', communityId: null };
    expect((await store.audit.list({ limit: 10, scope: street })).map((e) => e.id)).toEqual([3, 2, 1]);
    await store.audit.record({ at: t0 + 10, accountId: 'acc-1', accountName: '王芳', action: 'flag_action', target: 't-4', detail: {}, where: { streetId: 'street', districtId: 'district' } });
    await store.close();
    const res = await verify(file);
    expect(res.code).toBe(0);
    expect(res.out).toContain('intact: 4 entries');
    // The new entry's street is part of its hash: filing it under another street breaks the chain there.
    edit(file, "UPDATE audit_log SET street_id = 'street-2' WHERE id = 4");
    const moved = await verify(file);
    expect(moved.code).toBe(1);
    expect(moved.out).toContain('audit log BROKEN at entry #4 ');
  });

  it('walks and seals a log longer than one page of the walk (2000 entries), across the pages', async () => {
    const file = join(tmp.dir, 'hub.sqlite');
    const store = await openStore(file);
    const t0 = cstAt(cstMidnight(), 9);
    // A long chain written straight into the table, hashed as record() hashes it, in one transaction.
    await store.sql.transaction(async (tx) => {
      let prev = AUDIT_GENESIS;
      for (let id = 1; id <= 4_100; id++) {
        const r = { id, at: t0 + id, account_id: 'acc-1', account_name: '王芳', action: 'flag_action', target: `t-${id}`, detail: '{}' };
        prev = auditHash(prev, r);
        await tx.run('INSERT INTO audit_log (id, at, account_id, account_name, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [r.id, r.at, r.account_id, r.account_name, r.action, r.target, r.detail, prev]);
      }
    });
    await store.close();
    expect((await verify(file)).out).toMatch(/^audit log intact: 4100 entries, head 4100:/);
    // As a file from before the chain: every entry to be sealed, in pages, when the hub next opens it.
    edit(file, 'UPDATE audit_log SET hash = NULL; UPDATE audit_seal SET upto = 4100, sealed_at = NULL');
    await (await openStore(file)).close();
    expect((await verify(file)).out).toMatch(/^audit log intact: 4100 entries/);
    edit(file, "UPDATE audit_log SET target = 'changed' WHERE id = 3001");
    const res = await verify(file);
    expect(res.code).toBe(1);
    expect(res.out).toContain('audit log BROKEN at entry #3001 ');
  });

  it('never seals again: hashes removed after the chain existed stay a break, however often the hub starts', async () => {
    const file = join(tmp.dir, 'hub.sqlite');
    const store = await openStore(file);
    await fiveEntries(store);
    await store.close();
    edit(file, 'UPDATE audit_log SET detail = \'{"n":7}\' WHERE id = 2; UPDATE audit_log SET hash = NULL');
    await (await openStore(file)).close(); // a restart, an `npm run admin`, a backup: each opens the store
    const res = await verify(file);
    expect(res.code).toBe(1);
    expect(res.out).toContain('audit log BROKEN at entry #1 ');
  });
});
