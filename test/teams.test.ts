import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { fileAddressBook } from '../adapters/state/references.ts';
import { serve } from '../bots/server/main.ts';
import type { TeamsChannel } from '../bots/teams/channel.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { memoryLog } from './slack/harness.ts';
import { FakeConnector } from './teams/fake-connector.ts';
import { BOT_TOKEN, buttons, shown, type TeamsBot, teamsBot } from './teams/harness.ts';
import { CHANNEL, cardSubmit, channelMention, installation, PERSONAL, personalMessage } from './teams/requests.ts';

// Teams end to end: the real server on 127.0.0.1, Bot Framework activities posted as Teams posts them,
// and a local fake Bot Connector (test/teams/fake-connector.ts) as their serviceUrl, which records
// everything the bot sent and wants the bot's token on every call.

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7, 6, 5, 4, 3, 2]);
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

describe('Teams on the server as npm start runs it (local mode, fake Bot Connector)', () => {
  let bot: TeamsBot;
  beforeEach(async () => {
    bot = await teamsBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('a personal chat with a pasted screenshot: typing, preview card, Send, the ticket number in the last card', async () => {
    const image = bot.fake.addPastedImage(PNG);
    const res = await bot.post(personalMessage(bot.serviceUrl, COMPLETE_INCIDENT, { attachments: [image] }));
    expect(res.status).toBe(200);
    await bot.settled();

    // The typing indicator first, while the bot works.
    expect(bot.fake.sent({ typing: true }).map((a) => a.type)).toEqual(['typing', 'message']);
    const [preview, ...more] = bot.fake.sent();
    expect(more).toEqual([]);
    expect(preview?._to).toBe(PERSONAL);
    const card = shown(preview);
    for (const detail of ['Leerling', 'Mila Jacobs', 'Foutmelding', 'Geboortedatum ongeldig', 'AKW', 'image-1.png'])
      expect(card).toContain(detail);
    expect(buttons(preview).map((b) => b.choice)).toEqual(['send', 'edit']);
    expect(await bot.tickets.list()).toHaveLength(0);
    // The pasted image was fetched with the bot's token (without it the connector answers 401).
    expect(bot.fake.downloads().map((d) => [d.status, d.token])).toEqual([[200, BOT_TOKEN]]);

    const send = buttons(preview).find((b) => b.choice === 'send')!;
    expect((await bot.post(cardSubmit(bot.serviceUrl, preview!, send))).status).toBe(200);
    await bot.settled();
    const last = bot.fake.sent().at(-1);
    expect(bot.fake.sent()).toHaveLength(2);
    expect(last?.attachments).toBeDefined();
    expect(shown(last)).toMatch(/HD-000001/);
    // The preview's buttons gave way to the choice made.
    const [update] = bot.fake.updates();
    expect(update?.activityId).toBe(preview?.id);
    expect(buttons(update?.body ?? undefined)).toEqual([]);
    expect(shown(update?.body ?? undefined)).toContain('Versturen');

    const [ticket] = await bot.tickets.list();
    expect(ticket?.draft).toMatchObject({
      label: 'incident',
      conversation: `teams:${PERSONAL}`,
      slots: { academy: 'AKW', student: 'Mila Jacobs', email: 'sofie.peeters@klankkast.example' },
      requester: { name: 'Sofie Peeters' },
    });
    const attachment = ticket?.draft.attachments[0];
    expect(attachment).toMatchObject({ name: 'image-1.png', contentType: 'image/png', size: PNG.byteLength });
    const stored = await new FileBlobStore(bot.dataDir).get(attachment?.ref ?? '');
    expect(Buffer.from(stored ?? [])).toEqual(Buffer.from(PNG));
  });

  it('an @mention in a channel is answered in its thread, without the mention; the thread is one conversation', async () => {
    const first = channelMention(bot.serviceUrl, 'De rapporten tonen de punten van vorig semester, dat klopt niet.');
    await bot.post(first);
    await bot.settled();
    const thread = `${CHANNEL};messageid=${first.id}`;
    expect(bot.fake.sent()).toHaveLength(1);
    expect(bot.fake.sent()[0]?._to).toBe(thread);
    expect(shown(bot.fake.sent()[0])).toMatch(/welke academie/i);
    await bot.post(channelMention(bot.serviceUrl, 'Academie Lindenhof', { root: String(first.id) }));
    await bot.settled();
    expect(bot.fake.sent({ conversation: thread })).toHaveLength(2);
    expect(shown(bot.fake.sent().at(-1))).toMatch(/welke leerling/i);
    expect(JSON.stringify(bot.fake.sent())).not.toContain('<at>');
  });

  it("says welcome once when the app is installed (Teams sends two activities), in the person's language", async () => {
    for (const activity of installation(bot.serviceUrl, 'fr-BE')) expect((await bot.post(activity)).status).toBe(200);
    await bot.settled();
    const sent = bot.fake.sent();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toMatch(/^Bonjour/);
    expect(sent[0]?._to).toBe(PERSONAL);
  });

  it('reaches a conversation outside a turn (a late ticket number, a reminder) through its stored address', async () => {
    await bot.post(personalMessage(bot.serviceUrl, 'Het programma crasht bij het opslaan van de evaluaties.'));
    await bot.settled();
    await bot.teams.notify(`teams:${PERSONAL}`, [{ text: 'Uw ticket HD-000007 is alsnog aangemaakt.' }]);
    expect(bot.fake.sent().at(-1)).toMatchObject({ _to: PERSONAL, text: 'Uw ticket HD-000007 is alsnog aangemaakt.' });
    await expect(bot.teams.notify('teams:a:unknown', [{ text: 'x' }])).rejects.toThrow(/no Teams address/);
    // Stored without the message id, which changes with every message (so the book need not write it
    // again): a proactive post does not use it.
    const book = fileAddressBook(bot.dataDir);
    const stored = await book.get(`teams:${PERSONAL}`);
    await book.close();
    expect(stored).toMatchObject({ serviceUrl: bot.serviceUrl, conversation: { id: PERSONAL } });
    expect(stored).not.toHaveProperty('activityId');
    // In a channel the thread is named in the conversation id: the post lands in the thread.
    const first = channelMention(bot.serviceUrl, 'De rapporten tonen de punten van vorig semester, dat klopt niet.');
    await bot.post(first);
    await bot.settled();
    const thread = `${CHANNEL};messageid=${first.id}`;
    await bot.teams.notify(`teams:${thread}`, [{ text: 'Herinnering: welke academie?' }]);
    expect(bot.fake.sent().at(-1)).toMatchObject({ _to: thread, text: 'Herinnering: welke academie?' });
  });

  it('a redelivered activity gets no second answer and files no second ticket', async () => {
    const message = personalMessage(bot.serviceUrl, COMPLETE_INCIDENT);
    // Teams redelivers what it thinks was missed: at once, and later.
    const first = await Promise.all([bot.post(message), bot.post(message)]);
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    await bot.settled();
    expect((await bot.post(message)).status).toBe(200);
    await bot.settled();
    expect(bot.fake.sent()).toHaveLength(1);
    const submit = cardSubmit(bot.serviceUrl, bot.fake.sent()[0]!, buttons(bot.fake.sent()[0])[0]!);
    await Promise.all([bot.post(submit), bot.post(submit)]);
    await bot.settled();
    await bot.post(submit);
    // A double click on the same card is a copy too.
    await bot.post({ ...submit, id: 'another-click' });
    await bot.settled();
    expect(bot.fake.sent()).toHaveLength(2);
    expect(await bot.tickets.list()).toHaveLength(1);
  });

  it('counts its deliveries on /metrics as Slack does: handled once, a redelivered copy as a duplicate', async () => {
    const message = personalMessage(bot.serviceUrl, COMPLETE_INCIDENT);
    await bot.post(message);
    await bot.settled();
    await bot.post(message);
    await bot.settled();
    const text = await (await fetch(`${bot.url}/metrics`)).text();
    expect(text).toMatch(/^triage_deliveries_total\{channel="teams",outcome="handled"\} 1$/m);
    expect(text).toMatch(/^triage_deliveries_total\{channel="teams",outcome="duplicate"\} 1$/m);
    expect(text).not.toMatch(/^triage_deliveries_total\{channel="teams",outcome="failed"\}/m);
    expect(text).toMatch(/^triage_turns_total\{channel="teams",status="\w+"\} 1$/m);
    expect(text).toMatch(
      /^triage_http_request_duration_seconds_count\{route="\/api\/messages",method="POST",status="200"\} 2$/m,
    );
  });

  it('backs off and retries when the connector answers 429, 502 or 412; a 500 is not retried', async () => {
    const posts = (c: { method: string; path: string; body: Record<string, unknown> | null }) =>
      c.method === 'POST' && c.path.includes('/activities') && c.body?.type === 'message';
    bot.fake.fail(posts, 429, 2, { 'retry-after': '0' });
    bot.fake.fail(posts, 502, 1);
    await bot.post(personalMessage(bot.serviceUrl, 'Het programma crasht bij het opslaan van de evaluaties.'));
    await bot.settled();
    expect(bot.fake.calls.filter(posts).map((c) => c.status)).toEqual([429, 429, 502, 200]);
    expect(bot.fake.sent()).toHaveLength(1);

    bot.fake.fail(posts, 500, 1);
    await bot.post(personalMessage(bot.serviceUrl, 'Academie Lindenhof'));
    await bot.settled();
    expect(bot.fake.calls.filter(posts).map((c) => c.status)).toEqual([429, 429, 502, 200, 500]);
    expect(bot.logs.join('')).toContain('could not answer in Teams');
  });

  it('answers a body that is not an activity with 400 and a short reason', async () => {
    const bodies = [
      '{}',
      '[1, 2]',
      '{"type": "message", ',
      JSON.stringify({ ...personalMessage(bot.serviceUrl, 'x'), serviceUrl: 'not a url' }),
      JSON.stringify({ ...personalMessage(bot.serviceUrl, 'x'), conversation: undefined }),
    ];
    for (const body of bodies) {
      const res = await bot.post(body);
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text.length).toBeLessThan(300);
      expect(text).not.toMatch(/\bat \S+ \(|node_modules/);
    }
    // Local mode sends replies to this machine only.
    const elsewhere = await bot.post(personalMessage('https://smba.trafficmanager.net/emea/', 'x'));
    expect(elsewhere.status).toBe(400);
    expect(bot.fake.calls).toEqual([]);
  });

  it('reports Teams in local mode on /healthz and never logs the token or message texts at info level', async () => {
    expect(await (await fetch(`${bot.url}/healthz`)).json()).toMatchObject({
      channels: { teams: { state: 'on', mode: 'local' } },
    });
    await bot.post(personalMessage(bot.serviceUrl, COMPLETE_INCIDENT, { attachments: [bot.fake.addPastedImage(PNG)] }));
    await bot.settled();
    const logs = bot.logs.join('');
    expect(logs).toContain('turn handled');
    expect(logs).not.toContain(BOT_TOKEN);
    const info = bot.logs.filter((l) => JSON.parse(l).level >= 30).join('');
    expect(info).not.toContain('Mila Jacobs');
  });
});

describe('Teams in local mode as the Bot Framework Emulator meets it (botbuilder credentials, no token)', () => {
  it('answers on the local serviceUrl without a token', async () => {
    const fake = new FakeConnector(null);
    await fake.start();
    const { log } = memoryLog();
    const env = { TEAMS_LOCAL_MODE: '1' };
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, host: '127.0.0.1', env, log });
    try {
      const message = {
        ...personalMessage(fake.url, 'Hoe voeg ik een vak toe aan het rapport?'),
        channelId: 'emulator',
      };
      const res = await fetch(`${running.url}/api/messages`, {
        method: 'POST',
        body: JSON.stringify(message),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      await (running.channels.find((c) => c.name === 'teams') as TeamsChannel).idle();
      expect(fake.sent()).toHaveLength(1);
      expect(fake.calls.every((c) => c.token === null)).toBe(true);
    } finally {
      await running.close();
      await fake.close();
    }
  });
});

describe('Teams with an app id (MicrosoftAppId)', () => {
  it('refuses a request without a Bot Framework token, or with a malformed one, with 401', async () => {
    const { log } = memoryLog();
    const env = {
      MicrosoftAppId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppType: 'MultiTenant',
    };
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, host: '127.0.0.1', env, log });
    try {
      const endpoint = `${running.url}/api/messages`;
      const body = JSON.stringify(personalMessage('https://smba.trafficmanager.net/emea/', COMPLETE_INCIDENT));
      const headers = { 'content-type': 'application/json' };
      const none = await fetch(endpoint, { method: 'POST', body, headers });
      const malformed = await fetch(endpoint, {
        method: 'POST',
        body,
        headers: { ...headers, authorization: 'Bearer not.a.jwt' },
      });
      expect([none.status, malformed.status]).toEqual([401, 401]);
      expect(await (await fetch(`${running.url}/healthz`)).json()).toMatchObject({
        channels: { teams: { state: 'on', mode: 'authenticated' } },
      });
    } finally {
      await running.close();
    }
  });
});
