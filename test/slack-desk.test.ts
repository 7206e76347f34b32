import { afterEach, describe, expect, it } from 'vitest';
import { slackSettingsFromEnv } from '../bots/slack/settings.ts';
import { CLOSED_HOURS, OPEN_HOURS } from './helpers.ts';
import { type SlackBot, shown, slackBot } from './slack/harness.ts';
import { BOT_TOKEN, channelMessage, directMessage } from './slack/requests.ts';

// The agent desk in Slack, end to end: the real server, signed requests, the fake Web API. Sofie asks
// in a direct message; agents (Jan, Piet) work in the desk channel.

const DESK = 'C0DESK';
const DM = 'D0SOFIE';
const REPORT = 'De rapporten van Lindenhof tonen verkeerde punten, dat klopt niet';

/** The clock the server runs on: during contact hours unless a test moves it. */
const clock = { now: OPEN_HOURS };

async function deskBot(): Promise<SlackBot> {
  const bot = await slackBot({ SLACK_DESK_CHANNEL: DESK }, { clock: () => clock.now });
  bot.fake.addUser('UPIET', 'Piet Janssens', 'piet.janssens@helpdesk.example');
  return bot;
}

/** What the bot said in Sofie's direct message, oldest first. */
const toSofie = (bot: SlackBot) => bot.fake.posted({ channel: DM }).map((m) => String(m.text));
/** The handoff cards on the desk (top-level messages of the desk channel). */
const cards = (bot: SlackBot) => bot.fake.posted({ channel: DESK, thread_ts: undefined });
/** The messages in a card's thread. */
const thread = (bot: SlackBot, card: Record<string, unknown>) =>
  bot.fake.posted({ channel: DESK, thread_ts: String(card.ts) }).map((m) => shown(m));
const ephemerals = (bot: SlackBot, user: string) =>
  bot.fake
    .callsTo('chat.postEphemeral')
    .filter((c) => c.args.user === user)
    .map((c) => String(c.args.text));

async function say(bot: SlackBot, text: string, options: Parameters<typeof directMessage>[1] = {}) {
  expect((await bot.event(directMessage(text, options))).status).toBe(200);
  await bot.settled();
}

async function inThread(bot: SlackBot, card: Record<string, unknown>, text: string, user: string) {
  const event = channelMessage(text, { channel: DESK, thread_ts: String(card.ts), user });
  expect((await bot.event(event)).status).toBe(200);
  await bot.settled();
  return event;
}

async function press(bot: SlackBot, card: Record<string, unknown>, action: string, user: string) {
  expect((await bot.press(card, action, user)).status).toBe(200);
  await bot.settled();
}

/** Sofie reports a problem, then asks for a person: the handoff's card. */
async function handedOff(bot: SlackBot): Promise<Record<string, unknown>> {
  await say(bot, REPORT);
  await say(bot, 'ik wil een medewerker spreken');
  const [card] = cards(bot);
  expect(card).toBeDefined();
  return card!;
}

