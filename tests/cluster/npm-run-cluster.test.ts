import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../scripts/bench/fleet.js';
import { freePortRun } from '../../scripts/postgres-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs what `npm run cluster` runs, on a temp dir; its output so far, and its exit. */
function cluster(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    exited,
    output: () => out,
    /** Waits (bounded) for `text` in the output; throws with the output if it exits first or never comes. */
    async printed(text: string): Promise<string> {
      if (!(await until(() => out.includes(text) || gone, 150_000, 100)) || !out.includes(text)) throw new Error(`"${text}" never printed:\n${out}`);
      return out;
    },
  };
}

/**
 * `npm run cluster` (docs/operations.md "A district on PostgreSQL"): the
 * street seeded once and reached through the balancer, each hub on its own,
 * a hub that dies reported and not restarted, Ctrl-C stopping the balancer,
 * the hubs and PostgreSQL, and a second run keeping the street.
 */
describe('npm run cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'venue-cluster-cli-'));
  // PostgreSQL runs as the postgres user when the test runs as root: it must reach its dir inside.
  chmodSync(dir, 0o755);
  let running: ReturnType<typeof cluster> | undefined;
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGINT');
      await running.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the demo street through HAProxy, reports a hub that dies, stops everything on Ctrl-C, keeps the street', async () => {
    // The balancer on the port, the hubs on the two after it (docs/operations.md): all three free.
    const port = await freePortRun(3);
    running = cluster(['--hubs', '2', '--port', String(port), '--dir', dir]);
    const text = await running.printed('Processes:');
    expect(text).toContain('2 hub processes behind HAProxy');
    expect(text).toContain('demo street created');
    expect(text).toMatch(/admin \(street admin\) password \S+/);
    // The links are the balancer's, and work through it.
    const kioskUrl = /Kiosk:\s+(\S+)/.exec(text)?.[1];
    expect(kioskUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/kiosk/\\?enrol=[2-9A-Z]{4}-[2-9A-Z]{4}$`));
    expect((await fetch(kioskUrl!)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    const patron = await (await fetch(/Patron:\s+(\S+)/.exec(text)![1]!)).text();
    expect(patron).toContain('星光KTV');
    // Each hub on its own, with its metrics.
    for (const i of [1, 2]) {
      expect(text).toContain(`hub${i}: http://127.0.0.1:${port + i}`);
      expect((await fetch(`http://127.0.0.1:${port + i}/metrics`)).status).toBe(200);
    }

    // A hub that dies is reported, not restarted; the balancer still answers through the other.
    const pid = Number(/hub2 pid (\d+)/.exec(text)?.[1]);
    process.kill(pid, 'SIGKILL');
    await running.printed('hub2 (port');
    expect(running.output()).toMatch(/hub2 \(port \d+\) exited \(SIGKILL\); not restarted/);
    let throughOther = 0;
    for (let i = 0; i < 50 && throughOther < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
      if (res?.status === 200) throughOther++;
    }
    expect(throughOther).toBe(3);

    // Ctrl-C: the balancer, the hub left and PostgreSQL stop, and it says so.
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('stopped.');
    expect(existsSync(join(dir, 'postgres/data/postmaster.pid'))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${port + 1}/api/health`)).rejects.toThrow();

    // A second run finds the street (and prints no new passwords).
    running = cluster(['--hubs', '1', '--port', String(port), '--dir', dir]);
    const again = await running.printed('Processes:');
    expect(again).toContain('existing data');
    expect(again).not.toMatch(/password \S+ ·/);
    expect(/enrol=(\S+)/.exec(again)?.[1]).not.toBe(/enrol=(\S+)/.exec(text)?.[1]);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
  });
});
