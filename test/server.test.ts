import { describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { memoryDeliveryLog } from '../adapters/state/deliveries.ts';
import { memoryStore } from '../adapters/state/store.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { TriageService } from '../bots/runtime/service.ts';
import { serve } from '../bots/server/main.ts';
import { startServer } from '../bots/server/server.ts';
import { SlackChannel } from '../bots/slack/channel.ts';
import type { Turn } from '../core/types.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { FakeSlack } from './slack/fake-slack.ts';
import { memoryLog } from './slack/harness.ts';
import { BOT_TOKEN, directMessage, eventCallback, SIGNING_SECRET, sendSigned } from './slack/requests.ts';

describe('the server (npm start)', () => {
  it('runs without any Slack settings: Slack off, and the log and /healthz say why', async () => {
    const { lines, log } = memoryLog();
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, host: '127.0.0.1', env: {}, log });
    try {
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({
        status: 'ok',
        channels: { slack: { state: 'off', reason: 'SLACK_BOT_TOKEN is not set' } },
      });
      expect((await fetch(`${running.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
      const off = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'slack is off');
      expect(off).toMatchObject({ level: 40, reason: 'SLACK_BOT_TOKEN is not set' });
    } finally {
      await running.close();
    }
  });

  it('keeps serving when Slack refuses the token; /healthz reports the failure', async () => {
    const fake = new FakeSlack('xoxb-the-real-token');
    await fake.start();
    const { log } = memoryLog();
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl };
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, host: '127.0.0.1', env, log });
    try {
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as { channels: { slack: { state: string; reason: string } } };
      expect(body.channels.slack.state).toBe('failed');
      expect(body.channels.slack.reason).toMatch(/invalid_auth/);
    } finally {
      await running.close();
      await fake.close();
    }
  });
});

describe('Slack acknowledges first and works after', () => {
  it('acknowledges a burst of 50 concurrent events while none of their turns has finished', async () => {
    const fake = new FakeSlack(BOT_TOKEN);
    await fake.start();
    const dataDir = tempDir();
    const core = shippedCore();
    const service = new TriageService(core, memoryStore(), new LocalTicketStore(dataDir), () => new Date());
    // Turns wait until the test opens the gate: an ack that waited for its turn could never arrive.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let finished = 0;
    const turns = {
      async handleTurn(turn: Turn) {
        await gate;
        const result = await service.handleTurn(turn);
        finished += 1;
        return result;
      },
    };
    const { log } = memoryLog();
    const slack = new SlackChannel(
      { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl },
      {
        turns,
        conversations: memoryStore(),
        deliveries: memoryDeliveryLog(),
        blobs: new FileBlobStore(dataDir),
        log,
        webApiRetries: 0,
      },
    );
    const running = await startServer({ port: 0, host: '127.0.0.1', channels: [slack], log });
    try {
      const endpoint = `${running.url}/slack/events`;
      const acks = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const event = directMessage('Het programma crasht bij het opslaan van de evaluaties.', {
            channel: `D0BURST${i}`,
          });
          return sendSigned(endpoint, JSON.stringify(eventCallback(event)), 'application/json');
        }),
      );
      expect(acks.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(finished).toBe(0);
      expect(fake.posted()).toHaveLength(0);
      open();
      await slack.idle();
      expect(finished).toBe(50);
      expect(new Set(fake.posted().map((m) => m.channel)).size).toBe(50);
    } finally {
      open();
      await running.close();
      await fake.close();
    }
  });
});
