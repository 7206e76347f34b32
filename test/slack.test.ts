import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { METHODS } from '../bots/slack/capabilities.ts';
import { eventId } from './slack/fake-slack.ts';
import { type SlackBot, shown, slackBot } from './slack/harness.ts';
import {
  BOT_TOKEN,
  channelMessage,
  directMessage,
  eventCallback,
  mention,
  SIGNING_SECRET,
  sendSigned,
} from './slack/requests.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

const methodsSeen = new Set<string>();
let bot: SlackBot;

beforeEach(async () => {
  bot = await slackBot();
});
afterEach(async () => {
  for (const call of bot.fake.calls) methodsSeen.add(call.method);
  await bot.close();
});
afterAll(() => {
  // The scope table (and so the manifest) covers every Web API method the bot actually called.
  expect([...methodsSeen].filter((m) => !(m in METHODS))).toEqual([]);
  expect(methodsSeen.size).toBeGreaterThan(3);
});

describe('Slack over HTTP: requests', () => {
  it('GET /healthz reports Slack on over HTTP', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', channels: { slack: { state: 'on', mode: 'http' } } });
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

describe('Slack conversations', () => {
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
    const res = await bot.command('het werkt niet');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await bot.settled();
    expect(bot.fake.callsTo('conversations.open')[0]?.args).toMatchObject({ users: 'USOFIE' });
    const ask = structuredClone(lastPosted(bot));
    expect(ask.channel).toBe('DSOFIE');
    const buttons = shown(ask);
    for (const kind of ['question', 'incident', 'change', 'complaint']) expect(buttons).toContain(`"value":"${kind}"`);
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
    await bot.command('het werkt niet');
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

describe('Slack deliveries', () => {
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

  it('never writes a token or the signing secret to the logs, even at debug level', async () => {
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
    // Message texts are personal data: not at info level.
    const info = bot.logs.filter((l) => JSON.parse(l).level >= 30).join('');
    expect(info).not.toContain('Mila Jacobs');
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
