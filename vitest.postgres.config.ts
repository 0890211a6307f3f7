import { defineConfig } from 'vitest/config';

/**
 * `npm run test:postgres` (docs/testing.md "PostgreSQL"): the hub's tests with every store in a
 * real PostgreSQL that tests/support/postgres.ts starts for the run (HUB_TEST_STORE=postgres).
 * Tests of SQLite-only things (the file, backup, the read worker, migrations) skip themselves.
 */
// Set here too, so `npx vitest run --config vitest.postgres.config.ts tests/hub/x.test.ts` needs nothing else.
process.env.HUB_TEST_STORE = 'postgres';

export default defineConfig({
  test: {
    include: ['tests/{shared,hub}/**/*.test.ts'],
    globalSetup: ['tests/support/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
