import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
    setupFiles: ['./test/setup.ts'],
    // The default report, then one line when the Redis tests were skipped (and how to run them).
    reporters: ['default', './test/redis-notice.ts'],
  },
});
