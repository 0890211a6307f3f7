import type { FastifyBaseLogger } from 'fastify';
import {
  admittedDespiteRisk,
  admittedWhileClosed,
  admittedWhileSuspended,
  admittedWithoutBooking,
  baselineDays,
  clockSkew,
  dayStart,
  hourKey,
  hourStart,
  inventedTemperatures,
  readingsNeeded,
  judgeClosed,
  judgeMissing,
  judgeNoPhone,
  judgeRisk,
  judgeScans,
  judgeSkipped,
  names,
  kioskSilent,
  ledgerNotKeptDay,
  ledgerNotKeptWeek,
  missingCheck,
  noPhoneShare,
  overCapacity,
  staffBooster,
  staffFever,
  staffTestLookbackMs,
  scansBelowAdmissions,
  skippedCheck,
  slotAdmissions,
  slotOverCap,
  weekStart,
  type FlagVenue,
  type HeldEntrance,
  type Reading,
  type HourFacts,
} from '../../../shared/rules/flags/index.js';
import { policiesFor, type Policies } from '../../../shared/rules/flags/policies-for.js';
import { businessDayOf, type BusinessDay } from '../../../shared/rules/business-day.js';
import { slotAt, type Slot } from '../../../shared/rules/slots.js';
import { Policy as PolicySchema } from '../../../shared/schemas/policy.js';
import type { Flag, RaisedFlag } from '../../../shared/schemas/flags.js';
import type { Policy } from '../../../shared/schemas/policy.js';
import type { EntranceRecord, StaffTemperatureRecord, SyncRecord } from '../../../shared/schemas/record.js';
import { suspensionBinding } from '../../../shared/rules/suspension.js';
import { pushFlags } from '../sockets/dashboards.js';
import { connectedKioskIds, type KioskServer } from '../sockets/kiosks.js';
import type { KioskIdentity } from '../store/kiosks.js';
import type { Store } from '../store/index.js';

/**
 * Evaluating the flag rules (shared/rules/flags/) against what the hub holds.
 * `evaluateBatch` runs after each committed batch and reads only
 * what the batch touches; `sweep` runs every minute for the rules that need
 * time to pass. Both store through `store.flags.raise` (one flag per venue,
 * rule and window) and return the flags that are new or changed, for the
 * dashboards.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Temperature readings are looked for among this many of the kiosk's latest records per reading wanted. */
const READING_SEARCH_FACTOR = 5;
/**
 * A booked party may come this long before its slot (the largest grace a
 * policy may set): a slot's records are read from its start less this, so
 * every booked arrival counted in the slot is read whatever grace was in force.
 */
const MAX_GRACE_MS = (PolicySchema.shape.bookingGraceMinutes.unwrap().maxValue ?? 120) * 60_000;

export { policiesFor };

/**
 * The rules judged per batch, from the running figures of the venue-local
 * hours the batch's entrance records fall in (kept in the ingest transaction,
 * store/aggregates.ts: one row per hour, whatever the hour already holds), the
 * kiosk's latest temperature readings, the batch's clock, and the venue's
 * occupancy when it admitted anyone. `connectedAt` is when the kiosk's socket
 * connected (clock_skew tells a backlog from live records by it).
 */
