import { afterEach, describe, expect, it } from 'vitest';
import { OPEN_HOURS } from './helpers.ts';
import { type SlackBot, shown, slackBot } from './slack/harness.ts';
import { channelMessage, directMessage } from './slack/requests.ts';
import { type WebBot, webBot } from './web/harness.ts';

// The browser desk's HTTP side (/desk), with no browser: who may get in (DESK_TOKEN, same origin, the
// CSRF token), and the desk across surfaces: a handoff posted on the Slack desk claimed from the
// browser redraws the Slack card, and a Slack agent's claim after it loses (one book decides).

const TOKEN = 'open-sesame-0123';

/** An agent's browser as far as HTTP goes: the desk cookie, its CSRF token, this origin. */
class Agent {
  cookie = '';
  csrf = '';
  constructor(readonly url: string) {}

  async signIn(body: Record<string, unknown>, headers: Record<string, string> = { origin: this.url }) {
    const res = await fetch(`${this.url}/desk/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { csrf?: string; id?: string; error?: string; token?: boolean };
    if (res.status === 200) {
      this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      this.csrf = answer.csrf!;
    }
    return { status: res.status, answer, setCookie: res.headers.get('set-cookie') ?? '' };
  }

  async act(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.url}/desk/act`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: this.url,
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { hints?: string[]; error?: string } };
  }

  /** The queue as the page first gets it over server-sent events. */
  async queue(): Promise<
    { conversation: string; ticket: string; agent?: { name: string }; thread: { text: string }[] }[]
  > {
    const controller = new AbortController();
    const res = await fetch(`${this.url}/desk/events`, { headers: { cookie: this.cookie }, signal: controller.signal });
    if (res.status !== 200) throw new Error(`events: ${res.status}`);
    let buffer = '';
    let data: string | undefined;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      data = /event: queue\ndata: (.*)\n\n/.exec(buffer)?.[1];
      if (data) break;
    }
    controller.abort();
    if (!data) throw new Error('no queue event');
    return JSON.parse(data).handoffs;
  }
}

