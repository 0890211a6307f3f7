import { z } from 'zod';
import { DoorCheck, type ItineraryOutcome } from './checks.js';
import { DisinfectionTable, EMERGENCY_DISINFECTIONS, EMERGENCY_STAFF_TESTS, NORMAL_STAFF_TESTS, StaffTestTable } from './ledgers.js';
import { VenueType } from './venue.js';

/**
 * The rules a kiosk decides under, as data (docs/policy.md "The policy is
 * data": thresholds are policy, never constants). The street switches
 * between a normal and an emergency policy in one act ("平急转换", 003 §1, 004); every record stores the version
 * it was decided under.
 */
const Hours = z.int().min(1).max(168);

/**
 * Thresholds of the inspectors' flag rules: they live in the policy, not in
 * code, so the street office can tune them; see shared/rules/flags/. Every field has a default,
 * so a policy stored before they existed still parses.
 */
export const FlagThresholds = z.object({
  /** scans_below_admissions: in an hour with at least `minAdmissionsForScanCheck` admissions, pass scans per admission below this. */
  minScansPerAdmission: z.number().min(0).max(1).default(0.5),
  minAdmissionsForScanCheck: z.int().min(1).max(10_000).default(10),
  /** invented_temperatures: over the last `temperatureWindow` readings at a kiosk, one value's share above this, or a spread below. */
  temperatureWindow: z.int().min(5).max(1000).default(20),
  maxSameReadingShare: z.number().min(0.1).max(1).default(0.6),
  minTemperatureStdDevC: z.number().min(0).max(1).default(0.1),
  /**
   * invented_temperatures, statistical tests (shared/rules/flags/invented-temperatures.ts) over a
   * kiosk's last `temperatureTestWindow` readings: terminal-digit preference, too regular a spread,
   * too little variation, a cycle. Each test raises at most `temperatureTestAlpha` of the
   * judgements of honest readings whose spread is at least `honestTemperatureStdDevC` (infrared
   * forehead thermometers at a door: 0.2–0.3 °C).
   */
  temperatureTestWindow: z.int().min(30).max(1000).default(120),
  temperatureTestAlpha: z.number().min(1e-7).max(0.05).default(1e-4),
  honestTemperatureStdDevC: z.number().min(0.05).max(1).default(0.2),
  /** The dashboard's "kiosk offline": an open venue none of whose kiosks was connected or heard from for this long. */
  kioskOfflineMinutes: z.int().min(1).max(24 * 60).default(10),
  /** kiosk_silent: no record from a venue's kiosk for this long while it is open. */
  kioskSilentMinutes: z.int().min(5).max(24 * 60).default(60),
  /** clock_skew: a kiosk's clock this far from the hub's (records sent at once). */
  clockSkewMinutes: z.int().min(1).max(24 * 60).default(5),
  /**
   * A record whose kiosk time is further from the hub's receipt than this is refused at `kioskTime`
   * (shared/rules/kiosk-time.ts): back `kioskTimePastDays` (a tablet kept offline through a closure
   * sends its outbox late), ahead `kioskTimeFutureMinutes` (clock drift only: nothing is sent before it happens).
   */
  kioskTimePastDays: z.int().min(1).max(366).default(31),
  kioskTimeFutureMinutes: z.int().min(1).max(24 * 60).default(15),
  /**
   * ledger_not_kept: staff nucleic-acid test frequency per venue type (003, the table of test
   * frequencies: rows 9, 13, 14, 17, 18; rows 23–28 after a local case). A type not listed asks none.
   */
  staffTests: StaffTestTable.default(() => ({ ...NORMAL_STAFF_TESTS })),
  /** ledger_not_kept: disinfection or ventilation entries per open day (000 §2(2)(3)), unless its type has its own below. */
  disinfectionsPerDay: z.int().min(0).max(24).default(1),
  /** ledger_not_kept: entries per open day at these venue types (003 §27: twice a day after a local case). */
  disinfectionsByVenueType: DisinfectionTable.default(() => ({})),
  /** staff_health: staff on duty whose staff ledger shows no booster (000 §2(2)(2) "是否完成疫苗接种加强免疫"). */
  staffBoosterRequired: z.boolean().default(true),
  /**
   * no_phone_share: an hour with at least `minAdmissionsForNoPhoneCheck` admissions whose share of
   * no-phone admissions is at least `noPhoneShareFactor` times the street's usual share (its share over
   * the `noPhoneBaselineDays` days before), at least `minNoPhoneShare`, and this unlikely
   * (`maxNoPhoneFalseAlarm`, the binomial tail) for a door whose patrons are like the street's.
   * Until the street has `minNoPhoneBaselineAdmissions` admissions in those days, its usual share is `usualNoPhoneShare`.
   */
  minAdmissionsForNoPhoneCheck: z.int().min(1).max(10_000).default(20),
  noPhoneShareFactor: z.number().min(1).max(100).default(3),
  minNoPhoneShare: z.number().min(0).max(1).default(0.25),
  maxNoPhoneFalseAlarm: z.number().min(1e-9).max(0.5).default(0.001),
  noPhoneBaselineDays: z.int().min(1).max(90).default(28),
  minNoPhoneBaselineAdmissions: z.int().min(1).max(1_000_000).default(500),
  usualNoPhoneShare: z.number().min(0).max(1).default(0.05),
  /** Joint enforcement list (000 §5): this many violations within `repeatWindowDays`, or a missed rectification deadline. */
  repeatViolations: z.int().min(2).max(100).default(3),
  repeatWindowDays: z.int().min(1).max(365).default(30),
});
export type FlagThresholds = z.infer<typeof FlagThresholds>;
const Percent = z.int().min(1).max(100);

