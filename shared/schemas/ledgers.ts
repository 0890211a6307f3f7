import { z } from 'zod';
import { VenueType } from './venue.js';

/**
 * How often a venue's own ledgers (台账) must show an entry, per venue type,
 * as policy data (docs/policy.md "Ledger frequencies"). The rules that read
 * them are in shared/rules/flags/ledger-not-kept.ts.
 *
 * Each table names the seed row or section a venue type's value comes from,
 * one line per type, so a venue type added to VenueType joins a row with one
 * line here.
 */

/**
 * A staff nucleic-acid test frequency (003, the table of test frequencies at
 * its end):
 * - `week`: `times` test dates in every ISO week (1周2检: rows 9, 13, 14);
 * - `days`: every `days` days (5天1检: rows 15, 17, 18, 21): a test covers
 *   the day it was taken and the `days − 1` after, so no staff member on duty
 *   works a day `days` or more days after their last test;
 * - `daily_sample`: each day at least `percent` % of the staff tested that day
 *   (每天至少20%的抽样比例: rows 23–28, after a local case).
 */
export const StaffTestFrequency = z.discriminatedUnion('every', [
  z.object({ every: z.literal('week'), times: z.int().min(1).max(7) }),
  z.object({ every: z.literal('days'), days: z.int().min(1).max(30) }),
  z.object({ every: z.literal('daily_sample'), percent: z.int().min(1).max(100) }),
]);
export type StaffTestFrequency = z.infer<typeof StaffTestFrequency>;

export const StaffTestTable = z.partialRecord(VenueType, StaffTestFrequency);
export type StaffTestTable = z.infer<typeof StaffTestTable>;

const TWICE_A_WEEK: StaffTestFrequency = { every: 'week', times: 2 };
const EVERY_5_DAYS: StaffTestFrequency = { every: 'days', days: 5 };
const DAILY_20_PERCENT: StaffTestFrequency = { every: 'daily_sample', percent: 20 };

/**
 * Normal ("常态化") staff test frequencies: 003 table rows 9, 13, 14 (1周2检)
 * and 17, 18 (5天1检). Rows 15 (canteens) and 21 (security staff) name kinds
 * of staff, not venue types; rows 23–28 apply after a local case only.
 */
export const NORMAL_STAFF_TESTS: StaffTestTable = {
  // Row 9: KTV, bars, sauna, massage, foot bath, spa, chess-and-card, mahjong, internet cafés,
  // discos, script murder, escape rooms, hotels, restaurants (barbers join here).
  ktv: TWICE_A_WEEK,
  bar: TWICE_A_WEEK,
  sauna: TWICE_A_WEEK,
  massage: TWICE_A_WEEK,
  foot_bath: TWICE_A_WEEK,
  spa: TWICE_A_WEEK,
  chess_card_room: TWICE_A_WEEK,
  mahjong_parlour: TWICE_A_WEEK,
  internet_cafe: TWICE_A_WEEK,
  disco: TWICE_A_WEEK,
  script_murder: TWICE_A_WEEK,
  escape_room: TWICE_A_WEEK,
  hotel: TWICE_A_WEEK,
  restaurant: TWICE_A_WEEK,
  barber: TWICE_A_WEEK,
  // Row 9 ends its list with "等"; 000 §2(2)(2) asks 每周2次 of arcades and dance halls (its scope);
  // the other venues of the same kind (004 §3.1 closes them together with those of row 9).
  arcade: TWICE_A_WEEK,
  dance_hall: TWICE_A_WEEK,
  board_game_room: TWICE_A_WEEK,
  bathhouse: TWICE_A_WEEK,
  moxibustion: TWICE_A_WEEK,
  billiards: TWICE_A_WEEK,
  // Row 13: malls, supermarkets, markets.
  shopping_mall: TWICE_A_WEEK,
  supermarket: TWICE_A_WEEK,
  farmers_market: TWICE_A_WEEK,
  // Row 12: transport, 动车站、汽车站、客运码头等从业人员.
  station: TWICE_A_WEEK,
  // Row 14: medical institutions other than fever clinics.
  clinic: TWICE_A_WEEK,
  // Row 17: scenic spots, theatres, cinemas.
  scenic_spot: EVERY_5_DAYS,
  cinema_theatre: EVERY_5_DAYS,
  // Row 18: pharmacies.
  pharmacy: EVERY_5_DAYS,
};

/**
 * After a local case (the emergency preset): the normal frequencies, and
 * rows 23–28: one test of everyone, then a daily sample of at least 20 %
 * (schools and training centres, care homes, construction sites).
 */
export const EMERGENCY_STAFF_TESTS: StaffTestTable = {
  ...NORMAL_STAFF_TESTS,
  // Row 23: schools, kindergartens, training centres (003 §11: 每日抽检20%).
  school: DAILY_20_PERCENT,
  training_centre: DAILY_20_PERCENT,
  // Row 24: care homes (003 §10: 每天至少20%抽样比例).
  elderly_care: DAILY_20_PERCENT,
  // Row 28: construction sites.
  construction_site: DAILY_20_PERCENT,
};

/** Disinfection entries per open day by venue type, where it differs from `disinfectionsPerDay`. */
export const DisinfectionTable = z.partialRecord(VenueType, z.int().min(0).max(24));
export type DisinfectionTable = z.infer<typeof DisinfectionTable>;

/**
 * 003 §27: after a local case, malls and supermarkets, hotels, markets,
 * schools, transport (stations), office buildings, construction sites and
 * care homes disinfect at least twice a day ("每天至少开展2次预防性消毒").
 */
export const EMERGENCY_DISINFECTIONS: DisinfectionTable = {
  shopping_mall: 2,
  supermarket: 2,
  hotel: 2,
  farmers_market: 2,
  school: 2,
  station: 2,
  enterprise_office: 2,
  construction_site: 2,
  elderly_care: 2,
};
