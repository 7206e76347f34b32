import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { profilePath } from '../adapters/config/load.ts';
import { sqliteLearnedStore } from '../adapters/learn/stores.ts';
import { sqliteKeyv } from '../adapters/state/sqlite.ts';
import { buildCore, configSource, shownReason, withLearnedExamples } from '../bots/runtime/config-source.ts';
import { scrubText } from '../bots/runtime/log.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { type WebBot, webBot } from './web/harness.ts';

// Learned examples that cannot be read are left out of training, never silently: the build says why
// (without a secret), the server's log says it once and /healthz as long as it lasts; `triage chat` too.

vi.setConfig({ testTimeout: 90_000 });

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'Sup3r-Secret!';

const example = (id: string) => ({
  id,
  profile: 'academy',
  text: 'de beamer van lokaal 3 geeft een blauw scherm met de melding geen signaal',
  label: 'out_of_scope' as const,
  oos_reason: 'hardware' as const,
  source: 'correction:cli',
  status: 'approved' as const,
  created_at: new Date().toISOString(),
  approved_at: new Date().toISOString(),
});

/** A stored value that is no learned example (a damaged row): the store refuses to list it. */
async function damage(dataDir: string): Promise<() => Promise<void>> {
  const keyv = sqliteKeyv<unknown>(dataDir, 'learned');
  await keyv.set('broken-1', { seq: 1, example: { id: 'broken-1', text: 42 } });
  return async () => {
    await keyv.delete('broken-1');
    await keyv.disconnect();
  };
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const redisUrl = (port: number) => `redis://helpdesk:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`;

describe('building a core when the learned examples cannot be read', () => {
  it('uses readable examples, and says so', async () => {
    const dataDir = tempDir();
    const store = sqliteLearnedStore(dataDir);
    await store.put([example('ok-1')]);
    await store.close();
    const config = shippedCore('academy').config;
    const { config: learned, read } = await withLearnedExamples(config, dataDir, {});
    expect(read).toEqual({ state: 'used' });
    expect(learned).not.toBe(config);
  });

  it('leaves a damaged store out of training and names the damaged entry; the core still builds', async () => {
    const dataDir = tempDir();
    const repair = await damage(dataDir);
    const built = await buildCore(configSource(profilePath('academy'), dataDir), undefined, {});
    expect(built.learned).toMatchObject({
      state: 'unavailable',
      reason: expect.stringMatching(/broken-1.*not a learned example/),
    });
    expect(built.core.config.profile).toBe('academy');
    await repair();
  });

  it('says why Redis could not be reached without its password', async () => {
    const url = redisUrl(await closedPort());
    const { read } = await withLearnedExamples(shippedCore('academy').config, tempDir(), { REDIS_URL: url });
    expect(read).toMatchObject({ state: 'unavailable', reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(JSON.stringify(read)).not.toContain('Sup3r');
  });

  it('keeps a password out of the reason wherever an error puts it (in a URL, or decoded)', () => {
    const env = { REDIS_URL: redisUrl(6379) };
    const inUrl = shownReason(new Error(`cannot reach ${redisUrl(6379)}/0`), env);
    expect(inUrl).toBe('cannot reach redis://[redacted]@127.0.0.1:6379/0');
    expect(shownReason(new Error(`AUTH ${PASSWORD} refused`), env)).toBe('AUTH [redacted] refused');
    // Every log line gets the same care for any URL's credentials.
    expect(scrubText('posting to https://bot:t0ken@hooks.example/x failed', false)).toBe(
      'posting to https://[redacted]@hooks.example/x failed',
    );
  });
});

describe('a running server whose learned examples cannot be read', () => {
  let bot: WebBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('/healthz says degraded and why, the log says it once over several reloads, and both see them back', async () => {
    bot = await webBot();
    const learnedHealth = async () =>
      (await (await fetch(`${bot!.url}/healthz`)).json()) as { status: string; learned: unknown };
    expect(await learnedHealth()).toMatchObject({ learned: { state: 'ok' } });

    const repair = await damage(bot.dataDir);
    expect(await bot.serving.reload('test: damaged')).toMatchObject({ ok: true });
    expect(await bot.serving.reload('test: damaged again')).toMatchObject({ ok: true });
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      learned: { state: 'degraded', examples: 'left out', reason: expect.stringMatching(/not a learned example/) },
    });
    const told = () => bot!.logs.filter((l) => l.includes('learned examples not used'));
    expect(told()).toHaveLength(1);
    expect(told()[0]).toMatch(/broken-1/);

    await repair();
    expect(await bot.serving.reload('test: repaired')).toMatchObject({ ok: true });
    expect(await learnedHealth()).toMatchObject({ status: 'ok', learned: { state: 'ok', examples: 'used' } });
    expect(bot.logs.some((l) => l.includes('learned examples used again'))).toBe(true);
    expect(told()).toHaveLength(1);
  });
});

describe('triage chat when the learned examples cannot be read', () => {
  it('says so once on standard error, with the reason and without the password, and chats all the same', async () => {
    const env = {
      ...process.env,
      LOG_LEVEL: 'silent',
      TRIAGE_DATA_DIR: tempDir(),
      REDIS_URL: redisUrl(await closedPort()),
    };
    const child = spawn(process.execPath, ['bin/triage.js', 'chat', '--conversation', 'learned-1'], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end('stop\n');
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(stderr.match(/learned examples not used/g)).toHaveLength(1);
    expect(stderr).toMatch(
      /learned examples not used \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); training on the configured phrases only/,
    );
    expect(stderr).not.toContain('Sup3r');
    expect(stdout.length).toBeGreaterThan(0);
  });
});
