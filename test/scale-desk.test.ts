import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../adapters/state/redis.ts';
import { keepConversationMs } from '../bots/runtime/service.ts';
import { type Serving, serve } from '../bots/server/main.ts';
import type { SlackChannel } from '../bots/slack/channel.ts';
import type { TeamsChannel } from '../bots/teams/channel.ts';
import { PIET, TEAMS_DESK, teamsShown } from './desks/harness.ts';
import { OPEN_HOURS, shippedCore, tempDir } from './helpers.ts';
import { redisTestsRun, startRedis } from './scale/redis-server.ts';
import { FakeSlack } from './slack/fake-slack.ts';
import { memoryLog, shown } from './slack/harness.ts';
import {
  BOT_TOKEN,
  buttonPress,
  channelMessage,
  directMessage,
  eventCallback,
  SIGNING_SECRET,
  sendSigned,
} from './slack/requests.ts';
import { FakeConnector } from './teams/fake-connector.ts';
import { FixedTokenCredentials, BOT_TOKEN as TEAMS_TOKEN } from './teams/harness.ts';
import { cardSubmit, channelMention, JAN, PERSONAL, personalMessage, SOFIE, TENANT } from './teams/requests.ts';

// Scale-out of what is not a turn: the agent desk (handoff book), the closing rule (sweep list) and
// Teams' proactive messages (the conversations' addresses), with two servers behind one Slack app, or
// one Teams bot, sharing a real redis-server on loopback. The two run in this test process, each with
// its own Redis connection, book, service, lock and data folder (as on two machines: all they share is
// Redis), so that the test can drive their clock: contact hours, the desk's reminder after 10 minutes,
// the person's after 24 hours. test/scale.test.ts runs real processes. The `local` ticket store is in
// the data folder, so every ticket here is filed through A (B's folder has none: the notes B would add
// to a ticket are not asserted).

const available = redisTestsRun();

const DESK = 'C0DESK';
const REPORT = 'De rapporten van Lindenhof tonen verkeerde punten, dat klopt niet';
const ASKS = 'Het programma crasht telkens bij het opslaan van een evaluatie.';