export async function evaluateBatch(
  store: Store,
  kiosk: KioskIdentity,
  accepted: readonly SyncRecord[],
  receivedAt: number,
  { connectedAt }: { connectedAt?: number } = {},
): Promise<Flag[]> {
  if (accepted.length === 0) return [];
  const venue = await store.flags.facts.venue(kiosk.venueId);
  if (!venue) return [];
  const p = policiesFor(await store.flags.facts.policies(), venue);
  const th = p.active.flags;
  const raised: RaisedFlag[] = [];
  const entrances = accepted.filter((r) => r.type === 'entrance');

  const hours = [...new Set(entrances.map((r) => hourStart(Date.parse(r.kioskTime), venue.utcOffsetMinutes)))];
  for (const from of hours) {
    const facts = await store.flags.facts.hour(venue.id, from);
    raised.push(...judgeHour(venue, from, facts));
    raised.push(...judgeNoPhone(venue, from, facts.noPhone, await streetBefore(store, venue, from, th), th));
    // Late records in an hour already over: the sweep judged it without them.
    if (from + HOUR_MS <= receivedAt) {
      raised.push(...judgeScans(venue, from, facts.scans, await store.flags.facts.scans(venue.id, from, from + HOUR_MS), th));
    }
  }

  if (entrances.some((r) => r.checks.temperature?.outcome === 'measured')) {
    const maxSeq = Math.max(...entrances.map((r) => r.seq));
    const minSeq = Math.min(...entrances.map((r) => r.seq));
    // The statistical tests read the kiosk's last temperatureTestWindow readings: they run on a
    // batch that carries the kiosk's seq past a multiple of temperatureWindow, so a door sending a
    // few records a batch pays for the short read most of the time, and the tests still see every
    // stretch of readings, at most temperatureWindow records late.
    const step = th.temperatureWindow;
    const needed = Math.floor(maxSeq / step) > Math.floor((minSeq - 1) / step) ? readingsNeeded(th) : th.temperatureWindow;
    const readings = await store.flags.facts.readings(kiosk.id, maxSeq - needed * READING_SEARCH_FACTOR, needed);
    raised.push(...inventedTemperatures(venue, kiosk.id, readings, th));
  }

  raised.push(...clockSkew(venue, kiosk.id, accepted.map((r) => ({ id: r.id, kioskTimeMs: Date.parse(r.kioskTime) })), receivedAt, connectedAt, th));

  const admitted = entrances.filter((r) => r.decision === 'admit').map((r) => r.id);
  if (admitted.length > 0) {
    const doors = await store.occupancy.byVenue(venue.id, receivedAt);
    const inside = doors.reduce((n, d) => n + d.inside, 0);
    raised.push(...overCapacity(venue, p.active, { inside, entrances: doors }, admitted, receivedAt));
  }

  raised.push(...(await judgeSlots(store, venue, entrances.map((record) => ({ record, receivedAt, corrected: false })), p)));
  raised.push(...(await judgeSuspended(store, venue, entrances)));

  // Admissions of a business day already over (a kiosk offline past closing): the sweep judged that day without them.
  const today = businessDayOf(venue.openingHours, receivedAt, venue.utcOffsetMinutes);
  const lateDays = new Map<number, BusinessDay>();
  for (const r of entrances) {
    const b = businessDayOf(venue.openingHours, Date.parse(r.kioskTime), venue.utcOffsetMinutes);
    if (b.from < today.from) lateDays.set(b.from, b);
  }
  for (const b of [...lateDays.values()].sort((x, y) => x.from - y.from)) raised.push(...(await judgeDay(store, venue, b, p.at(b.to - 1), receivedAt)));

  // A staff fever is raised as its reading arrives, not when the day is over.
  const readings = accepted.filter((r): r is StaffTemperatureRecord => r.type === 'staff_temperature');
  const feverDays = new Map<number, { day: BusinessDay; readings: StaffTemperatureRecord[] }>();
  for (const r of readings) {
    const at = Date.parse(r.kioskTime);
    if (r.celsius < p.at(at).feverThresholdC) continue;
    const day = businessDayOf(venue.openingHours, at, venue.utcOffsetMinutes);
    const group = feverDays.get(day.from) ?? { day, readings: [] };
    group.readings.push(r);
    feverDays.set(day.from, group);
  }
  for (const { day, readings: fevers } of feverDays.values()) {
    const onDuty = names((await dayFacts(store, venue, day)).onDuty);
    const threshold = p.at(Date.parse(fevers[0]!.kioskTime)).feverThresholdC;
    raised.push(...staffFever(venue, day, fevers.map((r) => ({ recordId: r.id, staffId: r.staffId, celsius: r.celsius })), onDuty, threshold));
  }

  const changed = await store.flags.raise(raised, receivedAt);
  // pass_reused / pass_unknown were raised inside the ingest transaction (store/records.ts), stamped with this arrival.
  const passFlags = await store.flags.passFlagsAt(venue.id, receivedAt);
  const seen = new Set(changed.map((f) => f.id));
  return [...changed, ...passFlags.filter((f) => !seen.has(f.id))];
}