describe('the agent desk in Slack', () => {
  let bot: SlackBot;
  afterEach(async () => {
    clock.now = OPEN_HOURS;
    await bot.close();
  });

  it('hand off, claim, a two-way exchange, resolve: the bot is back', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);

    // The person hears the handoff and their place in the queue, in that order.
    expect(toSofie(bot).slice(-2)).toEqual([
      expect.stringMatching(/medewerker.*HD-000001/),
      expect.stringMatching(/nummer 1 in de wachtrij/),
    ]);
    // The card: requester, academy, kind, urgency, the ticket, the conversation so far, and Claim.
    const shownCard = shown(card);
    for (const part of ['Sofie Peeters', 'sofie.peeters@klankkast.example', 'ALH', 'Soort', 'Urgentie', 'HD-000001'])
      expect(shownCard).toContain(part);
    expect(shownCard).toContain('verkeerde punten');
    expect(shownCard).toContain('ik wil een medewerker spreken');
    expect(shownCard).toContain('"action_id":"desk_claim"');
    expect(shownCard).not.toContain('desk_resolve');

    await press(bot, card, 'desk_claim', 'UJAN');
    expect(toSofie(bot).at(-1)).toMatch(/^Jan van de helpdesk neemt uw vraag \(ticket HD-000001\) nu over/);
    const claimed = shown(cards(bot)[0]);
    expect(claimed).toContain('Genomen door Jan Claes');
    expect(claimed).toContain('desk_resolve');
    expect(claimed).toContain('desk_return');
    expect(claimed).not.toContain('desk_claim');
    expect(claimed).toContain('verkeerde punten');

    await inThread(bot, card, 'Dag Sofie, ik kijk het na. Welke klas?', 'UJAN');
    expect(toSofie(bot).at(-1)).toBe('Jan: Dag Sofie, ik kijk het na. Welke klas?');

    const before = toSofie(bot).length;
    await say(bot, 'Het gaat om de klas Piano 2');
    expect(toSofie(bot)).toHaveLength(before); // the bot keeps silent
    expect(thread(bot, card).at(-1)).toContain('*Sofie Peeters:* Het gaat om de klas Piano 2');

    // The exchange is kept on the ticket.
    const notes = (await bot.tickets.get('HD-000001'))?.notes ?? [];
    expect(notes.map((n) => n.text)).toEqual(['Dag Sofie, ik kijk het na. Welke klas?', 'Het gaat om de klas Piano 2']);

    await press(bot, cards(bot)[0]!, 'desk_resolve', 'UJAN');
    expect(toSofie(bot).at(-1)).toMatch(/afgerond/);
    const resolved = shown(cards(bot)[0]);
    expect(resolved).toContain('Afgerond door Jan Claes');
    expect(resolved).not.toMatch(/desk_(claim|resolve|return)/);
    expect(resolved).toContain('"action_id":"desk_kind"');

    // The bot is back: the next message is triaged, not relayed.
    const relayed = thread(bot, card).length;
    await say(bot, 'Waar stel ik de vakantiedagen in? Academie Lindenhof');
    expect(toSofie(bot).at(-1)).not.toMatch(/afgerond/);
    expect(thread(bot, card)).toHaveLength(relayed);
    // Bot posts in the desk channel are its own: nothing came back as an agent's reply.
    expect(bot.logs.join('')).not.toContain('agent reply not relayed');
    // What people say is personal data: not in the logs at info level; the token never.
    const info = bot.logs.filter((l) => JSON.parse(l).level >= 30).join('');
    for (const text of ['Piano 2', 'ik kijk het na', 'verkeerde punten']) expect(info).not.toContain(text);
    expect(bot.logs.join('')).not.toContain(BOT_TOKEN);
  });

  it('Return to bot hands the conversation back', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);
    await press(bot, card, 'desk_claim', 'UJAN');
    await press(bot, cards(bot)[0]!, 'desk_return', 'UJAN');
    expect(toSofie(bot).at(-1)).toMatch(/geeft het gesprek terug aan mij/);
    expect(shown(cards(bot)[0])).toContain('Teruggegeven aan de bot door Jan Claes');
  });

  it('thread replies before a claim, or by another agent, stay internal with a hint', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);
    const told = toSofie(bot).length;
    await inThread(bot, card, 'Wie neemt deze?', 'UPIET');
    expect(ephemerals(bot, 'UPIET')).toEqual([expect.stringMatching(/Neem de vraag eerst met de knop Nemen/)]);

    // Piet's screen still showed Claim when he clicked it.
    const unclaimed = structuredClone(card);
    await press(bot, card, 'desk_claim', 'UJAN');
    await press(bot, unclaimed, 'desk_claim', 'UPIET');
    expect(ephemerals(bot, 'UPIET').at(-1)).toMatch(/Jan Claes heeft deze vraag al genomen/);
    await inThread(bot, card, 'Dit is de klant van vorige week', 'UPIET');
    expect(ephemerals(bot, 'UPIET').at(-1)).toMatch(/Jan Claes heeft deze vraag genomen; uw bericht blijft intern/);
    // Only the claim reached Sofie.
    expect(toSofie(bot).slice(told)).toEqual([expect.stringMatching(/^Jan van de helpdesk neemt/)]);
  });

  it('two agents clicking Claim at the same moment: one takes it, the other is told who did', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);
    const told = toSofie(bot).length;
    const clicks = await Promise.all([
      bot.press(card, 'desk_claim', 'UJAN'),
      bot.press(structuredClone(card), 'desk_claim', 'UPIET'),
    ]);
    expect(clicks.map((r) => r.status)).toEqual([200, 200]);
    await bot.settled();
    const claimed = toSofie(bot)
      .slice(told)
      .filter((t) => /van de helpdesk neemt/.test(t));
    expect(claimed).toHaveLength(1);
    const [winner, loser] = claimed[0]!.startsWith('Jan') ? ['Jan Claes', 'UPIET'] : ['Piet Janssens', 'UJAN'];
    expect(ephemerals(bot, loser)).toEqual([`${winner} heeft deze vraag al genomen.`]);
  });

  it('a copy of a click or of a thread message acts once; the bot ignores its own posts', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);
    const told = toSofie(bot).length;
    const unclaimed = structuredClone(card);
    await Promise.all([bot.press(unclaimed, 'desk_claim', 'UJAN'), bot.press(unclaimed, 'desk_claim', 'UJAN')]);
    await bot.settled();
    const reply = channelMessage('Ik bel u zo op.', { channel: DESK, thread_ts: String(card.ts), user: 'UJAN' });
    await bot.event(reply, { id: 'EvDESK0001' });
    await bot.event(reply, { id: 'EvDESK0001', retryNum: 1 });
    await bot.event(channelMessage('echo', { channel: DESK, thread_ts: String(card.ts), bot_id: 'BBOT' }));
    await bot.settled();
    expect(toSofie(bot).slice(told)).toEqual([
      expect.stringMatching(/^Jan van de helpdesk neemt/),
      'Jan: Ik bel u zo op.',
    ]);
  });

  it('loses and doubles nothing when both sides write at once', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);
    await press(bot, card, 'desk_claim', 'UJAN');
    const told = toSofie(bot).length;
    const sends: Promise<Response>[] = [];
    for (let i = 1; i <= 4; i++) {
      sends.push(bot.event(directMessage(`Sofie ${i}`)));
      sends.push(bot.event(channelMessage(`Jan ${i}`, { channel: DESK, thread_ts: String(card.ts), user: 'UJAN' })));
    }
    await Promise.all(sends);
    await bot.settled();
    const fromJan = toSofie(bot).slice(told);
    expect([...fromJan].sort()).toEqual(['Jan: Jan 1', 'Jan: Jan 2', 'Jan: Jan 3', 'Jan: Jan 4']);
    const fromSofie = thread(bot, card).filter((m) => m.includes('*Sofie Peeters:*'));
    for (let i = 1; i <= 4; i++) expect(fromSofie.filter((m) => m.includes(`Sofie ${i}`))).toHaveLength(1);
    expect(fromSofie).toHaveLength(4);
    const notes = (await bot.tickets.get('HD-000001'))?.notes ?? [];
    expect(notes).toHaveLength(8);
  });

  it('a second handoff waits behind the first; an unclaimed one reminds the desk once', async () => {
    bot = await deskBot();
    const first = await handedOff(bot);
    bot.fake.addUser('UEVA', 'Eva De Smet', 'eva@lindenhof.example');
    await say(bot, 'Ik wil iemand van de helpdesk spreken over de facturen van Lindenhof', {
      user: 'UEVA',
      channel: 'D0EVA',
    });
    expect(bot.fake.posted({ channel: 'D0EVA' }).map((m) => m.text)).toContainEqual(
      expect.stringMatching(/nummer 2 in de wachtrij/),
    );
    await press(bot, first, 'desk_claim', 'UJAN');

    const desk = bot.slack.desk!;
    expect(await desk.remind(new Date(OPEN_HOURS.getTime() + 5 * 60_000))).toBe(0);
    expect(await desk.remind(new Date(OPEN_HOURS.getTime() + 11 * 60_000))).toBe(1);
    expect(await desk.remind(new Date(OPEN_HOURS.getTime() + 30 * 60_000))).toBe(0);
    const second = cards(bot)[1]!;
    const reminders = bot.fake.posted({ channel: DESK, thread_ts: String(second.ts) });
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toMatch(/wacht al 11 minuten/);
    expect(String(reminders[0]?.reply_broadcast)).toBe('true'); // also shown in the channel
    // The claimed one was not reminded.
    expect(thread(bot, first).join('')).not.toContain('wacht al');
  });

  it('keeps relaying after a restart', async () => {
    bot = await deskBot();
    const card = await handedOff(bot);
    await press(bot, card, 'desk_claim', 'UJAN');
    await bot.restart();
    await inThread(bot, card, 'Nog even geduld.', 'UJAN');
    expect(toSofie(bot).at(-1)).toBe('Jan: Nog even geduld.');
    await say(bot, 'Geen probleem');
    expect(thread(bot, card).at(-1)).toContain('*Sofie Peeters:* Geen probleem');
  });

  it('outside contact hours: no card, the person hears when the helpdesk opens', async () => {
    clock.now = CLOSED_HOURS;
    bot = await deskBot();
    await say(bot, REPORT);
    await say(bot, 'ik wil een medewerker spreken');
    expect(cards(bot)).toEqual([]);
    expect(toSofie(bot).at(-1)).toMatch(/gesloten.*maandag om 08:30/s);
    expect(await bot.tickets.get('HD-000001')).toMatchObject({ draft: { handoff: true } });
    // No live handoff: the next message is triaged.
    await say(bot, 'Waar stel ik de vakantiedagen in? Academie Lindenhof');
    expect(bot.fake.posted({ channel: DESK })).toEqual([]);
  });
});

describe('SLACK_DESK_CHANNEL', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
  it('takes a channel id, and warns (desk off) about a channel name', () => {
    expect(slackSettingsFromEnv({ ...base, SLACK_DESK_CHANNEL: ' C0DESK ' })).toMatchObject({
      settings: { deskChannel: 'C0DESK' },
      warnings: [],
    });
    const named = slackSettingsFromEnv({ ...base, SLACK_DESK_CHANNEL: '#helpdesk-agents' });
    expect(named).toMatchObject({ warnings: [expect.stringMatching(/not a channel id/)] });
    expect('settings' in named ? named.settings.deskChannel : 'off').toBeUndefined();
  });
});
