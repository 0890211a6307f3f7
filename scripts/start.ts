import { loadConfig } from '../hub/src/config.js';
import { startHub } from '../hub/src/server.js';
import { formatEnrolmentCode } from '../shared/schemas/enrolment.js';
import { DEMO_ENTRANCE_ID, DEMO_STAFF, seedDemoStreet } from './demo-street.js';
import { ensureKioskBuild } from './ensure-build.js';

/**
 * `npm start`: build the kiosk if needed, start the hub on its SQLite file,
 * seed the demo street on first run, and print where everything is.
 */
const ENROL_TTL_MS = 24 * 60 * 60 * 1000;

try {
  const config = loadConfig();
  await ensureKioskBuild();
  let seeded = false;
  const hub = await startHub(config, async (store) => {
    seeded = await seedDemoStreet(store);
  });
  const code = await hub.store.kiosks.issueEnrolmentCode(DEMO_ENTRANCE_ID, Date.now(), ENROL_TTL_MS);
  const entrance = await hub.store.venues.entrance(DEMO_ENTRANCE_ID);
  const venue = entrance && (await hub.store.venues.profile(entrance.venueId));
  const lines = [
    '',
    `  Venue check-in hub is running (${seeded ? 'demo street created' : 'existing data'} in ${config.dbFile})`,
    '',
    `  Kiosk:   ${hub.url}/kiosk/?enrol=${formatEnrolmentCode(code)}`,
    `           opens the kiosk and enrols it at ${venue?.name ?? '?'} · ${entrance?.name ?? '?'}`,
    `           (one-time code ${formatEnrolmentCode(code)}, valid 24 h; a new one is printed at every start)`,
    `           door staff (demo PINs): ${DEMO_STAFF.map((s) => `${s.name} ${s.pin}`).join(', ')}`,
    `  Health:  ${hub.url}/api/health`,
    '',
    '  Stop with Ctrl+C.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
} catch (err) {
  process.stderr.write(`could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
