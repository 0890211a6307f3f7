import {
  dayStart,
  emptyHour,
  emptySpan,
  foldHour,
  foldSpan,
  hourStart,
  isNoPhone,
  policiesFor,
  standingAdmissions,
  weekStart,
  type HeldEntrance,
  type HourFacts,
  type SpanFacts,
  type StreetDayFacts,
} from '../../../shared/rules/flags/index.js';
import { EMPTY_DOOR, stepDoor, type DoorCount, type DoorStep } from '../../../shared/rules/occupancy.js';
import type { EntranceRecord, SyncRecord } from '../../../shared/schemas/record.js';
import type { Db } from './database.js';
import type { RuleContext } from './rule-context.js';

/**
 * Running figures kept in the same transaction as the records they count,
 * so judging a batch and counting a door cost what the batch costs, not what
 * the day already holds (docs/architecture.md "Running figures"):
 *
 * - door_counts: per kiosk, people inside since its last close-out
 *   (shared/rules/occupancy.ts stepDoor);
 * - window_facts: per venue and venue-local hour, day and ISO week, what the
 *   flag rules read (shared/rules/flags/window-facts.ts);
 * - street_days: per day (the start of each venue's local day), the whole
 *   street's admissions that stand and those without a phone: the street's
 *   usual share no_phone_share holds an hour against (less the venue's own
 *   hours, read from its window_facts).
 *
 * A record is stored only with a kiosk time within the policy's allowance of its
 * arrival (sockets/ingest.ts, shared/rules/kiosk-time.ts): never more than the
 * allowed clock drift ahead (a day). It was made before it arrived, so a door counts
 * it from its arrival; a time from nowhere (year 9999) never reaches the figures.
 *
 * A figure that cannot be stepped exactly is counted again from the records:
 * a record arriving out of sequence order marks its door stale, and a
 * correction undoing an admission folded earlier refolds that hour.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Same lookback as the kiosk: counting restarts at a close-out, or after 36 h without one. */
export const OCCUPANCY_LOOKBACK_MS = 36 * HOUR_MS;

export type WindowKind = 'hour' | 'day' | 'week';

export interface DoorInside {
  kioskId: string;
  entranceName: string;
  inside: number;
}

export interface Aggregates {
  /**
   * Folds one kiosk's accepted records (in the order stored) into the figures;
   * `undone` are the ids of admissions a correction in them undid. Call inside
   * the ingest transaction, after the rows are written.
   */
  apply(accepted: readonly SyncRecord[], undone: readonly string[]): void;
  /** People inside per active kiosk of the venue at `now`. */
  doors(venueId: string, now: number): DoorInside[];
  hour(venueId: string, start: number): HourFacts;
  span(venueId: string, kind: 'day' | 'week', start: number): SpanFacts;
  /**
   * The street's admissions, and those without a phone, over the days starting in [from, to); with
   * `exceptVenueId`, less that venue's own (its hours in the span), so a venue is not part of the
   * yardstick it is held against.
   */
  street(from: number, to: number, exceptVenueId?: string): StreetDayFacts;
  /** Counts every figure again from the stored records (an upgrade, a seeded street); returns the windows written. */
  rebuild(progress?: (line: string) => void): number;
}

interface DoorRow {
  inside: number;
  reset_seq: number;
  last_seq: number;
  since_ms: number | null;
  stale: number;
}

