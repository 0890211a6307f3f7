import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../hub/src/app.js';
import type { HubKeys } from '../../hub/src/keys.js';
import { encryptContact } from '../../hub/src/services/contact-cipher.js';
import type { Store } from '../../hub/src/store/index.js';
import type { Sql } from '../../hub/src/store/sql.js';
import { onPostgres, openTestStore } from '../support/store.js';
import { queryPlan } from '../support/query-plan.js';
import { TRACING_SQL } from '../../hub/src/store/tracing.js';
import { makePassCode, minuteOf } from '../../shared/rules/pass-code.js';
import { MAX_STAY_MS } from '../../shared/rules/tracing.js';
import type { PassPerson } from '../../shared/schemas/pass.js';
import type { SyncRecord } from '../../shared/schemas/record.js';
import type { TracingQueryInput, TracingResult, TracingRow } from '../../shared/schemas/tracing.js';
import { enrolKiosk, hubOptions, seedVenue, tempDir } from '../support/hub.js';
import { cstMonday } from '../support/clock.js';
import { inspectorSession } from '../support/inspector.js';
import { entranceRecord, recordBase } from '../support/records.js';

const PASSWORD = 'a long enough password';
const H = 60 * 60_000;
const M = 60_000;
/**
 * 00:00 at the venues (UTC+8) on the Monday of the current week there, by the wall clock; the
 * generated street runs four days from here, and the hub's clock stands an hour after its end.
 */
const BASE = cstMonday(0);
const SPAN = 4 * 24 * H;
const NOW = BASE + SPAN + H;
const VENUES = ['venue-a', 'venue-b', 'venue-c'];
const REASON = '确诊病例 2026-118 的流调（区疾控中心要求）';

/** mulberry32: the same street on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * A street of three venues over four days, built through the repositories the
 * hub uses: passes issued (some with a number, some left, one "left" days
 * later), records admitted and refused on them (by scanned QR and by typed
 * code), records without a pass, records naming a pass the hub never issued,
 * corrections undoing some.
 */
async function generateStreet(store: Store, keys: HubKeys, seed: number): Promise<{ phones: string[] }> {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const phones: string[] = [];
  for (const venueId of VENUES) {
    const entranceId = await seedVenue(store, venueId);
    const { kiosk } = await enrolKiosk(store, entranceId);
    const secret = (await store.venues.codeSecret(venueId))!;
    let seq = 0;
    const records: SyncRecord[] = [];
    const numbers = new Map<number, number>();
    for (let i = 0; i < 140; i++) {
      const issuedAt = BASE + int(SPAN);
      const minute = minuteOf(issuedAt);
      const n = numbers.get(minute) ?? 0;
      numbers.set(minute, n + 1);
      const peopleCount = 1 + int(3);
      const people: PassPerson[] = Array.from({ length: peopleCount }, (_, k) => ({ ...(k > 0 ? { n: k === 1 ? '外婆' : '孩子' } : {}), h: 'green', i: 'local' }));
      const phone = rnd() < 0.6 ? `139${String(10_000_000 + int(89_999_999)).padStart(8, '0')}` : undefined;
      if (phone) phones.push(phone);
      const id = randomUUID();
      const code = await makePassCode(secret, venueId, minute, n, peopleCount);
      await store.passes.add({
        id,
        venueId,
        entranceId,
        kioskId: kiosk.id,
        source: 'live',
        code,
        codeMinute: minute,
        codeNumber: n,
        issuedAt,
        expiresAt: issuedAt + 10 * M,
        policyVersion: 1,
        people,
        verdict: 'enter',
        signed: 'VCP1.generated.unsigned',
        contact: phone ? encryptContact(phone, keys.contactKey) : null,
      });
      const roll = rnd();
      // 20 %: never reached the door. Otherwise some or all of the party were checked.
      if (roll >= 0.2) {
        for (let person = 0; person < peopleCount; person++) {
          if (person > 0 && rnd() < 0.3) continue;
          const t = issuedAt + int(10 * M);
          const refuse = rnd() < 0.2;
          const via = rnd() < 0.7 ? 'qr' : 'code';
          records.push(
            entranceRecord(kiosk, ++seq, {
              kioskTime: iso(t),
              decision: refuse ? 'refuse' : 'admit',
              reasons: refuse ? ['fever'] : [],
              pass: { ...(via === 'qr' ? { id } : {}), code, minute, person, people: peopleCount, via },
            }),
          );
        }
      }
      const left = rnd();
      if (left < 0.35) await store.passes.markLeft(id, issuedAt + int(6 * H));
      else if (left < 0.38) await store.passes.markLeft(id, issuedAt + 30 * H + int(20 * H));
    }
    // Walk-ins without a pass, and typed codes the hub never issued (a guess, a person beyond the party).
    for (let i = 0; i < 120; i++) {
      const t = BASE + int(SPAN);
      const refuse = rnd() < 0.15;
      const unknownPass = rnd() < 0.1 ? { pass: { code: 'ABCDEF', minute: minuteOf(t), person: 0, people: 1, via: 'code' as const } } : {};
      records.push(entranceRecord(kiosk, ++seq, { kioskTime: iso(t), decision: refuse ? 'refuse' : 'admit', reasons: refuse ? ['health_code_yellow'] : [], ...unknownPass }));
    }
    // Undo one record in ten, as staff do after a mistaken tap.
    const undone = records.filter(() => rnd() < 0.1);
    for (const r of undone) records.push({ ...recordBase(kiosk, ++seq), type: 'correction', correctsId: r.id, reason: '误操作' });
    records.sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < records.length; i += 100) await store.records.ingest(records.slice(i, i + 100), NOW);
  }
  return { phones };
}

