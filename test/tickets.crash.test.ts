import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { externalRef } from '../adapters/tickets/sink.ts';
import { FakeFreshdesk } from './fakes/freshdesk.ts';
import { tempDir } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./tickets/crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function run(env: Record<string, string>): {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: string | null; out: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, exit };
}

describe('fault: the bot process SIGKILLed with deliveries in flight, then restarted', () => {
  it('loses no ticket and files none twice', async () => {
    const fake = new FakeFreshdesk();
    await fake.http.start();
    const dataDir = tempDir();
    const COUNT = 12;
    const env = {
      DATA_DIR: dataDir,
      FRESHDESK_URL: fake.http.url,
      FRESHDESK_API_KEY: fake.apiKey,
      COUNT: String(COUNT),
      LEASE_MS: '300',
    };
    try {
      const first = run({ ...env, MODE: 'start' });
      // Kill the process the moment Freshdesk has taken the 5th ticket and before its answer leaves:
      // the worst moment, the helpdesk has it and the outbox does not know.
      fake.http.beforeAnswer = async (req) => {
        if (req.method === 'POST' && fake.tickets.length === 5 && first.child.exitCode === null) {
          first.child.kill('SIGKILL');
          await first.exit;
        }
      };
      const killed = await first.exit;
      expect(killed.signal, killed.out).toBe('SIGKILL');
      fake.http.beforeAnswer = null;
      const left = await fileOutbox(dataDir).all();
      expect(left).toHaveLength(COUNT);
      expect(left.filter((e) => e.state === 'delivering')).toHaveLength(1);
      expect(fake.tickets).toHaveLength(5);

      const second = run({ ...env, MODE: 'resume' });
      const done = await second.exit;
      expect(done.code, done.out).toBe(0);

      const entries = await fileOutbox(dataDir).all();
      expect(entries.map((e) => e.state)).toEqual(entries.map(() => 'done'));
      const refs = entries.map((e) => externalRef(e.key));
      const copies = refs.map((ref) => fake.tickets.filter((t) => t.tags.includes(ref)).length);
      expect(copies).toEqual(refs.map(() => 1));
      expect(fake.tickets).toHaveLength(COUNT);
      expect(new Set(entries.map((e) => e.ticket?.id)).size).toBe(COUNT);
    } finally {
      await fake.http.stop();
    }
  });
});
