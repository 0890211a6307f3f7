import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster` (docs/testing.md "Cluster"): fault tests of a district on one machine,
 * PostgreSQL + three hub processes + HAProxy (scripts/cluster.ts), with simulated kiosks draining
 * through the balancer while a part is broken. One file at a time (each runs a whole cluster);
 * generous timeouts, as they start servers and move tens of thousands of records on a shared box.
 */
export default defineConfig({
  test: {
    include: ['tests/cluster/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 90_000,
  },
});
