import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** The `redis-server` binary the scale-out tests start (`TRIAGE_REDIS_SERVER` names another one). */
export function redisServerBinary(): string {
  return process.env.TRIAGE_REDIS_SERVER || 'redis-server';
}

/** Whether `redis-server` is installed (CI installs it: `.ci/run`). */
export function hasRedisServer(): boolean {
  try {
    execFileSync(redisServerBinary(), ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `TRIAGE_REQUIRE_REDIS=1` (set by `.ci/run`): the Redis tests must run, a skip is a failure. */
export function redisRequired(): boolean {
  return process.env.TRIAGE_REQUIRE_REDIS === '1' || process.env.TRIAGE_REQUIRE_REDIS === 'true';
}

/**
 * Whether the Redis tests of a file can run: without `redis-server` they are skipped (the test run says
 * so in one line at its end, see test/redis-notice.ts), unless `TRIAGE_REQUIRE_REDIS=1` makes it a failure.
 */
export function redisTestsRun(): boolean {
  const available = hasRedisServer();
  if (!available && redisRequired())
    throw new Error(
      `TRIAGE_REQUIRE_REDIS=1 but ${redisServerBinary()} cannot be started: install redis-server (.ci/run does), or unset TRIAGE_REQUIRE_REDIS to skip these tests`,
    );
  return available;
}

/** A free TCP port on loopback (free when asked; good enough for a test's own servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A throw-away `redis-server` on 127.0.0.1: no persistence, no config file, gone when stopped. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    redisServerBinary(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    const check = async () => {
      // Ready when it answers PING (its own log lines vary between versions).
      const ok = await fetchPing(port).catch(() => false);
      if (ok) {
        clearTimeout(timer);
        resolve();
      } else setTimeout(check, 50);
    };
    child.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${output}`));
    });
    void check();
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** PING over a raw socket (RESP inline command), so this helper needs no Redis client. */
async function fetchPing(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).startsWith('+PONG'));
    });
  });
}
