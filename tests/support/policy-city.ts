import type { Store } from '../../hub/src/store/index.js';
import { seedStreetVenue } from './streets.js';

// No vitest import: Playwright specs use these too.

/**
 * A second street in the first street's district and a third street in a second district: with the
 * deployment's own street ('street' of 'district'), two streets in one district and one outside it.
 */
export async function seedCityStreets(store: Store): Promise<void> {
  await store.organisation.saveDistrict({ id: 'district-2', name: '第二区' });
  await store.organisation.saveStreet({ id: 'street-2', name: '第二街道', districtId: 'district' });
  await store.organisation.saveStreet({ id: 'street-3', name: '第三街道', districtId: 'district-2' });
}

/** A venue with one entrance in a community of the given street, which must exist (streets.ts seedStreetVenue). */
export async function seedVenueInStreet(store: Store, venueId: string, streetId: string): Promise<string> {
  const street = await store.organisation.street(streetId);
  if (!street) throw new Error(`no street "${streetId}": seed it first`);
  return seedStreetVenue(store, { districtId: street.districtId, streetId, venueId, name: `场所 ${venueId}` });
}
