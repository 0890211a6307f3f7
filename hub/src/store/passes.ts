import { PassPerson, type PassLeft } from '../../../shared/schemas/pass.js';
import { NORMAL_POLICY } from '../../../shared/schemas/policy.js';
import type { PassVerdict } from '../../../shared/rules/pass-verdict.js';
import type { Db } from './database.js';

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

export function createPassRepository(db: Db): PassRepository {
  const takeNumber = db.prepare<[string, number], { n: number }>(
    `INSERT INTO pass_numbers (venue_id, minute, next) VALUES (?, ?, 1)
     ON CONFLICT (venue_id, minute) DO UPDATE SET next = next + 1
     RETURNING next - 1 AS n`,
  );
  // Numbers of minutes long gone are never needed again.
  const pruneNumbers = db.prepare('DELETE FROM pass_numbers WHERE venue_id = ? AND minute < ?');
  const insert = db.prepare(
    `INSERT INTO passes (id, venue_id, entrance_id, kiosk_id, source, code, code_minute, code_n, issued_at, expires_at,
                         policy_version, people, verdict, declaration, signed, contact, ticket)
     VALUES (@id, @venueId, @entranceId, @kioskId, @source, @code, @codeMinute, @codeNumber, @issuedAt, @expiresAt,
             @policyVersion, @peopleCount, @verdict, @declaration, @signed, @contact, @ticket)
     ON CONFLICT (ticket) WHERE ticket IS NOT NULL DO NOTHING`,
  );
  const byTicket = db.prepare<[string], PassRow>('SELECT * FROM passes WHERE ticket = ?');
  const byId = db.prepare<[string], PassRow>('SELECT * FROM passes WHERE id = ?');
  const byCode = db.prepare<[string, string, number], PassRow>('SELECT * FROM passes WHERE venue_id = ? AND code = ? AND code_minute = ?');
  const setLeft = db.prepare('UPDATE passes SET left_at = ? WHERE id = ? AND left_at IS NULL');
  const left = db.prepare<[string, number, number], { id: string; code: string; code_minute: number; people: number; left_at: number }>(
    `SELECT id, code, code_minute, people, left_at FROM passes
      WHERE venue_id = ? AND left_at IS NOT NULL AND left_at >= ? ORDER BY left_at LIMIT ?`,
  );
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM passes');
  // The policy in force per community is the view community_policy (as policies.activeFor reads it); NULL days: the normal preset.
  const communityDays = db.prepare<[], { id: string; days: number | null }>(
    "SELECT community_id AS id, json_extract(body, '$.contactRetentionDays') AS days FROM community_policy ORDER BY community_id",
  );
  const versionDays = db.prepare<[], { version: number; days: number }>(
    "SELECT version, json_extract(body, '$.contactRetentionDays') AS days FROM policies ORDER BY version",
  );
  // Both read the partial index passes_contact_issued: only passes that still hold a number, oldest first.
  const purgeByCommunity = db.prepare<[number, string]>(
    `UPDATE passes SET contact = NULL
      WHERE contact IS NOT NULL AND issued_at < ?
        AND venue_id IN (SELECT id FROM venues WHERE community_id IN (SELECT value FROM json_each(?)))`,
  );
  const purgeByVersion = db.prepare<[number, string]>(
    'UPDATE passes SET contact = NULL WHERE contact IS NOT NULL AND issued_at < ? AND policy_version IN (SELECT value FROM json_each(?))',
  );
  // booked_at < slot_end always: the booked_at bound lets the partial index bookings_contact_booked narrow the rows.
  const purgeBookingsByCommunity = db.prepare<[number, number, string]>(
    `UPDATE bookings SET contact = NULL
      WHERE contact IS NOT NULL AND booked_at < ? AND slot_end < ?
        AND venue_id IN (SELECT id FROM venues WHERE community_id IN (SELECT value FROM json_each(?)))`,
  );
  const purgeBookingsByVersion = db.prepare<[number, number, string]>(
    'UPDATE bookings SET contact = NULL WHERE contact IS NOT NULL AND booked_at < ? AND slot_end < ? AND policy_version IN (SELECT value FROM json_each(?))',
  );
  const purge = db.transaction((now: number): ContactPurge => {
    const rules: ContactPurgeRule[] = [];
    const byDays = <K>(entries: [number, K][]) => {
      const m = new Map<number, K[]>();
      for (const [d, k] of entries) m.set(d, [...(m.get(d) ?? []), k]);
      return [...m].sort((a, b) => a[0] - b[0]);
    };
    const fallback = NORMAL_POLICY.contactRetentionDays;
    for (const [days, communityIds] of byDays(communityDays.all().map((r) => [r.days ?? fallback, r.id]))) {
      const cutoff = now - days * DAY_MS;
      const removed = purgeByCommunity.run(cutoff, JSON.stringify(communityIds)).changes;
      rules.push({ of: 'passes', by: 'policy', days, cutoff, communityIds, removed });
      const bookings = purgeBookingsByCommunity.run(cutoff, cutoff, JSON.stringify(communityIds)).changes;
      rules.push({ of: 'bookings', by: 'policy', days, cutoff, communityIds, removed: bookings });
    }
    // Version 1 is the normal preset in force before any switch; it is not stored.
    const versions = new Map<number, number>([[NORMAL_POLICY.version, fallback]]);
    for (const r of versionDays.all()) versions.set(r.version, r.days ?? fallback);
    for (const [days, policyVersions] of byDays([...versions].map(([v, d]) => [d, v]))) {
      const cutoff = now - days * DAY_MS;
      const removed = purgeByVersion.run(cutoff, JSON.stringify(policyVersions)).changes;
      rules.push({ of: 'passes', by: 'promise', days, cutoff, policyVersions, removed });
      const bookings = purgeBookingsByVersion.run(cutoff, cutoff, JSON.stringify(policyVersions)).changes;
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
      pruneNumbers.run(venueId, minute - 60);
      return takeNumber.get(venueId, minute)!.n;
    },
    async add(p, ticket) {
      if (insert.run({ ...p, peopleCount: p.people.length, declaration: JSON.stringify(p.people), ticket: ticket ?? null }).changes === 1) return { ...p, leftAt: null };
      return toPass(byTicket.get(ticket!)!);
    },
    async byTicket(ticket) {
      const row = byTicket.get(ticket);
      return row ? toPass(row) : undefined;
    },
    async get(id) {
      const row = byId.get(id);
      return row ? toPass(row) : undefined;
    },
    async byCode(venueId, code, minute) {
      const row = byCode.get(venueId, code, minute);
      return row ? toPass(row) : undefined;
    },
    async markLeft(id, now) {
      if (setLeft.run(now, id).changes === 0) return undefined;
      return toPass(byId.get(id)!);
    },
    async leftSince(venueId, since, limit = 5000) {
      return left.all(venueId, since, limit).map((r) => ({ id: r.id, code: r.code, minute: r.code_minute, people: r.people, at: r.left_at }));
    },
    async count() {
      return countAll.get()!.n;
    },
    async purgeContacts(now) {
      // The sealed numbers must not survive in free space of a page, nor in old WAL frames.
      const secure = db.pragma('secure_delete', { simple: true }) as number;
      db.pragma('secure_delete = ON');
      try {
        const result = purge.immediate(now);
        if (result.removed > 0) db.pragma('wal_checkpoint(TRUNCATE)');
        return result;
      } finally {
        db.pragma(`secure_delete = ${secure ? 'ON' : 'OFF'}`);
      }
    },
  };
}
