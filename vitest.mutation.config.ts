import { defineConfig } from 'vitest/config';

/**
 * The suite Stryker runs for each mutant of shared/rules (stryker.config.json):
 * only the pure tests of tests/shared. They pass explicit instants and need no
 * hub, browser or database, so a mutant is judged in milliseconds.
 */
export default defineConfig({
  test: {
    include: ['tests/shared/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
