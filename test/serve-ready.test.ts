import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Serving, serve } from '../bots/server/main.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { FakeSlack } from './slack/fake-slack.ts';
import { memoryLog } from './slack/harness.ts';
import { BOT_TOKEN, directMessage, eventCallback, SIGNING_SECRET, sendSigned } from './slack/requests.ts';
import { startServe } from './state/serve-process.ts';

// A server is ready when its channels take requests, not when its port opens: Slack refuses events
// (503) until its token is checked. /healthz says Slack is starting meanwhile, and the `triage serve`
// process harness (test/state/serve-process.ts, used by the crash test) waits for it.

const fake = new FakeSlack(BOT_TOKEN);
beforeAll(() => fake.start());
afterAll(() => fake.close());

const env = () => ({
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: fake.apiUrl,
  MicrosoftAppType: 'off',
});
const message = (url: string, channel: string) =>
  sendSigned(
    `${url}/slack/events`,
    JSON.stringify(eventCallback(directMessage('Het rooster toont geen lessen', { channel, user: 'UREADY' }))),
    'application/json',
  );

describe('a server whose Slack token is not checked yet', () => {
  it('/healthz says Slack is starting and its events get 503; once checked, on and 200', async () => {
    fake.addUser('UREADY', 'Sofie Peeters', 'sofie.peeters@klankkast.example');
    const gate = fake.hold('auth.test');
    const { lines, log } = memoryLog();
    const serving: Promise<Serving> = serve({
      core: shippedCore('academy'),
      dataDir: tempDir(),
      port: 0,
      host: '127.0.0.1',
      env: env(),
      log,
    });
    await gate.received;
    const listening = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'server listening');
    const url = `http://127.0.0.1:${listening.port}`;
    const before = (await (await fetch(`${url}/healthz`)).json()) as { channels: Record<string, unknown> };
    expect(before.channels.slack).toEqual({ state: 'on', mode: 'http', starting: true });
    expect((await message(url, 'DREADY1')).status).toBe(503);

    gate.release();
    const running = await serving;
    try {
      const after = (await (await fetch(`${url}/healthz`)).json()) as { channels: Record<string, unknown> };
      expect(after.channels.slack).toEqual({ state: 'on', mode: 'http' });
      expect((await message(url, 'DREADY2')).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('the `triage serve` process harness hands the server over only once Slack takes events', async () => {
    const gate = fake.hold('auth.test');
    // The first event goes the moment the harness hands the server over, while auth.test may still be held.
    const first = startServe(tempDir(), env()).then(async (server) => ({
      server,
      status: (await message(server.url, 'DREADY3')).status,
    }));
    await gate.received;
    // Time for a harness that trusted the log's "server listening" to hand over (and be refused).
    await new Promise((r) => setTimeout(r, 500));
    gate.release();
    const { server, status } = await first;
    try {
      expect(status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