export function createAggregates(db: Db, ctx: RuleContext): Aggregates {
  const doorRow = db.prepare<[string], DoorRow>('SELECT inside, reset_seq, last_seq, since_ms, stale FROM door_counts WHERE kiosk_id = ?');
  // `held` grows by the records a batch stored (every type), whatever the count does.
  const putDoor = db.prepare<[string, string, number, number, number, number | null, number, number]>(
    `INSERT INTO door_counts (kiosk_id, venue_id, inside, reset_seq, last_seq, since_ms, stale, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kiosk_id) DO UPDATE SET inside = excluded.inside, reset_seq = excluded.reset_seq, last_seq = excluded.last_seq,
       since_ms = excluded.since_ms, stale = excluded.stale, held = door_counts.held + excluded.held`,
  );
  const venueDoors = db.prepare<[string], { id: string; entrance_name: string; inside: number | null; since_ms: number | null; stale: number | null }>(
    `SELECT k.id, e.name AS entrance_name, d.inside, d.since_ms, d.stale
       FROM kiosks k JOIN entrances e ON e.id = k.entrance_id LEFT JOIN door_counts d ON d.kiosk_id = k.id
      WHERE k.venue_id = ? AND k.revoked_at IS NULL ORDER BY e.id, k.id`,
  );
  const factsRow = db.prepare<[string, WindowKind, number], { facts: string }>('SELECT facts FROM window_facts WHERE venue_id = ? AND kind = ? AND start = ?');
  const putFacts = db.prepare<[string, WindowKind, number, string]>(
    'INSERT INTO window_facts (venue_id, kind, start, facts) VALUES (?, ?, ?, ?) ON CONFLICT (venue_id, kind, start) DO UPDATE SET facts = excluded.facts',
  );
  const target = db.prepare<[string], { kiosk_id: string; seq: number; kiosk_time_ms: number; decision: string; no_phone: number }>(
    "SELECT kiosk_id, seq, kiosk_time_ms, decision, coalesce(json_extract(checks, '$.scan.outcome') = 'no_phone', 0) AS no_phone FROM entrance_records WHERE id = ?",
  );
  const addStreetDay = db.prepare<[number, number, number]>(
    `INSERT INTO street_days (start, admissions, no_phone) VALUES (?, ?, ?)
     ON CONFLICT (start) DO UPDATE SET admissions = street_days.admissions + excluded.admissions, no_phone = street_days.no_phone + excluded.no_phone`,
  );
  const streetDays = db.prepare<[number, number], { admissions: number | null; no_phone: number | null }>(
    'SELECT sum(admissions) AS admissions, sum(no_phone) AS no_phone FROM street_days WHERE start >= ? AND start < ?',
  );
  const venueNoPhone = db.prepare<[string, number, number], { admissions: number | null; no_phone: number | null }>(
    `SELECT sum(json_extract(facts, '$.noPhone.admissions')) AS admissions, sum(json_extract(facts, '$.noPhone.noPhone')) AS no_phone
       FROM window_facts WHERE venue_id = ? AND kind = 'hour' AND start >= ? AND start < ?`,
  );
  const hourEntrances = db.prepare<[string, number, number], { id: string; kiosk_id: string; seq: number; kiosk_time: string; operator_id: string | null; body: string; corrected_by: string | null }>(
    `SELECT k.id, k.kiosk_id, k.seq, k.kiosk_time, k.operator_id, k.body, e.corrected_by
       FROM kiosk_records k JOIN entrance_records e ON e.id = k.id
      WHERE k.venue_id = ? AND k.type = 'entrance' AND k.kiosk_time_ms >= ? AND k.kiosk_time_ms < ?`,
  );
  // A door counted from its records (a figure from before the lookback, or stale): the admissions
  // are counted in the index entrance_records_kiosk_admits between the door's few other events
  // (corrections, exits, head counts, close-outs), which are folded one by one, so no admission
  // row is read into JavaScript.
  const lastCloseOut = db.prepare<[string, number], { seq: number | null }>(
    `SELECT max(seq) AS seq FROM kiosk_records
      WHERE kiosk_id = ? AND type = 'occupancy' AND json_extract(body, '$.kind') = 'close_out' AND kiosk_time_ms >= ?`,
  );
  // The admissions' seqs in the lookback, from the index alone (`+seq` keeps the planner off the
  // (kiosk_id, seq) key, which would read every table row), counted between events in JavaScript.
  const admitSeqs = db
    .prepare<[string, number, number], number>(
      `SELECT seq FROM entrance_records WHERE kiosk_id = ? AND kiosk_time_ms >= ? AND decision = 'admit' AND +seq > ?`,
    )
    .pluck();
  // By the venue/type/time index (kiosk and seq kept out of the plan with `+`): the lookback's few
  // door events, not every record the kiosk ever sent.
  const doorEvents = db.prepare<[string, number, string, number], { seq: number; type: string; a: string | null; n: number | null }>(
    `SELECT seq, type,
            CASE type WHEN 'correction' THEN json_extract(body, '$.correctsId') ELSE json_extract(body, '$.kind') END AS a,
            CASE type WHEN 'occupancy' THEN json_extract(body, '$.count') END AS n
       FROM kiosk_records
      WHERE venue_id = ? AND type IN ('correction', 'occupancy') AND kiosk_time_ms >= ? AND +kiosk_id = ? AND +seq > ?
      ORDER BY seq`,
  );
  const admissionOf = db.prepare<[string, string, number], { seq: number }>(
    "SELECT seq FROM entrance_records WHERE id = ? AND kiosk_id = ? AND decision = 'admit' AND kiosk_time_ms >= ?",
  );

  const toHeld = (r: { id: string; kiosk_id: string; seq: number; kiosk_time: string; operator_id: string | null; body: string; corrected_by: string | null }, venueId: string): HeldEntrance => ({
    // Stored bodies were validated on the way in; the rules read the record's own fields.
    record: { ...JSON.parse(r.body), type: 'entrance', id: r.id, venueId, kioskId: r.kiosk_id, seq: r.seq, kioskTime: r.kiosk_time, operatorId: r.operator_id ?? '' } as EntranceRecord,
    receivedAt: 0,
    corrected: r.corrected_by !== null,
  });

  function readFacts<T>(venueId: string, kind: WindowKind, start: number, empty: () => T): T {
    const row = factsRow.get(venueId, kind, start);
    return row ? (JSON.parse(row.facts) as T) : empty();
  }

  /**
   * The door counted from its records at `now`, by the kiosk's rule over the
   * lookback (occupancyFrom over its records since its last close-out in the
   * last 36 h, else over the 36 h).
   */
  function countDoor(venueId: string, kioskId: string, now: number): number {
    const from = now - OCCUPANCY_LOOKBACK_MS;
    const after = lastCloseOut.get(kioskId, from)?.seq ?? 0;
    let inside = 0;
    let resetSeq = after;
    const undone = new Set<string>();
    const admits = Float64Array.from(admitSeqs.all(kioskId, from, after)).sort();
    let next = 0;
    const admitsTo = (seq: number) => {
      const first = next;
      while (next < admits.length && admits[next]! < seq) next++;
      inside += next - first;
    };
    for (const e of doorEvents.all(venueId, from, kioskId, after)) {
      admitsTo(e.seq);
      if (e.type === 'correction') {
        // Undoes an admission counted since the last reset, once.
        const t = e.a === null || undone.has(e.a) ? undefined : admissionOf.get(e.a, kioskId, from);
        if (t && t.seq > resetSeq && t.seq < e.seq) {
          undone.add(e.a!);
          inside = Math.max(0, inside - 1);
        }
      } else if (e.a === 'exit') {
        inside = Math.max(0, inside - (e.n ?? 0));
      } else {
        inside = e.a === 'headcount' ? (e.n ?? 0) : 0;
        resetSeq = e.seq;
      }
    }
    admitsTo(Number.MAX_SAFE_INTEGER);
    return inside;
  }

  function doorStep(r: SyncRecord, ms: number, undone: Set<string>, kioskId: string): DoorStep {
    switch (r.type) {
      case 'entrance':
        return { seq: r.seq, ms, kind: r.decision === 'admit' ? 'admit' : 'none' };
      case 'correction': {
        // Each undone admission once: a second correction of it changed nothing (corrected_by was set).
        if (!undone.delete(r.correctsId)) return { seq: r.seq, ms, kind: 'none' };
        const t = target.get(r.correctsId);
        return t && t.kiosk_id === kioskId && t.decision === 'admit' ? { seq: r.seq, ms, kind: 'undo', targetSeq: t.seq } : { seq: r.seq, ms, kind: 'none' };
      }
      case 'occupancy':
        return r.kind === 'exit'
          ? { seq: r.seq, ms, kind: 'exit', count: r.count }
          : r.kind === 'headcount'
            ? { seq: r.seq, ms, kind: 'headcount', count: r.count }
            : { seq: r.seq, ms, kind: 'close_out' };
      default:
        return { seq: r.seq, ms, kind: 'none' };
    }
  }

  function applyDoor(kioskId: string, venueId: string, records: readonly SyncRecord[], undone: Set<string>, held = records.length): void {
    const row = doorRow.get(kioskId);
    let c: DoorCount = row ? { inside: row.inside, resetSeq: row.reset_seq, lastSeq: row.last_seq, sinceMs: row.since_ms } : EMPTY_DOOR;
    let stale = row?.stale === 1;
    for (const r of records) {
      // Stepping is exact only in sequence order; a record from before the last one stepped makes the
      // door counted from its records, until a close-out in order starts its figure from zero again.
      if (r.seq <= c.lastSeq) stale = true;
      else if (r.type === 'occupancy' && r.kind === 'close_out') stale = false;
      c = stepDoor(c, doorStep(r, Date.parse(r.kioskTime), undone, kioskId));
    }
    putDoor.run(kioskId, venueId, c.inside, c.resetSeq, c.lastSeq, c.sinceMs, stale ? 1 : 0, held);
  }

  function refoldHour(venueId: string, start: number, fold: (held: readonly HeldEntrance[]) => HourFacts): void {
    const held = hourEntrances.all(venueId, start, start + HOUR_MS).map((r) => toHeld(r, venueId));
    putFacts.run(venueId, 'hour', start, JSON.stringify(fold(standingAdmissions(held))));
  }

  return {
    apply(accepted, undoneIds) {
      if (accepted.length === 0) return;
      const first = accepted[0]!;
      const venue = ctx.venue(first.venueId);
      if (!venue) return;
      const p = policiesFor(ctx.policies(), venue.communityId);
      const undone = new Set(undoneIds);
      applyDoor(first.kioskId, venue.id, accepted, new Set(undone));

      const off = venue.utcOffsetMinutes;
      const entrances: HeldEntrance[] = accepted.flatMap((r) => (r.type === 'entrance' ? [{ record: r, receivedAt: 0, corrected: undone.has(r.id) }] : []));
      const inBatch = new Set(entrances.map((e) => e.record.id));
      // Admissions of earlier batches that this one undid: their hours are folded again from the records
      // (which already hold this batch), their days lose an admission.
      const refold = new Set<number>();
      const dayLoss = new Map<number, number>();
      // The street's days: this batch's admissions that stand, less the earlier ones it undid.
      const street = new Map<number, StreetDayFacts>();
      const toStreet = (day: number, admissions: number, noPhone: number) => {
        const f = street.get(day) ?? { admissions: 0, noPhone: 0 };
        street.set(day, { admissions: f.admissions + admissions, noPhone: f.noPhone + noPhone });
      };
      for (const e of standingAdmissions(entrances)) toStreet(dayStart(Date.parse(e.record.kioskTime), off), 1, isNoPhone(e) ? 1 : 0);
      for (const id of undone) {
        if (inBatch.has(id)) continue;
        const t = target.get(id);
        if (!t || t.decision !== 'admit') continue;
        refold.add(hourStart(t.kiosk_time_ms, off));
        const day = dayStart(t.kiosk_time_ms, off);
        dayLoss.set(day, (dayLoss.get(day) ?? 0) + 1);
        toStreet(day, -1, -t.no_phone);
      }
      for (const [day, f] of street) if (f.admissions !== 0 || f.noPhone !== 0) addStreetDay.run(day, f.admissions, f.noPhone);
      const byWindow = (key: (ms: number) => number) => {
        const groups = new Map<number, HeldEntrance[]>();
        for (const e of entrances) {
          const k = key(Date.parse(e.record.kioskTime));
          const g = groups.get(k);
          if (g) g.push(e);
          else groups.set(k, [e]);
        }
        return groups;
      };
      for (const [start, held] of byWindow((ms) => hourStart(ms, off))) {
        if (refold.has(start)) continue;
        const facts = foldHour(readFacts(venue.id, 'hour', start, emptyHour), venue, standingAdmissions(held), p.of, p.at);
        putFacts.run(venue.id, 'hour', start, JSON.stringify(facts));
      }
      for (const start of refold) refoldHour(venue.id, start, (admissions) => foldHour(emptyHour(), venue, admissions, p.of, p.at));
      // A day and a week lose the admissions undone; who worked the door (refusals and undone admissions included) stays.
      for (const [kind, key] of [['day', (ms: number) => dayStart(ms, off)], ['week', (ms: number) => weekStart(ms, off)]] as const) {
        const spans = byWindow(key);
        const loss = new Map<number, number>();
        for (const [day, n] of dayLoss) loss.set(key(day), (loss.get(key(day)) ?? 0) + n);
        for (const start of loss.keys()) if (!spans.has(start)) spans.set(start, []);
        for (const [start, held] of spans) {
          const facts = foldSpan(readFacts(venue.id, kind, start, emptySpan), held);
          putFacts.run(venue.id, kind, start, JSON.stringify({ ...facts, admissions: facts.admissions - (loss.get(start) ?? 0) }));
        }
      }
    },

    doors(venueId, now) {
      const from = now - OCCUPANCY_LOOKBACK_MS;
      return venueDoors.all(venueId).map((d) => ({
        kioskId: d.id,
        entranceName: d.entrance_name,
        // The running figure holds while it starts inside the lookback; an older one, or a stale one, is counted again.
        inside: d.inside === null ? 0 : d.stale === 1 || (d.since_ms !== null && d.since_ms < from) ? countDoor(venueId, d.id, now) : d.inside,
      }));
    },

    hour: (venueId, start) => readFacts(venueId, 'hour', start, emptyHour),
    span: (venueId, kind, start) => readFacts(venueId, kind, start, emptySpan),
    street(from, to, exceptVenueId) {
      const r = streetDays.get(from, to);
      const own = exceptVenueId === undefined ? undefined : venueNoPhone.get(exceptVenueId, from, to);
      return { admissions: (r?.admissions ?? 0) - (own?.admissions ?? 0), noPhone: (r?.no_phone ?? 0) - (own?.no_phone ?? 0) };
    },

    rebuild(progress = () => {}) {
      let written = 0;
      const run = db.transaction(() => {
        db.exec('DELETE FROM door_counts; DELETE FROM window_facts; DELETE FROM street_days;');
        const history = ctx.policies();
        const kiosks = db.prepare<[], { id: string; venue_id: string }>('SELECT id, venue_id FROM kiosks').all();
        const all = db.prepare<[string, number], { id: string; seq: number; type: string; kiosk_time: string; body: string }>(
          `SELECT id, seq, type, kiosk_time, body FROM kiosk_records WHERE kiosk_id = ? AND seq > ? AND type IN ('entrance', 'correction', 'occupancy') ORDER BY seq`,
        );
        const lastReset = db.prepare<[string], { seq: number | null }>(
          `SELECT max(seq) AS seq FROM kiosk_records WHERE kiosk_id = ? AND type = 'occupancy' AND json_extract(body, '$.kind') = 'close_out'`,
        );
        const corrected = db.prepare<[string], { id: string }>('SELECT id FROM entrance_records WHERE kiosk_id = ? AND corrected_by IS NOT NULL');
        const heldBy = db.prepare<[string], number>('SELECT count(*) FROM kiosk_records WHERE kiosk_id = ?').pluck();
        for (const k of kiosks) {
          const after = lastReset.get(k.id)?.seq ?? 0;
          // From the close-out itself (seq >= after), so the figure starts at zero there.
          const records = all
            .all(k.id, after - 1)
            .map((r) => ({ ...JSON.parse(r.body), id: r.id, seq: r.seq, type: r.type, kioskTime: r.kiosk_time, kioskId: k.id, venueId: k.venue_id }) as SyncRecord);
          const held = heldBy.get(k.id)!;
          if (held === 0) continue;
          applyDoor(k.id, k.venue_id, records, new Set(corrected.all(k.id).map((r) => r.id)), held);
        }
        for (const [i, venue] of ctx.venues().entries()) {
          const p = policiesFor(history, venue.communityId);
          const range = db.prepare<[string], { lo: number | null; hi: number | null }>('SELECT min(kiosk_time_ms) AS lo, max(kiosk_time_ms) AS hi FROM entrance_records WHERE venue_id = ?').get(venue.id)!;
          if (range.lo === null || range.hi === null) continue;
          const weeks = new Map<number, SpanFacts>();
          for (let day = dayStart(range.lo, venue.utcOffsetMinutes); day <= range.hi; day += DAY_MS) {
            const held = hourEntrances.all(venue.id, day, day + DAY_MS).map((r) => toHeld(r, venue.id));
            if (held.length === 0) continue;
            const hours = new Map<number, HeldEntrance[]>();
            for (const e of standingAdmissions(held)) {
              const h = hourStart(Date.parse(e.record.kioskTime), venue.utcOffsetMinutes);
              hours.set(h, [...(hours.get(h) ?? []), e]);
            }
            for (const [h, admissions] of hours) putFacts.run(venue.id, 'hour', h, JSON.stringify(foldHour(emptyHour(), venue, admissions, p.of, p.at)));
            const standing = standingAdmissions(held);
            if (standing.length > 0) addStreetDay.run(day, standing.length, standing.filter(isNoPhone).length);
            putFacts.run(venue.id, 'day', day, JSON.stringify(foldSpan(emptySpan(), held)));
            const w = weekStart(day, venue.utcOffsetMinutes);
            weeks.set(w, foldSpan(weeks.get(w) ?? emptySpan(), held));
            written += hours.size + 1;
          }
          for (const [w, facts] of weeks) putFacts.run(venue.id, 'week', w, JSON.stringify(facts));
          written += weeks.size;
          progress(`running figures: venue ${i + 1}, ${written} windows`);
        }
        db.prepare("INSERT INTO aggregate_state (name, built_at) VALUES ('figures', ?) ON CONFLICT (name) DO UPDATE SET built_at = excluded.built_at").run(Date.now());
      });
      run.immediate();
      return written;
    },
  };
}