/** Each kiosk's measured readings among `held`, in its seq order. */
function kioskReadings(held: readonly HeldEntrance[]): Map<string, Reading[]> {
  const byKiosk = new Map<string, { seq: number; reading: Reading }[]>();
  for (const { record } of held) {
    const t = record.checks.temperature;
    if (t?.outcome !== 'measured') continue;
    const list = byKiosk.get(record.kioskId) ?? [];
    list.push({ seq: record.seq, reading: { recordId: record.id, celsius: t.celsius, kioskTimeMs: Date.parse(record.kioskTime) } });
    byKiosk.set(record.kioskId, list);
  }
  return new Map([...byKiosk].map(([k, list]) => [k, list.sort((a, b) => a.seq - b.seq).map((r) => r.reading)]));
}

/** The hour rules over one hour's running figures. */
function judgeHour(venue: FlagVenue, from: number, facts: HourFacts): RaisedFlag[] {
  const key = hourKey(from, venue.utcOffsetMinutes);
  return [
    ...judgeSkipped(venue, key, facts.skipped),
    ...judgeRisk(venue, key, facts.risk),
    ...judgeClosed(venue, key, facts.closed),
    ...judgeMissing(venue, key, facts.missing),
  ];
}

/** The street's running day figures over the days before the hour's day (no_phone_share's usual share): one indexed sum. */
/** The rest of the street's days before the hour: the venue judged is left out of its own yardstick. */
async function streetBefore(store: Store, venue: FlagVenue, hour: number, th: Policy['flags']) {
  const { from, to } = baselineDays(hour, venue.utcOffsetMinutes, th.noPhoneBaselineDays);
  return store.flags.facts.street(from, to, venue.id);
}

/**
 * The booking rules over the slots `admissions` fall in: each slot
 * read whole (from its start less the largest grace, for booked parties that
 * came early, to its end), so its count is the slot's and not the batch's.
 * A venue that takes no bookings has no slots to judge.
 */
async function judgeSlots(store: Store, venue: FlagVenue, admissions: readonly HeldEntrance[], p: Policies): Promise<RaisedFlag[]> {
  const booking = await store.flags.facts.booking(venue.id);
  if (!booking || booking.settings.mode === 'off' || !admissions.some((e) => e.record.decision === 'admit')) return [];
  const bookingIds = (held: readonly HeldEntrance[]) => held.flatMap((e) => (e.record.pass?.src === 'booking' && e.record.pass.id ? [e.record.pass.id] : []));
  const named = await store.flags.facts.bookings(venue.id, bookingIds(admissions));
  const slots = new Map<number, Slot>();
  for (const a of slotAdmissions(admissions, booking.settings.slotMinutes, venue.utcOffsetMinutes, named)) {
    // A booking made under another slot length keeps its own slot.
    slots.set(a.slotStart, a.booking ? { start: a.booking.slotStart, end: a.booking.slotEnd } : slotAt(a.at, booking.settings.slotMinutes, venue.utcOffsetMinutes));
  }
  const raised: RaisedFlag[] = [];
  for (const slot of [...slots.values()].sort((a, b) => a.start - b.start)) {
    const held = await store.flags.facts.entrances(venue.id, slot.start - MAX_GRACE_MS, slot.end);
    const bookings = await store.flags.facts.bookings(venue.id, bookingIds(held));
    raised.push(...slotOverCap(venue, booking, [slot], held, bookings, p.at), ...admittedWithoutBooking(venue, booking, [slot], held, bookings));
  }
  return raised;
}

