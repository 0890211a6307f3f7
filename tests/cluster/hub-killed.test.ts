import { describe, expect, it } from 'vitest';
import { openStore } from '../../hub/src/store/index.js';
import { log, until } from '../../scripts/bench/fleet.js';
import { formatEnrolmentCode } from '../../shared/schemas/enrolment.js';
import { ackedCount, checkDatabase, drained, eventually, kiosksConnected, withCluster } from '../support/cluster.js';

/**
 * A hub process dies (SIGKILL: no graceful close) while 50 kiosks drain 1,000
 * records each through HAProxy into three hubs on one PostgreSQL. Its kiosks'
 * sockets drop; they reconnect through the balancer, which has taken the dead
 * hub out, to the other two; the drain completes and every record the kiosks
 * made is in kiosk_records exactly once (docs/operations.md "A district on
 * PostgreSQL: several hub processes"). First, the hubs share one keys file:
 * a tablet enrolled at any of them gets the same pass-checking key.
 */
describe('cluster: a hub process killed mid-drain', () => {
  it('loses nothing and doubles nothing: the killed hub’s kiosks finish through the others', async () => {
    const KIOSKS = 50;
    const BACKLOG = 1_000;
    await withCluster({ kiosks: KIOSKS, perVenue: 5, backlog: BACKLOG }, async ({ cluster, sims, exits }) => {
      const total = KIOSKS * BACKLOG;
      // One keys file for all: a tablet enrolled at any hub gets the same pass-checking key, so a pass
      // one hub signed is checked alike whichever hub the phone reached.
      const store = await openStore(cluster.databaseUrl);
      const codes = await Promise.all(cluster.hubs.map(() => store.kiosks.issueEnrolmentCode(`${sims[0]!.kiosk.venueId}-1`, Date.now(), 600_000)));
      await store.close();
      const passKeys = await Promise.all(
        cluster.hubs.map(async (h, i) => {
          const res = await fetch(`${h.url}/api/kiosks/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: formatEnrolmentCode(codes[i]!) }) });
          expect(res.status, h.name).toBe(201);
          return JSON.stringify(((await res.json()) as { passKey: unknown }).passKey);
        }),
      );
      expect(new Set(passKeys).size).toBe(1);

      sims.forEach((s) => s.start());
      // Every kiosk connected (spread over the hubs round-robin), and a part of the backlog stored.
      expect(await until(() => sims.every((s) => s.connects.length > 0), 60_000)).toBe(true);
      expect(await until(() => ackedCount(sims) >= total * 0.2, 120_000)).toBe(true);

      // The hub holding the most kiosks dies.
      const held = await Promise.all(cluster.hubs.map((h) => kiosksConnected(h.url)));
      const victim = cluster.hubs[held.indexOf(Math.max(...held))]!;
      expect(Math.max(...held)).toBeGreaterThan(0);
      const ackedAtKill = ackedCount(sims);
      await victim.kill();
      expect(ackedAtKill).toBeLessThan(total);

      // The balancer marks it down (its health checks fail) and keeps it out.
      expect(
        await eventually(async () => (await cluster.balancerServers()).filter((s) => s.server === victim.name).every((s) => s.status.startsWith('DOWN')), 20_000),
      ).toBe(true);

      expect(await drained(sims, 150_000)).toBe(true);
      // Its kiosks were dropped and came back through the balancer to the others.
      const dropped = sims.filter((s) => s.disconnects.some((d) => d.reason !== 'io client disconnect'));
      expect(dropped.length).toBeGreaterThanOrEqual(Math.max(...held));
      expect(dropped.every((s) => s.connected)).toBe(true);
      const survivors = cluster.hubs.filter((h) => h !== victim);
      const after = await Promise.all(survivors.map((h) => kiosksConnected(h.url)));
      expect(after.reduce((a, b) => a + b, 0)).toBe(KIOSKS);

      // The one killed, and no other.
      expect(exits).toEqual([{ name: victim.name, how: 'SIGKILL' }]);
      const stored = await checkDatabase(cluster, sims);
      log(`hub killed: ${victim.name} held ${Math.max(...held)} of ${KIOSKS} kiosks (${held.join('/')}) with ${ackedAtKill} of ${total} records acked; ${dropped.length} kiosks dropped and came back; ${JSON.stringify(stored)}`);
      expect(stored).toEqual({ stored: total, lost: 0, lostAcked: 0, doubled: 0 });
    });
  });
});
