import { spawn, spawnSync } from 'node:child_process';
import { z } from 'zod';
import { toIsoWithOffset } from '../shared/rules/time.js';
import { parseFlags } from './cli.js';
import { clockInstants, instantOfTheDay, type ClockInstant } from './clock-instants.js';

/**
 * The clock-shift run: the unit and integration suite (vitest, as `npm run test:unit`) under
 * libfaketime, its clock started at instants that break date logic (scripts/clock-instants.ts).
 * The fake clock is an offset from the real one, so every process the suite starts (spawned hubs,
 * worker threads) reads the same time, and it runs on; monotonic clocks are left real
 * (FAKETIME_DONT_FAKE_MONOTONIC=1) so timers and timeouts behave.
 *
 *   npm run test:clock                       every instant, one after another
 *   npm run test:clock -- --of-the-day       one instant, drawn by the day of the year (CI)
 *   npm run test:clock -- --instant leap-day one instant by name, or an ISO date-time
 *   npm run test:clock -- --list             the instants, without running anything
 *   … --only tests/shared                    a part of the suite (a vitest filter)
 */
const flags = parseFlags(
  z.object({
    'of-the-day': z.boolean().default(false),
    instant: z.string().optional(),
    list: z.boolean().default(false),
    only: z.string().optional(),
  }),
);

const now = Date.now();
const all = clockInstants(now);

function chosen(): ClockInstant[] {
  if (flags['of-the-day']) return [instantOfTheDay(now)];
  if (flags.instant === undefined) return all;
  const named = all.find((i) => i.name === flags.instant);
  if (named) return [named];
  const at = Date.parse(flags.instant);
  if (Number.isNaN(at)) {
    process.stderr.write(`--instant: "${flags.instant}" is neither one of ${all.map((i) => i.name).join(', ')} nor an ISO date-time\n`);
    process.exit(2);
  }
  return [{ name: 'given', why: flags.instant, at }];
}

const describe = (i: ClockInstant) =>
  `${i.name.padEnd(16)} ${toIsoWithOffset(i.at, 480)}  (${new Date(i.at).toISOString()})  TZ=${i.tz ?? process.env.TZ ?? 'machine'}  ${i.why}`;

const instants = chosen();
if (flags.list) {
  for (const i of instants) process.stdout.write(`${describe(i)}\n`);
  process.exit(0);
}

if (spawnSync('faketime', ['--version'], { stdio: 'ignore' }).status !== 0) {
  process.stderr.write('faketime is not installed: apt-get install -y faketime (Debian package; .ci/run installs it)\n');
  process.exit(2);
}

function runAt(instant: ClockInstant): Promise<{ code: number; seconds: number }> {
  // Offset in whole seconds from the real clock, taken just before the run starts.
  const offset = Math.round((instant.at - Date.now()) / 1000);
  const args = ['-m', '-f', `${offset >= 0 ? '+' : ''}${offset}`, 'npx', '--no-install', 'vitest', 'run'];
  if (flags.only) args.push(flags.only);
  const started = performance.now();
  process.stdout.write(`\n=== test:clock ${describe(instant)}\n`);
  return new Promise((resolve) => {
    const child = spawn('faketime', args, {
      stdio: 'inherit',
      env: { ...process.env, FAKETIME_DONT_FAKE_MONOTONIC: '1', ...(instant.tz ? { TZ: instant.tz } : {}) },
    });
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), seconds: (performance.now() - started) / 1000 }));
  });
}

const results: { instant: ClockInstant; code: number; seconds: number }[] = [];
for (const instant of instants) results.push({ instant, ...(await runAt(instant)) });

process.stdout.write('\n=== test:clock summary\n');
for (const r of results) process.stdout.write(`${r.code === 0 ? 'pass' : 'FAIL'}  ${r.seconds.toFixed(0).padStart(4)} s  ${describe(r.instant)}\n`);
const failed = results.filter((r) => r.code !== 0).length;
process.stdout.write(`clock-shift: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
