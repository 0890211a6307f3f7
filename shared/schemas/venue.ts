import { z } from 'zod';

/** Venue types from DOMAIN.md (000 §2(1), 001 §2(2), 004 §3). */
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
  'school_training',
  'clinic',
  'construction_site',
  'residential_compound',
  'enterprise_office',
]);
export type VenueType = z.infer<typeof VenueType>;

/** "重中之重" (000): crowded, enclosed entertainment venues. */
export const TOP_PRIORITY_TYPES: readonly VenueType[] = ['ktv', 'bar', 'internet_cafe', 'disco', 'arcade', 'dance_hall'];

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
