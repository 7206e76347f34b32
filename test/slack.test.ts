import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { memoryDeliveryLog } from '../adapters/state/deliveries.ts';
import { memoryStore } from '../adapters/state/store.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { TriageService } from '../bots/runtime/service.ts';
import { serve } from '../bots/server/main.ts';
import { startServer } from '../bots/server/server.ts';
import { METHODS } from '../bots/slack/capabilities.ts';
import { SlackChannel, type SlackDeps } from '../bots/slack/channel.ts';
import { fetchAttachments, type SlackFile } from '../bots/slack/files.ts';
import { NO_APP_ID } from '../bots/teams/settings.ts';
import type { Turn } from '../core/types.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { eventId, FakeSlack } from './slack/fake-slack.ts';
import { memoryLog, type SlackBot, shown, slackBot } from './slack/harness.ts';
import {
  BOT_TOKEN,
  channelMessage,
  directMessage,
  eventCallback,
  mention,
  SIGNING_SECRET,
  sendSigned,
} from './slack/requests.ts';

// Slack end to end: the real server on 127.0.0.1, requests signed as Slack signs them, and a local
// fake of Slack's Web API (test/slack/fake-slack.ts) that records what the bot did.

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

describe('Slack over HTTP, on the server as npm start runs it', () => {
  const methodsSeen = new Set<string>();
  afterAll(() => {
    // The scope table (and so the manifest) covers every Web API method the bot actually called.
    expect([...methodsSeen].filter((m) => !(m in METHODS))).toEqual([]);
    expect(methodsSeen.size).toBeGreaterThan(3);
  });
  let bot: SlackBot;

  beforeEach(async () => {
    bot = await slackBot();
  });
  afterEach(async () => {
    for (const call of bot.fake.calls) methodsSeen.add(call.method);
    await bot.close();
  });

  describe('requests', () => {
    it('GET /healthz reports Slack on over HTTP', async () => {
      const res = await fetch(`${bot.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'ok',
        channels: {
          slack: { state: 'on', mode: 'http' },
          teams: { state: 'off', reason: NO_APP_ID },
          web: { state: 'on', mode: 'local' },
          admin: { state: 'on', mode: 'loopback' },
          desk: { state: 'on', mode: 'local' },
        },
        store: { state: 'ok', kind: 'sqlite' },
        // The core was handed to serve() as it is: no learned examples were read for it.
        learned: { state: 'ok', examples: 'not read' },
        tickets: { state: 'ok', adapter: 'local', waiting: 0, dead: 0 },
      });
      expect(bot.fake.callsTo('auth.test')).toHaveLength(1);
    });

    it('answers url_verification with the challenge', async () => {
      const body = JSON.stringify({ token: 'x', challenge: 'c-4f1a9', type: 'url_verification' });
      const res = await sendSigned(bot.endpoint, body, 'application/json');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: 'c-4f1a9' });
    });

    it('refuses a forged signature, a stale or future timestamp, and a missing signature with 401', async () => {
      const body = JSON.stringify(eventCallback(directMessage(COMPLETE_INCIDENT)));
      const now = Math.floor(Date.now() / 1000);
      const forged = await sendSigned(bot.endpoint, body, 'application/json', { secret: 'not-the-secret' });
      const stale = await sendSigned(bot.endpoint, body, 'application/json', { timestamp: now - 6 * 60 });
      const future = await sendSigned(bot.endpoint, body, 'application/json', { timestamp: now + 6 * 60 });
      const unsigned = await fetch(bot.endpoint, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect([forged.status, stale.status, future.status, unsigned.status]).toEqual([401, 401, 401, 401]);
      // The same body properly signed is accepted: the 401s are about the signature, nothing else.
      expect((await sendSigned(bot.endpoint, body, 'application/json')).status).toBe(200);
      await bot.settled();
      expect(bot.fake.posted()).toHaveLength(1);
    });

    it('answers a malformed body with 400', async () => {
      const res = await sendSigned(bot.endpoint, '{"type": "event_callback", ', 'application/json');
      expect(res.status).toBe(400);
    });
  });

  describe('conversations', () => {
    it('a direct message with a screenshot: preview card, Send, ticket number in the last message', async () => {
      const file = bot.fake.addFile('scherm.png', 'image/png', PNG);
      expect((await bot.event(directMessage(COMPLETE_INCIDENT, { files: [file] }))).status).toBe(200);
      const previewCall = await bot.fake.waitFor((c) => c.method === 'chat.postMessage');
      await bot.settled();
      const preview = previewCall.args;
      expect(preview.channel).toBe('D0SOFIE');
      expect(preview.thread_ts).toBeUndefined();
      const card = shown(preview);
      for (const detail of ['Leerling', 'Mila Jacobs', 'Foutmelding', 'Geboortedatum ongeldig', 'AKW', 'scherm.png'])
        expect(card).toContain(detail);
      expect(card).toContain('"value":"send"');
      expect(card).toContain('"value":"edit"');
      expect(await bot.tickets.list()).toHaveLength(0);

      // The screenshot was fetched with the bot token, and only with it.
      expect(bot.fake.downloads).toEqual([{ path: expect.stringContaining('scherm.png'), token: BOT_TOKEN }]);

      const sent = bot.fake.posted().length;
      expect((await bot.click(lastPosted(bot), 'send')).status).toBe(200);
      await bot.settled();
      const after = bot.fake.posted().slice(sent);
      expect(after).toHaveLength(1);
      expect(after[0]?.text).toMatch(/HD-000001/);
      expect(after[0]?.channel).toBe('D0SOFIE');
      // The buttons gave way to the choice made.
      const update = bot.fake.callsTo('chat.update')[0]?.args;
      expect(update?.ts).toBe(bot.fake.posted()[0]?.ts);
      expect(shown(update)).not.toContain('"type":"actions"');
      expect(shown(update)).toContain('Versturen');
      expect(update?.text).toBe(preview.text);

      const [ticket] = await bot.tickets.list();
      expect(ticket?.id).toBe('HD-000001');
      expect(ticket?.draft).toMatchObject({
        label: 'incident',
        slots: {
          academy: 'AKW',
          student: 'Mila Jacobs',
          name: 'Sofie Peeters',
          email: 'sofie.peeters@klankkast.example',
        },
        requester: { id: 'USOFIE', name: 'Sofie Peeters' },
        conversation: 'slack:D0SOFIE',
      });
      const attachment = ticket?.draft.attachments[0];
      expect(attachment).toMatchObject({ name: 'scherm.png', contentType: 'image/png', size: PNG.byteLength });
      const stored = await new FileBlobStore(bot.dataDir).get(attachment?.ref ?? '');
      expect(Buffer.from(stored ?? [])).toEqual(Buffer.from(PNG));
    });

    it('a screenshot sent when asked for is attached; Edit, then Send', async () => {
      await bot.event(directMessage('De rapporten tonen de punten van vorig semester, dat klopt niet.'));
      await bot.settled();
      await bot.event(directMessage('Academie Lindenhof'));
      await bot.settled();
      await bot.event(directMessage('n.v.t.'));
      await bot.settled();
      expect(lastPosted(bot).text).toMatch(/screenshot/i);
      const file = bot.fake.addFile('rapport.png', 'image/png', PNG);
      // Slack Connect lists a shared file by id only: the bot asks files.info for the rest.
      await bot.event(directMessage('', { files: [{ id: file.id, file_access: 'check_file_info' }] }));
      await bot.settled();
      expect(bot.fake.callsTo('files.info')).toHaveLength(1);
      expect(shown(lastPosted(bot))).toContain('rapport.png');
      await bot.click(lastPosted(bot), 'edit');
      await bot.settled();
      expect(lastPosted(bot).text).toMatch(/aanpassen|wijzigen/i);
      await bot.event(directMessage('Het is voor Academie De Klankkast, niet Lindenhof.'));
      await bot.settled();
      expect(shown(lastPosted(bot))).toContain('AKW (');
      await bot.click(lastPosted(bot), 'send');
      await bot.settled();
      expect(lastPosted(bot).text).toMatch(/HD-000001/);
      const ticket = await bot.tickets.get('HD-000001');
      expect(ticket?.draft.attachments).toEqual([
        expect.objectContaining({ name: 'rapport.png', ref: expect.any(String) }),
      ]);
      expect(ticket?.draft.slots.academy).toBe('AKW');
    });

    it('an @mention in a channel is answered in its thread, and the thread goes on without mentions', async () => {
      const first = mention('De rapporten tonen de punten van vorig semester, dat klopt niet.', { user: 'UJAN' });
      await bot.event(first);
      await bot.settled();
      const thread = { channel: 'C0SECRETARIAT', thread_ts: first.ts };
      expect(bot.fake.posted(thread)).toHaveLength(1);
      expect(bot.fake.posted(thread)[0]?.text).toMatch(/welke academie/i);

      // People talking among themselves: outside the thread, or in another thread, the bot keeps quiet.
      await bot.event(channelMessage('Koffie iemand?', { user: 'UJAN' }));
      await bot.event(channelMessage('Academie Lindenhof', { user: 'UJAN', thread_ts: '1700000000.000100' }));
      await bot.event(channelMessage('Academie Lindenhof', { user: 'UJAN', thread_ts: first.ts }));
      await bot.settled();
      expect(bot.fake.posted()).toHaveLength(2);
      expect(bot.fake.posted(thread)[1]?.text).toMatch(/welke leerling/i);
      await bot.event(channelMessage('n.v.t.', { user: 'UJAN', thread_ts: first.ts }));
      await bot.settled();
      await bot.event(channelMessage('nee', { user: 'UJAN', thread_ts: first.ts }));
      await bot.settled();
      // No screenshot: the error text instead, asked once.
      await bot.event(channelMessage('weet ik niet', { user: 'UJAN', thread_ts: first.ts }));
      await bot.settled();
      await bot.click(lastPosted(bot), 'send', 'UJAN');
      await bot.settled();
      const answers = bot.fake.posted(thread);
      expect(answers.at(-1)?.text).toMatch(/HD-000001/);
      expect(bot.fake.posted()).toHaveLength(answers.length);
      expect((await bot.tickets.get('HD-000001'))?.draft).toMatchObject({
        conversation: `slack:C0SECRETARIAT:${first.ts}`,
        slots: { academy: 'ALH', name: 'Jan Claes' },
      });
    });

    it('/helpdesk goes on in a direct message, with buttons for the kind of request', async () => {
      const res = await bot.command('Ik zit met de klassenlijsten van de afdeling dans');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      await bot.settled();
      expect(bot.fake.callsTo('conversations.open')[0]?.args).toMatchObject({ users: 'USOFIE' });
      const ask = structuredClone(lastPosted(bot));
      expect(ask.channel).toBe('DSOFIE');
      const buttons = shown(ask);
      for (const kind of ['question', 'incident', 'change', 'complaint'])
        expect(buttons).toContain(`"value":"${kind}"`);
      await bot.click(ask, 'incident');
      await bot.settled();
      expect(lastPosted(bot).text).toMatch(/welke academie/i);
      // A second click on the same buttons (double click, stale message) is not a second answer.
      const count = bot.fake.posted().length;
      expect((await bot.click(ask, 'question')).status).toBe(200);
      await bot.settled();
      expect(bot.fake.posted()).toHaveLength(count);
    });

    it('typing the answer instead of clicking retires the buttons; a later click on them does nothing', async () => {
      await bot.command('Ik zit met de klassenlijsten van de afdeling dans');
      await bot.settled();
      const ask = structuredClone(lastPosted(bot));
      await bot.event(directMessage('2', { channel: 'DSOFIE' }));
      await bot.settled();
      expect(lastPosted(bot).text).toMatch(/welke academie/i);
      const update = bot.fake.callsTo('chat.update').at(-1)?.args;
      expect(update?.ts).toBe(ask.ts);
      expect(shown(update)).not.toContain('"type":"actions"');
      const count = bot.fake.posted().length;
      await bot.click(ask, 'complaint');
      await bot.settled();
      expect(bot.fake.posted()).toHaveLength(count);
      await bot.event(directMessage('Academie Lindenhof', { channel: 'DSOFIE' }));
      await bot.settled();
      expect(lastPosted(bot).text).not.toMatch(/welke academie/i);
    });

    it('/helpdesk without text asks what it is about', async () => {
      await bot.command('');
      await bot.settled();
      expect(lastPosted(bot).text).toMatch(/Waarmee kan ik u helpen/);
    });
  });

  describe('deliveries', () => {
    it('a retried event (x-slack-retry-num 1 and 2) and a double delivery yield one ticket and one answer', async () => {
      await toPreview(bot, 'D0RETRY', 'URETRY');
      const before = bot.fake.posted().length;
      const send = directMessage('verstuur', { channel: 'D0RETRY', user: 'URETRY' });
      const id = eventId();
      const acks = await Promise.all([bot.event(send, { id }), bot.event(send, { id })]);
      acks.push(await bot.event(send, { id, retryNum: 1 }));
      await bot.settled();
      acks.push(await bot.event(send, { id, retryNum: 2 }));
      await bot.settled();
      // Every copy is acknowledged (Slack would retry otherwise), one is acted on.
      expect(acks.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const answers = bot.fake.posted().slice(before);
      expect(answers).toHaveLength(1);
      expect(answers[0]?.text).toMatch(/HD-000001/);
      expect(await bot.tickets.list()).toHaveLength(1);
    });

    it('a retry of an event never handled is handled (retries are not dropped)', async () => {
      const res = await bot.event(directMessage(COMPLETE_INCIDENT), { retryNum: 1 });
      expect(res.status).toBe(200);
      await bot.settled();
      expect(bot.fake.posted()).toHaveLength(1);
    });

    it("ignores the bot's own messages, other bots', edits and deletions", async () => {
      await bot.event({
        ...directMessage('Uw ticket HD-000009 is aangemaakt.'),
        user: 'UBOT',
        bot_id: 'BBOT',
        subtype: 'bot_message',
      });
      await bot.event({ ...directMessage('Deploy klaar: fout in rapporten verholpen'), bot_id: 'BOTHER' });
      await bot.event(channelMessage('Build failed on main', { bot_id: 'BCI', subtype: 'bot_message' }));
      await bot.event({ ...directMessage('Het programma crasht bij opslaan'), subtype: 'message_changed' });
      await bot.event({
        type: 'message',
        subtype: 'message_deleted',
        channel: 'D0SOFIE',
        hidden: true,
        deleted_ts: '1.2',
      });
      await bot.settled();
      expect(bot.fake.calls.map((c) => c.method)).toEqual(['auth.test']);
      expect(bot.logs.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
    });

    it('never writes a token, the signing secret or personal data to the logs, even at debug level', async () => {
      const file = bot.fake.addFile('scherm.png', 'image/png', PNG);
      await bot.event(directMessage(COMPLETE_INCIDENT, { files: [file] }));
      await bot.settled();
      await bot.click(lastPosted(bot), 'send');
      await bot.settled();
      await sendSigned(bot.endpoint, '{}', 'application/json', { secret: 'wrong' });
      const logs = bot.logs.join('');
      expect(logs).toContain('turn handled');
      expect(logs).not.toContain(BOT_TOKEN);
      expect(logs).not.toContain(SIGNING_SECRET);
      // Message texts, names and e-mail addresses are personal data: not even at debug level.
      expect(logs).toContain('"level":20');
      for (const personal of ['Mila Jacobs', 'Sofie Peeters', 'sofie.peeters@klankkast.example', 'Geboortedatum'])
        expect(logs).not.toContain(personal);
    });
  });
});

describe('the server (npm start)', () => {
  it('`triage serve` runs as a process on settings from ./.env, says why Slack is off, stops on SIGTERM', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PORT=0\nSLACK_BOT_TOKEN=\n');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|PORT$)/.test(k)));
    const child = spawn(process.execPath, [resolve('bin/triage.js'), 'serve', '--host', '127.0.0.1'], {
      cwd: dir,
      env: { ...env, TRIAGE_DATA_DIR: dir },
    });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const port = await new Promise<string>((done, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += String(chunk);
        const found = /listening on port (\d+) \(/.exec(stderr)?.[1];
        if (found) done(found);
      });
      void exited.then(() => fail(new Error(`serve exited: ${stderr}`)));
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toMatchObject({ channels: { slack: { state: 'off' } } });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"reason":"SLACK_BOT_TOKEN is not set","msg":"slack is off"/);
    expect(stderr).not.toMatch(/DEP0111|DeprecationWarning/);
  });

  it('runs without any Slack settings: Slack off, and the log and /healthz say why', async () => {
    const { lines, log } = memoryLog();
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, host: '127.0.0.1', env: {}, log });
    try {
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        channels: {
          slack: { state: 'off', reason: 'SLACK_BOT_TOKEN is not set' },
          // Local mode (unauthenticated, for the Emulator) only when asked for: the log says how.
          teams: { state: 'off', reason: NO_APP_ID },
        },
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
      expect(await (await fetch(`${running.url}/healthz`)).json()).toMatchObject({
        status: 'ok',
        channels: { slack: { state: 'on', mode: 'socket' }, teams: { state: 'off', reason: NO_APP_ID } },
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

function fileOptions(fake: FakeSlack, overrides: { token?: string; maxBytes?: number } = {}) {
  const host = new URL(fake.url).host;
  return {
    client: new webApi.WebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
    token: overrides.token ?? BOT_TOKEN,
    blobs: new FileBlobStore(tempDir()),
    tokenHosts: (h: string) => h === host,
    plainHttpHost: host,
    maxBytes: overrides.maxBytes ?? 1024,
    log: memoryLog().log,
  };
}

describe('shared Slack files', () => {
  let fake: FakeSlack;
  const options = (overrides: { token?: string; maxBytes?: number } = {}) => fileOptions(fake, overrides);
  beforeEach(async () => {
    fake = new FakeSlack(BOT_TOKEN);
    await fake.start();
  });
  afterEach(() => fake.close());

  it('downloads a file with the bot token into the file store', async () => {
    const file = fake.addFile('scherm.png', 'image/png', PNG) as SlackFile;
    const opts = options();
    const [attachment] = await fetchAttachments([file], opts);
    expect(attachment).toMatchObject({ name: 'scherm.png', contentType: 'image/png', size: PNG.byteLength });
    expect(Buffer.from((await opts.blobs.get(attachment!.ref!)) ?? [])).toEqual(Buffer.from(PNG));
    expect(attachment?.url).toMatch(/^https:\/\/academies\.slack\.com\/files\//);
  });

  it('never sends the token to a host that is not Slack; the file is still listed by name', async () => {
    const file = fake.addFile('scherm.png', 'image/png', PNG) as SlackFile;
    const elsewhere = {
      ...file,
      url_private_download: String(file.url_private_download).replace('127.0.0.1', 'localhost'),
    };
    const [attachment] = await fetchAttachments([elsewhere], options());
    expect(fake.downloads).toEqual([]);
    expect(attachment).toMatchObject({ name: 'scherm.png', contentType: 'image/png' });
    expect(attachment?.ref).toBeUndefined();
  });

  it("does not store Slack's sign-in page as the screenshot when the token is refused", async () => {
    const file = fake.addFile('scherm.png', 'image/png', PNG) as SlackFile;
    const [attachment] = await fetchAttachments([file], options({ token: 'xoxb-revoked' }));
    expect(fake.downloads).toHaveLength(1);
    expect(attachment?.ref).toBeUndefined();
  });

  it('links a file larger than the limit instead of downloading it, even when Slack did not say its size', async () => {
    const file = fake.addFile('film.mov', 'video/quicktime', new Uint8Array(5000)) as SlackFile;
    const [announced] = await fetchAttachments([file], options({ maxBytes: 4096 }));
    expect(fake.downloads).toHaveLength(0);
    expect(announced?.ref).toBeUndefined();
    const [unannounced] = await fetchAttachments([{ ...file, size: null }], options({ maxBytes: 4096 }));
    expect(fake.downloads).toHaveLength(1);
    expect(unannounced?.ref).toBeUndefined();
  });

  it('skips files Slack no longer shows (deleted, or hidden by the plan limit)', async () => {
    const file = fake.addFile('oud.png', 'image/png', PNG) as SlackFile;
    expect(await fetchAttachments([{ ...file, mode: 'tombstone' }], options())).toEqual([]);
  });
});

/** The last message the bot posted, as Slack holds it (with its ts). */
function lastPosted(bot: SlackBot): Record<string, unknown> {
  const message = bot.fake.posted().at(-1);
  if (!message) throw new Error('the bot posted nothing');
  return message;
}

/** A direct message conversation up to the ticket preview. */
async function toPreview(bot: SlackBot, channel: string, user: string): Promise<void> {
  bot.fake.addUser(user, 'Retry Tester');
  await bot.event(
    directMessage(COMPLETE_INCIDENT, { channel, user, files: [bot.fake.addFile('s.png', 'image/png', PNG)] }),
  );
  await bot.settled();
  expect(shown(lastPosted(bot))).toContain('"value":"send"');
}
