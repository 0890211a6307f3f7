import type { Store } from '../../hub/src/store/index.js';

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

/** A venue with one entrance in a community of the given street (tests/support/hub.ts seedVenue, for a named street). */
export async function seedVenueInStreet(store: Store, venueId: string, streetId: string): Promise<string> {
  const communityId = `c-${venueId}`;
  await store.venues.addCommunity({ id: communityId, name: `社区 ${venueId}`, streetId });
  await store.venues.add({
    id: venueId,
    communityId,
    name: `场所 ${venueId}`,
    type: 'ktv',
    address: '测试路1号',
    ratedCapacity: 100,
    openingHours: null,
    utcOffsetMinutes: 480,
    officers: { prevention: { name: '赵敏', phone: '13800000001' } },
  });
  await store.venues.addStaff({ id: `${venueId}-staff-1`, venueId, name: '王芳', role: '门岗', pin: '1234' });
  const entranceId = `${venueId}-1`;
  await store.venues.addEntrance({ id: entranceId, venueId, name: '正门' });
  return entranceId;
}

