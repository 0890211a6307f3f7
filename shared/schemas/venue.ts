import { z } from 'zod';

/**
 * Venue types the seeds name (000 §2(1), 001 §2(2), 003 §14 and the table at the end of 003, 004 §3).
 * Schools and training centres are two types: 004 §3.1 stops offline training while §3.2 keeps
 * schools open under semi-closed management. A venue stored under the old joint type is split by
 * its name (`schoolOrTrainingCentre`).
 */
export const VenueType = z.enum([
  'ktv',
  'bar',
  'internet_cafe',
  'disco',
  'arcade',
  'dance_hall',
  'hotel',
  'shopping_mall',
  'supermarket',
  'chess_card_room',
  'mahjong_parlour',
  'script_murder',
  'escape_room',
  'board_game_room',
  'sauna',
  'massage',
  'foot_bath',
  'spa',
  'moxibustion',
  'bathhouse',
  'billiards',
  'restaurant',
  'farmers_market',
  'pharmacy',
  'cinema_theatre',
  'scenic_spot',
  'library',
  'museum',
  'gym_stadium',
  'religious_venue',
  'elderly_care',
  'school',
  'training_centre',
  'clinic',
  'construction_site',
  'residential_compound',
  'enterprise_office',
  // 003 §14 (理发洗浴场所) and its table row 9; 004 §3.3 (文化馆、美术馆); 004 §3.8 (机场车站).
  'barber',
  'cultural_centre',
  'art_gallery',
  'station',
]);
export type VenueType = z.infer<typeof VenueType>;

/** The joint type venues were stored and listed under before schools and training centres were split. */
export const LEGACY_SCHOOL_TRAINING = 'school_training';

/**
 * Which of the two a venue of the old joint type is, by its name: a name with 培训 (training) is a
 * training centre (启明培训学校 is one), a name with 学校/小学/中学/幼儿园/大学/学院 a school, and
 * anything else a training centre. When unsure it errs to the training centre, whose rules are the
 * stricter (004 §3.1 stops it in emergency): a school wrongly closed is seen at its door and fixed in
 * the registry, a training centre wrongly left open is not. The migration that split the type in
 * hub/src/store/migrations.ts applies the same rule in SQL.
 */
export function schoolOrTrainingCentre(name: string): 'school' | 'training_centre' {
  if (name.includes('培训')) return 'training_centre';
  return /学校|小学|中学|幼儿园|大学|学院/.test(name) ? 'school' : 'training_centre';
}

/** "HH:MM", 24-hour clock, local time at the venue. */
export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');

/**
 * When a venue may admit people, in its local time. `close` at or before
 * `open` means the venue closes after midnight (a KTV open 18:00–02:00).
 * Null means always open (a hotel lobby).
 */
export const OpeningHours = z.object({ open: ClockTime, close: ClockTime }).nullable();
export type OpeningHours = z.infer<typeof OpeningHours>;

/** What the door decision needs to know about the venue. */
export const VenueRules = z.object({
  type: VenueType,
  ratedCapacity: z.int().min(0),
  openingHours: OpeningHours,
  /** The venue's offset from UTC in minutes (480 for China Standard Time). */
  utcOffsetMinutes: z.int().min(-720).max(840),
});
export type VenueRules = z.infer<typeof VenueRules>;

/** A named officer (000 §2(4)): the venue's prevention officer and disinfection officer, as stored and posted. */
export const Officer = z.object({ name: z.string().trim().min(1).max(50), phone: z.string().trim().max(30) });
export const Officers = z.object({ prevention: Officer.optional(), disinfection: Officer.optional() });
export type Officers = z.infer<typeof Officers>;

/**
 * A number people can call: a mobile (138 0000 0000, +86 138…) or a landline
 * with its area code (010-12345678, 0571 8888 8888), written with digits,
 * spaces or dashes between groups, and a leading +. What Excel makes
 * of a long number (1.38E+10) is none of these, and neither is a number that
 * starts or ends with a separator (-13800138002): the separators sit between
 * digit groups only.
 */
export function isOfficerPhone(phone: string): boolean {
  if (!/^\+?\d+(?:[\s-]+\d+)*$/.test(phone)) return false;
  const digits = phone.replace(/[\s-]/g, '');
  return /^(?:\+?86)?1[3-9]\d{9}$/.test(digits) || /^0[1-9]\d{8,10}$/.test(digits) || /^\+?86[1-9]\d{8,10}$/.test(digits);
}

/**
 * An officer as the registry accepts one (form and CSV import): the phone, when
 * given, is a number people can call. Stored venues are read with the looser
 * `Officer`, so a number saved before this check still shows (and can be fixed).
 */
export const OfficerInput = Officer.extend({
  phone: Officer.shape.phone.refine((p) => p === '' || isOfficerPhone(p), {
    message: 'a mobile (13800000000) or a landline with its area code (010-12345678)',
    params: { code: 'phone' },
  }),
});
export const OfficersInput = z.object({ prevention: OfficerInput.optional(), disinfection: OfficerInput.optional() });

/** A door PIN: 4 to 6 digits. It says who is on duty; it is not a password. */
export const Pin = z.string().regex(/^\d{4,6}$/, 'a PIN has 4 to 6 digits');

/** A staff member who may work the door, with a salted PIN hash the kiosk checks offline. */
export const StaffMember = z.object({
  // Records carry it as operatorId, so it has the same shape as every other id.
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, "_" and "-"'),
  name: z.string().min(1).max(50),
  role: z.string().max(50),
  pinSalt: z.string().min(8),
  pinHash: z.string().min(16),
});
export type StaffMember = z.infer<typeof StaffMember>;
