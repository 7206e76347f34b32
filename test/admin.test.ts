import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileOutbox } from '../adapters/tickets/outbox/outbox.ts';
import { ticketDraft } from './tickets/fixtures.ts';
import { Visitor, type WebBot, webBot } from './web/harness.ts';

// The admin console's API over real HTTP on the real server (`serve`): who gets in, and what each
// section answers. The page itself is driven in a real Chromium in admin-browser.test.ts.

const TOKEN = 'admin-token-for-the-tests-0123456789';

async function call(
  bot: WebBot,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${bot.url}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: {
      ...(init.body ? { 'content-type': 'application/json', origin: bot.url } : {}),
      ...init.headers,
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { html: text };
  }
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read loosely by the assertions
  return { status: res.status, body: body as Record<string, any>, headers: res.headers };
}

describe('the admin console with ADMIN_TOKEN set', () => {
  let bot: WebBot;
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    bot = await webBot({ ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => bot?.close());

  it('says in the log how the console is reached', () => {
    expect(bot.logs.some((l) => l.includes('admin console') && l.includes('ADMIN_TOKEN required'))).toBe(true);
  });

  it('no page and no data without the token (401), a wrong one neither; with it, everything', async () => {
    const page = await call(bot, '/admin');
    expect(page.status).toBe(401);
    expect(page.body.html).toContain('Admin token');
    expect(page.body.html).not.toContain('admin.js');
    for (const path of ['/admin/api/status', '/admin/api/conversations', '/admin/api/tickets', '/admin/api/config'])
      expect((await call(bot, path)).status).toBe(401);
    expect((await call(bot, '/admin/api/status', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await call(bot, '/admin/api/try', { body: { text: 'Het programma crasht' } })).status).toBe(401);
    const ok = await call(bot, '/admin/api/status', { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ profile: 'academy', version: 1, access: 'token', personalData: 'masked' });
    expect((await call(bot, '/admin', { headers: auth })).body.html).toContain('/admin/admin.js');
  });

  it('the login form sets a cookie that opens the console; a wrong token goes back to the form', async () => {
    const form = (token: string) =>
      fetch(`${bot.url}/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: bot.url },
        body: `token=${encodeURIComponent(token)}`,
        redirect: 'manual',
      });
    const wrong = await form('guess');
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/admin?wrong');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const right = await form(TOKEN);
    expect(right.status).toBe(303);
    const cookie = (right.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(right.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await call(bot, '/admin/api/status', { headers: { cookie } })).status).toBe(200);
    const forged = `${cookie.split('.')[0]}.AAAA`;
    expect((await call(bot, '/admin/api/status', { headers: { cookie: forged } })).status).toBe(401);
  });

  it('a change from another origin or not as JSON is refused, even with the token', async () => {
    const res = await fetch(`${bot.url}/admin/api/reload`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    const plain = await fetch(`${bot.url}/admin/api/reload`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain', origin: bot.url },
      body: '{}',
    });
    expect(plain.status).toBe(403);
  });

  it('try a sentence: kind, confidence, the deciding words, the details, the next question, per profile; nothing filed', async () => {
    const text =
      'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig".';
    const { status, body } = await call(bot, '/admin/api/try', { body: { text, profile: 'academy' }, headers: auth });
    expect(status).toBe(200);
    expect(body.label).toBe('incident');
    expect(body.confidence).toBeGreaterThan(0);
    expect(body.reasons.length).toBeGreaterThan(0);
    expect(body.slots).toMatchObject({ student: 'Mila Jacobs', error_message: 'Geboortedatum ongeldig' });
    expect(body.next.replies.length).toBeGreaterThan(0);
    expect(body.next.awaiting).toBeTruthy();
    const site = await call(bot, '/admin/api/try', {
      body: { text: 'De pagina van onze site laadt niet meer', profile: 'site' },
      headers: auth,
    });
    expect(site.status).toBe(200);
    expect(site.body.profile).toBe('site');
    expect((await call(bot, '/admin/api/try', { body: { text: 'x', profile: 'nope' }, headers: auth })).status).toBe(
      400,
    );
    expect(await bot.tickets.list()).toHaveLength(0);
  }, 60_000);

  it('evaluation: a shipped file gives the confusion matrix, F1 per kind, the reliability bins and the misread lines', async () => {
    const files = await call(bot, '/admin/api/eval/files', { headers: auth });
    expect(files.body.files).toContain('holdout.jsonl');
    const { status, body } = await call(bot, '/admin/api/eval', { body: { file: 'holdout.jsonl' }, headers: auth });
    expect(status).toBe(200);
    expect(body.n).toBe(200);
    expect(Object.keys(body.confusion)).toContain('incident');
    expect(body.perLabel.incident.f1).toBeGreaterThan(0.5);
    expect(body.reliability.length).toBeGreaterThan(0);
    expect(Array.isArray(body.misclassified)).toBe(true);
    const bad = await call(bot, '/admin/api/eval', {
      body: { jsonl: '{"id":"a","text":"x","label":"nonsense"}', name: 'mine.jsonl' },
      headers: auth,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^mine\.jsonl:1: label/);
    const uploaded = await call(bot, '/admin/api/eval', {
      body: {
        jsonl: '{"id":"u1","text":"Het programma crasht telkens bij het opslaan.","label":"incident"}\n',
        name: 'mine.jsonl',
      },
      headers: auth,
    });
    expect(uploaded.body).toMatchObject({ n: 1, source: 'mine.jsonl' });
    expect((await call(bot, '/admin/api/eval', { body: { file: '../../package.json' }, headers: auth })).status).toBe(
      404,
    );
  }, 60_000);

  it('configuration: shown with its secrets masked; an invalid edit lists every problem by path and saves nothing', async () => {
    const view = await call(bot, '/admin/api/config', { headers: auth });
    expect(view.body.overlayText).toContain(`extends: ${view.body.base}`);
    expect(view.body.yaml).toContain('profile: academy');
    const invalid = `extends: ${view.body.base}\nmessages:\n  welcome:\n    nl: 42\nclassifier:\n  ask_threshold: 7\nnot_a_key: 1\n`;
    const checked = await call(bot, '/admin/api/config/validate', { body: { yaml: invalid }, headers: auth });
    expect(checked.body.ok).toBe(false);
    const paths = checked.body.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['messages.welcome.nl', 'classifier.ask_threshold']));
    expect(checked.body.problems.some((p: { message: string }) => p.message.includes('not_a_key'))).toBe(true);
    const saved = await call(bot, '/admin/api/config/save', { body: { yaml: invalid }, headers: auth });
    expect(saved.status).toBe(422);
    expect((await call(bot, '/admin/api/status', { headers: auth })).body.version).toBe(1);
    const broken = await call(bot, '/admin/api/config/validate', { body: { yaml: 'a: [' }, headers: auth });
    expect(broken.body.problems[0].path).toMatch(/^\(your edit\):1:/);
  });

  it('tickets and the outbox: list, filter, show with attachments (personal data masked), retry a dead letter', async () => {
    const visitor = new Visitor(bot.url);
    await visitor.open({ name: 'Sofie Peeters', email: 'sofie@klankkast.example' });
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
      'base64',
    );
    const file = (await visitor.upload(png)).body;
    const first = await visitor.say({
      text: 'Bij het openen van de leerlingenfiche van Mila Jacobs krijg ik de foutmelding "Geboortedatum ongeldig". Academie De Klankkast',
      attachments: [file],
    });
    const send = first.body.replies
      .flatMap((r) => r.choices ?? [])
      .find((c) => /send|versturen/i.test(c.value + c.label));
    expect(send).toBeDefined();
    const filed = await visitor.say({ choice: send!.value });
    const id = filed.body.tickets[0]!.id;

    const list = await call(bot, '/admin/api/tickets?q=incident', { headers: auth });
    expect(list.body.tickets.map((t: { id: string }) => t.id)).toContain(id);
    expect((await call(bot, '/admin/api/tickets?q=nothing-matches-this', { headers: auth })).body.tickets).toEqual([]);
    const shown = await call(bot, `/admin/api/tickets/${id}`, { headers: auth });
    expect(shown.body.attachments).toHaveLength(1);
    expect(JSON.stringify(shown.body)).not.toContain('Mila Jacobs');
    expect(JSON.stringify(shown.body)).not.toContain('Sofie');
    const bytes = await fetch(`${bot.url}/admin/api/files/${shown.body.attachments[0].ref}?type=image/png`, {
      headers: auth,
    });
    expect(bytes.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(png);
    expect((await fetch(`${bot.url}/admin/api/files/${shown.body.attachments[0].ref}`)).status).toBe(401);

    // The conversation, masked.
    const conversations = await call(bot, '/admin/api/conversations', { headers: auth });
    const row = conversations.body.conversations[0];
    expect(row.id).toMatch(/^web:/);
    const transcript = await call(bot, `/admin/api/conversation?id=${encodeURIComponent(row.id)}`, { headers: auth });
    const text = transcript.body.transcript.map((l: { text: string }) => l.text).join('\n');
    expect(text).toContain('Geboortedatum ongeldig');
    expect(text).not.toContain('Mila Jacobs');

    // A dead letter in the outbox the server uses, sent again from the console.
    const outbox = fileOutbox(bot.dataDir);
    const { entry } = await outbox.put(
      ticketDraft({ idempotencyKey: 'dead-1', title: 'Rapport leeg' }),
      'local',
      Date.now(),
    );
    await outbox.update(
      entry.key,
      (e) => ({
        ...e,
        state: 'dead',
        attempts: 8,
        lastError: { code: 'HTTP_500', message: 'down', at: new Date().toISOString() },
      }),
      Date.now(),
    );
    const boxed = await call(bot, '/admin/api/outbox', { headers: auth });
    expect(boxed.body.dead).toBe(1);
    const retried = await call(bot, '/admin/api/outbox/retry', { body: { key: entry.key }, headers: auth });
    expect(retried.body).toMatchObject({ key: entry.key, state: 'pending' });
    expect((await call(bot, '/admin/api/outbox/retry', { body: { key: entry.key }, headers: auth })).status).toBe(409);
    await outbox.close();
  }, 60_000);
});

describe('the admin console without ADMIN_TOKEN', () => {
  it('answers this machine, and says in the log it is this machine only', async () => {
    const bot = await webBot();
    try {
      expect((await call(bot, '/admin/api/status')).body).toMatchObject({ access: 'loopback' });
      expect((await call(bot, '/admin')).status).toBe(200);
      expect(bot.logs.some((l) => l.includes('callers on this machine only'))).toBe(true);
    } finally {
      await bot.close();
    }
  });
});
