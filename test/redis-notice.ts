import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { hasRedisServer, redisServerBinary } from './scale/redis-server.ts';

/** The suites that need a real `redis-server` (they skip themselves without one). */
const REDIS_SUITES = /test\/(scale(-desk)?|lock|state\.contract|learned-store\.contract)\.test\.ts$/;

/**
 * One line at the end of the run when the Redis tests were skipped: which, why, how to run them. On a
 * user's machine they may be skipped; `TRIAGE_REQUIRE_REDIS=1` (`.ci/run`) turns the skip into a failure.
 */
export default class RedisNotice implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped = modules.filter((m) => REDIS_SUITES.test(m.moduleId.replaceAll('\\', '/')));
    const count = skipped.reduce((n, m) => n + [...m.children.allTests('skipped')].length, 0);
    if (count === 0 || hasRedisServer()) return;
    const files = skipped.map((m) => relative(process.cwd(), m.moduleId)).join(', ');
    process.stdout.write(
      `\nRedis tests skipped: ${count} tests in ${files} need ${redisServerBinary()}, which is not installed; ` +
        'install it (e.g. `sudo apt-get install redis-server`) and run `npm test` again to include them ' +
        '(TRIAGE_REQUIRE_REDIS=1 makes a skip fail, as in .ci/run).\n',
    );
  }
}