/**
 * admitted_while_suspended over the hours in which the batch admitted
 * someone while an order held the venue. One indexed read of the venue's
 * orders over the batch's span decides whether there is anything to judge (most
 * batches: nothing); only then is each such hour read whole, so its count is the hour's.
 */
async function judgeSuspended(store: Store, venue: FlagVenue, entrances: readonly EntranceRecord[]): Promise<RaisedFlag[]> {
  const admitted = entrances.filter((r) => r.decision === 'admit').map((r) => Date.parse(r.kioskTime));
  if (admitted.length === 0) return [];
  const orders = await store.suspensions.overlapping(venue.id, Math.min(...admitted), Math.max(...admitted) + 1);
  if (orders.length === 0) return [];
  const hours = [...new Set(admitted.filter((ms) => suspensionBinding(orders, ms)).map((ms) => hourStart(ms, venue.utcOffsetMinutes)))];
  const raised: RaisedFlag[] = [];
  for (const from of hours) raised.push(...admittedWhileSuspended(venue, await store.flags.facts.entrances(venue.id, from, from + HOUR_MS), orders));
  return raised;
}

/**
 * Judges stored history as if it had arrived hour by hour: a street seeded
 * straight into the database (scripts/seed-street.ts) or a restored backup
 * has records the live evaluation never saw. Runs the same rules, venue by
 * venue and day by day (bounded reads), and stores what they raise with the
 * time each window ended. Kiosk silence and clock skew are live signals and
 * are not judged after the fact. Returns how many flags it opened or changed.
 */
export async function backfill(store: Store, from: number, until: number, progress: (line: string) => void = () => {}): Promise<number> {
  const history = await store.flags.facts.policies();
  const venues = await store.flags.facts.venues();
  let changed = 0;
  for (const [i, venue] of venues.entries()) {
    const p = policiesFor(history, venue);
    const th = p.active.flags;
    const raised: { flag: RaisedFlag; at: number }[] = [];
    const add = (flags: RaisedFlag[], at: number) => raised.push(...flags.map((flag) => ({ flag, at })));
    const orders = await store.suspensions.overlapping(venue.id, from, until);
    for (let day = dayStart(from, venue.utcOffsetMinutes); day < until; day += DAY_MS) {
      const dayHeld = await store.flags.facts.entrances(venue.id, day, day + DAY_MS);
      if (dayHeld.length === 0) continue;
      const street = await streetBefore(store, venue, day, th);
      const dayReadings = kioskReadings(dayHeld);
      for (let hour = day; hour < day + DAY_MS && hour < until; hour += HOUR_MS) {
        const held = dayHeld.filter((e) => inWindow(e.record.kioskTime, hour, hour + HOUR_MS));
        if (held.length === 0) continue;
        const end = hour + HOUR_MS;
        add([...skippedCheck(venue, held, p.of), ...admittedDespiteRisk(venue, held, p.of), ...admittedWhileClosed(venue, held, p.of, p.at), ...missingCheck(venue, held, p.of, p.at), ...admittedWhileSuspended(venue, held, orders)], end);
        add(noPhoneShare(venue, held, () => street, th), end);
        add(scansBelowAdmissions(venue, hour, held, await store.flags.facts.scans(venue.id, hour, end), th), end);
        // Each kiosk's latest readings of the day up to the hour's end, as the live rule sees a kiosk's latest ones.
        for (const kioskId of new Set(held.filter((e) => e.record.checks.temperature?.outcome === 'measured').map((e) => e.record.kioskId))) {
          const readings = dayReadings.get(kioskId)!.filter((r) => r.kioskTimeMs < end).slice(-readingsNeeded(th));
          add(inventedTemperatures(venue, kioskId, readings, th), end);
        }
      }
      add(await judgeSlots(store, venue, dayHeld, p), Math.min(day + DAY_MS, until));
    }
    // Ledgers per business day (a venue open past midnight keeps one per night), each once it is over.
    for (let b = businessDayOf(venue.openingHours, from, venue.utcOffsetMinutes); b.to <= until; b = businessDayOf(venue.openingHours, b.to, venue.utcOffsetMinutes)) {
      add(await judgeDay(store, venue, b, p.at(b.to - 1), until), b.to);
    }
    // Only whole weeks inside the history: a week it starts in the middle of has its early days missing.
    const first = weekStart(from, venue.utcOffsetMinutes);
    for (let week = first < from ? first + 7 * DAY_MS : first; week + 7 * DAY_MS <= until; week += 7 * DAY_MS) {
      const wth = p.at(week + 7 * DAY_MS - 1).flags;
      if (!judgesWeek(venue, wth)) continue;
      const held = await store.flags.facts.entrances(venue.id, week, week + 7 * DAY_MS);
      if (held.length === 0) continue;
      const onDuty = [...new Set(held.map((e) => e.record.operatorId))];
      add(await judgeWeek(store, venue, week, onDuty, wth, week + 7 * DAY_MS), week + 7 * DAY_MS);
    }
    // Stored in the order their windows ended, each at that time.
    raised.sort((a, b) => a.at - b.at);
    for (const r of raised) changed += (await store.flags.raise([r.flag], r.at)).length;
    progress(`flags: venue ${i + 1}/${venues.length}, ${changed} flags`);
  }
  return changed;
}

