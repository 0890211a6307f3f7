import { describe, expect, it } from 'vitest';
import { log, until } from '../../scripts/bench/fleet.js';
import { ackedCount, checkDatabase, drained, eventually, withCluster } from '../support/cluster.js';

/**
 * PostgreSQL restarted (fast shutdown: sessions ended, as for an upgrade)
 * while 50 kiosks drain through HAProxy into three hubs. While it is down each
 * hub's /api/health answers 503 (database down), HAProxy takes every hub out
 * and answers at once itself, and a batch that reaches a hub is refused with a
 * retryable error, never acknowledged; the kiosks keep their records and
 * retry. Once it is back the hubs' pools reconnect by themselves, the balancer
 * puts them back, and the drain completes with every record stored exactly
 * once, none acknowledged that is not stored.
 */
describe('cluster: PostgreSQL restarted mid-drain', () => {
  it('acks nothing it did not store, is marked down while the database is, and completes the drain after', async () => {
    const KIOSKS = 50;
    const BACKLOG = 600;
    await withCluster({ kiosks: KIOSKS, perVenue: 5, backlog: BACKLOG }, async ({ cluster, sims, exits }) => {
      const total = KIOSKS * BACKLOG;
      sims.forEach((s) => s.start());
      expect(await until(() => ackedCount(sims) >= total * 0.2, 120_000)).toBe(true);

      // Watched while the server is down: each hub's health, the balancer's view, an answer through it.
      const hubHealth = new Map<string, { status: number; database?: string; ready?: boolean }[]>(cluster.hubs.map((h) => [h.name, []]));
      const balancerStates: string[][] = [];
      const throughBalancer: number[] = [];
      // Down from downAt (stopped) until startingAt (being started again: it may answer from then on).
      let downAt = Infinity;
      let startingAt = Infinity;
      let down = false;
      const restarted = cluster.postgres.restart({
        mode: 'fast',
        downMs: 8_000,
        onDown: () => ((down = true), (downAt = performance.now())),
        onStarting: () => (startingAt = performance.now()),
      });
      const watched = (async () => {
        while (!(await Promise.race([restarted.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 250))]))) {
          if (!down) continue;
          await Promise.all([
            ...cluster.hubs.map(async (h) => {
              const res = await fetch(`${h.url}/api/health`);
              const body = (await res.json().catch(() => ({}))) as { database?: string; ready?: boolean };
              // Only answers given while the server is still down count.
              if (performance.now() < startingAt) hubHealth.get(h.name)!.push({ status: res.status, database: body.database, ready: body.ready });
            }),
            cluster.balancerServers().then((servers) => performance.now() < startingAt && balancerStates.push(servers.map((s) => s.status))),
            fetch(`${cluster.url}/api/health`).then((res) => performance.now() < startingAt && throughBalancer.push(res.status)),
          ]);
        }
      })();
      await restarted;
      await watched;

      // No hub died of it.
      expect(exits).toEqual([]);
      // Down: every hub said so, 503 with the database named; the balancer took them all out and answered 503 itself.
      for (const [name, seen] of hubHealth) {
        expect(seen.length, name).toBeGreaterThan(0);
        expect(seen.some((h) => h.status === 503 && h.database === 'down' && h.ready === false), name).toBe(true);
        expect(seen.every((h) => h.status === 503), name).toBe(true);
      }
      expect(balancerStates.some((states) => states.length === 6 && states.every((s) => s.startsWith('DOWN')))).toBe(true);
      expect(throughBalancer).toContain(503);

      // Back: the hubs' pools reconnect by themselves, and the balancer puts them back.
      for (const h of cluster.hubs) expect(await eventually(async () => (await fetch(`${h.url}/api/health`)).status === 200, 30_000), h.name).toBe(true);
      expect(await eventually(async () => (await cluster.balancerServers()).every((s) => s.status === 'UP'), 30_000)).toBe(true);
      expect(await drained(sims, 150_000)).toBe(true);

      const attempts = sims.flatMap((s) => s.attempts);
      // While the server was down no batch was acknowledged: refused (retryable) or cut off, and sent again.
      const ackedWhileDown = attempts.filter((a) => a.ackMs !== undefined && !a.refused && a.sentAt >= downAt && a.sentAt + a.ackMs <= startingAt);
      expect(ackedWhileDown).toEqual([]);
      const refusals = attempts.filter((a) => a.refused).map((a) => a.refused!);
      expect(refusals.filter((code) => code !== 'internal' && code !== 'rate_limited')).toEqual([]);

      const stored = await checkDatabase(cluster, sims);
      log(
        `PostgreSQL restarted: ${Math.round(startingAt - downAt)} ms down; health answers while down ${[...hubHealth].map(([n, s]) => `${n} ${s.length}`).join(', ')}; ` +
          `through the balancer ${JSON.stringify(throughBalancer)}; refusals ${refusals.length} (${[...new Set(refusals)].join(', ')}); ` +
          `batches dropped ${attempts.filter((a) => a.dropped).length}; ${JSON.stringify(stored)}`,
      );
      expect(stored).toEqual({ stored: total, lost: 0, lostAcked: 0, doubled: 0 });
    });
  });
});
