import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Vitest itself, as `npm test` runs it, on the Redis suites only, with a `redis-server` that is not there. */
function vitest(env: Record<string, string>) {
  return new Promise<{ status: number | null; out: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'test/scale-desk.test.ts', '--color=false'],
      {
        cwd: ROOT,
        env: { ...process.env, TRIAGE_REQUIRE_REDIS: '', FORCE_COLOR: '0', ...env },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });
}

const MISSING = { TRIAGE_REDIS_SERVER: '/nonexistent/redis-server' };

describe('the Redis tests without redis-server', () => {
  it('are skipped with one line saying what, why and how to run them', async () => {
    const r = await vitest(MISSING);
    expect(r.status, r.out).toBe(0);
    const notice = r.out.split('\n').filter((l) => l.includes('Redis tests skipped'));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(
      /Redis tests skipped: 4 tests in test\/scale-desk\.test\.ts need \/nonexistent\/redis-server, which is not installed; install it .* run `npm test` again/,
    );
  }, 120_000);

  it('fail the run when TRIAGE_REQUIRE_REDIS=1 (as .ci/run sets it)', async () => {
    const r = await vitest({ ...MISSING, TRIAGE_REQUIRE_REDIS: '1' });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/TRIAGE_REQUIRE_REDIS=1 but \/nonexistent\/redis-server cannot be started/);
    expect(r.out).not.toMatch(/Redis tests skipped/);
  }, 120_000);
});