const inWindow = (kioskTime: string, from: number, to: number) => {
  const ms = Date.parse(kioskTime);
  return ms >= from && ms < to;
};

/**
 * What the sweep has judged already: the hour, day and week last judged per
 * venue, so each finished window is read once, not every minute.
 */
export type SweepMemo = Map<string, number>;

/** A business day's entrance figures: the running figure when it is a calendar day, else counted from the records. */
async function dayFacts(store: Store, venue: FlagVenue, day: BusinessDay) {
  return day.from === dayStart(day.from, venue.utcOffsetMinutes) ? store.flags.facts.span(venue.id, 'day', day.from) : store.flags.facts.duty(venue.id, day.from, day.to);
}

/**
 * ledger_not_kept and staff_health for one finished business day of a venue
 * (disinfection; staff temperatures of those on duty; staff tests judged per
 * day; a staff fever), under `policy`, the one in force as the day ended.
 * Staff health entries are read until `until`, back as far as a test can cover the day.
 */
async function judgeDay(store: Store, venue: FlagVenue, day: BusinessDay, policy: Policy, until: number): Promise<RaisedFlag[]> {
  const facts = await dayFacts(store, venue, day);
  if (facts.entrances === 0) return [];
  const th = policy.flags;
  const ledger = await store.flags.facts.ledger(venue.id, day.from, day.to);
  const frequency = th.staffTests[venue.type];
  const tests = frequency && frequency.every !== 'week' ? (await store.flags.facts.ledger(venue.id, day.from - staffTestLookbackMs(frequency), Math.max(until, day.to))).tests : [];
  const onDuty = names(facts.onDuty);
  return [
    ...ledgerNotKeptDay(venue, { day, admissions: facts.admissions, onDuty, disinfections: ledger.disinfections, staffMeasured: ledger.staffMeasured, tests }, th),
    ...staffFever(venue, day, ledger.staffReadings, onDuty, policy.feverThresholdC),
  ];
}

/** Whether a venue's ISO week is judged: a weekly test frequency at its type, or boosters asked. */
const judgesWeek = (venue: FlagVenue, th: Policy['flags']) => th.staffTests[venue.type]?.every === 'week' || th.staffBoosterRequired;

