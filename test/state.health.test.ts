import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Keyv from 'keyv';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileBackend } from '../adapters/state/backend.ts';
import { KeyvWaitingList } from '../adapters/state/waiting.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { fileOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { serve } from '../bots/server/main.ts';
import type { TicketDraft } from '../core/types.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { freePort } from './scale/redis-server.ts';
import { FakeSlack } from './slack/fake-slack.ts';
import { memoryLog } from './slack/harness.ts';
import { BOT_TOKEN, directMessage, eventCallback, SIGNING_SECRET, sendSigned } from './slack/requests.ts';
import { startServe } from './state/serve-process.ts';
import { ticketDraft } from './tickets/fixtures.ts';

// Failures that are seen: a store that cannot be written, Redis away at start, a damaged outbox entry,
// a failed first read; and the data kept in one owner-only file, earlier data folders imported.

const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function draft(key: string): TicketDraft {
  return ticketDraft({
    idempotencyKey: key,
    conversation: key.split('#')[0]!,
    title: 'Het rooster laadt niet',
    description: 'Het rooster laadt niet',
    requester: { id: 'u1' },
  });
}

describe('a data folder that cannot be written (triage serve as a process)', () => {
  const fake = new FakeSlack(BOT_TOKEN);
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('answers /healthz 503 with the reason, and tells the person their message was not saved', async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o555);
    // root writes anywhere: the server then runs as nobody, for whom the folder is read-only.
    const asRoot = process.getuid?.() === 0;
    const server = await startServe(
      dataDir,
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        MicrosoftAppType: 'off',
        HOME: '/tmp',
      },
      asRoot ? { uid: 65534, gid: 65534 } : {},
    );
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as { store: { state: string; reason: string } };
      expect(body.store).toMatchObject({ state: 'down', kind: 'sqlite' });
      expect(body.store.reason).toMatch(/triage\.db/);
      fake.addUser('URO', 'Rita Oosterlinck', 'rita@klankkast.example');
      await until('Slack on', async () => {
        const h = (await (await fetch(`${server.url}/healthz`)).json()) as { channels: { slack: { state: string } } };
        return h.channels.slack.state === 'on';
      });
      const res = await sendSigned(
        `${server.url}/slack/events`,
        JSON.stringify(eventCallback(directMessage(COMPLETE_INCIDENT, { channel: 'DREADONLY', user: 'URO' }))),
        'application/json',
      );
      expect(res.status).toBe(200);
      await until('the answer', () => fake.posted({ channel: 'DREADONLY' }).length > 0);
      const said = fake.posted({ channel: 'DREADONLY' }).map((m) => String(m.text));
      expect(said.join('\n')).toMatch(/niet bewaard/);
      // Never that a ticket was made or kept.
      expect(said.join('\n')).not.toMatch(/HD-\d|aangemaakt|is bewaard|neemt contact/);
    } finally {
      await server.stop();
      chmodSync(dataDir, 0o700);
    }
  }, 60_000);
});

describe('Redis unreachable at start', () => {
  it('opens the port all the same, /healthz says 503 and why, and the log says it goes on retrying', async () => {
    const port = await freePort();
    const { lines, log } = memoryLog();
    const running = await serve({
      core: shippedCore(),
      dataDir: tempDir(),
      port: 0,
      host: '127.0.0.1',
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, MicrosoftAppType: 'off' },
      log,
    });
    try {
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { store: unknown }).store).toMatchObject({
        state: 'down',
        kind: 'redis',
        reason: expect.stringMatching(/Redis unreachable/),
      });
      const said = lines.map((l) => JSON.parse(l) as { msg: string });
      expect(said.some((l) => /Redis unreachable at start/.test(l.msg))).toBe(true);
      // Failures are logged, not one line per retry.
      expect(said.filter((l) => l.msg === 'redis connection error').length).toBeLessThanOrEqual(2);
    } finally {
      await running.close();
    }
  }, 30_000);
});

