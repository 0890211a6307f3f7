import type { Store } from '../../hub/src/store/index.js';
import type { KioskIdentity } from '../../hub/src/store/kiosks.js';
import { enrolKiosk } from './hub.js';
import { randomUUID } from 'node:crypto';
import { cstDate, cstMidnight, DAY, HOUR, MIN } from './clock.js';
import { INSPECTION_ITEMS, type InspectionChecks } from '../../shared/schemas/inspection.js';

/** What one street of `seedTwoStreets` holds, by id and by the names that must never show in the other street. */
export interface SeededStreet {
  streetId: string;
  communityId: string;
  venueId: string;
  /** Unique to this street: a body, a CSV or a socket event of the other street that holds it has crossed. */
  venueName: string;
  communityName: string;
  entranceId: string;
  staffId: string;
  kiosk: KioskIdentity;
  token: string;
  flagId: number;
  suspensionId: number;
  inspectionId: number;
  /** A live booking of a slot tomorrow. */
  bookingId: string;
  /** Login names: the street admin and the community inspector. */
  admin: string;
  inspector: string;
}

export interface TwoStreets {
  districtId: string;
  s1: SeededStreet;
  s2: SeededStreet;
  /** Login names above the streets. */
  districtAdmin: string;
  cityAdmin: string;
}

/**
 * Two streets of one district in one deployment (docs/architecture.md "Streets as tenants"):
 * district `d1` with streets `s1` and `s2`, each with a community, a venue with an entrance and door
 * staff, an enrolled kiosk, an open flag, a suspension order, an on-site inspection, a booking and
 * an audit entry; a street admin and an inspector per street, a district admin of d1 and the city admin, all
 * with `password`. The deployment's first street ('street', from the migration) stays, empty.
 */
export async function seedTwoStreets(store: Store, password: string, now: number): Promise<TwoStreets> {
  const districtId = 'd1';
  await store.organisation.saveDistrict({ id: districtId, name: '婺城区' });
  const seed = async (n: 1 | 2): Promise<SeededStreet> => {
    const streetId = `s${n}`;
    const streetName = n === 1 ? '城东街道' : '城西街道';
    await store.organisation.saveStreet({ id: streetId, name: streetName, districtId });
    const communityId = `c-s${n}`;
    const communityName = `${streetName}社区${n}`;
    await store.venues.addCommunity({ id: communityId, name: communityName, streetId });
    const venueId = `venue-s${n}`;
    const venueName = `${streetName}歌舞厅${n}号`;
    await store.venues.add({
      id: venueId,
      communityId,
      name: venueName,
      type: 'ktv',
      address: `${streetName}路${n}号`,
      ratedCapacity: 100,
      openingHours: null,
      utcOffsetMinutes: 480,
      officers: { prevention: { name: `防控员${n}`, phone: `1380000000${n}` } },
    });
    const staffId = `${venueId}-staff-1`;
    await store.venues.addStaff({ id: staffId, venueId, name: `门岗${n}`, role: '门岗', pin: '1234' });
    const entranceId = `${venueId}-1`;
    await store.venues.addEntrance({ id: entranceId, venueId, name: '正门' });
    const { kiosk, token } = await enrolKiosk(store, entranceId);
    const [flag] = await store.flags.raise([{ venueId, rule: 'skipped_check', severity: 'violation', windowKey: `two-streets-${n}`, evidence: { recordIds: [] } }], now);
    const admin = `admin-s${n}`;
    const inspector = `inspector-s${n}`;
    const adminAccount = await store.accounts.create({ name: admin, role: 'street_admin', streetId, password }, now);
    await store.accounts.create({ name: inspector, role: 'community_inspector', communityId, password }, now);
    const suspension = await store.suspensions.order(venueId, { from: cstDate(now + DAY), to: cstDate(now + 2 * DAY), reason: `停业整顿${n}` }, adminAccount.id, now);
    const items = Object.fromEntries(INSPECTION_ITEMS.map((i) => [i, { result: 'pass' as const }])) as InspectionChecks;
    const { inspection } = await store.inspections.record(venueId, { items, note: `检查${n}`, closes: [] }, adminAccount.id, now);
    const slotStart = cstMidnight(1, now) + 10 * HOUR;
    const bookingId = randomUUID();
    const booked = await store.bookings.book(
      {
        id: bookingId,
        venueId,
        slotStart,
        slotEnd: slotStart + HOUR,
        people: 1,
        party: [{ h: 'green', i: 'local' }],
        code: 'ABC234',
        codeMinute: Math.floor((slotStart - 15 * MIN) / MIN),
        codeNumber: 0,
        bookedAt: now,
        policyVersion: 1,
        verdict: 'enter',
        signed: 'VCP1.x.y',
        contact: null,
      },
      10,
    );
    if (!booked.ok) throw new Error('could not book');
    await store.audit.record({ at: now, accountId: adminAccount.id, accountName: admin, action: 'venue_update', target: venueId, detail: { name: venueName }, where: { streetId, districtId } });
    return {
      streetId,
      communityId,
      venueId,
      venueName,
      communityName,
      entranceId,
      staffId,
      kiosk,
      token,
      flagId: flag!.id,
      suspensionId: suspension!.id,
      inspectionId: inspection.id,
      bookingId,
      admin,
      inspector,
    };
  };
  const s1 = await seed(1);
  const s2 = await seed(2);
  await store.accounts.create({ name: 'district-d1', role: 'district_admin', districtId, password }, now);
  await store.accounts.create({ name: 'city', role: 'city_admin', password }, now);
  return { districtId, s1, s2, districtAdmin: 'district-d1', cityAdmin: 'city' };
}