export const Policy = z.object({
  version: z.int().min(1),
  mode: z.enum(['normal', 'emergency']),
  /** At or above this reading entry is refused (37.3 °C is the standard Chinese threshold). */
  feverThresholdC: z.number().min(36).max(39),
  /** The checks asked at the door, per venue type (000 §2(2)(1), 003 §14, 004 §3.10). */
  doorChecks: z.object({ default: z.array(DoorCheck).min(1), byVenueType: z.partialRecord(VenueType, z.array(DoorCheck).min(1)) }),
  /**
   * How recent a negative test must be, per itinerary case: a starred card, or another
   * province within 7 days (000 §2(2)(1): 48 h); a venue type may tighten it (004 §3.8:
   * 24 h at hotels in emergency).
   */
  testWindowHours: z.object({ starred: Hours, otherProvince: Hours, byVenueType: z.partialRecord(VenueType, Hours) }),
  /** A signed commitment may stand in for the test when there is no medium/high-risk travel (004 §3.8). */
  commitmentAccepted: z.boolean(),
  /**
   * Venue types where a starred or other-province patron needs the negative test AND a signed
   * commitment (004 §3.8: hotels in emergency, "需核验24小时内核酸检测阴性报告…签署承诺书后方可进入").
   */
  testAndCommitmentVenueTypes: z.array(VenueType),
  /** Venue types that may not admit anyone (004 §3.1 in emergency). */
  closedVenueTypes: z.array(VenueType),
  /** Cap = rated capacity × this percentage (004 §3.3–3.5: 50 % in emergency). */
  capPercent: z.object({ default: Percent, byVenueType: z.partialRecord(VenueType, Percent) }),
  /** Health code + itinerary + vaccination (三码联查, 004 §3.11): vaccination is asked. */
  threeCodeCheck: z.boolean(),
  /**
   * How long a patron's pass stays valid after it is issued: a few minutes, long
   * enough to queue. At most 20, so a typed pass code's minute is never ambiguous (pass-code.ts).
   */
  passValidMinutes: z.int().min(1).max(20).default(10),
  /** Days a patron's contact number is kept for tracing, then purged (003 §25). */
  contactRetentionDays: z.int().min(1).max(365).default(28),
  /** Minutes a booked party may come before its slot, and keeps its seats after the slot starts (shared/rules/slots.ts). */
  bookingGraceMinutes: z.int().min(0).max(120).default(15),
  flags: FlagThresholds.prefault({}),
});
export type Policy = z.infer<typeof Policy>;