describe('the embedded database', () => {
  it('is one file, owner-only (0600), its -wal and -shm too', async () => {
    const dataDir = tempDir();
    const backend = fileBackend(dataDir);
    await backend.store.set('c', { conversation: 'c' } as never, 60_000);
    for (const file of ['triage.db', 'triage.db-wal', 'triage.db-shm']) {
      expect(existsSync(join(dataDir, file)), file).toBe(true);
      expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600);
    }
    await backend.close();
  });

  it('imports an earlier data folder (one JSON file per key) once, skipping a 0-byte file', async () => {
    const dataDir = tempDir();
    const later = Date.now() + 3_600_000;
    mkdirSync(join(dataDir, 'conversations'));
    const conversation = { conversation: 'slack:D1', lang: 'nl', transcript: [] };
    writeFileSync(
      join(dataDir, 'conversations', 'conv_3aslack_3aD1'),
      JSON.stringify({ expire: later, value: JSON.stringify({ value: conversation, expires: later }) }),
    );
    writeFileSync(join(dataDir, 'conversations', 'conv_3aslack_3aD2'), '');
    mkdirSync(join(dataDir, 'outbox'));
    const entry = { ...(await fileOutboxEntry()), key: 'slack:D1#1' };
    writeFileSync(
      join(dataDir, 'outbox', 'abc.json'),
      JSON.stringify({ key: 'outbox:slack:D1#1', value: JSON.stringify({ value: entry }) }),
    );
    const backend = fileBackend(dataDir);
    try {
      expect(await backend.store.get('slack:D1')).toMatchObject({ conversation: 'slack:D1', lang: 'nl' });
      expect(await backend.store.get('slack:D2')).toBeUndefined();
      expect((await backend.outbox.all()).map((e) => e.key)).toEqual(['slack:D1#1']);
      expect(existsSync(join(dataDir, 'conversations.imported'))).toBe(true);
      expect(existsSync(join(dataDir, 'conversations'))).toBe(false);
    } finally {
      await backend.close();
    }
  });

  it('keeps delivering the other tickets past a damaged outbox entry, and /healthz says degraded', async () => {
    const dataDir = tempDir();
    const outbox = fileOutbox(dataDir);
    await outbox.put(draft('slack:D9#1'), 'local', Date.now());
    await outbox.close();
    const db = new Database(join(dataDir, 'triage.db'));
    db.prepare('INSERT INTO kv (key, value, expires) VALUES (?, ?, NULL)').run('outbox:broken', '{"value":');
    db.close();
    const { log } = memoryLog();
    const running = await serve({
      core: shippedCore(),
      dataDir,
      port: 0,
      host: '127.0.0.1',
      env: { MicrosoftAppType: 'off' },
      log,
    });
    try {
      await until('the good ticket delivered', async () => (await new LocalTicketStore(dataDir).list()).length === 1);
      const health = (await (await fetch(`${running.url}/healthz`)).json()) as { tickets: unknown };
      expect(health.tickets).toMatchObject({ state: 'degraded', unreadable: 1 });
    } finally {
      await running.close();
    }
  }, 30_000);

  it('tries the waiting list again after a failed first read (a failure is never kept)', async () => {
    let fail = true;
    const keyv = new Keyv<true>();
    const iterate = keyv.iterator!.bind(keyv);
    keyv.iterator = ((...args: Parameters<typeof iterate>) => {
      if (fail) throw new Error('disk error');
      return iterate(...args);
    }) as typeof keyv.iterator;
    const waiting = new KeyvWaitingList(keyv);
    await expect(waiting.list()).rejects.toThrow('disk error');
    fail = false;
    await waiting.add('c1');
    expect(await waiting.list()).toEqual(['c1']);
  });
});

/** A valid outbox entry, as the earlier store kept it. */
async function fileOutboxEntry() {
  const at = new Date().toISOString();
  return {
    draft: draft('slack:D1#1'),
    sink: 'local',
    state: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    notified: false,
    createdAt: at,
    updatedAt: at,
  };
}
