import { describe, expect, it } from 'vitest';
import { createSink } from '../adapters/tickets/factory.ts';
import { isValidWebhook, signWebhook } from '../adapters/tickets/webhook/sink.ts';
import { validateConfig } from '../core/config/validate.ts';
import { tempDir } from './helpers.ts';
import {
  draftFor,
  emailFixture,
  freshdeskFixture,
  jiraFixture,
  PNG,
  topdeskFixture,
  webhookFixture,
  withTickets,
} from './tickets/fixtures.ts';

describe('email adapter (real SMTP server on loopback)', () => {
  it('sends a well-formed mail: kind and title in the subject, text and escaped HTML, screenshot, Reply-To the person', async () => {
    const fx = await emailFixture();
    try {
      const draft = await draftFor(fx.blobs, 'm1#1', {
        urgent: true,
        priority: 'high',
        description: 'Het scherm toont <script>alert("x")</script> & daarna niets',
      });
      const ticket = await fx.sink.create(draft);
      expect(ticket.id).toMatch(/^HD-[0-9A-HJKMNP-TV-Z]{8}$/);
      const [mail] = fx.smtp.mails;
      expect(mail?.subject).toBe(`[${ticket.id}] DRINGEND: Storing: [AKW] Rapporten: lege pdf bij afdrukken`);
      expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe('helpdesk@academiesoftware.example');
      expect(mail?.replyTo?.value[0]).toMatchObject({ address: 'an@academy.example', name: 'An Peeters' });
      expect(mail?.text).toContain('<script>alert("x")</script> & daarna niets');
      expect(mail?.text).toContain('Leerling: Lotte Peeters');
      expect(mail?.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; daarna niets');
      expect(mail?.html).not.toContain('<script>');
      expect(mail?.headers.get('priority')).toBe('high');
      expect(mail?.attachments.map((a) => [a.filename, a.contentType, a.content.length])).toEqual([
        ['scherm.png', 'image/png', PNG.byteLength],
      ]);
    } finally {
      await fx.close();
    }
  });

  it('a wrong SMTP password is a configuration problem, not a retry', async () => {
    const fx = await emailFixture();
    try {
      const config = withTickets({
        adapter: 'email',
        email: { to: 'h@x.example', from: 'b@x.example', host: '127.0.0.1', port: fx.smtp.port, require_tls: false },
      });
      const wrong = createSink(config, {
        dataDir: fx.dataDir,
        env: { TRIAGE_SMTP_USER: 'bot', TRIAGE_SMTP_PASSWORD: 'wrong' },
      });
      await expect(wrong.create(await draftFor(fx.blobs, 'm2#1'))).rejects.toMatchObject({
        code: 'AUTH',
        retryable: false,
      });
      await wrong.close?.();
    } finally {
      await fx.close();
    }
  });
});

describe('webhook adapter', () => {
  it('signs method, path, body and time; a receiver refuses a wrong secret or an old timestamp', async () => {
    const now = 1_800_000_000_000;
    const ts = now / 1000;
    const signed = { timestamp: String(ts), method: 'POST', path: '/hook', body: '{"a":1}' };
    const signature = signWebhook('s3cret', ts, 'POST', '/hook', '{"a":1}');
    expect(isValidWebhook('s3cret', { ...signed, signature }, now)).toBe(true);
    expect(isValidWebhook('other', { ...signed, signature }, now)).toBe(false);
    expect(isValidWebhook('s3cret', { ...signed, body: '{"a":2}', signature }, now)).toBe(false);
    expect(isValidWebhook('s3cret', { ...signed, signature }, now + 301_000)).toBe(false);
    const fx = await webhookFixture();
    try {
      const wrong = createSink(withTickets({ adapter: 'webhook', webhook: { url: `${fx.receiver.http.url}/hook` } }), {
        dataDir: fx.dataDir,
        env: { TRIAGE_WEBHOOK_SECRET: 'not-the-secret' },
      });
      await expect(wrong.create(await draftFor(fx.blobs, 'w1#1'))).rejects.toMatchObject({ code: 'AUTH' });
      const t = await fx.sink.create(await draftFor(fx.blobs, 'w1#1'));
      expect(t).toEqual({ id: 'WH-1', url: `${fx.receiver.http.url}/tickets/WH-1` });
      expect(fx.receiver.tickets[0]?.body.ticket).toMatchObject({
        kind: 'incident',
        priority: 'normal',
        slots: { academy: 'AKW' },
      });
    } finally {
      await fx.close();
    }
  });
});

describe('SaaS adapters map kinds, urgency and details as configured', () => {
  it('freshdesk: type per kind, priority, source chat, tags with the external reference, custom fields, multipart', async () => {
    const fx = await freshdeskFixture();
    try {
      await fx.sink.create(await draftFor(fx.blobs, 'f1#1', { urgent: true, priority: 'high' }));
      await fx.sink.create(
        await draftFor(fx.blobs, 'f1#2', { label: 'question', attachments: [], requester: { id: 'U9' }, slots: {} }),
      );
      const [incident, question] = fx.fake.tickets;
      expect(incident).toMatchObject({
        type: 'Incident',
        priority: 3,
        source: 7,
        status: 2,
        email: 'an@academy.example',
        custom_fields: { cf_academy: 'AKW' },
      });
      expect(incident?.tags[0]).toBe('triage-bot');
      expect(incident?.tags[1]).toMatch(/^triage[0-9a-f]{24}$/);
      expect(incident?.attachments).toEqual([{ name: 'scherm.png', content_type: 'image/png', size: PNG.byteLength }]);
      expect(question).toMatchObject({ type: 'Question', priority: 2, unique_external_id: 'triage:U9', name: 'U9' });
      expect(incident?.description).not.toContain('<script');
    } finally {
      await fx.close();
    }
  });

  it("freshdesk: a type the account does not have is refused for good with Freshdesk's reason", async () => {
    const fx = await freshdeskFixture();
    try {
      const config = withTickets({
        adapter: 'freshdesk',
        freshdesk: { url: fx.fake.http.url, types: { incident: 'Storing' } },
      });
      const sink = createSink(config, {
        dataDir: fx.dataDir,
        blobs: fx.blobs,
        env: { FRESHDESK_API_KEY: fx.fake.apiKey },
      });
      await expect(sink.create(await draftFor(fx.blobs, 'f2#1'))).rejects.toMatchObject({
        code: 'REJECTED',
        message: expect.stringContaining('It should be one of these values'),
      });
    } finally {
      await fx.close();
    }
  });

  it('jira: request type per kind, summary without newlines, custom field, attachments via temporary files', async () => {
    const fx = await jiraFixture();
    try {
      const t = await fx.sink.create(
        await draftFor(fx.blobs, 'j1#1', {
          label: 'change',
          title: 'Nieuwe\nexport',
          description: 'Graag {color:red}rood{color} en [klik hier|http://evil.example] *vet*',
        }),
      );
      expect(t).toEqual({ id: 'HELP-1', url: `${fx.fake.http.url}/servicedesk/customer/portal/1/HELP-1` });
      const [r] = fx.fake.requests;
      expect(r).toMatchObject({ requestTypeId: '13', attachments: ['scherm.png'] });
      expect(r?.fields).toMatchObject({ summary: 'Wijziging: Nieuwe export', customfield_10050: 'AKW' });
      // The description is wiki markup: labels bold, what the person typed shown as typed.
      expect(r?.fields.description).toContain('*Beschrijving:*');
      expect(r?.fields.description).toContain(
        'Graag \\{color:red\\}rood\\{color\\} en \\[klik hier\\|http://evil.example\\] \\*vet\\*',
      );
    } finally {
      await fx.close();
    }
  });

  it('jira: request filed but its files refused: the error carries the ticket, so only the files are retried', async () => {
    const fx = await jiraFixture();
    try {
      const draft = await draftFor(fx.blobs, 'j2#1');
      const original = fx.fake.http;
      let posts = 0;
      const fault = () => {
        // Let the request through; the temporary file upload (the second POST) meets a 503.
        if (++posts === 2) original.fail(1, { status: 503 });
      };
      const sink = fx.sink;
      const wrapped = new Proxy(globalThis.fetch, {
        apply(target, self, args: Parameters<typeof fetch>) {
          if ((args[1]?.method ?? 'GET') === 'POST') fault();
          return Reflect.apply(target, self, args);
        },
      });
      const config = withTickets({
        adapter: 'jira',
        jira: {
          url: original.url,
          service_desk_id: 1,
          request_types: { question: 11, incident: 12, change: 13, complaint: 14 },
        },
      });
      const jira = createSink(config, {
        dataDir: fx.dataDir,
        blobs: fx.blobs,
        fetch: wrapped,
        env: { JIRA_EMAIL: fx.fake.email, JIRA_API_TOKEN: fx.fake.token },
      });
      const error = await jira.create(draft).catch((e) => e);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, options: { filed: { id: 'HELP-1' } } });
      await jira.addAttachments({ id: 'HELP-1' }, draft);
      expect(fx.fake.requests.map((r) => [r.key, r.attachments])).toEqual([['HELP-1', ['scherm.png']]]);
      expect(sink.dedupe).toBe('lookup');
      expect(jira.dedupe).toBe('none');
    } finally {
      await fx.close();
    }
  });

  it('topdesk: caller found by e-mail, unregistered caller otherwise; category per kind; external number', async () => {
    const fx = await topdeskFixture();
    try {
      const t = await fx.sink.create(await draftFor(fx.blobs, 't1#1'));
      expect(t.id).toBe('I 2611 001');
      await fx.sink.create(
        await draftFor(fx.blobs, 't1#2', { label: 'question', requester: { id: 'U7', name: 'Bert' }, slots: {} }),
      );
      const [a, b] = fx.fake.incidents;
      expect(a?.body).toMatchObject({
        callerLookup: { id: fx.fake.persons[0]!.id },
        category: { name: 'Storing' },
        optionalFields1: { text1: 'AKW' },
      });
      expect(String(a?.body.briefDescription).length).toBeLessThanOrEqual(80);
      expect(a?.body.externalNumber).toMatch(/^triage[0-9a-f]{24}$/);
      expect(a?.attachments).toEqual(['scherm.png']);
      expect(b?.body).toMatchObject({ caller: { dynamicName: 'Bert' }, category: { name: 'Vraag' } });
    } finally {
      await fx.close();
    }
  });
});

describe('ticket configuration', () => {
  it('defaults to the local store; an adapter without its section, or a secret in place of a variable name, is refused', () => {
    expect(withTickets(undefined).tickets).toMatchObject({
      adapter: 'local',
      delivery: { wait_seconds: 4, max_attempts: 12 },
    });
    const base = { ...withTickets(undefined) } as Record<string, unknown>;
    const bad = validateConfig({ ...base, tickets: { adapter: 'jira' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.path)).toContain('tickets.jira');
    const secret = validateConfig({
      ...base,
      tickets: { adapter: 'webhook', webhook: { url: 'https://x.example/hook', secret_env: 'sk_live_abc123!' } },
    });
    expect(secret.ok).toBe(false);
    if (!secret.ok) expect(secret.problems[0]).toMatchObject({ path: 'tickets.webhook.secret_env' });
  });

  it('a missing secret stops the sink from being built, naming the variable and never a value', () => {
    const config = withTickets({ adapter: 'freshdesk', freshdesk: { url: 'https://acme.freshdesk.com' } });
    expect(() => createSink(config, { dataDir: tempDir(), env: {} })).toThrow(/FRESHDESK_API_KEY is not set/);
  });
});
