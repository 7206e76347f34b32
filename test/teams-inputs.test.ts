import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { LocalTicketStore } from '../adapters/tickets/local/store.ts';
import { serve } from '../bots/server/main.ts';
import { fileUrlAllowed } from '../bots/teams/files.ts';
import { isLocalUrl, localRefusal } from '../bots/teams/local.ts';
import { NO_APP_ID } from '../bots/teams/settings.ts';
import type { TicketDraft } from '../core/types.ts';
import { shippedCore, tempDir } from './helpers.ts';
import { memoryLog } from './slack/harness.ts';
import { buttons, shown, type TeamsBot, teamsBot } from './teams/harness.ts';
import { cardSubmit, personalMessage, SOFIE } from './teams/requests.ts';

// What Teams hands the bot, trusted no further than it must be: local mode only when asked for and only
// from this machine, files only from Teams' and SharePoint's hosts and only for what their bytes are,
// no control or bidi characters and no Markdown of the person's in what is stored or shown. Driven
// through the real server on loopback with Bot Framework activities and the fake Bot Connector.

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 1, 2, 3, 4]);
const HTML = new TextEncoder().encode('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>');
const INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

/** Anything a terminal or a renderer would act on instead of showing. */
// biome-ignore lint/complexity/useRegexLiterals: as a literal it would be flagged for its control characters
const INVISIBLE = new RegExp('[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]');

