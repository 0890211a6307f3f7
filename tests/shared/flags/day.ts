import { randomUUID } from 'node:crypto';
import { businessDayOf } from '../../../shared/rules/business-day.js';
import type { HeldEntrance, FlagVenue, LedgerDay, Reading } from '../../../shared/rules/flags/index.js';
import type { Checks } from '../../../shared/schemas/checks.js';
import type { EntranceRecord } from '../../../shared/schemas/record.js';
import { FlagThresholds, NORMAL_POLICY, type Policy } from '../../../shared/schemas/policy.js';

/**
 * A generated clean day at one venue (every flag rule must stay silent on it): a KTV
 * open 10:00–23:00 (UTC+8), 300 patrons admitted 10:00–22:00 through two
 * doors, temperatures a bell around 36.45 °C (sd 0.25, within 35.8–37.2), every check done, a pass per
 * admission, the ledgers kept. Deterministic (seeded), so a failure repeats.
 */
export const OFFSET = 480;
export const VENUE: FlagVenue = { id: 'venue-k', type: 'ktv', ratedCapacity: 400, openingHours: { open: '10:00', close: '23:00' }, utcOffsetMinutes: OFFSET };
export const THRESHOLDS: FlagThresholds = FlagThresholds.parse({});
export const policyOf = (): Policy => NORMAL_POLICY;
export const policyAt = (): Policy => NORMAL_POLICY;
export const KIOSKS = ['kiosk-1', 'kiosk-2'] as const;
export const STAFF = ['staff-1', 'staff-2', 'staff-3'] as const;

/** Local time at the venue on 2026-11-23 (a Monday, ISO week 2026-W48), as ms. */
export const at = (hh: number, mm = 0, ss = 0, day = 23): number => Date.UTC(2026, 10, day, hh, mm, ss) - OFFSET * 60_000;
const iso = (ms: number) => new Date(ms + OFFSET * 60_000).toISOString().replace('Z', '+08:00');

/** mulberry32: a small seeded generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CLEAN_CHECKS = (celsius: number): Checks => ({
  scan: { outcome: 'scanned' },
  temperature: { outcome: 'measured', celsius },
  mask: { outcome: 'worn' },
  healthCode: { outcome: 'green' },
  itinerary: { outcome: 'local' },
});

let seqs: Record<string, number> = {};

/** One admitted patron at `ms`, received a second later; override any field. */
export function entrance(ms: number, over: Partial<EntranceRecord> = {}, kioskId: string = KIOSKS[0]): HeldEntrance {
  seqs[kioskId] = (seqs[kioskId] ?? 0) + 1;
  const record: EntranceRecord = {
    type: 'entrance',
    id: randomUUID(),
    venueId: VENUE.id,
    kioskId,
    seq: seqs[kioskId]!,
    kioskTime: iso(ms),
    operatorId: STAFF[0],
    policyVersion: 1,
    checks: CLEAN_CHECKS(36.5),
    decision: 'admit',
    reasons: [],
    ...over,
  };
  return { record, receivedAt: ms + 1000, corrected: false };
}

export interface CleanDay {
  entrances: HeldEntrance[];
  /** Pass people issued per local hour start (ms). */
  scans: Map<number, { passes: number; people: number }>;
  readings: Map<string, Reading[]>;
  ledger: LedgerDay;
}

export function cleanDay(seed = 7, day = 23): CleanDay {
  seqs = {};
  const random = rng(seed);
  const entrances: HeldEntrance[] = [];
  const scans = new Map<number, { passes: number; people: number }>();
  const open = at(10, 0, 0, day);
  const span = at(22, 0, 0, day) - open;
  const times = Array.from({ length: 300 }, () => open + Math.floor(random() * span)).sort((a, b) => a - b);
  for (const ms of times) {
    // Forehead readings: a bell around 36.45 °C spreading 0.25 °C (a logistic one: one draw each, so the rest of the day is as before).
    const u = random();
    const celsius = Math.round(Math.min(37.2, Math.max(35.8, 36.45 + 0.138 * Math.log(u / (1 - u)))) * 10) / 10;
    const kioskId = KIOSKS[random() < 0.6 ? 0 : 1];
    const e = entrance(ms, { checks: CLEAN_CHECKS(celsius), operatorId: kioskId === KIOSKS[0] ? STAFF[0] : STAFF[1 + (ms % 2)] }, kioskId);
    entrances.push(e);
    const hour = Math.floor((ms + OFFSET * 60_000) / 3_600_000) * 3_600_000 - OFFSET * 60_000;
    const s = scans.get(hour) ?? { passes: 0, people: 0 };
    // Nearly everyone scans; a few hand the phone of a companion (one pass, two people).
    if (random() < 0.95) scans.set(hour, { passes: s.passes + 1, people: s.people + 1 });
    else scans.set(hour, s);
  }
  const readings = new Map<string, Reading[]>();
  for (const e of entrances) {
    const t = e.record.checks.temperature;
    if (t?.outcome !== 'measured') continue;
    const list = readings.get(e.record.kioskId) ?? [];
    list.push({ recordId: e.record.id, celsius: t.celsius, kioskTimeMs: Date.parse(e.record.kioskTime) });
    readings.set(e.record.kioskId, list);
  }
  const ledger: LedgerDay = {
    day: businessDayOf(VENUE.openingHours, at(12, 0, 0, day), OFFSET),
    admissions: entrances.length,
    onDuty: [...new Set(entrances.map((e) => e.record.operatorId))],
    disinfections: [
      { recordId: randomUUID(), doneAt: at(9, 30, 0, day) },
      { recordId: randomUUID(), doneAt: at(16, 0, 0, day) },
    ],
    staffMeasured: [...STAFF],
    tests: [],
  };
  return { entrances, scans, readings, ledger };
}
