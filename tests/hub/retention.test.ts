import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { HubKeys } from '../../hub/src/keys.js';
import { decryptContact } from '../../hub/src/services/contact-cipher.js';
import { RETENTION_JOB_NAME, purgeExpiredContacts } from '../../hub/src/services/retention.js';
import type { Store } from '../../hub/src/store/index.js';
import { locationOf, onPostgres, openTestStore } from '../support/store.js';
import { liveToken, slotAt } from '../../shared/rules/venue-code.js';
import { NORMAL_POLICY, type Policy } from '../../shared/schemas/policy.js';
import { cstAt, cstMidnight } from '../support/clock.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord } from '../support/records.js';

const DAY = 24 * 60 * 60_000;
/**
 * 10:00 today at the venues (UTC+8), by the wall clock: the hub's clock starts here and the tests
 * move it up to 40 days on. Periods are counted in days of 24 h from when a number was given.
 */
const T0 = cstAt(cstMidnight(0), 10);
const PASSWORD = 'a long enough password';

const withDays = (days: number): Omit<Policy, 'version'> => {
  const { version: _v, ...p } = NORMAL_POLICY;
  return { ...p, contactRetentionDays: days };
};

describe('contact retention job (003 §25; docs/security.md "Retention")', () => {
  const tmp = tempDir();
  let dbFile: string;
  let store: Store;
  let app: FastifyInstance;
  let keys: HubKeys;
  let now = T0;
  let logLines: string[];
  const kiosks = new Map<string, { id: string; venueId: string; secret: string; seq: number }>();

  /** A hub on the test's clock whose log lines the test reads. */
  async function startHub() {
    const opts = await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => now, ...(keys ? { keys } : {}) });
    keys = opts.keys;
    const stream = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    app = await buildHub(opts, { logger: { level: 'debug', stream } });
  }

  beforeEach(async () => {
    now = T0;
    logLines = [];
    store = await openTestStore(tmp.dir);
    dbFile = locationOf(store);
    kiosks.clear();
    for (const venueId of ['venue-a', 'venue-b']) {
      const { kiosk } = await enrolKiosk(store, await seedVenue(store, venueId));
      kiosks.set(venueId, { id: kiosk.id, venueId, secret: (await store.kiosks.byId(kiosk.id))!.codeSecret, seq: 0 });
    }
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, T0);
    await startHub();
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  /** A patron at the venue's door at `at`: scans the live code, opens the page, declares with a phone number. */
  async function issue(venueId: string, at: number, phone?: string): Promise<string> {
    now = at;
    const k = kiosks.get(venueId)!;
    const venueCode = await liveToken(k.secret, k.id, slotAt(now));
    const ticket = /data-ticket="([^"]+)"/.exec((await app.inject(`/v/${venueCode}`)).body)?.[1];
    const res = await app.inject({
      method: 'POST',
      url: '/api/passes',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ venueCode, ticket, people: [{ healthCode: 'green', itinerary: 'local' }], commitment: false, ...(phone ? { phone } : {}) }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  /** The door admits the pass's holder, as the kiosk's batch does. */
  async function admit(venueId: string, passId: string) {
    const k = kiosks.get(venueId)!;
    const pass = (await store.passes.get(passId))!;
    const record = entranceRecord({ id: k.id, venueId }, ++k.seq, {
      kioskTime: new Date(pass.issuedAt + 60_000).toISOString(),
      pass: { id: passId, code: pass.code, minute: pass.codeMinute, person: 0, people: 1, via: 'qr' },
    });
    expect(await store.records.ingest([record], pass.issuedAt + 60_000)).toEqual([{ status: 'accepted' }]);
  }

  const contactOf = async (id: string) => {
    const sealed = (await store.passes.get(id))!.contact;
    return sealed === null ? null : decryptContact(sealed, keys.contactKey);
  };
  /** Everything kept about passes and the door, except the numbers. */
  const snapshot = async () => ({
    passes: await store.sql.all('SELECT id, venue_id, entrance_id, code, issued_at, people, verdict, declaration, left_at FROM passes ORDER BY id'),
    records: await store.sql.all('SELECT * FROM entrance_records ORDER BY id'),
    kioskRecords: await store.sql.get('SELECT count(*) AS n FROM kiosk_records'),
  });
  const purges = async () => (await store.audit.list({ limit: 100 })).filter((a) => a.action === 'contact_purge');

  it('removes numbers older than the period and nothing else: newer numbers, pass rows, counts and records stay', async () => {
    const old = await issue('venue-a', T0, '13900000001');
    const dayLater = await issue('venue-a', T0 + DAY, '13900000002');
    const recent = await issue('venue-b', T0 + 10 * DAY, '13900000003');
    const noPhone = await issue('venue-a', T0 + 2 * DAY);
    for (const [v, id] of [['venue-a', old], ['venue-a', dayLater], ['venue-b', recent], ['venue-a', noPhone]] as const) await admit(v, id);
    const before = await snapshot();
    const passCount = await store.passes.count();

    // Exactly 28 days: not yet past.
    expect((await purgeExpiredContacts(store, T0 + 28 * DAY, app.log)).removed).toBe(0);
    expect(await contactOf(old)).toBe('13900000001');
    expect(await purges()).toEqual([]);

    const first = await purgeExpiredContacts(store, T0 + 28 * DAY + 1, app.log);
    expect(first.removed).toBe(1);
    expect(await contactOf(old)).toBeNull();
    expect(await contactOf(dayLater)).toBe('13900000002');
    expect(await contactOf(recent)).toBe('13900000003');

    await purgeExpiredContacts(store, T0 + 29 * DAY + 1, app.log);
    expect(await contactOf(dayLater)).toBeNull();
    expect(await contactOf(recent)).toBe('13900000003');

    expect(await snapshot()).toEqual(before);
    expect(await store.passes.count()).toBe(passCount);
    const entries = await purges();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      accountId: null,
      accountName: RETENTION_JOB_NAME,
      at: T0 + 28 * DAY + 1,
      detail: { removed: 1, rules: [{ by: 'policy', days: 28, cutoff: T0 + 1, communityIds: ['c-venue-a', 'c-venue-b'], removed: 1 }] },
    });
    expect(logLines.join('')).toContain('retention: removed 1 contact numbers past their period');
  });

  it('runs when the hub starts, on the hub\'s clock', async () => {
    const old = await issue('venue-a', T0, '13900000001');
    const kept = await issue('venue-b', T0 + 20 * DAY, '13900000002');
    await app.close();
    now = T0 + 40 * DAY;
    await startHub();
    // Started with the hub (on PostgreSQL once this process holds the job's lease: hub/src/singletons.ts).
    await expect.poll(() => contactOf(old)).toBeNull();
    expect(await contactOf(kept)).toBe('13900000002');
    expect(await purges()).toEqual([expect.objectContaining({ at: T0 + 40 * DAY, detail: expect.objectContaining({ removed: 1 }) })]);
  });

  it('honours a community policy with its own period, and never keeps a number longer than the page promised when it was given', async () => {
    const a = await issue('venue-a', T0, '13900000001');
    const b = await issue('venue-b', T0, '13900000002');
    // Community b keeps numbers 7 days from now on.
    await store.policies.activate(withDays(7), T0 + DAY, { communityId: 'c-venue-b' });
    expect((await store.policies.activeFor('c-venue-b')).contactRetentionDays).toBe(7);
    await purgeExpiredContacts(store, T0 + 7 * DAY + 1, app.log);
    expect(await contactOf(b)).toBeNull();
    expect(await contactOf(a)).toBe('13900000001');

    // Issued under the 7-day period, then b goes back to 28 days: the 7 days promised still hold.
    const promised7 = await issue('venue-b', T0 + 8 * DAY, '13900000003');
    await store.policies.activate(withDays(28), T0 + 9 * DAY, { communityId: 'c-venue-b' });
    const promised28 = await issue('venue-b', T0 + 9 * DAY + 1, '13900000004');
    const result = await purgeExpiredContacts(store, T0 + 15 * DAY + 1, app.log);
    expect(result.removed).toBe(1);
    expect(await contactOf(promised7)).toBeNull();
    expect(await contactOf(promised28)).toBe('13900000004');
    expect(await contactOf(a)).toBe('13900000001');
    expect(result.rules).toContainEqual(expect.objectContaining({ by: 'promise', days: 7, removed: 1 }));
    await purgeExpiredContacts(store, T0 + 28 * DAY + 1, app.log);
    expect(await contactOf(a)).toBeNull();
  });

  it('is idempotent: a second run at the same time removes nothing and logs no second entry', async () => {
    await issue('venue-a', T0, '13900000001');
    await issue('venue-b', T0 + 20 * DAY, '13900000002');
    const at = T0 + 30 * DAY;
    expect((await purgeExpiredContacts(store, at, app.log)).removed).toBe(1);
    const after = await store.sql.all('SELECT id, contact FROM passes ORDER BY id');
    expect((await purgeExpiredContacts(store, at, app.log)).removed).toBe(0);
    expect((await purgeExpiredContacts(store, at + 60 * 60_000, app.log)).removed).toBe(0);
    expect(await store.sql.all('SELECT id, contact FROM passes ORDER BY id')).toEqual(after);
    expect(await purges()).toHaveLength(1);
  });

  it('never writes a phone number in clear: not the database file, its WAL, the audit log or the app log, even after tracing and export', async () => {
    const given = ['+86 139 1234 5678', '139-8765-4321', '13711112222', '86 150 0000 9999'];
    const digits = ['13912345678', '13987654321', '13711112222', '15000009999'];
    const ids = [];
    for (const [i, phone] of given.entries()) ids.push(await issue(i % 2 ? 'venue-b' : 'venue-a', T0 + i * 60_000, phone));
    for (const [i, id] of ids.entries()) expect(await contactOf(id)).toBe(digits[i]);

    const admin = inspectorSession(app);
    await admin.login('admin', PASSWORD);
    const q = { visits: ['venue-a', 'venue-b'].map((venueId) => ({ venueId, from: T0 - 60_000, to: T0 + 60 * 60_000 })), reason: '确诊病例流调 2026-07' };
    const run = await admin.post('/api/tracing', q);
    expect(run.json().contactsRevealed).toBe(4);
    const csv = await admin.post('/api/tracing/export.csv', q);
    for (const d of digits) expect(csv.body).toContain(d);

    const variants = digits.flatMap((d) => [d, `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`, `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7)}`, `+86${d}`, `86${d}`, d.slice(3)]);
    // The bytes at rest (free pages and old WAL frames too) on SQLite; PostgreSQL's files are the server's, so there the rows it keeps.
    const files = async () =>
      onPostgres
        ? Buffer.from(JSON.stringify(await Promise.all(['passes', 'bookings', 'entrance_records', 'kiosk_records', 'audit_log'].map((t) => store.sql.all(`SELECT * FROM ${t}`)))))
        : Buffer.concat([readFileSync(dbFile), existsSync(`${dbFile}-wal`) ? readFileSync(`${dbFile}-wal`) : Buffer.alloc(0)]);
    const assertClean = (bytes: Buffer, where: string) => {
      for (const v of variants) {
        expect(bytes.includes(Buffer.from(v, 'utf8')), `${v} in ${where}`).toBe(false);
        expect(bytes.includes(Buffer.from(v, 'utf16le')), `${v} (UTF-16) in ${where}`).toBe(false);
      }
    };
    assertClean(await files(), 'the database and its WAL');
    assertClean(Buffer.from(JSON.stringify(await store.audit.list({ limit: 500 }))), 'the audit log');
    assertClean(Buffer.from(logLines.join('')), 'the app log');

    // Once purged, not even the sealed numbers stay behind in free space or old WAL frames.
    const sealed = await Promise.all(ids.map(async (id) => (await store.passes.get(id))!.contact!));
    expect((await files()).includes(Buffer.from(sealed[0]!))).toBe(true);
    now = T0 + 29 * DAY;
    expect((await purgeExpiredContacts(store, now, app.log)).removed).toBe(4);
    const after = await files();
    for (const s of sealed) expect(after.includes(Buffer.from(s)), 'sealed number left behind').toBe(false);
    assertClean(after, 'the database after the purge');
  });
});