describe.skipIf(!available)('two servers on one Redis: the agent desk and the closing rule', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const fake = new FakeSlack(BOT_TOKEN);
  const clock = { now: OPEN_HOURS };
  const { log } = memoryLog();
  const dataDirs = [tempDir(), tempDir()];
  /** Server A and server B, as the load balancer sees them. */
  const servers: Serving[] = [];

  const start = (dataDir: string) =>
    serve({
      core: shippedCore('academy'),
      dataDir,
      port: 0,
      host: '127.0.0.1',
      env: {
        REDIS_URL: redis.url,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_DESK_CHANNEL: DESK,
      },
      log,
      clock: () => clock.now,
    });

  beforeAll(async () => {
    redis = await startRedis();
    await fake.start();
    fake.addUser('USOFIE', 'Sofie Peeters', 'sofie.peeters@klankkast.example');
    fake.addUser('UEVA', 'Eva De Smet', 'eva@lindenhof.example');
    fake.addUser('ULIEN', 'Lien Maes', 'lien.maes@klankkast.example');
    fake.addUser('UTOM', 'Tom Wouters', 'tom.wouters@lindenhof.example');
    fake.addUser('UJAN', 'Jan Claes', 'jan.claes@helpdesk.example');
    fake.addUser('UPIET', 'Piet Janssens', 'piet.janssens@helpdesk.example');
    servers.push(...(await Promise.all(dataDirs.map(start))));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await fake.close();
    await redis?.stop();
  });

  const A = 0;
  const B = 1;
  const slackOf = (server: number) => servers[server]!.channels.find((c) => c.name === 'slack') as SlackChannel;
  /** Everything both servers received handled (what one does never lands on the other). */
  const settled = () => Promise.all([slackOf(A).idle(), slackOf(B).idle()]);
  const post = (server: number, body: string, type: 'application/json' | 'application/x-www-form-urlencoded') =>
    sendSigned(`${servers[server]!.url}/slack/events`, body, type);

  async function say(server: number, text: string, options: Parameters<typeof directMessage>[1]) {
    expect(
      (await post(server, JSON.stringify(eventCallback(directMessage(text, options))), 'application/json')).status,
    ).toBe(200);
    await settled();
  }
  async function inThread(server: number, card: Record<string, unknown>, text: string, user: string) {
    const event = channelMessage(text, { channel: DESK, thread_ts: String(card.ts), user });
    expect((await post(server, JSON.stringify(eventCallback(event)), 'application/json')).status).toBe(200);
    await settled();
  }
  const press = (server: number, card: Record<string, unknown>, action: string, user: string) =>
    post(server, buttonPress(card, action, user), 'application/x-www-form-urlencoded');

  const toPerson = (channel: string) => fake.posted({ channel }).map((m) => String(m.text));
  const cards = () => fake.posted({ channel: DESK, thread_ts: undefined });
  const thread = (card: Record<string, unknown>) =>
    fake.posted({ channel: DESK, thread_ts: String(card.ts) }).map((m) => shown(m));

  it('a handoff opened on A, claimed on B: one of two agents wins, both ways relayed by either server, the desk reminded once', async () => {
    await say(A, REPORT, { channel: 'D0SOFIE', user: 'USOFIE' });
    await say(A, 'ik wil een medewerker spreken', { channel: 'D0SOFIE', user: 'USOFIE' });
    expect(cards()).toHaveLength(1);
    const card = cards()[0]!;
    // Eva's handoff waits behind Sofie's.
    await say(A, 'Ik wil iemand van de helpdesk spreken over de facturen van Lindenhof', {
      channel: 'D0EVA',
      user: 'UEVA',
    });
    expect(toPerson('D0EVA')).toContainEqual(expect.stringMatching(/nummer 2 in de wachtrij/));
    expect(cards()).toHaveLength(2);
    // B knows both: the queue is one.
    expect((await servers[B]!.state.handoffs.current()).map((h) => h.conversation)).toEqual([
      'slack:D0SOFIE',
      'slack:D0EVA',
    ]);

    // Jan clicks Claim on B, Piet on A, at the same moment: Sofie hears of one of them.
    const clicks = await Promise.all([press(B, card, 'desk_claim', 'UJAN'), press(A, card, 'desk_claim', 'UPIET')]);
    expect(clicks.map((r) => r.status)).toEqual([200, 200]);
    await settled();
    const claimed = toPerson('D0SOFIE').filter((t) => /van de helpdesk neemt uw vraag/.test(t));
    expect(claimed).toHaveLength(1);
    const agent = (await servers[B]!.state.handoffs.get('slack:D0SOFIE'))?.agent;
    expect(['UJAN', 'UPIET']).toContain(agent?.id);
    const [winner, first] = agent?.id === 'UJAN' ? ['UJAN', 'Jan'] : ['UPIET', 'Piet'];
    expect(claimed[0]).toMatch(new RegExp(`^${first} van de helpdesk`));
    // The other agent's click was no copy of the first: they are told who has it.
    const [loser, winnerName] = winner === 'UJAN' ? ['UPIET', 'Jan Claes'] : ['UJAN', 'Piet Janssens'];
    const hints = fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === loser);
    expect(hints.map((c) => c.args.text)).toEqual([`${winnerName} heeft deze vraag al genomen.`]);

    // Sofie writes to A, then to B: both reach the card's thread.
    await say(A, 'Het gaat om de klas Piano 2', { channel: 'D0SOFIE', user: 'USOFIE' });
    expect(thread(card).at(-1)).toContain('*Sofie Peeters:* Het gaat om de klas Piano 2');
    await say(B, 'En ook Piano 3', { channel: 'D0SOFIE', user: 'USOFIE' });
    expect(thread(card).at(-1)).toContain('*Sofie Peeters:* En ook Piano 3');
    // The agent answers in the thread through B, then through A: both reach Sofie.
    await inThread(B, card, 'Dag Sofie, ik kijk het na.', winner);
    expect(toPerson('D0SOFIE').at(-1)).toBe(`${first}: Dag Sofie, ik kijk het na.`);
    await inThread(A, card, 'Opgelost, probeer maar.', winner);
    expect(toPerson('D0SOFIE').at(-1)).toBe(`${first}: Opgelost, probeer maar.`);

    // Eleven minutes on, both servers' reminder rounds: Eva's unclaimed card is reminded once, in total.
    clock.now = new Date(OPEN_HOURS.getTime() + 11 * 60_000);
    await Promise.all([slackOf(A).desk!.remind(), slackOf(B).desk!.remind(), slackOf(A).desk!.remind()]);
    const second = cards()[1]!;
    expect(thread(second).filter((m) => m.includes('wacht al'))).toHaveLength(1);
    expect(thread(card).join('')).not.toContain('wacht al');
  });

  it('the closing rule: questions asked on A and on B, A restarted, both sweeping: one reminder each', async () => {
    clock.now = OPEN_HOURS;
    await say(A, ASKS, { channel: 'D0LIEN', user: 'ULIEN' });
    await say(B, ASKS, { channel: 'D0TOM', user: 'UTOM' });
    for (const dm of ['D0LIEN', 'D0TOM']) expect(toPerson(dm).at(-1)).toMatch(/academie/i);

    // A restart forgets nothing: the list is in Redis.
    await servers[A]!.close();
    servers[A] = await start(dataDirs[A]!);

    clock.now = new Date(OPEN_HOURS.getTime() + 25 * 3_600_000);
    const told = await Promise.all([
      servers[A]!.sweep(),
      servers[B]!.sweep(),
      servers[A]!.sweep(),
      servers[B]!.sweep(),
    ]);
    for (const dm of ['D0LIEN', 'D0TOM'])
      expect(
        toPerson(dm).filter((t) => t.startsWith('Herinnering')),
        dm,
      ).toHaveLength(1);
    expect(told.reduce((a, b) => a + b, 0)).toBe(2);
    // A day later still nothing new: the reminder is recorded with the conversation.
    clock.now = new Date(OPEN_HOURS.getTime() + 49 * 3_600_000);
    expect(await servers[B]!.sweep()).toBe(0);
  });
});

