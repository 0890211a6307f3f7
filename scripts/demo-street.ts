import { newPassword } from '../hub/src/services/passwords.js';
import type { Store } from '../hub/src/store/index.js';
import type { OpeningHours, VenueType } from '../shared/schemas/venue.js';

/**
 * A small demo street (示范街道): three communities, five venues of the kinds
 * the seeds name (000 §2(1), 004 §3), one or two entrances each. Seeded once,
 * on an empty database.
 */
const COMMUNITIES = [
  { id: 'dongfeng', name: '东风社区' },
  { id: 'heping', name: '和平社区' },
  { id: 'xinhua', name: '新华社区' },
];

type DemoVenue = { id: string; communityId: string; name: string; type: VenueType; address: string; ratedCapacity: number; openingHours: OpeningHours; entrances: string[] };

const VENUES: DemoVenue[] = [
  { id: 'xingguang-ktv', communityId: 'dongfeng', name: '星光KTV', type: 'ktv', address: '东风路12号', ratedCapacity: 120, openingHours: { open: '10:00', close: '02:00' }, entrances: ['正门'] },
  { id: 'heping-market', communityId: 'heping', name: '和平超市', type: 'supermarket', address: '和平路88号', ratedCapacity: 300, openingHours: { open: '07:30', close: '22:00' }, entrances: ['正门', '侧门'] },
  { id: 'xinhua-netcafe', communityId: 'xinhua', name: '新华网吧', type: 'internet_cafe', address: '新华街5号', ratedCapacity: 80, openingHours: null, entrances: ['正门'] },
  { id: 'dongfeng-hotel', communityId: 'dongfeng', name: '东风大酒店', type: 'hotel', address: '东风路1号', ratedCapacity: 200, openingHours: null, entrances: ['大堂'] },
  { id: 'citizen-library', communityId: 'heping', name: '市民图书馆', type: 'library', address: '和平路20号', ratedCapacity: 150, openingHours: { open: '09:00', close: '21:00' }, entrances: ['正门'] },
];

/** The demo venue that takes bookings; `npm start` prints its booking link. */
export const DEMO_BOOKING_VENUE_ID = 'citizen-library';

/** The entrance whose enrolment code `npm start` prints. */
export const DEMO_ENTRANCE_ID = 'xingguang-ktv-1';

/** Door staff of every demo venue, with their PINs (printed by `npm start`: demo data only). */
export const DEMO_STAFF = [
  { suffix: 'wangfang', name: '王芳', role: '门岗', pin: '1234' },
  { suffix: 'liqiang', name: '李强', role: '门岗', pin: '5678' },
] as const;

async function onlyStreetId(store: Store): Promise<string> {
  const streets = await store.organisation.streets();
  if (streets.length !== 1) throw new Error(`the demo street goes in a deployment of one street; this one has ${streets.length}`);
  return streets[0]!.id;
}

export async function seedDemoStreet(store: Store): Promise<boolean> {
  if ((await store.venues.count()) > 0) return false;
  // The deployment's one street (migration 29 made it) takes the demo's names.
  const street = await store.organisation.street(await onlyStreetId(store));
  await store.organisation.saveDistrict({ id: street!.districtId, name: '示范区' });
  await store.organisation.saveStreet({ id: street!.id, name: '示范街道', districtId: street!.districtId });
  for (const c of COMMUNITIES) await store.venues.addCommunity({ ...c, streetId: street!.id });
  for (const { entrances, ...venue } of VENUES) {
    // The demo street is in China Standard Time (UTC+8).
    await store.venues.add({
      ...venue,
      utcOffsetMinutes: 480,
      officers: { prevention: { name: '赵敏', phone: '138-0000-0001' }, disinfection: { name: '孙丽', phone: '138-0000-0002' } },
    });
    for (const s of DEMO_STAFF) {
      await store.venues.addStaff({ id: `${venue.id}-${s.suffix}`, venueId: venue.id, name: s.name, role: s.role, pin: s.pin });
    }
    for (const [i, name] of entrances.entries()) {
      await store.venues.addEntrance({ id: `${venue.id}-${i + 1}`, venueId: venue.id, name });
    }
  }
  // The library takes bookings (003 §13 限量、预约、错峰): hourly slots of 40, walk-ins for what is left.
  await store.bookings.saveSettings(DEMO_BOOKING_VENUE_ID, { mode: 'optional', slotMinutes: 60, slotCap: 40, maxParty: 4, daysAhead: 7 }, 'npm start (demo)', Date.now());
  return true;
}

/**
 * The demo's first accounts, created on the demo's first start so the
 * dashboard can be opened at once: the street admin and one community's inspector, each
 * with a one-time password returned here to print once. None if any account exists.
 */
export async function seedDemoAccounts(
  store: Store,
  community: { id: string; name: string } = { id: 'dongfeng', name: '东风社区' },
): Promise<{ name: string; role: string; password: string }[]> {
  if ((await store.accounts.count()) > 0) return [];
  const now = Date.now();
  const made = [
    { name: 'admin', role: 'street_admin' as const, communityId: null },
    { name: 'inspector', role: 'community_inspector' as const, communityId: community.id },
  ];
  const out: { name: string; role: string; password: string }[] = [];
  for (const a of made) {
    const password = newPassword();
    const account = await store.accounts.create({ ...a, password }, now);
    await store.audit.record({ at: now, accountId: null, accountName: 'npm start (demo)', action: 'account_created', target: account.id, detail: { name: a.name, role: a.role } });
    out.push({ name: a.name, role: a.role === 'street_admin' ? 'street admin' : `${community.name} inspector`, password });
  }
  return out;
}
