import type { Store } from '../../hub/src/store/index.js';

// No vitest import: a Playwright spec may build streets too.

/**
 * A venue with one entrance in a named street of a named district (both made if missing), as the
 * registry would hold it in a deployment of several streets: the community `c-<venueId>` belongs to
 * `streetId`. Returns the entrance id, as seedVenue does.
 */
export async function seedStreetVenue(
  store: Store,
  { districtId, streetId, venueId, name = '测试KTV', communityName = `${venueId}社区` }: { districtId: string; streetId: string; venueId: string; name?: string; communityName?: string },
): Promise<string> {
  if (!(await store.organisation.district(districtId))) await store.organisation.saveDistrict({ id: districtId, name: `${districtId}区` });
  if (!(await store.organisation.street(streetId))) await store.organisation.saveStreet({ id: streetId, name: `${streetId}街道`, districtId });
  await store.venues.addCommunity({ id: `c-${venueId}`, name: communityName, streetId });
  await store.venues.add({
    id: venueId,
    communityId: `c-${venueId}`,
    name,
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
  const entranceId = await seedStreetVenue(store, { districtId, streetId, venueId, name: `${streetName}KTV`, communityName: `${streetName}社区` });
  return { streetId, communityId: `c-${venueId}`, venueId, entranceId };
}
