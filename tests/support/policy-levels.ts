import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { buildHub } from '../../hub/src/app.js';
import type { Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { enrolKiosk, hubOptions, tempDir } from './hub.js';
import { inspectorSession } from './inspector.js';
import { testClock, type TestClock } from './policy-street.js';
import { seedCityStreets, seedVenueInStreet } from './policy-city.js';
import { openTestStore } from './store.js';

export const LEVELS_PASSWORD = 'a long enough password';

export interface PolicyCity {
  app: FastifyInstance;
  store: Store;
  url: string;
  clock: TestClock;
  /**
   * One kiosk per street: `street` and `street-2` in the district `district`, `street-3` in the
   * district `district-2`; their venues `venue-1`, `venue-2`, `venue-3`, communities `c-venue-N`.
   */
  doors: Record<'s1' | 's2' | 's3', { kiosk: KioskIdentity; token: string }>;
  /** Signed in over real HTTP: the city admin, the district admin of `district`, the street admins of `street` and `street-2`. */
  city: ReturnType<typeof inspectorSession>;
  district: ReturnType<typeof inspectorSession>;
  street1: ReturnType<typeof inspectorSession>;
  street2: ReturnType<typeof inspectorSession>;
  close(): Promise<void>;
}

/** Three streets in two districts, a kiosk in each, a real hub on 127.0.0.1, an admin of each level logged in. */
export async function startPolicyCity(clock = testClock()): Promise<PolicyCity> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  await seedCityStreets(store);
  const doors = {
    s1: await enrolKiosk(store, await seedVenueInStreet(store, 'venue-1', 'street')),
    s2: await enrolKiosk(store, await seedVenueInStreet(store, 'venue-2', 'street-2')),
    s3: await enrolKiosk(store, await seedVenueInStreet(store, 'venue-3', 'street-3')),
  };
  const at = clock.now();
  await store.accounts.create({ name: 'city', role: 'city_admin', password: LEVELS_PASSWORD }, at);
  await store.accounts.create({ name: 'district', role: 'district_admin', districtId: 'district', password: LEVELS_PASSWORD }, at);
  await store.accounts.create({ name: 'street1', role: 'street_admin', streetId: 'street', password: LEVELS_PASSWORD }, at);
  await store.accounts.create({ name: 'street2', role: 'street_admin', streetId: 'street-2', password: LEVELS_PASSWORD }, at);
  const app = await buildHub(await hubOptions(store, { kioskDist: join(tmp.dir, 'no-kiosk-build'), now: clock.now }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const session = async (name: string) => {
    const s = inspectorSession(url);
    await s.login(name, LEVELS_PASSWORD);
    return s;
  };
  return {
    app,
    store,
    url,
    clock,
    doors,
    city: await session('city'),
    district: await session('district'),
    street1: await session('street1'),
    street2: await session('street2'),
    async close() {
      await app.close();
      await store.close();
      tmp.remove();
    },
  };
}
