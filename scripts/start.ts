import QRCode from 'qrcode';
import { loadConfig } from '../hub/src/config.js';
import { startHub } from '../hub/src/server.js';
import { posterToken } from '../shared/rules/venue-code.js';
import { formatEnrolmentCode } from '../shared/schemas/enrolment.js';
import { DEMO_BOOKING_VENUE_ID, DEMO_ENTRANCE_ID, DEMO_STAFF, seedDemoAccounts, seedDemoStreet } from './demo-street.js';
import { ensureBuilds } from './ensure-build.js';

/**
 * `npm start`: build the kiosk if needed, start the hub on its SQLite file,
 * seed the demo street on first run, and print where everything is.
 */
const ENROL_TTL_MS = 24 * 60 * 60 * 1000;

try {
  const config = loadConfig();
  await ensureBuilds();
  let seeded = false;
  let accounts: { name: string; role: string; password: string }[] = [];
  // The door to enrol: the demo's KTV, or on a street seeded otherwise (npm run seed-street) its first venue's.
  let door = DEMO_ENTRANCE_ID;
  const hub = await startHub(config, async (store) => {
    seeded = await seedDemoStreet(store);
    const street = await store.dashboard.overview({ communityId: null }, Date.now());
    const first = street.communities.find((c) => c.venues.length > 0);
    if (!(await store.venues.entrance(door)) && first) door = (await store.venues.profile(first.venues[0]!.id))?.entrances[0]?.id ?? door;
    const inspected = street.communities.find((c) => c.id === 'dongfeng') ?? first;
    accounts = await seedDemoAccounts(store, inspected && { id: inspected.id, name: inspected.name });
  });
  const demoDoor = door === DEMO_ENTRANCE_ID;
  const code = await hub.store.kiosks.issueEnrolmentCode(door, Date.now(), ENROL_TTL_MS);
  const base = config.publicUrl ?? hub.url;
  const enrolUrl = `${base}/kiosk/?enrol=${formatEnrolmentCode(code)}`;
  // A tablet's camera app opens this and the kiosk enrols itself (the QR way to enrol).
  const qr = await QRCode.toString(enrolUrl, { type: 'terminal', small: true });
  const entrance = await hub.store.venues.entrance(door);
  const venue = entrance && (await hub.store.venues.profile(entrance.venueId));
  const secret = entrance && (await hub.store.venues.posterSecret(entrance.venueId));
  const poster = secret ? await posterToken(secret, door) : undefined;
  const lines = [
    '',
    `  Venue check-in hub is running (${seeded ? 'demo street created' : 'existing data'} in ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : config.dbFile})`,
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
    ...((await hub.store.bookings.settings(DEMO_BOOKING_VENUE_ID)).mode !== 'off'
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
    '',
    config.publicUrl
      ? '  Scan with the tablet to open and enrol the kiosk:'
      : '  Scan with the tablet to open and enrol the kiosk (tablets need PUBLIC_URL set to an address they reach):',
    qr,
    '  Stop with Ctrl+C.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
} catch (err) {
  process.stderr.write(`could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
