import type { Store } from '../../hub/src/store/index.js';

// No vitest import: a Playwright spec may build streets too.

export interface SeededStreet {
  streetId: string;
  communityId: string;
  venueId: string;
  entranceId: string;
}

/**
 * A second street in the deployment (docs/architecture.md "Streets as tenants"), with one community
 * and one venue with an entrance, as a district's import and the registry would make them. Call it
 * after the first street's venues are seeded (seedVenue puts a community in the only street).
 * The district is made if it is new; by default the first street's ('district').
 */
export async function seedSecondStreet(
  store: Store,
  { streetId = 'street-2', streetName = '第二街道', districtId = 'district', districtName = '本区', venueId = 'venue-z' } = {},
): Promise<SeededStreet> {
  if (!(await store.organisation.district(districtId))) await store.organisation.saveDistrict({ id: districtId, name: districtName });
  await store.organisation.saveStreet({ id: streetId, name: streetName, districtId });
  const communityId = `c-${venueId}`;
  await store.venues.addCommunity({ id: communityId, name: `${streetName}社区`, streetId });
  await store.venues.add({
    id: venueId,
    communityId,
    name: `${streetName}KTV`,
    type: 'ktv',
    address: '测试路2号',
    ratedCapacity: 80,
    openingHours: null,
    utcOffsetMinutes: 480,
    officers: { prevention: { name: '钱进', phone: '13800000002' } },
  });
  await store.venues.addStaff({ id: `${venueId}-staff-1`, venueId, name: '孙丽', role: '门岗', pin: '4321' });
  const entranceId = `${venueId}-1`;
  await store.venues.addEntrance({ id: entranceId, venueId, name: '正门' });
  return { streetId, communityId, venueId, entranceId };
}
