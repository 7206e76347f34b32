import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { fetchAttachments } from '../bots/slack/files.ts';
import { tempDir } from './helpers.ts';
import { memoryLog, type SlackBot, shown, slackBot } from './slack/harness.ts';
import { BOT_TOKEN, buttonClick, directMessage, sendSigned, TEAM } from './slack/requests.ts';

// What Slack hands the bot, trusted no further than it must be: signed bodies that are no Slack request
// are answered at once, what people type or are called reaches tickets without control or bidi
// characters, and files are kept for what their bytes are. Signed requests to the real server.

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 1, 2, 3, 4]);
const HTML = new TextEncoder().encode('<html><head><meta http-equiv="refresh" content="0;url=https://evil.example">');
const INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';
// biome-ignore lint/complexity/useRegexLiterals: as a literal it would be flagged for its control characters
const INVISIBLE = new RegExp('[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]');

describe('Slack requests the app does not handle are answered at once', () => {
  let bot: SlackBot;
  beforeEach(async () => {
    bot = await slackBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('answers signed bodies that are no Slack request with 400, never 500 or a 3 s hold and 404', async () => {
    const json = 'application/json';
    const form = 'application/x-www-form-urlencoded';
    const bodies: [string, typeof json | typeof form][] = [
      ['[1,2]', json],
      ['"x"', json],
      ['null', json],
      ['42', json],
      ['{}', json],
      ['{"type":"event_callback","event_id":"Ev1"}', json],
      ['{"type":"event_callback","event":"message"}', json],
      ['{"type":"block_actions","actions":[]}', json],
      ['payload=%7B%7D', form],
      ['payload=null', form],
      ['payload=%5B1%2C2%5D', form],
      ['command[]=x', form],
    ];
    for (const [body, type] of bodies) {
      const res = await sendSigned(bot.endpoint, body, type);
      expect([body, res.status]).toEqual([body, 400]);
      expect((await res.text()).length).toBeLessThan(200);
    }
    expect(bot.logs.join('')).toContain('Slack request refused: not a Slack request');
    expect(bot.logs.join('')).not.toContain('Could not determine the type');
    // The app still serves after them.
    expect((await bot.event(directMessage(INCIDENT))).status).toBe(200);
    await bot.settled();
    expect(bot.fake.posted()).toHaveLength(1);
  });

  it("acknowledges Slack's app_rate_limited notice and kinds it does not listen to with 200, and logs the limit", async () => {
    const limited = JSON.stringify({
      token: 'x',
      type: 'app_rate_limited',
      team_id: TEAM,
      minute_rate_limited: 1518467820,
      api_app_id: 'A0001',
    });
    const res = await sendSigned(bot.endpoint, limited, 'application/json');
    expect(res.status).toBe(200);
    const said = bot.logs.map((l) => JSON.parse(l)).find((l) => /holds back/.test(l.msg));
    expect(said).toMatchObject({ level: 40 });
    const modal = `payload=${encodeURIComponent(JSON.stringify({ type: 'view_closed', view: { id: 'V1' } }))}`;
    expect((await sendSigned(bot.endpoint, modal, 'application/x-www-form-urlencoded')).status).toBe(200);
    await bot.settled();
    expect(bot.fake.posted()).toEqual([]);
  });
});

describe('what Slack people type or are called, and the files they share', () => {
  let bot: SlackBot;
  beforeEach(async () => {
    bot = await slackBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  async function send(): Promise<void> {
    const preview = bot.fake.posted().at(-1)!;
    await sendSigned(bot.endpoint, buttonClick(preview, 'send'), 'application/x-www-form-urlencoded');
    await bot.settled();
  }

  it('drops escape sequences, control and bidi characters from the preview and the ticket', async () => {
    bot.fake.addUser('UMALLORY', 'Mallory \u202etrebor\u202c \u001b[31m');
    const text = `\u001b]8;;https://evil.example\u0007${INCIDENT}\u001b]8;;\u0007 \u009b2J exe.\u202egpj`;
    await bot.event(directMessage(text, { user: 'UMALLORY', channel: 'D0MALLORY' }));
    await bot.settled();
    const preview = bot.fake.posted().at(-1);
    expect(JSON.stringify(preview)).not.toMatch(INVISIBLE);
    expect(shown(preview)).toContain('Geboortedatum ongeldig');
    await send();
    const [ticket] = await bot.tickets.list();
    expect(JSON.stringify(ticket)).not.toMatch(INVISIBLE);
    expect(ticket?.draft.requester.name).toBe('Mallory trebor');
  });

  it('keeps a file for what its bytes are: a JPEG named .png becomes .jpg, a web page named .png is linked only', async () => {
    const jpeg = bot.fake.addFile('scherm.png', 'image/png', JPEG);
    const page = bot.fake.addFile('foto.png', 'image/png', HTML);
    await bot.event(directMessage(INCIDENT, { files: [jpeg, page] }));
    await bot.settled();
    expect(bot.fake.downloads).toHaveLength(2);
    await send();
    const [ticket] = await bot.tickets.list();
    const [photo, ...rest] = ticket?.draft.attachments ?? [];
    expect(photo).toMatchObject({ name: 'scherm.jpg', contentType: 'image/jpeg', size: JPEG.byteLength });
    expect(Buffer.from((await new FileBlobStore(bot.dataDir).get(photo!.ref!)) ?? [])).toEqual(Buffer.from(JPEG));
    // The page is not attached as an image: the person hears it is left out (its type is not taken).
    expect(rest.filter((a) => a.ref !== undefined)).toEqual([]);
    expect(bot.logs.join('')).toContain('text/html where image/png was announced');
  });

  it('sends the token over HTTPS only, to Slack hosts', async () => {
    const { log, lines } = memoryLog();
    const client = new webApi.WebClient(BOT_TOKEN, {
      slackApiUrl: 'http://127.0.0.1:9/api/',
      retryConfig: { retries: 0 },
    });
    const options = {
      client,
      token: BOT_TOKEN,
      blobs: new FileBlobStore(tempDir()),
      tokenHosts: (host: string) => /(^|\.)slack\.com$/.test(host),
      maxBytes: 1024,
      log,
    };
    const files = [
      { id: 'F1', name: 'a.png', url_private: 'http://files.slack.com/files-pri/T1-F1/a.png' },
      { id: 'F2', name: 'b.png', url_private: 'https://files.slack.com.evil.example/b.png' },
    ];
    const attached = await fetchAttachments(files, options);
    expect(attached.map((a) => a.ref)).toEqual([undefined, undefined]);
    expect(lines.join('')).not.toContain('file download failed');
    expect(lines.filter((l) => l.includes('not on a Slack host'))).toHaveLength(2);
  });
});