describe('the browser desk over HTTP', () => {
  let web: WebBot | undefined;
  let slack: SlackBot | undefined;
  afterEach(async () => {
    await web?.close();
    await slack?.close();
    web = undefined;
    slack = undefined;
  });

  it('with DESK_TOKEN: nothing without the token, nothing from another origin or without the CSRF token', async () => {
    web = await webBot({ DESK_TOKEN: TOKEN });
    expect(web.logs.join('')).toContain('DESK_TOKEN asked at sign-in');
    const agent = new Agent(web.url);
    const who = await fetch(`${web.url}/desk/session`);
    expect(who.status).toBe(401);
    expect(await who.json()).toMatchObject({ token: true });
    expect((await fetch(`${web.url}/desk/events`)).status).toBe(401);
    expect((await agent.act({ conversation: 'web:x', act: 'claim' })).status).toBe(401);

    expect((await agent.signIn({ name: 'Lies' })).status).toBe(401);
    expect((await agent.signIn({ name: 'Lies', token: 'open-sesame-0124' })).status).toBe(401);
    expect((await agent.signIn({ name: 'Lies', token: TOKEN }, { origin: 'http://evil.example' })).status).toBe(403);
    const signed = await agent.signIn({ name: ' Lies <b>Peeters</b> ', token: TOKEN });
    expect(signed.status).toBe(200);
    expect(signed.setCookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect(web.logs.join('')).not.toContain(TOKEN);

    expect((await agent.act({ conversation: 'web:x', act: 'claim' }, { origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await agent.act({ conversation: 'web:x', act: 'claim' }, { 'x-csrf-token': 'forged' })).status).toBe(403);
    expect(await agent.act({ conversation: 'web:x', act: 'dance' })).toMatchObject({ status: 400 });
    // A forged cookie (another name, the old signature) is no session.
    const [value, mac] = agent.cookie.split('=')[1]!.split('.');
    const forged = Buffer.from(JSON.stringify({ name: 'Boss', iat: Date.now() })).toString('base64url');
    expect(value).not.toBe(forged);
    const res = await fetch(`${web.url}/desk/events`, { headers: { cookie: `triage_desk=${forged}.${mac}` } });
    expect(res.status).toBe(401);
    expect(await agent.queue()).toEqual([]);
  });

  it('without DESK_TOKEN: this machine only, and the log says so', async () => {
    web = await webBot();
    expect(web.logs.join('')).toContain('this machine only (no DESK_TOKEN set)');
    expect(web.logs.join('')).toContain('agent desk on the browser (/desk)');
    expect((await fetch(`${web.url}/desk`)).status).toBe(200);
  });

  it('a handoff on the Slack desk, claimed from the browser: the Slack card says so and a Slack claim loses', async () => {
    slack = await slackBot({ SLACK_DESK_CHANNEL: 'C0DESK' }, { clock: () => OPEN_HOURS });
    expect(slack.logs.join('')).toContain('agent desk on Slack');
    expect((await slack.event(directMessage('ik wil een medewerker spreken'))).status).toBe(200);
    await slack.settled();
    // The card as Jan's Slack still shows it (the fake keeps its messages as they are now).
    const card = structuredClone(slack.fake.posted({ channel: 'C0DESK', thread_ts: undefined })[0]!);
    expect(shown(card)).toContain('desk_claim');

    const lies = new Agent(slack.url);
    expect((await lies.signIn({ name: 'Lies' })).status).toBe(200);
    const [handoff] = await lies.queue();
    expect(handoff).toMatchObject({ ticket: 'HD-000001', desk: 'slack' });
    expect(await lies.act({ conversation: handoff!.conversation, act: 'claim' })).toEqual({
      status: 200,
      body: { hints: [] },
    });
    const toSofie = () => slack!.fake.posted({ channel: 'D0SOFIE' }).map((m) => String(m.text));
    expect(toSofie().at(-1)).toMatch(/Lies/);
    // The card in Slack was redrawn: claimed by Lies, Claim gone.
    const redrawn = shown(slack.fake.posted({ channel: 'C0DESK', thread_ts: undefined })[0]);
    expect(redrawn).toContain('Genomen door Lies');
    expect(redrawn).not.toContain('desk_claim"');

    // Jan claims in Slack: the book already gave it to Lies.
    expect((await slack.press(card, 'desk_claim', 'UJAN')).status).toBe(200);
    await slack.settled();
    const hints = slack.fake.callsTo('chat.postEphemeral').map((c) => String(c.args.text));
    expect(hints.at(-1)).toMatch(/Lies/);
    // Jan writes in the thread: internal; Lies writes from the browser: to Sofie.
    const before = toSofie().length;
    const jan = channelMessage('Ik neem het wel', { channel: 'C0DESK', thread_ts: String(card.ts), user: 'UJAN' });
    expect((await slack.event(jan)).status).toBe(200);
    await slack.settled();
    expect(toSofie()).toHaveLength(before);
    await lies.act({ conversation: handoff!.conversation, act: 'reply', text: 'Ik kijk het na.' });
    expect(toSofie().at(-1)).toBe('Lies: Ik kijk het na.');

    // Sofie answers: into the Slack thread and the browser's view of it.
    expect((await slack.event(directMessage('Dank je'))).status).toBe(200);
    await slack.settled();
    const thread = slack.fake.posted({ channel: 'C0DESK', thread_ts: String(card.ts) }).map((m) => shown(m));
    expect(thread.at(-1)).toContain('Dank je');
    expect((await lies.queue())[0]!.thread.at(-1)).toMatchObject({ text: 'Dank je' });

    // Resolved from the browser: ended everywhere; a late Slack click hears it ended.
    await lies.act({ conversation: handoff!.conversation, act: 'resolve' });
    expect(toSofie().at(-1)).toMatch(/afgerond/);
    expect(await lies.queue()).toEqual([]);
    expect(await lies.act({ conversation: handoff!.conversation, act: 'return' })).toMatchObject({
      body: { hints: [expect.any(String)] },
    });
  });
});