/** ledger_not_kept (1周2检) and staff_health (booster) for one finished ISO week, from the staff on duty and the entries until `until`. */
async function judgeWeek(store: Store, venue: FlagVenue, week: number, onDuty: string[], th: Policy['flags'], until: number): Promise<RaisedFlag[]> {
  const ledger = await store.flags.facts.ledger(venue.id, week, until);
  return [
    ...ledgerNotKeptWeek(venue, { week, from: week, to: week + 7 * DAY_MS, onDuty, tests: ledger.tests }, th),
    ...staffBooster(venue, week, ledger.vaccinations, onDuty, th.staffBoosterRequired),
  ];
}

/**
 * The time-based rules: kiosk_silent (every run), scans_below_admissions for
 * the venue-local hour just finished, ledger_not_kept for the day and the
 * ISO week just finished. Reads are per venue and bounded by those windows;
 * with a memo each finished window is judged once. `connected` holds the ids
 * of kiosks whose socket is connected now.
 */
export async function sweep(store: Store, now: number, connected: ReadonlySet<string> = new Set(), memo: SweepMemo = new Map()): Promise<Flag[]> {
  const history = await store.flags.facts.policies();
  const venues = await store.flags.facts.venues();
  const kiosks = await store.flags.facts.kiosks();
  const raised: RaisedFlag[] = [];
  // Remembered only once the flags are stored, so a failed run is tried again.
  const judged = new Map<string, number>();
  const once = (venue: FlagVenue, kind: string, from: number) => {
    const key = `${venue.id}:${kind}`;
    if (memo.get(key) === from) return false;
    judged.set(key, from);
    return true;
  };

  for (const venue of venues) {
    const p = policiesFor(history, venue);
    const th = p.active.flags;
    const own = kiosks.filter((k) => k.venueId === venue.id).map((k) => ({ ...k, connected: connected.has(k.id) }));
    raised.push(...kioskSilent(venue, p.active, own, th, now));

    const hour = hourStart(now, venue.utcOffsetMinutes) - HOUR_MS;
    if (once(venue, 'hour', hour)) {
      const facts = await store.flags.facts.hour(venue.id, hour);
      if (facts.scans.admissions > 0) raised.push(...judgeScans(venue, hour, facts.scans, await store.flags.facts.scans(venue.id, hour, hour + HOUR_MS), th));
    }

    // The business day just over (for a venue open past midnight, the night before, once it is over).
    const today = businessDayOf(venue.openingHours, now, venue.utcOffsetMinutes);
    const day = businessDayOf(venue.openingHours, today.from - 1, venue.utcOffsetMinutes);
    if (once(venue, 'day', day.from)) raised.push(...(await judgeDay(store, venue, day, p.at(day.to - 1), now)));

    const week = weekStart(now, venue.utcOffsetMinutes) - 7 * DAY_MS;
    const wth = p.at(week + 7 * DAY_MS - 1).flags;
    if (judgesWeek(venue, wth) && once(venue, 'week', week)) {
      const facts = await store.flags.facts.span(venue.id, 'week', week);
      if (facts.entrances > 0) raised.push(...(await judgeWeek(store, venue, week, names(facts.onDuty), wth, now)));
    }
  }
  const changed = await store.flags.raise(raised, now);
  for (const [key, from] of judged) memo.set(key, from);
  return changed;
}

/**
 * Runs the sweep every `everyMs` (a minute) and pushes what it raised to the
 * dashboards. A run still going when the next is due is not doubled. Returns
 * the stop function (app.ts calls it before closing).
 */
export function startFlagSweep(store: Store, io: KioskServer, now: () => number, log: FastifyBaseLogger, everyMs = 60_000): () => void {
  const memo: SweepMemo = new Map();
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    // A kiosk connected but idle (no patrons) is not offline: its socket is its sign of life, on
    // whichever hub process it is (the sweep runs in one process of the street: singletons.ts).
    connectedKioskIds(io)
      .then(async (connected) => {
        await store.kiosks.markSeen([...connected], now());
        return sweep(store, now(), connected, memo);
      })
      .then((flags) => pushFlags(io, store.organisation, flags))
      .catch((err: unknown) => log.error({ err }, 'flag sweep failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
