import { PassPerson, type PassLeft } from '../../../shared/schemas/pass.js';
import { NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import type { PassVerdict } from '../../../shared/rules/pass-verdict.js';
import { jsonIntegers, jsonText, jsonTexts } from './dialect.js';
import type { Sql } from './sql.js';

/** A pass as the hub keeps it: the scan event inspectors compare admissions with. */
export interface StoredPass {
  id: string;
  venueId: string;
  entranceId: string;
  /** The kiosk whose live code was scanned; null for a poster scan. */
  kioskId: string | null;
  source: 'live' | 'poster';
  code: string;
  codeMinute: number;
  codeNumber: number;
  issuedAt: number;
  expiresAt: number;
  policyVersion: number;
  people: PassPerson[];
  verdict: PassVerdict;
  /** The QR text, signed. */
  signed: string;
  /** The contact number, encrypted (services/contact-cipher.ts), or null. */
  contact: string | null;
  leftAt: number | null;
}

/** One retention period applied by purgeContacts: whose passes or bookings, how long, the cutoff, and how many numbers it removed. */
export interface ContactPurgeRule {
  /** Numbers given on passes, or on bookings (kept for the period after the booked slot). */
  of: 'passes' | 'bookings';
  /** `policy`: the policy in force now for these communities; `promise`: the period stated on the patron page when the pass was issued. */
  by: 'policy' | 'promise';
  days: number;
  /** Numbers given before this instant are removed. */
  cutoff: number;
  communityIds?: string[];
  policyVersions?: number[];
  removed: number;
}

export interface ContactPurge {
  removed: number;
  rules: ContactPurgeRule[];
}

const DAY_MS = 24 * 60 * 60_000;

export interface PassRepository {
  /** The next free pass number of the venue in this minute (0, 1, …), never handed out twice. */
  nextNumber(venueId: string, minute: number): Promise<number>;
  /**
   * Stores a pass. With the patron form's `ticket`, at most one pass per ticket: if that form
   * already made one, nothing is stored and that pass is returned; otherwise the new one.
   */
  add(pass: Omit<StoredPass, 'leftAt'>, ticket?: string): Promise<StoredPass>;
  /** The pass a patron form's ticket made, if any. */
  byTicket(ticket: string): Promise<StoredPass | undefined>;
  get(id: string): Promise<StoredPass | undefined>;
  /** The pass of the venue with this code and issue minute (a typed code). */
  byCode(venueId: string, code: string, minute: number): Promise<StoredPass | undefined>;
  /** Records "I have left" once; returns the pass if this call recorded it, undefined if it already was. */
  markLeft(id: string, now: number): Promise<StoredPass | undefined>;
  /** Passes of the venue that left at or after `since`, oldest first (for a kiosk catching up). */
  leftSince(venueId: string, since: number, limit?: number): Promise<PassLeft[]>;
  count(): Promise<number>;
  /**
   * Retention (docs/security.md): removes the contact number of every pass past its
   * retention period and keeps the pass (counts, admissions and flags stay).
   * The period is the `contactRetentionDays` of the policy in force now for
   * the pass's venue (its community's, or the street's), and never longer
   * than the one the patron page stated when the pass was issued. Removed
   * bytes are overwritten, not left in free pages or the WAL.
   *
   * Bookings' numbers follow the same two rules, counted from the
   * end of the booked slot (when the party was there, which tracing asks
   * about) rather than from when it was booked, days ahead.
   */
  purgeContacts(now: number): Promise<ContactPurge>;
}

interface PassRow {
  id: string;
  venue_id: string;
  entrance_id: string;
  kiosk_id: string | null;
  source: 'live' | 'poster';
  code: string;
  code_minute: number;
  code_n: number;
  issued_at: number;
  expires_at: number;
  policy_version: number;
  verdict: PassVerdict;
  declaration: string;
  signed: string;
  contact: string | null;
  left_at: number | null;
}

export function createPassRepository(sql: Sql): PassRepository {
  const d = sql.dialect;
  // One atomic upsert: concurrent issuers (also other hub processes on one PostgreSQL) never share a
  // number, as the row is locked by the conflicting update until its transaction ends.
  const takeNumber = `INSERT INTO pass_numbers (venue_id, minute, next) VALUES (?, ?, 1)
     ON CONFLICT (venue_id, minute) DO UPDATE SET next = pass_numbers.next + 1
     RETURNING next - 1 AS n`;
  // Numbers of minutes long gone are never needed again.
  const pruneNumbers = 'DELETE FROM pass_numbers WHERE venue_id = ? AND minute < ?';
  // The ticket's unique index decides "one form, one pass", also between processes: a second insert finds the first.
  const insert = `INSERT INTO passes (id, venue_id, entrance_id, kiosk_id, source, code, code_minute, code_n, issued_at, expires_at,
                         policy_version, people, verdict, declaration, signed, contact, ticket)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (ticket) WHERE ticket IS NOT NULL DO NOTHING`;
  const byTicket = 'SELECT * FROM passes WHERE ticket = ?';
  const byId = 'SELECT * FROM passes WHERE id = ?';
  const byCode = 'SELECT * FROM passes WHERE venue_id = ? AND code = ? AND code_minute = ?';
  // The IS NULL guard makes "left" recorded once, whoever else tries at the same time.
  const setLeft = 'UPDATE passes SET left_at = ? WHERE id = ? AND left_at IS NULL';
  const left = `SELECT id, code, code_minute, people, left_at FROM passes
      WHERE venue_id = ? AND left_at IS NOT NULL AND left_at >= ? ORDER BY left_at LIMIT ?`;
  const countAll = 'SELECT count(*) AS n FROM passes';
  // The policy in force per community is the table community_policy (as policies.activeFor reads it); NULL days: the normal preset.
  // The days come back as text on PostgreSQL, a number on SQLite: read with Number().
  const communityDays = `SELECT community_id AS id, ${jsonText(d, 'body', ['contactRetentionDays'])} AS days FROM community_policy ORDER BY community_id`;
  const versionDays = `SELECT version, ${jsonText(d, 'body', ['contactRetentionDays'])} AS days FROM policies ORDER BY version`;
  // Both read the partial index passes_contact_issued: only passes that still hold a number, oldest first.
  const purgeByCommunity = `UPDATE passes SET contact = NULL
      WHERE contact IS NOT NULL AND issued_at < ?
        AND venue_id IN (SELECT id FROM venues WHERE community_id IN (${jsonTexts(d)}))`;
  const purgeByVersion = `UPDATE passes SET contact = NULL WHERE contact IS NOT NULL AND issued_at < ? AND policy_version IN (${jsonIntegers(d)})`;
  // booked_at < slot_end always: the booked_at bound lets the partial index bookings_contact_booked narrow the rows.
  const purgeBookingsByCommunity = `UPDATE bookings SET contact = NULL
      WHERE contact IS NOT NULL AND booked_at < ? AND slot_end < ?
        AND venue_id IN (SELECT id FROM venues WHERE community_id IN (${jsonTexts(d)}))`;
  const purgeBookingsByVersion = `UPDATE bookings SET contact = NULL WHERE contact IS NOT NULL AND booked_at < ? AND slot_end < ? AND policy_version IN (${jsonIntegers(d)})`;

  const asDays = (v: string | number | null) => (v === null ? null : Number(v));
  /** Removing a number twice changes nothing, so two hubs purging at once agree. */
  const purge = (now: number) =>
    sql.transaction(async (tx): Promise<ContactPurge> => {
      const rules: ContactPurgeRule[] = [];
      const byDays = <K>(entries: [number, K][]) => {
        const m = new Map<number, K[]>();
        for (const [d, k] of entries) m.set(d, [...(m.get(d) ?? []), k]);
        return [...m].sort((a, b) => a[0] - b[0]);
      };
      const fallback = NORMAL_POLICY.contactRetentionDays;
      const communities = await tx.all<{ id: string; days: string | number | null }>(communityDays);
      for (const [days, communityIds] of byDays(communities.map((r) => [asDays(r.days) ?? fallback, r.id]))) {
        const cutoff = now - days * DAY_MS;
        const removed = (await tx.run(purgeByCommunity, [cutoff, JSON.stringify(communityIds)])).changes;
        rules.push({ of: 'passes', by: 'policy', days, cutoff, communityIds, removed });
        const bookings = (await tx.run(purgeBookingsByCommunity, [cutoff, cutoff, JSON.stringify(communityIds)])).changes;
        rules.push({ of: 'bookings', by: 'policy', days, cutoff, communityIds, removed: bookings });
      }
      // Version 1 is the normal preset in force before any switch; it is not stored.
      const versions = new Map<number, number>([[NORMAL_POLICY.version, fallback]]);
      for (const r of await tx.all<{ version: number; days: string | number | null }>(versionDays)) versions.set(r.version, asDays(r.days) ?? fallback);
      for (const [days, policyVersions] of byDays([...versions].map(([v, d]) => [d, v]))) {
        const cutoff = now - days * DAY_MS;
        const removed = (await tx.run(purgeByVersion, [cutoff, JSON.stringify(policyVersions)])).changes;
        rules.push({ of: 'passes', by: 'promise', days, cutoff, policyVersions, removed });
        const bookings = (await tx.run(purgeBookingsByVersion, [cutoff, cutoff, JSON.stringify(policyVersions)])).changes;
        rules.push({ of: 'bookings', by: 'promise', days, cutoff, policyVersions, removed: bookings });
      }
      return { removed: rules.reduce((n, r) => n + r.removed, 0), rules };
    });

  const toPass = (r: PassRow): StoredPass => ({
    id: r.id,
    venueId: r.venue_id,
    entranceId: r.entrance_id,
    kioskId: r.kiosk_id,
    source: r.source,
    code: r.code,
    codeMinute: r.code_minute,
    codeNumber: r.code_n,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    policyVersion: r.policy_version,
    people: PassPerson.array().parse(JSON.parse(r.declaration)),
    verdict: r.verdict,
    signed: r.signed,
    contact: r.contact,
    leftAt: r.left_at,
  });

  return {
    async nextNumber(venueId, minute) {
      await sql.run(pruneNumbers, [venueId, minute - 60]);
      return (await sql.get<{ n: number }>(takeNumber, [venueId, minute]))!.n;
    },
    async add(p, ticket) {
      const { changes } = await sql.run(insert, [
        p.id, p.venueId, p.entranceId, p.kioskId, p.source, p.code, p.codeMinute, p.codeNumber, p.issuedAt, p.expiresAt,
        p.policyVersion, p.people.length, p.verdict, JSON.stringify(p.people), p.signed, p.contact, ticket ?? null,
      ]);
      if (changes === 1) return { ...p, leftAt: null };
      return toPass((await sql.get<PassRow>(byTicket, [ticket!]))!);
    },
    async byTicket(ticket) {
      const row = await sql.get<PassRow>(byTicket, [ticket]);
      return row ? toPass(row) : undefined;
    },
    async get(id) {
      const row = await sql.get<PassRow>(byId, [id]);
      return row ? toPass(row) : undefined;
    },
    async byCode(venueId, code, minute) {
      const row = await sql.get<PassRow>(byCode, [venueId, code, minute]);
      return row ? toPass(row) : undefined;
    },
    async markLeft(id, now) {
      if ((await sql.run(setLeft, [now, id])).changes === 0) return undefined;
      return toPass((await sql.get<PassRow>(byId, [id]))!);
    },
    async leftSince(venueId, since, limit = 5000) {
      const rows = await sql.all<{ id: string; code: string; code_minute: number; people: number; left_at: number }>(left, [venueId, since, limit]);
      return rows.map((r) => ({ id: r.id, code: r.code, minute: r.code_minute, people: r.people, at: r.left_at }));
    },
    async count() {
      return (await sql.get<{ n: number }>(countAll))!.n;
    },
    async purgeContacts(now) {
      if (sql.dialect !== 'sqlite') {
        // PostgreSQL keeps the old row versions until (auto)vacuum reclaims them; there is no per-statement secure delete.
        return purge(now);
      }
      // The sealed numbers must not survive in free space of a page, nor in old WAL frames.
      const secure = (await sql.get<{ secure_delete: number }>('PRAGMA secure_delete'))!.secure_delete;
      await sql.exec('PRAGMA secure_delete = ON');
      try {
        const result = await purge(now);
        if (result.removed > 0) await sql.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        return result;
      } finally {
        await sql.exec(`PRAGMA secure_delete = ${secure ? 'ON' : 'OFF'}`);
      }
    },
  };
}
