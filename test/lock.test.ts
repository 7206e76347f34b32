import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../adapters/state/lock.ts';
import { connectRedis } from '../adapters/state/redis.ts';
import { redisTestsRun, startRedis } from './scale/redis-server.ts';

// A lock that cannot be had in time fails with an error naming the lock (it used to name the global
// `name`, which Node does not have: a ReferenceError instead of the timeout).

// Without redis-server skipped (the run says so in one line); with TRIAGE_REQUIRE_REDIS=1 (.ci/run) a failure.
const available = redisTestsRun();

describe.skipIf(!available)('the Redis lock, timed out', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('throws LockTimeoutError naming the lock while another process holds it', async () => {
    const [a, b] = await Promise.all([
      connectRedis(redis.url, { maxReconnects: 0 }),
      connectRedis(redis.url, { maxReconnects: 0, lockWaitMs: 50 }),
    ]);
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holding = a.lock!.run('slack:D0SOFIE', () => held);
      await new Promise((r) => setTimeout(r, 20));
      const error = await b.lock!.run('slack:D0SOFIE', async () => 'got it').catch((e: unknown) => e);
      release();
      await holding;
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect((error as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
      expect((error as Error).message).toBe('timed out waiting for the lock on slack:D0SOFIE');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
