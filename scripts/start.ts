import { loadConfig } from '../hub/src/config.js';
import { startHub } from '../hub/src/server.js';
import { demoBanner, seedDemo, type DemoSeed } from './demo-banner.js';
import { ensureBuilds } from './ensure-build.js';

/**
 * `npm start`: build the kiosk if needed, start the hub on its SQLite file,
 * seed the demo street on first run, and print where everything is
 * (scripts/demo-banner.ts; `npm run cluster` prints the same through its balancer).
 */
try {
  const config = loadConfig();
  await ensureBuilds();
  let seed: DemoSeed | undefined;
  const hub = await startHub(config, async (store) => {
    seed = await seedDemo(store);
  });
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : config.dbFile;
  const lines = await demoBanner(hub.store, seed!, {
    base: config.publicUrl ?? hub.url,
    title: `Venue check-in hub is running (${seed!.seeded ? 'demo street created' : 'existing data'} in ${where})`,
    publicUrl: config.publicUrl,
  });
  process.stdout.write(lines.join('\n') + '\n');
} catch (err) {
  process.stderr.write(`could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
