import { describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { memoryDeliveryLog } from '../adapters/state/deliveries.ts';
import { memoryStore } from '../adapters/state/store.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { TriageService } from '../bots/runtime/service.ts';
import { serve } from '../bots/server/main.ts';
import { startServer } from '../bots/server/server.ts';
import { SlackChannel, type SlackDeps } from '../bots/slack/channel.ts';
import type { Turn } from '../core/types.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { eventId, FakeSlack } from './slack/fake-slack.ts';
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
      // Events are refused, not acknowledged and lost: Slack delivers them again later.
      const endpoint = `${running.url}/slack/events`;
      const event = JSON.stringify(eventCallback(directMessage('Het programma crasht bij het opslaan.')));
      expect((await sendSigned(endpoint, event, 'application/json')).status).toBe(503);
      // Setting up the Request URL still works.
      const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c1', token: 'x' });
      expect(await (await sendSigned(endpoint, challenge, 'application/json')).json()).toEqual({ challenge: 'c1' });
      expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    } finally {
      await running.close();
      await fake.close();
    }
  });
});

describe('Slack in Socket Mode (SLACK_APP_TOKEN)', () => {
  it('takes events over the WebSocket, acknowledges them, answers once per event id; no HTTP route', async () => {
    const appToken = 'xapp-1-A0001-test-app-level-token';
    const fake = new FakeSlack(BOT_TOKEN, appToken);
    await fake.start();
    const { lines, log } = memoryLog();
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: appToken, SLACK_API_URL: fake.apiUrl };
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, host: '127.0.0.1', env, log });
    const slack = running.channels[0] as SlackChannel;
    try {
      expect(await (await fetch(`${running.url}/healthz`)).json()).toEqual({
        status: 'ok',
        channels: { slack: { state: 'on', mode: 'socket' } },
      });
      expect((await fetch(`${running.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
      const payload = eventCallback(directMessage('Het programma crasht bij het opslaan van de evaluaties.'));
      const ack = await fake.sendOverSocket(payload);
      expect(ack).toMatchObject({ envelope_id: expect.any(String) });
      await slack.idle();
      expect(fake.posted()).toHaveLength(1);
      expect(fake.posted()[0]?.text).toMatch(/welke academie/i);
      // Slack's redelivery of the same event: acknowledged, not answered again.
      await fake.sendOverSocket(payload, 1);
      await slack.idle();
      expect(fake.posted()).toHaveLength(1);
      expect(lines.join('')).not.toContain(appToken);
      expect(lines.join('')).not.toContain(BOT_TOKEN);
    } finally {
      await running.close();
      await fake.close();
    }
  });
});

/** The Slack channel alone on the server, with the turns port given (to hold or break turns). */
async function slackWith(turns: SlackDeps['turns']) {
  const fake = new FakeSlack(BOT_TOKEN);
  await fake.start();
  const { log } = memoryLog();
  const slack = new SlackChannel(
    { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl },
    {
      turns,
      conversations: memoryStore(),
      deliveries: memoryDeliveryLog(),
      blobs: new FileBlobStore(tempDir()),
      log,
      webApiRetries: 0,
    },
  );
  const running = await startServer({ port: 0, host: '127.0.0.1', channels: [slack], log });
  return {
    fake,
    slack,
    send: (event: Record<string, unknown>, options: { id?: string; retryNum?: number } = {}) =>
      sendSigned(`${running.url}/slack/events`, JSON.stringify(eventCallback(event, options.id)), 'application/json', {
        ...(options.retryNum !== undefined ? { retryNum: options.retryNum } : {}),
      }),
    async close() {
      await running.close();
      await fake.close();
    },
  };
}

function triage() {
  return new TriageService(shippedCore(), memoryStore(), new LocalTicketStore(tempDir()), () => new Date());
}

describe('Slack acknowledges first and works after', () => {
  it('acknowledges a burst of 50 concurrent events while none of their turns has finished', async () => {
    const service = triage();
    // Turns wait until the test opens the gate: an ack that waited for its turn could never arrive.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let finished = 0;
    const bot = await slackWith({
      async handleTurn(turn: Turn) {
        await gate;
        const result = await service.handleTurn(turn);
        finished += 1;
        return result;
      },
    });
    try {
      const acks = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          bot.send(
            directMessage('Het programma crasht bij het opslaan van de evaluaties.', { channel: `D0BURST${i}` }),
          ),
        ),
      );
      expect(acks.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(finished).toBe(0);
      expect(bot.fake.posted()).toHaveLength(0);
      open();
      await bot.slack.idle();
      expect(finished).toBe(50);
      expect(new Set(bot.fake.posted().map((m) => m.channel)).size).toBe(50);
    } finally {
      open();
      await bot.close();
    }
  });

  it('a turn that fails gets a warning sign, no words; a later retry of that event is handled', async () => {
    const service = triage();
    let broken = true;
    const bot = await slackWith({
      async handleTurn(turn: Turn) {
        if (broken) throw new Error('conversation store unavailable');
        return service.handleTurn(turn);
      },
    });
    try {
      const message = directMessage('Het programma crasht bij het opslaan van de evaluaties.');
      const id = eventId();
      expect((await bot.send(message, { id })).status).toBe(200);
      await bot.slack.idle();
      expect(bot.fake.callsTo('reactions.add').map((c) => c.args)).toEqual([
        { channel: message.channel, timestamp: message.ts, name: 'warning' },
      ]);
      expect(bot.fake.posted()).toHaveLength(0);
      broken = false;
      await bot.send(message, { id, retryNum: 1 });
      await bot.slack.idle();
      expect(bot.fake.posted()).toHaveLength(1);
    } finally {
      await bot.close();
    }
  });
});
