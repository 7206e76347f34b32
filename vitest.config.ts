import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // A suite's first server start loads Bolt or botbuilder: on a busy 2-core machine that took over
    // the default 10 s of a hook (test/slack.test.ts's beforeEach, in a fresh-clone run at load 14).
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['./test/setup.ts'],
    // The default report, then one line when the Redis tests were skipped (and how to run them).
    reporters: ['default', './test/redis-notice.ts'],
  },
});