interface DbRecord {
  id: string;
  venue_id: string;
  kiosk_time_ms: number;
  decision: 'admit' | 'refuse';
  corrected_by: string | null;
  pass_id: string | null;
}
interface DbPass {
  id: string;
  venue_id: string;
  issued_at: number;
  left_at: number | null;
  contact: string | null;
}

/**
 * The answer by brute force, written out again from the rule's words over
 * every row of the file (not the hub's code): a person is present from their
 * record (or the pass's issue, without records) until "I have left" (if not
 * before the start, at most 24 h on) or the assumed stay; present during a
 * window when start ≤ to and end ≥ from; a pass with records matches when any
 * of its records does.
 */
async function bruteForce(sql: Sql, q: { visits: { venueId: string; from: number; to: number }[]; stayMinutes: number }) {
  const records = await sql.all<DbRecord>('SELECT id, venue_id, kiosk_time_ms, decision, corrected_by, pass_id FROM entrance_records');
  const passes = await sql.all<DbPass>('SELECT id, venue_id, issued_at, left_at, contact FROM passes');
  const stay = q.stayMinutes * M;
  const span = (start: number, left: number | null) => {
    const known = left !== null && left >= start;
    const end = known ? Math.min(left, start + 24 * H) : start + stay;
    return { start, end, known: known && left <= start + 24 * H };
  };
  const hits = (venueId: string, s: { start: number; end: number }) =>
    q.visits.flatMap((v, i) => (v.venueId === venueId && s.start <= v.to && s.end >= v.from ? [i] : []));
  const expected = new Map<string, { visits: number[]; timeIn: number; timeOut: number; timeOutKnown: boolean; records: string[]; hasContact: boolean }>();
  for (const r of records.filter((r) => r.pass_id === null)) {
    const s = span(r.kiosk_time_ms, null);
    const v = hits(r.venue_id, s);
    if (v.length) expected.set(`record:${r.id}`, { visits: v, timeIn: s.start, timeOut: s.end, timeOutKnown: false, records: [r.id], hasContact: false });
  }
  for (const p of passes) {
    const own = records.filter((r) => r.pass_id === p.id).sort((a, b) => a.kiosk_time_ms - b.kiosk_time_ms || a.id.localeCompare(b.id));
    const spans = own.length ? own.map((r) => span(r.kiosk_time_ms, p.left_at)) : [span(p.issued_at, p.left_at)];
    const v = [...new Set(spans.flatMap((s) => hits(p.venue_id, s)))].sort((a, b) => a - b);
    if (!v.length) continue;
    const end = Math.max(...spans.map((s) => s.end));
    expected.set(`pass:${p.id}`, {
      visits: v,
      timeIn: Math.min(...spans.map((s) => s.start)),
      timeOut: end,
      timeOutKnown: spans.some((s) => s.end === end && s.known),
      records: own.map((r) => r.id),
      hasContact: p.contact !== null,
    });
  }
  return expected;
}

