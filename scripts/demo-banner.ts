import QRCode from 'qrcode';
import type { Store } from '../hub/src/store/index.js';
import { posterToken } from '../shared/rules/venue-code.js';
import { formatEnrolmentCode } from '../shared/schemas/enrolment.js';
import { DEMO_BOOKING_VENUE_ID, DEMO_ENTRANCE_ID, DEMO_STAFF, seedDemoAccounts, seedDemoStreet } from './demo-street.js';
import { WHOLE_CITY } from '../hub/src/store/scope.js';

/**
 * What `npm start` and `npm run cluster` print once the street is up: where
 * the kiosk enrols (a fresh one-time code and its QR), the patron page, the
 * booking link, the dashboard and its first accounts. Both seed the demo
 * street the same way first (seedDemo, on the store before the hubs serve).
 */
const ENROL_TTL_MS = 24 * 60 * 60 * 1000;

export interface DemoSeed {
  /** The demo street was created now (an empty database). */
  seeded: boolean;
  /** The first accounts with their one-time passwords (created now), else none. */
  accounts: { name: string; role: string; password: string }[];
  /** The door to enrol: the demo's KTV, or on a street seeded otherwise (npm run seed-street) its first venue's. */
  door: string;
}

/** Seeds the demo street and its first accounts on an empty database; says what it did and which door to enrol. */
export async function seedDemo(store: Store): Promise<DemoSeed> {
  const seeded = await seedDemoStreet(store);
  let door = DEMO_ENTRANCE_ID;
  const street = await store.dashboard.overview(WHOLE_CITY, Date.now());
  const first = street.communities.find((c) => c.venues.length > 0);
  if (!(await store.venues.entrance(door)) && first) door = (await store.venues.profile(first.venues[0]!.id))?.entrances[0]?.id ?? door;
  const inspected = street.communities.find((c) => c.id === 'dongfeng') ?? first;
  const accounts = await seedDemoAccounts(store, inspected && { id: inspected.id, name: inspected.name });
  return { seeded, accounts, door };
}

/**
 * The lines to print: `title` first (what runs, where the data is), then the
 * links at `base`, then `extra` (e.g. each hub's own address), then the QR.
 * Issues a fresh enrolment code for the door.
 */
export async function demoBanner(
  store: Store,
  seed: DemoSeed,
  { base, title, publicUrl, extra = [] }: { base: string; title: string; publicUrl: string | undefined; extra?: string[] },
): Promise<string[]> {
  const { door, accounts } = seed;
  const demoDoor = door === DEMO_ENTRANCE_ID;
  const code = await store.kiosks.issueEnrolmentCode(door, Date.now(), ENROL_TTL_MS);
  const enrolUrl = `${base}/kiosk/?enrol=${formatEnrolmentCode(code)}`;
  // A tablet's camera app opens this and the kiosk enrols itself (the QR way to enrol).
  const qr = await QRCode.toString(enrolUrl, { type: 'terminal', small: true });
  const entrance = await store.venues.entrance(door);
  const venue = entrance && (await store.venues.profile(entrance.venueId));
  const secret = entrance && (await store.venues.posterSecret(entrance.venueId));
  const poster = secret ? await posterToken(secret, door) : undefined;
  return [
    '',
    `  ${title}`,
    '',
    `  Kiosk:   ${enrolUrl}`,
    `           opens the kiosk and enrols it at ${venue?.name ?? '?'} · ${entrance?.name ?? '?'}`,
    `           (one-time code ${formatEnrolmentCode(code)}, valid 24 h; a new one is printed at every start)`,
    ...(demoDoor ? [`           door staff (demo PINs): ${DEMO_STAFF.map((s) => `${s.name} ${s.pin}`).join(', ')}`] : []),
    ...(poster
      ? [
          `  Patron:  ${base}/v/${poster}`,
          `           the page a patron's phone opens from the venue code (here the entrance's printed poster;`,
          `           the kiosk shows a rotating code under 顾客扫码登记); A4 poster to print: ${base}/posters/${poster}`,
        ]
      : []),
    ...((await store.bookings.settings(DEMO_BOOKING_VENUE_ID)).mode !== 'off'
      ? [`  Booking: ${base}/book/${DEMO_BOOKING_VENUE_ID}`, `           the demo library's booking link (a patron books a time; the door admits in the slot)`]
      : []),
    `  Dashboard: ${base}/dashboard/`,
    ...(accounts.length
      ? [
          `           ${accounts.map((a) => `${a.name} (${a.role}) password ${a.password}`).join(' · ')}`,
          '           shown once, now; later: npm run admin -- reset-password <name>',
        ]
      : ['           accounts: admin, inspector (passwords were shown at the first start; npm run admin -- reset-password <name>)']),
    `  Health:  ${base}/api/health`,
    ...extra,
    '',
    publicUrl
      ? '  Scan with the tablet to open and enrol the kiosk:'
      : '  Scan with the tablet to open and enrol the kiosk (tablets need PUBLIC_URL set to an address they reach):',
    qr,
    '  Stop with Ctrl+C.',
    '',
  ];
}
