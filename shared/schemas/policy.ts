import { z } from 'zod';
import { DoorCheck, type ItineraryOutcome } from './checks.js';
import { DisinfectionTable, EMERGENCY_DISINFECTIONS, EMERGENCY_STAFF_TESTS, NORMAL_STAFF_TESTS, StaffTestTable } from './ledgers.js';
import { ClockTime, VenueType } from './venue.js';

/**
 * The rules a kiosk decides under, as data (docs/policy.md "The policy is
 * data": thresholds are policy, never constants). The street switches
 * between a normal and an emergency policy in one act ("平急转换", 003 §1, 004); every record stores the version
 * it was decided under.
 */
const Hours = z.int().min(1).max(168);

/**
 * What the three-code check (三码联查, 004 §3.11) does with a patron who answers "not vaccinated":
 * `record` keeps the answer only; `warn` admits and tells staff to report the patron to the community
 * (the seed's purpose: "重点人员早发现、早管控"); `refuse` refuses entry (reason `unvaccinated`). No seed
 * refuses anyone for it; a street may choose to, per venue type.
 */
export const VaccinationEffect = z.enum(['record', 'warn', 'refuse']);
export type VaccinationEffect = z.infer<typeof VaccinationEffect>;

/** A daily window a policy allows venues to admit in, local time at the venue; close at or before open runs past midnight. */
export const HoursWindow = z.object({ open: ClockTime, close: ClockTime });
export type HoursWindow = z.infer<typeof HoursWindow>;

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
   * sends its outbox late), ahead `kioskTimeFutureMinutes` (clock drift only: nothing is sent before it
   * happens). Ahead defaults to a day: a tablet whose clock runs fast still made a real admission, which
   * must not be lost; the allowance is there to stop absurd dates (year 9999), and clock_skew flags the drift.
   */
  kioskTimePastDays: z.int().min(1).max(366).default(31),
  kioskTimeFutureMinutes: z.int().min(1).max(24 * 60).default(24 * 60),
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
  /**
   * A signed commitment may stand in for the test when there is no medium/high-risk travel. No seed
   * lets it (000 §2(2)(1) asks the test; 004 §3.8 asks the commitment on top of it): both presets
   * say no, and a street may choose yes.
   */
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
  /** Under the three-code check, what an unvaccinated answer does, by default and per venue type (`VaccinationEffect`). */
  unvaccinated: z
    .object({ default: VaccinationEffect, byVenueType: z.partialRecord(VenueType, VaccinationEffect) })
    .default({ default: 'record', byVenueType: {} }),
  /**
   * Shorter opening hours (003 §14: after a local case "缩短营业时间"): a venue admits only inside both
   * its registered hours and this window, set for all types or per type. `null` shortens nothing.
   * shared/rules/opening-hours.ts `openSinceUnder` is the one rule the door and the hub read.
   */
  shortenedHours: z
    .object({ default: HoursWindow.nullable(), byVenueType: z.partialRecord(VenueType, HoursWindow) })
    .default({ default: null, byVenueType: {} }),
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

/**
 * Normal ("常态化") prevention: 000 §2(2)(1), 001 §2(2), 003 §14. Every value with its seed section:
 * docs/policy.md "The presets".
 */
export const NORMAL_POLICY: Policy = {
  version: 1,
  mode: 'normal',
  feverThresholdC: 37.3,
  // All five everywhere: the enclosed venues of 000 §2(1) (malls and supermarkets among them) by
  // 000 §2(2)(1); markets, malls, supermarkets, restaurants, hotels and pharmacies by 001 §2(2)1
  // (二码联查: health code and itinerary card) and 003 §14 (亮码, 测温, 戴口罩, 查验健康码和行程卡).
  doorChecks: { default: ALL_DOOR_CHECKS, byVenueType: {} },
  // 000 §2(2)(1): other-province arrivals within 7 days show a negative test from the last 48 h.
  testWindowHours: { starred: 48, otherProvince: 48, byVenueType: {} },
  // No seed lets a commitment replace the test.
  commitmentAccepted: false,
  testAndCommitmentVenueTypes: [],
  closedVenueTypes: [],
  capPercent: { default: 100, byVenueType: {} },
  threeCodeCheck: false,
  unvaccinated: { default: 'record', byVenueType: {} },
  shortenedHours: { default: null, byVenueType: {} },
  passValidMinutes: 10,
  contactRetentionDays: 28,
  bookingGraceMinutes: 15,
  flags: FlagThresholds.parse({}),
};

/** Emergency ("战时") measures of 004 §3, with 000's top-priority venues; docs/policy.md "The presets". */
export const EMERGENCY_POLICY: Policy = {
  version: 1,
  mode: 'emergency',
  feverThresholdC: 37.3,
  // 004 §3.10: every entrance checks temperature, health code, itinerary card and mask.
  doorChecks: { default: ALL_DOOR_CHECKS, byVenueType: {} },
  // 004 §3.8: a starred card at stations (airports included) and hotels needs a negative test within 24 h.
  testWindowHours: { starred: 48, otherProvince: 48, byVenueType: { hotel: 24, station: 24 } },
  commitmentAccepted: false,
  // 004 §3.8: … and then a signed commitment ("签署承诺书后方可进入").
  testAndCommitmentVenueTypes: ['hotel', 'station'],
  closedVenueTypes: [
    // 004 §3.1: indoor enclosed leisure venues close; offline training stops.
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
    'training_centre',
    // 004 §3.1 ends its list with "等"; 000 §2(1) names discos and dance halls among the top
    // priority (重中之重) with the KTVs and bars above, and 001 §2(2)4 closes billiards with
    // internet cafés and chess rooms "根据疫情形势".
    'disco',
    'dance_hall',
    'billiards',
  ],
  // 004 §3.3 (scenic spots, theatres, libraries, cultural centres, art galleries, museums, gyms),
  // §3.4 (religious venues), §3.5 (restaurant rooms).
  capPercent: {
    default: 100,
    byVenueType: {
      scenic_spot: 50,
      cinema_theatre: 50,
      library: 50,
      cultural_centre: 50,
      art_gallery: 50,
      museum: 50,
      gym_stadium: 50,
      religious_venue: 50,
      restaurant: 50,
    },
  },
  // 004 §3.11: health code, itinerary card and vaccination; the seed finds people early
  // (早发现、早管控), it refuses nobody for it: staff are told, the patron is admitted.
  threeCodeCheck: true,
  unvaccinated: { default: 'warn', byVenueType: {} },
  // 003 §14 names shorter hours after a local case but no hours: the street sets them.
  shortenedHours: { default: null, byVenueType: {} },
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

/** What an unvaccinated answer does at a venue of this type under this policy (004 §3.11); `record` when the three-code check is off. */
export function unvaccinatedEffect(policy: Policy, type: VenueType): VaccinationEffect {
  if (!policy.threeCodeCheck) return 'record';
  // `?.`: a policy object built before the field existed (the schema's default fills parsed ones).
  return policy.unvaccinated?.byVenueType[type] ?? policy.unvaccinated?.default ?? 'record';
}

/** The window a policy shortens this venue type's hours to (003 §14), or null. */
export function shortenedHours(policy: Pick<Policy, 'shortenedHours'>, type: VenueType): HoursWindow | null {
  // `?.`: a policy object built before the field existed (the schema's default fills parsed ones).
  return policy.shortenedHours?.byVenueType[type] ?? policy.shortenedHours?.default ?? null;
}