const ALL_DOOR_CHECKS: DoorCheck[] = ['scan', 'temperature', 'mask', 'healthCode', 'itinerary'];
/** 003 §14 for malls, supermarkets, markets, restaurants: "亮码、测温、戴口罩" (no itinerary card). */
const CODE_TEMPERATURE_MASK: DoorCheck[] = ['scan', 'temperature', 'mask', 'healthCode'];

/** Normal ("常态化") prevention: 000 §2(2)(1), 001 §2(2), 003 §14. */
export const NORMAL_POLICY: Policy = {
  version: 1,
  mode: 'normal',
  feverThresholdC: 37.3,
  doorChecks: {
    default: ALL_DOOR_CHECKS,
    byVenueType: {
      shopping_mall: CODE_TEMPERATURE_MASK,
      supermarket: CODE_TEMPERATURE_MASK,
      farmers_market: CODE_TEMPERATURE_MASK,
      restaurant: CODE_TEMPERATURE_MASK,
      pharmacy: CODE_TEMPERATURE_MASK,
    },
  },
  testWindowHours: { starred: 48, otherProvince: 48, byVenueType: {} },
  commitmentAccepted: true,
  testAndCommitmentVenueTypes: [],
  closedVenueTypes: [],
  capPercent: { default: 100, byVenueType: {} },
  threeCodeCheck: false,
  passValidMinutes: 10,
  contactRetentionDays: 28,
  bookingGraceMinutes: 15,
  flags: FlagThresholds.parse({}),
};

/** Emergency ("战时") measures of 004 §3. */
export const EMERGENCY_POLICY: Policy = {
  version: 1,
  mode: 'emergency',
  feverThresholdC: 37.3,
  // 004 §3.10: every entrance checks temperature, health code, itinerary card and mask.
  doorChecks: { default: ALL_DOOR_CHECKS, byVenueType: {} },
  // 004 §3.8: hotels (and stations) need a negative test within 24 h.
  testWindowHours: { starred: 48, otherProvince: 48, byVenueType: { hotel: 24 } },
  commitmentAccepted: true,
  testAndCommitmentVenueTypes: ['hotel'],
  // 004 §3.1: indoor enclosed leisure venues close; offline training stops.
  closedVenueTypes: [
    'internet_cafe',
    'ktv',
    'bar',
    'chess_card_room',
    'mahjong_parlour',
    'arcade',
    'board_game_room',
    'escape_room',
    'spa',
    'moxibustion',
    'bathhouse',
    'sauna',
    'foot_bath',
    'school_training',
  ],
  // 004 §3.3 (scenic spots, theatres, libraries, museums, gyms), §3.4 (religious venues), §3.5 (restaurant rooms).
  capPercent: {
    default: 100,
    byVenueType: {
      scenic_spot: 50,
      cinema_theatre: 50,
      library: 50,
      museum: 50,
      gym_stadium: 50,
      religious_venue: 50,
      restaurant: 50,
    },
  },
  threeCodeCheck: true,
  passValidMinutes: 10,
  contactRetentionDays: 28,
  bookingGraceMinutes: 15,
  // 003 §27 and the test table's rows 23–28: after a local case.
  flags: FlagThresholds.parse({ staffTests: EMERGENCY_STAFF_TESTS, disinfectionsByVenueType: EMERGENCY_DISINFECTIONS }),
};

/** The test window for this itinerary case at a venue of this type. */
export function testWindowHours(policy: Policy, type: VenueType, itinerary: ItineraryOutcome): number {
  const w = policy.testWindowHours;
  const byCase = itinerary === 'starred' ? w.starred : w.otherProvince;
  return Math.min(byCase, w.byVenueType[type] ?? byCase);
}

/** The checks asked at the door of a venue of this type. */
export function doorChecks(policy: Policy, type: VenueType): DoorCheck[] {
  return policy.doorChecks.byVenueType[type] ?? policy.doorChecks.default;
}

/** Disinfection entries an open day of a venue of this type needs (000 §2(2)(3); 003 §27). */
export function disinfectionsPerDay(flags: FlagThresholds, type: VenueType): number {
  return flags.disinfectionsByVenueType[type] ?? flags.disinfectionsPerDay;
}