describe.skipIf(!available)('two servers on one Redis: Teams conversations reached from either', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const fake = new FakeConnector(TEAMS_TOKEN);
  const clock = { now: OPEN_HOURS };
  const { log } = memoryLog();
  const core = shippedCore('academy');
  /** Server A and server B, each with its own data folder: all they share is Redis. */
  const servers: Serving[] = [];

  const start = () =>
    serve({
      core,
      dataDir: tempDir(),
      port: 0,
      host: '127.0.0.1',
      env: {
        REDIS_URL: redis.url,
        TEAMS_LOCAL_MODE: '1',
        TEAMS_DESK_CONVERSATION: TEAMS_DESK,
        TEAMS_DESK_SERVICE_URL: fake.url,
      },
      log,
      clock: () => clock.now,
      teams: { credentials: new FixedTokenCredentials(TEAMS_TOKEN), retry: { baseMs: 1 }, typingEveryMs: 60_000 },
    });

  beforeAll(async () => {
    redis = await startRedis();
    await fake.start();
    fake.addMember({ ...SOFIE, email: 'sofie.peeters@klankkast.example' });
    fake.addMember({ ...JAN, userPrincipalName: 'jan.claes@lindenhof.example' });
    fake.addMember(PIET);
    servers.push(...(await Promise.all([start(), start()])));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await fake.close();
    await redis?.stop();
  });

  const A = 0;
  const B = 1;
  const teamsOf = (server: number) => servers[server]!.channels.find((c) => c.name === 'teams') as TeamsChannel;
  /** Everything both servers received handled, including what the one's work sent through the other. */
  const settled = async () => {
    for (let i = 0; i < 3; i++) await Promise.all([teamsOf(A).idle(), teamsOf(B).idle()]);
  };
  async function post(server: number, activity: Record<string, unknown>) {
    const res = await fetch(`${servers[server]!.url}/api/messages`, {
      method: 'POST',
      body: JSON.stringify(activity),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    await settled();
  }
  /** Sofie's personal chat with the bot, or (`chat`) another person's. */
  const toChat = (chat = PERSONAL) => fake.sent({ conversation: chat }).map(teamsShown);
  const LIEN_CHAT = 'a:1personal-lien';
  const LIEN = { id: '29:1lien', name: 'Lien Maes', aadObjectId: '6b1e0f3c-0000-4000-8000-00000000a004' };
  const fromLien = (text: string) => ({
    ...personalMessage(fake.url, text, { from: LIEN }),
    conversation: { id: LIEN_CHAT, conversationType: 'personal', tenantId: TENANT },
  });

  it('a reminder sent by B reaches the person who only ever wrote to A', async () => {
    await post(A, personalMessage(fake.url, ASKS));
    expect(toChat().at(-1)).toMatch(/academie/i);
    clock.now = new Date(OPEN_HOURS.getTime() + 25 * 3_600_000);
    expect(await servers[B]!.sweep()).toBe(1);
    expect(toChat().at(-1)).toMatch(/^Herinnering/);

    // The address is in Redis, kept as long as the conversation can be (and renewed by the reminder).
    const peek = await connectRedis(redis.url, { maxReconnects: 0 });
    try {
      const ttl = await peek.client.pTTL(`triage:addresses::teams:${PERSONAL}`);
      expect(ttl).toBeGreaterThan(keepConversationMs(core.config, true) - 60_000);
    } finally {
      await peek.close();
    }
  });

  it('a handoff asked for on A, claimed and answered by an agent on B: B tells the person', async () => {
    clock.now = OPEN_HOURS;
    await post(A, fromLien(REPORT));
    await post(A, fromLien('ik wil een medewerker spreken'));
    const [card] = fake.sent({ conversation: TEAMS_DESK });
    expect(card).toBeDefined();
    const told = toChat(LIEN_CHAT).length;

    const thread = { id: card!.id, _to: `${TEAMS_DESK};messageid=${String(card!.id)}` };
    await post(B, cardSubmit(fake.url, thread, { action: 'triage_desk', act: 'claim', ticket: 'x' }, JAN));
    await post(B, channelMention(fake.url, 'Ik bel u zo op.', { root: String(card!.id), channel: TEAMS_DESK }));
    expect(toChat(LIEN_CHAT).slice(told)).toEqual([
      expect.stringMatching(/^Jan van de helpdesk neemt/),
      'Jan: Ik bel u zo op.',
    ]);
  });
});