const keyOf = (r: TracingRow) => (r.kind === 'pass' ? `pass:${r.passId}` : `record:${r.records[0]!.id}`);

describe('POST /api/tracing (时空伴随, 003 §25)', () => {
  const tmp = tempDir();
  let store: Store;
  let app: FastifyInstance;
  let phones: string[];
  let admin: ReturnType<typeof inspectorSession>;

  beforeAll(async () => {
    store = await openTestStore(tmp.dir);
    const opts = await hubOptions(store, { kioskDist: join(tmp.dir, 'none'), now: () => NOW });
    ({ phones } = await generateStreet(store, opts.keys, 20261123));
    await store.accounts.create({ name: 'admin', role: 'street_admin', communityId: null, password: PASSWORD }, NOW);
    await store.accounts.create({ name: 'inspector-a', role: 'community_inspector', communityId: 'c-venue-a', password: PASSWORD }, NOW);
    app = await buildHub(opts);
    admin = inspectorSession(app);
    await admin.login('admin', PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    tmp.remove();
  });

  const trace = async (q: TracingQueryInput) => {
    const res = await admin.post('/api/tracing', q);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as TracingResult;
  };
  const auditActions = async () => (await store.audit.list({ limit: 500 })).map((a) => a.action);

  it('has generated a street worth tracing: passes with and without records, left, refused, undone, walk-ins', async () => {
    const counts = (await store.sql.get<Record<string, number>>(
      `SELECT (SELECT count(*) FROM passes) AS passes, (SELECT count(*) FROM passes WHERE left_at IS NOT NULL) AS left_,
                  (SELECT count(*) FROM passes WHERE contact IS NOT NULL) AS contacts,
                  (SELECT count(*) FROM entrance_records WHERE pass_id IS NOT NULL) AS on_pass,
                  (SELECT count(*) FROM entrance_records WHERE pass_id IS NULL) AS loose,
                  (SELECT count(*) FROM entrance_records WHERE decision = 'refuse') AS refused,
                  (SELECT count(*) FROM entrance_records WHERE corrected_by IS NOT NULL) AS corrected`,
    ))!;
    expect(counts.passes).toBe(420);
    for (const [k, n] of Object.entries(counts)) expect(n, k).toBeGreaterThan(30);
  });

  it('returns exactly the rows a brute-force filter over every row of the file gives, for many windows and multi-visit queries', async () => {
    const rnd = prng(7);
    const int = (n: number) => Math.floor(rnd() * n);
    const times = (await store.sql.all<{ t: number }>('SELECT kiosk_time_ms AS t FROM entrance_records ORDER BY id')).map((r) => r.t);
    let nonEmpty = 0;
    let withContacts = 0;
    let multiVisit = 0;
    for (let run = 0; run < 40; run++) {
      const stayMinutes = [0, 30, 120, 600, 1440][int(5)]!;
      const visits = Array.from({ length: run % 3 === 0 ? 1 : 2 + int(4) }, () => {
        // Some windows start exactly where a presence ends: the inclusive edge must hold.
        const from = rnd() < 0.25 ? times[int(times.length)]! + stayMinutes * M : BASE - 12 * H + int(SPAN + 24 * H);
        return { venueId: VENUES[int(VENUES.length)]!, from, to: from + 1 + int(rnd() < 0.5 ? 2 * H : 3 * 24 * H) };
      });
      const q = run % 7 === 0 ? { visits, reason: REASON } : { visits, stayMinutes, reason: REASON };
      const got = await trace(q);
      const want = await bruteForce(store.sql, { visits, stayMinutes: run % 7 === 0 ? 120 : stayMinutes });
      expect(new Set(got.rows.map(keyOf)), `run ${run}`).toEqual(new Set(want.keys()));
      expect(got.rows.length, 'no row twice').toBe(want.size);
      for (const row of got.rows) {
        const w = want.get(keyOf(row))!;
        expect({ visits: row.visits, timeIn: row.timeIn, timeOut: row.timeOut, timeOutKnown: row.timeOutKnown, records: row.records.map((r) => r.id) }).toEqual({
          visits: w.visits,
          timeIn: w.timeIn,
          timeOut: w.timeOut,
          timeOutKnown: w.timeOutKnown,
          records: w.records,
        });
        expect(row.contact !== null, keyOf(row)).toBe(w.hasContact);
      }
      expect(got.contactsRevealed).toBe(got.rows.filter((r) => r.contact !== null).length);
      if (got.rows.length) nonEmpty++;
      if (got.contactsRevealed) withContacts++;
      if (new Set(got.rows.flatMap((r) => r.visits)).size > 1) multiVisit++;
    }
    // The runs were not vacuous.
    expect(nonEmpty).toBeGreaterThan(25);
    expect(withContacts).toBeGreaterThan(15);
    expect(multiVisit).toBeGreaterThan(5);
  }, 60_000);

  it('marks refused and undone records, gives numbers in clear only here, and lists a party once', async () => {
    const got = await trace({ visits: VENUES.map((venueId) => ({ venueId, from: BASE, to: BASE + SPAN })), stayMinutes: 60, reason: REASON });
    const rows = got.rows;
    expect(rows.some((r) => r.decision === 'refuse')).toBe(true);
    expect(rows.some((r) => r.corrected)).toBe(true);
    expect(rows.some((r) => r.kind === 'pass' && r.decision === null && r.records.length === 0)).toBe(true);
    expect(rows.some((r) => r.kind === 'pass' && r.records.length > 1 && r.labels.includes('外婆'))).toBe(true);
    const revealed = rows.flatMap((r) => (r.contact ? [r.contact] : []));
    expect(revealed.length).toBeGreaterThan(100);
    for (const c of revealed) expect(phones).toContain(c);
    const passIds = rows.filter((r) => r.kind === 'pass').map((r) => r.passId);
    expect(new Set(passIds).size).toBe(passIds.length);
    const recordIds = rows.flatMap((r) => r.records.map((x) => x.id));
    expect(new Set(recordIds).size).toBe(recordIds.length);
    expect(rows[0]).toMatchObject({ venueName: '测试KTV', entranceName: '正门' });
  });

  it('refuses a community inspector (403) and writes no run to the audit log', async () => {
    const inspector = inspectorSession(app);
    await inspector.login('inspector-a', PASSWORD);
    const before = (await auditActions()).filter((a) => a.startsWith('tracing_')).length;
    const q = { visits: [{ venueId: 'venue-a', from: BASE, to: BASE + H }], reason: REASON };
    const res = await inspector.post('/api/tracing', q);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect(res.body).not.toMatch(/1[3-9]\d{9}/);
    // Even a malformed query tells them nothing about fields: the role is checked first.
    expect((await inspector.post('/api/tracing', { visits: [] })).statusCode).toBe(403);
    expect((await inspector.post('/api/tracing/export.csv', q)).statusCode).toBe(403);
    expect((await inspectorSession(app).post('/api/tracing', q)).statusCode).toBe(401);
    expect((await admin.post('/api/tracing', q, false)).statusCode).toBe(403);
    expect((await auditActions()).filter((a) => a.startsWith('tracing_')).length).toBe(before);
  });

  it('puts the run and the export in the audit log with the reason, counts and visits, and never a phone number', async () => {
    const visits = [{ venueId: 'venue-b', from: BASE + 24 * H, to: BASE + 48 * H }];
    const run = await trace({ visits, reason: `  ${REASON}  ` });
    const csv = await admin.post('/api/tracing/export.csv', { visits, reason: REASON });
    expect(csv.statusCode).toBe(200);
    const [exported, ran] = (await store.audit.list({ limit: 2 })).map((a) => a);
    expect(ran).toMatchObject({
      action: 'tracing_run',
      accountName: 'admin',
      detail: { reason: REASON, stayMinutes: 120, visits, rows: run.rows.length, contactsRevealed: run.contactsRevealed },
    });
    expect(exported).toMatchObject({ action: 'tracing_export', detail: { reason: REASON, rows: run.rows.length, contactsRevealed: run.contactsRevealed } });
    expect(run.contactsRevealed).toBeGreaterThan(0);
    const log = JSON.stringify(await store.audit.list({ limit: 500 }));
    for (const p of phones) expect(log).not.toContain(p);
    const auditRows = JSON.stringify(await store.sql.all('SELECT * FROM audit_log'));
    for (const p of phones) expect(auditRows).not.toContain(p);
  });

  it('exports the same rows as CSV: UTF-8 with a BOM, an attachment named to the second, numbers in clear and kept as text, venue-local times', async () => {
    const q = { visits: [{ venueId: 'venue-c', from: BASE + 30 * H, to: BASE + 40 * H }], stayMinutes: 90, reason: REASON };
    const run = await trace(q);
    const res = await admin.post('/api/tracing/export.csv', q);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    // The whole time stamp, seconds included, at the venue: `tracing-2026-12-07T121345.csv`.
    const name = /filename="tracing-(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})\.csv"$/.exec(res.headers['content-disposition'] as string);
    expect(name).not.toBeNull();
    expect(new Date(run.at + 8 * H).toISOString().slice(0, 19)).toBe(`${name![1]}T${name![2]}:${name![3]}:${name![4]}`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.startsWith('\uFEFF到访序号,场所,')).toBe(true);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines.length).toBe(run.rows.length + 1);
    // ="139…": a spreadsheet keeps the number as text (no 1.39E+10); built from digits only.
    for (const r of run.rows.filter((x) => x.contact)) expect(res.body).toContain(`,"=""${r.contact}""",`);
    const first = run.rows[0]!;
    const local = new Date(first.timeIn + 8 * H).toISOString().slice(0, 19).replace('T', ' ');
    expect(lines[1]).toContain(local);
    expect(res.body).toContain('按停留90分钟估计');
  });

  it('answers 400 naming the field for a missing reason or a bad window, and 404 naming an unknown venue; nothing logged', async () => {
    const before = (await auditActions()).length;
    const visit = { venueId: 'venue-a', from: BASE, to: BASE + H };
    const noReason = await admin.post('/api/tracing', { visits: [visit] });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error).toMatchObject({ code: 'invalid', field: 'reason' });
    const blank = await admin.post('/api/tracing/export.csv', { visits: [visit], reason: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.field).toBe('reason');
    const backwards = await admin.post('/api/tracing', { visits: [visit, { ...visit, to: BASE - H }], reason: REASON });
    expect(backwards.json().error).toMatchObject({ code: 'invalid', field: 'visits.1.to' });
    const unknown = await admin.post('/api/tracing', { visits: [visit, { ...visit, venueId: 'venue-zz' }], reason: REASON });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', field: 'visits.1.venueId' });
    expect((await auditActions()).length).toBe(before);
  });

  it('reads only index ranges, never a whole table', async () => {
    const plans = [
      await queryPlan(store.sql, TRACING_SQL.recordsInRange, ['venue-a', BASE - MAX_STAY_MS, BASE]),
      await queryPlan(store.sql, TRACING_SQL.passesInRange, ['venue-a', BASE - MAX_STAY_MS, BASE]),
      await queryPlan(store.sql, TRACING_SQL.pass, ['x']),
      await queryPlan(store.sql, TRACING_SQL.recordsOfPass, ['x']),
    ];
    if (onPostgres) {
      for (const plan of plans) expect(plan).not.toMatch(/Seq Scan on (passes|entrance_records)\b/);
      expect(plans[0]).toMatch(/Index (Only )?Scan (using|on) entrance_records_venue_(time|outcome)/);
      expect(plans[1]).toMatch(/Index (Only )?Scan (using|on) passes_venue_issued/);
      expect(plans[2]).toMatch(/Index Scan using passes_pkey on passes/);
      expect(plans[3]).toMatch(/Index (Only )?Scan (using|on) entrance_records_pass/);
      return;
    }
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH/);
      expect(plan).not.toMatch(/SCAN (e|passes|entrance_records)\b/);
    }
    expect(plans[0]).toMatch(/INDEX entrance_records_venue_(time|outcome)/);
    expect(plans[1]).toMatch(/INDEX passes_venue_issued/);
    expect(plans[3]).toMatch(/INDEX entrance_records_pass/);
  });
});
