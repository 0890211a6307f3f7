import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { parseFlags } from './cli.js';

/**
 * The fuzz suite run long (tests/hub/fuzz.test.ts, docs/testing.md "Fuzzing"): a random seed,
 * printed first so a failure can be replayed, and many runs per route and event. `npm test` runs
 * the same file with a fixed seed and a few runs.
 *
 *   npm run test:fuzz                        a random seed, 500 runs per route and event
 *   npm run test:fuzz -- --seed 42           replay a seed (the runs must match too)
 *   npm run test:fuzz -- --runs 2000         longer
 *   npm run test:fuzz -- --only "mixed batch" the tests whose name matches
 */
const flags = parseFlags(
  z.object({
    seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).optional(),
    runs: z.coerce.number().int().min(1).max(100_000).default(500),
    only: z.string().optional(),
  }),
);

const seed = flags.seed ?? randomInt(2 ** 31 - 1);
const replay = `npm run test:fuzz -- --seed ${seed} --runs ${flags.runs}`;
process.stdout.write(`fuzz seed ${seed}, ${flags.runs} runs per route and event\nreplay: ${replay}\n`);

const args = ['--no-install', 'vitest', 'run', 'tests/hub/fuzz.test.ts', ...(flags.only ? ['-t', flags.only] : [])];
const child = spawn('npx', args, { stdio: 'inherit', env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_RUNS: String(flags.runs) } });
child.once('exit', (code, signal) => {
  const failed = (code ?? (signal ? 1 : 0)) !== 0;
  process.stdout.write(failed ? `\nfuzz: FAILED with seed ${seed}; replay: ${replay}\n` : `\nfuzz: passed with seed ${seed}\n`);
  process.exit(failed ? 1 : 0);
});
