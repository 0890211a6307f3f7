import { VENUE_TYPE_TEXT } from '../../../shared/labels.js';
import type { VenueType } from '../../../shared/schemas/venue.js';
import { currentLang } from './i18n.js';

/** A venue type in the dashboard's language, from the table the CSV import also reads (shared/labels.ts). */
export function venueTypeLabel(type: VenueType | string): string {
  return (VENUE_TYPE_TEXT[currentLang()] as Record<string, string>)[type] ?? type;
}
