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