/** A plain HTTP server on loopback that records what reached it (a service that must stay unreachable). */
async function internalService(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

/** A reverse proxy on this machine in front of the bot, adding X-Forwarded-For as proxies do. */
async function reverseProxy(target: string): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: to.host, 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** POST JSON with exactly these headers (fetch would not let a test set Host). */
function postRaw(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('Teams local mode is asked for, never the default', () => {
  it('is off on a machine without settings: /healthz and the log say why and how to turn it on', async () => {
    const { lines, log } = memoryLog();
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, env: {}, log });
    try {
      const health = await (await fetch(`${running.url}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', channels: { teams: { state: 'off', reason: NO_APP_ID } } });
      const off = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'teams is off');
      expect(off?.reason).toMatch(/TEAMS_LOCAL_MODE=1/);
      // Nothing to serve to other machines: the port stays on this one.
      expect(new URL(running.url).hostname).toBe('127.0.0.1');
      const body = JSON.stringify(personalMessage('http://127.0.0.1:9/', INCIDENT));
      const res = await fetch(`${running.url}/api/messages`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(404);
    } finally {
      await running.close();
    }
  });

  it('says in the log that requests are not authenticated when TEAMS_LOCAL_MODE=1', async () => {
    const { lines, log } = memoryLog();
    const env = { TEAMS_LOCAL_MODE: '1' };
    const running = await serve({ core: shippedCore(), dataDir: tempDir(), port: 0, env, log });
    try {
      const said = lines.map((l) => JSON.parse(l)).find((l) => /local mode/.test(l.msg));
      expect(said).toMatchObject({ level: 40, host: '127.0.0.1' });
      expect(said.msg).toMatch(/TEAMS_LOCAL_MODE=1.*NOT authenticated/);
    } finally {
      await running.close();
    }
  });
});

describe('Teams local mode answers this machine only', () => {
  let bot: TeamsBot;
  beforeEach(async () => {
    bot = await teamsBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('refuses activities that came through a reverse proxy on this machine (403), and sends nothing', async () => {
    const proxy = await reverseProxy(bot.url);
    try {
      const res = await fetch(`${proxy.url}/api/messages`, {
        method: 'POST',
        body: JSON.stringify(personalMessage(bot.serviceUrl, INCIDENT)),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/proxy/);
    } finally {
      await close(proxy.server);
    }
    const headers: [string, string][] = [
      ['forwarded', 'for=203.0.113.7;proto=https'],
      ['x-real-ip', '203.0.113.7'],
      ['via', '1.1 caddy'],
      ['host', 'helpdesk.example.org'],
      ['host', '127.0.0.1.nip.io'],
    ];
    for (const [name, value] of headers) {
      const status = await postRaw(`${bot.endpoint}`, personalMessage(bot.serviceUrl, INCIDENT), { [name]: value });
      expect([name, status]).toEqual([name, 403]);
    }
    await bot.settled();
    expect(bot.fake.calls).toEqual([]);
    // The same activity straight from this machine is answered.
    expect((await bot.post(personalMessage(bot.serviceUrl, INCIDENT))).status).toBe(200);
    await bot.settled();
    expect(bot.fake.sent()).toHaveLength(1);
  });

  it('replies to a serviceUrl on this machine only: an IP literal or localhost, no look-alike name', async () => {
    const port = new URL(bot.serviceUrl).port;
    for (const host of [
      '127.0.0.1.nip.io',
      'localtest.me',
      'x.localhost',
      '0.0.0.0',
      '10.0.0.1',
      'localhost.example',
    ]) {
      const res = await bot.post(personalMessage(`http://${host}:${port}/`, INCIDENT));
      expect([host, res.status]).toEqual([host, 400]);
    }
    expect(bot.fake.calls).toEqual([]);
    expect(isLocalUrl(`http://[::1]:${port}/`)).toBe(true);
    expect(isLocalUrl(`http://127.0.0.2:${port}/`)).toBe(true);
    expect(isLocalUrl(`http://localhost:${port}/`)).toBe(true);
    expect(isLocalUrl('http://[::ffff:7f00:1]/')).toBe(true);
    expect(isLocalUrl('http://[::ffff:a00:1]/')).toBe(false);
    expect(isLocalUrl('http://2130706433/')).toBe(true);
    expect(localRefusal({ remoteAddress: '::ffff:127.0.0.1', headers: { host: '[::1]:3978' } })).toBeNull();
    expect(localRefusal({ remoteAddress: '192.168.1.5', headers: { host: 'localhost:3978' } })).toMatch(/this machine/);
  });
});

describe('Teams files', () => {
  let bot: TeamsBot;
  beforeEach(async () => {
    bot = await teamsBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('fetches no file from elsewhere than the Bot Connector and Teams/SharePoint hosts; names it only', async () => {
    const internal = await internalService();
    try {
      const attachments = [
        { contentType: 'image/*', contentUrl: `${internal.url}/admin/screenshot.png` },
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'rapport.pdf',
          content: { downloadUrl: `${internal.url}/metadata`, fileType: 'pdf' },
        },
      ];
      await bot.post(personalMessage(bot.serviceUrl, INCIDENT, { attachments }));
      await bot.settled();
      expect(internal.hits).toEqual([]);
      const preview = bot.fake.sent().find((a) => buttons(a).length > 0);
      expect(shown(preview)).toContain('rapport.pdf');
      const send = buttons(preview).find((b) => b.choice === 'send')!;
      await bot.post(cardSubmit(bot.serviceUrl, preview!, send));
      await bot.settled();
      const [ticket] = await bot.tickets.list();
      // Named in the ticket, without bytes (the pasted image, of unknown type, is left out and the person told).
      expect(ticket?.draft.attachments.map((a) => [a.name, a.ref])).toEqual([['rapport.pdf', undefined]]);
      expect(JSON.stringify(bot.fake.sent())).toContain('image-1');
      expect(bot.logs.join('')).toContain('not on a Teams or SharePoint host');
    } finally {
      await close(internal.server);
    }
  });

  it('stores a pasted JPEG as image-1.jpg (image/jpeg), whatever Teams and the server call it', async () => {
    const jpeg = bot.fake.addPastedImage(JPEG, 'image/png');
    await bot.post(personalMessage(bot.serviceUrl, INCIDENT, { attachments: [jpeg] }));
    await bot.settled();
    const preview = bot.fake.sent()[0];
    expect(shown(preview)).toContain('image-1.jpg');
    expect(shown(preview)).not.toContain('image-1.png');
    await bot.post(cardSubmit(bot.serviceUrl, preview!, buttons(preview).find((b) => b.choice === 'send')!));
    await bot.settled();
    const [ticket] = await bot.tickets.list();
    const [attachment] = ticket?.draft.attachments ?? [];
    expect(attachment).toMatchObject({ name: 'image-1.jpg', contentType: 'image/jpeg', size: JPEG.byteLength });
    expect(Buffer.from((await new FileBlobStore(bot.dataDir).get(attachment!.ref!)) ?? [])).toEqual(Buffer.from(JPEG));
  });

  it('does not attach a web page served as image/png as an image: named only, no bytes kept', async () => {
    const page = bot.fake.addPastedImage(HTML, 'image/png');
    await bot.post(personalMessage(bot.serviceUrl, INCIDENT, { attachments: [page] }));
    await bot.settled();
    expect(bot.fake.downloads()).toHaveLength(1);
    expect(bot.logs.join('')).toContain('text/html where image/* was announced');
    // The person hears that this file cannot go along; the ticket goes without it.
    expect(shown(bot.fake.sent()[0])).toMatch(/image-1/);
    const preview = bot.fake.sent().find((a) => buttons(a).length > 0);
    await bot.post(cardSubmit(bot.serviceUrl, preview!, buttons(preview).find((b) => b.choice === 'send')!));
    await bot.settled();
    const [ticket] = await bot.tickets.list();
    expect(ticket?.draft.attachments).toEqual([]);
    expect(existsSync(join(bot.dataDir, 'files'))).toBe(false);
  });

  it('allows files outside local mode over HTTPS from Teams and SharePoint hosts only', () => {
    const service = 'https://smba.trafficmanager.net/emea/';
    const allowed = (url: string) => fileUrlAllowed(new URL(url), service, false);
    expect(allowed('https://smba.trafficmanager.net/emea/v3/attachments/x/views/original')).toBe(true);
    expect(allowed('https://us-api.asm.skype.com/v1/objects/x/views/imgo')).toBe(true);
    expect(allowed('https://klankkast-my.sharepoint.com/personal/sofie/_layouts/15/download.aspx?x=1')).toBe(true);
    for (const url of [
      'http://smba.trafficmanager.net/emea/v3/attachments/x',
      'https://evil.example/x.png',
      'https://sharepoint.com.evil.example/x',
      'https://127.0.0.1/x',
      'https://10.0.0.5/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest/meta-data/',
      'http://localhost:3978/x',
      'https://user:pw@klankkast.sharepoint.com/x',
      'file:///etc/passwd',
    ])
      expect([url, allowed(url)]).toEqual([url, false]);
    // In local mode the activity's own Bot Connector (on this machine) serves its files, nothing else local.
    expect(fileUrlAllowed(new URL('http://127.0.0.1:9/v3/attachments/x'), 'http://127.0.0.1:9/', true)).toBe(true);
    expect(fileUrlAllowed(new URL('http://127.0.0.1:8/secret'), 'http://127.0.0.1:9/', true)).toBe(false);
  });
});

describe('what Teams people type or are called, stored and shown', () => {
  let bot: TeamsBot;
  beforeEach(async () => {
    bot = await teamsBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it('drops escape sequences, control and bidi characters from the ticket, the preview and `tickets list`', async () => {
    bot.fake.addMember({ ...SOFIE, name: 'Sofie \u202eneeteeP\u202c', email: 'sofie@klankkast.example' });
    const text = `\u001b[2J\u001b]8;;https://evil.example\u0007${INCIDENT}\u001b]8;;\u0007 \u009b31m rood\u0007 exe.\u202egpj`;
    await bot.post(personalMessage(bot.serviceUrl, text));
    await bot.settled();
    const preview = bot.fake.sent()[0];
    expect(JSON.stringify(preview)).not.toMatch(INVISIBLE);
    expect(shown(preview)).toContain('Geboortedatum ongeldig');
    await bot.post(cardSubmit(bot.serviceUrl, preview!, buttons(preview).find((b) => b.choice === 'send')!));
    await bot.settled();
    const [ticket] = await bot.tickets.list();
    expect(JSON.stringify(ticket)).not.toMatch(INVISIBLE);
    expect(ticket?.draft.requester.name).toBe('Sofie neeteeP');

    // A ticket stored before (or by another version) is listed without them too.
    const store = new LocalTicketStore(bot.dataDir);
    await store.create({
      ...(ticket!.draft as TicketDraft),
      title: '\u001b[31mRood\u001b[0m \u202eeltit\u202c\nnext line',
      conversation: 'teams:older',
      idempotencyKey: 'older-ticket',
    });
    const listed = spawnSync(process.execPath, ['bin/triage.js', 'tickets', 'list'], {
      env: { ...process.env, TRIAGE_DATA_DIR: bot.dataDir },
      encoding: 'utf8',
    });
    expect(listed.status).toBe(0);
    expect(listed.stdout).not.toMatch(INVISIBLE);
    expect(listed.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(listed.stdout).toContain('Rood eltit next line');
    const json = spawnSync(process.execPath, ['bin/triage.js', 'tickets', 'list', '--json'], {
      env: { ...process.env, TRIAGE_DATA_DIR: bot.dataDir },
      encoding: 'utf8',
    });
    expect(json.stdout).not.toMatch(INVISIBLE);
    expect(json.stdout).toContain('\\u202e');
  });

  it("escapes Markdown in every field of the person's preview card", async () => {
    const text = INCIDENT.replace('"Geboortedatum ongeldig"', '"[Geboortedatum](https://evil.example) **ongeldig**"');
    await bot.post(personalMessage(bot.serviceUrl, text));
    await bot.settled();
    const sent = bot.fake.sent()[0] as { attachments: { content: { body: Record<string, unknown>[] } }[] };
    const card = sent.attachments[0]!.content;
    const facts = card.body.flatMap((e) => (e.type === 'FactSet' ? (e.facts as { value: string }[]) : []));
    const message = facts.find((f) => f.value.includes('Geboortedatum'));
    expect(message?.value).toContain('\\[Geboortedatum\\](https://evil.example) \\*\\*ongeldig\\*\\*');
    const blocks = card.body.filter((e) => e.type === 'TextBlock').map((e) => String(e.text));
    expect(blocks.join('\n')).not.toMatch(/(?<!\\)\[Geboortedatum(?<!\\)\]\(/);
  });
});
