import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresSql } from '../../hub/src/store/sql.js';
import { checkStoredIn, kioskSettings, log, seedFleetIn, SimKiosk, until, type FleetKiosk } from '../../scripts/bench/fleet.js';
import { startCluster, type Cluster } from '../../scripts/cluster.js';

/**
 * A district for a fault test (tests/cluster/, docs/testing.md "Cluster"):
 * PostgreSQL, three hub processes and HAProxy from scripts/cluster.ts in a
 * temp dir, `kiosks` simulated kiosks enrolled (seeded before the hubs start,
 * `perVenue` to a venue) with `backlog` records each in their outboxes, made
 * to connect THROUGH the balancer as tablets do. `fn` gets all of it; however
 * it ends, every kiosk, the balancer, the hubs and PostgreSQL are stopped and
 * the dir removed.
 */
export async function withCluster(
  { kiosks, perVenue, backlog }: { kiosks: number; perVenue: number; backlog: number },
  fn: (c: { cluster: Cluster; sims: SimKiosk[]; exits: { name: string; how: string }[] }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'venue-cluster-'));
  // mkdtemp makes it 0700: PostgreSQL runs as the postgres user when the test runs as root, and must reach its dir inside.
  chmodSync(dir, 0o755);
  let fleet: FleetKiosk[] = [];
  let cluster: Cluster | undefined;
  const sims: SimKiosk[] = [];
  const exits: { name: string; how: string }[] = [];
  try {
    cluster = await startCluster({
      dir,
      hubs: 3,
      port: 0,
      hubEnv: { LOG_LEVEL: 'warn' },
      // Every hub that exits before the end, with its last words (a test asserts which it expected).
      onHubExit: (hub, code, signal) => {
        exits.push({ name: hub.name, how: String(signal ?? code) });
        log(`${hub.name} exited (${signal ?? code}); its last lines:\n${hub.logTail()}`);
      },
      async prepare(store) {
        fleet = await seedFleetIn(store, kiosks, perVenue);
      },
    });
    const settings = kioskSettings();
    for (const k of fleet) {
      const sim = new SimKiosk(k, cluster.url, settings);
      sim.make(backlog, undefined, false);
      sims.push(sim);
    }
    await fn({ cluster, sims, exits });
  } finally {
    for (const s of sims) s.stop();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records acknowledged so far, over all kiosks. */
export const ackedCount = (sims: readonly SimKiosk[]) => sims.reduce((n, s) => n + s.ackedIds.size, 0);

/** Waits (up to `ms`) until every outbox is empty; whether it got there. */
export const drained = (sims: readonly SimKiosk[], ms: number) => until(() => sims.every((s) => s.pending.length === 0), ms, 100);

/** What checkStoredIn says of these kiosks' records in the cluster's database. */
export async function checkDatabase(cluster: Cluster, sims: readonly SimKiosk[]) {
  const sql = postgresSql(cluster.databaseUrl, { max: 2 });
  try {
    return await checkStoredIn(sql, new Map(sims.map((s) => [s.kiosk.id, { ids: s.madeIds, acked: s.ackedIds }])));
  } finally {
    await sql.close();
  }
}

/** Kiosks with a socket open on a hub now, from its /metrics (answered to this machine without a token). */
export async function kiosksConnected(hubUrl: string): Promise<number> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  return Number(/^checkin_kiosks_connected (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Polls an async `check` every 100 ms until it holds (true) or `ms` have passed (false); a throw counts as not yet. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (performance.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
