import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../adapters/files/blobs.ts';
import { PAGE_TEXTS } from '../bots/web/texts.ts';
import { createCore } from '../core/engine.ts';
import { withTickets } from './tickets/fixtures.ts';
import { readEvents, Visitor, type WebBot, webBot } from './web/harness.ts';

// The web chat over plain HTTP, on the server as `npm start` runs it: sessions, turns, files, late news,
// and what it refuses. The browser tests (web-browser.test.ts) drive the page itself.

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7, 7, 1, 2, 3, 4]);
const COMPLETE_INCIDENT =
  'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast';

/** The conversation a visitor's session names (the session id is inside the signed cookie). */
function conversationOf(visitor: Visitor): string {
  const body = visitor.cookie.split('=')[1]!.split('.')[0]!;
  return `web:${JSON.parse(Buffer.from(body, 'base64url').toString()).sid}`;
}

describe('the web chat over HTTP', () => {
  let bot: WebBot;
  beforeAll(async () => {
    bot = await webBot();
  });
  afterAll(async () => {
    await bot.close();
  });

  it('serves the page and its files with a strict content policy, and page texts in nl, fr and en alike', async () => {
    const page = await fetch(`${bot.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script src="/web/chat.js" defer></script>');
    // No inline script: the policy would block it, and none is needed.
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    const js = await fetch(`${bot.url}/web/chat.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await js.text();
    // Whatever a person or the bot wrote is put on the page as text.
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await fetch(`${bot.url}/web/chat.css`)).status).toBe(200);
    const texts = (await (await fetch(`${bot.url}/web/texts.json`)).json()) as typeof PAGE_TEXTS;
    expect(texts).toEqual(PAGE_TEXTS);
    expect(Object.keys(texts)).toEqual(['nl', 'fr', 'en']);
    expect(Object.keys(texts.fr).sort()).toEqual(Object.keys(texts.nl).sort());
    expect(Object.keys(texts.en).sort()).toEqual(Object.keys(texts.nl).sort());
    // Every text the page names has its words.
    for (const key of html.matchAll(/data-text="(\w+)"/g)) expect(texts.nl[key[1]!]).toBeTruthy();
  });

  it('opens a session from the form: a signed HttpOnly SameSite cookie, the welcome in the language asked', async () => {
    const visitor = new Visitor(bot.url);
    const opened = await visitor.open({ name: '  Sofie   Peeters ', email: 'sofie@klankkast.example', lang: 'fr' });
    expect(opened.status).toBe(200);
    expect(opened.setCookie).toMatch(/HttpOnly/);
    expect(opened.setCookie).toMatch(/SameSite=Strict/);
    expect(opened.body.welcome).toMatch(/^Bonjour/);
    const again = await fetch(`${bot.url}/web/session`, { headers: { cookie: visitor.cookie } });
    expect(await again.json()).toMatchObject({ name: 'Sofie Peeters', lang: 'fr', csrf: visitor.csrf });
    // Dutch when the browser asked for none of the three.
    expect((await new Visitor(bot.url).open({ name: 'Jan', email: 'jan@x.example', lang: 'de' })).body.lang).toBe('nl');
  });

  it('refuses a session without a name, with a wrong e-mail, or from another origin', async () => {
    const v = new Visitor(bot.url);
    expect((await v.open({ name: '', email: 'a@b.example' })).status).toBe(400);
    expect((await v.open({ name: 'An', email: 'not-an-address' })).status).toBe(400);
    expect((await v.open({ name: 'An', email: '<script>@x.example' })).status).toBe(400);
    const foreign = await fetch(`${bot.url}/web/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ name: 'An', email: 'an@x.example' }),
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
  });

  it('a person files a ticket with an uploaded screenshot: preview with Send/Edit, then the number', async () => {
    const visitor = new Visitor(bot.url);
    await visitor.open();
    const file = await visitor.upload(PNG);
    expect(file.status).toBe(200);
    expect(file.body).toMatchObject({ name: 'scherm.png', contentType: 'image/png', size: PNG.byteLength });
    const first = await visitor.say({ text: COMPLETE_INCIDENT, attachments: [file.body] });
    expect(first.status).toBe(200);
    const preview = first.body.replies.find((r) => r.preview);
    expect(preview?.choices?.map((c) => c.value)).toEqual(['send', 'edit']);
    expect(JSON.stringify(preview?.preview)).toContain('scherm.png');
    expect(await bot.tickets.list()).toHaveLength(0);

    const sent = await visitor.say({ text: '', choice: 'send' });
    expect(sent.status).toBe(200);
    expect(sent.body.tickets.map((t) => t.id)).toEqual(['HD-000001']);
    expect(sent.body.replies.map((r) => r.text).join('\n')).toContain('HD-000001');
    const [ticket] = await bot.tickets.list();
    expect(ticket?.draft.requester).toMatchObject({ name: 'Sofie Peeters', email: 'sofie@klankkast.example' });
    const attachment = ticket!.draft.attachments[0]!;
    expect(attachment).toMatchObject({ name: 'scherm.png', contentType: 'image/png' });
    // The bytes went through the file store, as Slack's and Teams' files do.
    expect(await new FileBlobStore(bot.dataDir).get(attachment.ref!)).toEqual(Buffer.from(PNG));
  });

  it('refuses changes without the CSRF token, from another origin, without a session, with a file of another session', async () => {
    const visitor = new Visitor(bot.url);
    await visitor.open({ name: 'Eva', email: 'eva@x.example' });
    const other = new Visitor(bot.url);
    await other.open({ name: 'Mallory', email: 'mallory@x.example' });
    const theirs = (await other.upload(PNG)).body;
    const before = (await bot.tickets.list()).length;
    expect((await visitor.say({ text: 'Het programma crasht' }, { 'x-csrf-token': '' })).status).toBe(403);
    expect((await visitor.say({ text: 'Het programma crasht' }, { 'x-csrf-token': other.csrf })).status).toBe(403);
    expect((await visitor.say({ text: 'Het programma crasht' }, { origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await visitor.say({ text: 'Het programma crasht' }, { cookie: '' })).status).toBe(401);
    expect((await visitor.say({ text: 'Het programma crasht' }, { cookie: `${visitor.cookie}x` })).status).toBe(401);
    expect((await visitor.say({ text: 'Het programma crasht', attachments: [theirs] })).status).toBe(400);
    // A form post (no JSON) is not taken, even from this origin.
    expect((await visitor.say({ text: 'x' }, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await visitor.upload(PNG, 'text/html', 'x.html')).status).toBe(415);
    expect((await bot.tickets.list()).length).toBe(before);
    expect(bot.logs.some((l) => l.includes('cross-origin request refused'))).toBe(true);
  });

  it('takes screenshots over the 1 MiB of other routes (up to 10 MB), and refuses larger at once', async () => {
    const visitor = new Visitor(bot.url);
    await visitor.open({ name: 'Lien', email: 'lien@x.example' });
    const big = new Uint8Array(2 * 1024 * 1024);
    big.set(PNG);
    expect((await visitor.upload(big)).status).toBe(200);
    expect((await visitor.upload(new Uint8Array(11 * 1024 * 1024))).status).toBe(413);
  });

  it('limits the messages of one requester (429 with Retry-After), not those of another', async () => {
    const visitor = new Visitor(bot.url);
    await visitor.open({ name: 'Snel', email: 'snel@x.example' });
    const answers = await Promise.all(Array.from({ length: 15 }, () => visitor.say({ text: 'hallo' })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const calm = new Visitor(bot.url);
    await calm.open({ name: 'Kalm', email: 'kalm@x.example' });
    expect((await calm.say({ text: 'hallo' })).status).toBe(200);
  });

  it('pushes late news over server-sent events, and keeps what came while the page was away', async () => {
    const visitor = new Visitor(bot.url);
    await visitor.open({ name: 'Tom', email: 'tom@x.example' });
    const conversation = conversationOf(visitor);
    // While away: kept for the next connection.
    await bot.web.notify(conversation, [{ text: 'Uw ticket heeft nummer HD-000042.' }]);
    const live = await readEvents(
      bot.url,
      visitor.cookie,
      (events) => events.length >= 2,
      () => bot.web.notify(conversation, [{ text: 'Agent Lies: <b>ik</b> kijk even mee.' }]),
    );
    expect(live.map((e) => e.event)).toEqual(['news', 'news']);
    expect(live.map((e) => (e.data as { replies: { text: string }[] }).replies[0]!.text)).toEqual([
      'Uw ticket heeft nummer HD-000042.',
      'Agent Lies: <b>ik</b> kijk even mee.',
    ]);
    expect((await fetch(`${bot.url}/web/events`)).status).toBe(401);
  });
});

describe('the web chat with a slow helpdesk', () => {
  it('says the number follows, then pushes it over server-sent events when the helpdesk answers', async () => {
    // A webhook helpdesk that takes longer to answer than a turn waits for it.
    const helpdesk = createServer((req, res) => {
      req.resume();
      setTimeout(() => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'WH-77' }));
      }, 700);
    });
    await new Promise<void>((resolve) => helpdesk.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(helpdesk.address() as AddressInfo).port}/hook`;
    const core = createCore(withTickets({ adapter: 'webhook', webhook: { url }, delivery: { wait_seconds: 0.1 } }));
    // The ticket system's secrets are read from the process environment (serve's `env` is the channels').
    process.env.TRIAGE_WEBHOOK_SECRET = 'webhook-secret';
    const bot = await webBot({}, core);
    try {
      const visitor = new Visitor(bot.url);
      await visitor.open();
      let sent: Awaited<ReturnType<Visitor['say']>> | undefined;
      const events = await readEvents(
        bot.url,
        visitor.cookie,
        (all) => JSON.stringify(all).includes('WH-77'),
        async () => {
          await visitor.say({ text: COMPLETE_INCIDENT });
          sent = await visitor.say({ text: '', choice: 'send' });
        },
      );
      expect(sent?.status).toBe(200);
      expect(sent?.body.tickets).toEqual([]);
      expect(sent?.body.replies.map((r) => r.text).join('\n')).not.toContain('WH-77');
      expect(events.at(-1)?.event).toBe('news');
      expect(JSON.stringify(events.at(-1)?.data)).toContain('WH-77');
    } finally {
      delete process.env.TRIAGE_WEBHOOK_SECRET;
      await bot.close();
      await new Promise<void>((resolve) => helpdesk.close(() => resolve()));
    }
  }, 30_000);
});

describe('the web chat switched off', () => {
  it('WEBCHAT=off: no page, and /healthz says why', async () => {
    const bot = await webBot({ WEBCHAT: 'off' });
    try {
      expect((await fetch(`${bot.url}/`)).status).toBe(404);
      const health = (await (await fetch(`${bot.url}/healthz`)).json()) as { channels: Record<string, unknown> };
      expect(health.channels.web).toEqual({ state: 'off', reason: 'WEBCHAT=off' });
    } finally {
      await bot.close();
    }
  });
});
