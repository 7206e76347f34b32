import { afterEach, describe, expect, it } from 'vitest';
import { teamsDeskFromEnv } from '../bots/teams/settings.ts';
import { type DeskBots, deskBots, PIET, TEAMS_DESK, teamsShown } from './desks/harness.ts';
import { OPEN_HOURS } from './helpers.ts';
import { BOT_TOKEN } from './teams/harness.ts';
import { channelMention, JAN, PERSONAL, personalMessage } from './teams/requests.ts';

// The agent desk in a Teams channel, end to end: the real server, activities posted as Teams posts
// them, the fake Bot Connector. Sofie asks in her personal chat; agents (Jan, Piet) work in the desk
// channel, where the bot posts each handoff as an Adaptive Card.

const REPORT = 'De rapporten van Lindenhof tonen verkeerde punten, dat klopt niet';
const clock = { now: OPEN_HOURS };

const toSofie = (bot: DeskBots) => bot.teams.sent({ conversation: PERSONAL }).map(teamsShown);
/** The handoff cards: new posts in the desk channel. */
const cards = (bot: DeskBots) => bot.teams.sent({ conversation: TEAMS_DESK });
const thread = (bot: DeskBots, card: Record<string, unknown>) =>
  bot.teams.sent({ conversation: `${TEAMS_DESK};messageid=${String(card.id)}` }).map(teamsShown);
/** The card as it stands now (its latest update, else as posted). */
const current = (bot: DeskBots, card: Record<string, unknown>) =>
  teamsShown(
    bot.teams
      .updates()
      .filter((u) => u.activityId === card.id)
      .at(-1)?.body ?? card,
  );

async function say(bot: DeskBots, text: string) {
  expect((await bot.teamsPost(personalMessage(bot.serviceUrl, text))).status).toBe(200);
  await bot.settled();
}

async function inThread(bot: DeskBots, card: Record<string, unknown>, text: string, from = JAN) {
  const activity = channelMention(bot.serviceUrl, text, { root: String(card.id), from, channel: TEAMS_DESK });
  expect((await bot.teamsPost(activity)).status).toBe(200);
  await bot.settled();
  return activity;
}

async function press(bot: DeskBots, card: Record<string, unknown>, act: string, agent = JAN) {
  expect((await bot.teamsPress(card, act, agent)).status).toBe(200);
  await bot.settled();
}

async function handedOff(bot: DeskBots): Promise<Record<string, unknown>> {
  await say(bot, REPORT);
  await say(bot, 'ik wil een medewerker spreken');
  const [card] = cards(bot);
  expect(card).toBeDefined();
  return card!;
}

describe('the agent desk in Teams', () => {
  let bot: DeskBots;
  afterEach(async () => {
    clock.now = OPEN_HOURS;
    await bot.close();
  });

  it('a Teams person: hand off, claim, a two-way exchange, resolve; the bot is back', async () => {
    bot = await deskBots({ TEAMS_DESK_CONVERSATION: TEAMS_DESK }, () => clock.now);
    const card = await handedOff(bot);
    expect(toSofie(bot).slice(-2)).toEqual([
      expect.stringMatching(/medewerker.*HD-000001/),
      expect.stringMatching(/nummer 1 in de wachtrij/),
    ]);
    // The card: requester, academy, kind, urgency, the ticket, the conversation so far, and Claim.
    const shown = teamsShown(card);
    for (const part of ['Sofie Peeters', 'sofie.peeters@klankkast.example', 'ALH', 'Soort', 'Urgentie', 'HD-000001'])
      expect(shown).toContain(part);
    expect(shown).toContain('verkeerde punten');
    expect(shown).toContain('ik wil een medewerker spreken');
    expect(shown).toContain('"act":"claim"');
    expect(shown).not.toContain('"act":"resolve"');

    await press(bot, card, 'claim');
    expect(toSofie(bot).at(-1)).toMatch(/^Jan van de helpdesk neemt uw vraag \(ticket HD-000001\) nu over/);
    const claimed = current(bot, card);
    expect(claimed).toContain('Genomen door Jan Claes');
    expect(claimed).toMatch(/"act":"resolve".*"act":"return"/);
    expect(claimed).not.toContain('"act":"claim"');
    expect(claimed).toContain('verkeerde punten');

    await inThread(bot, card, 'Dag Sofie, ik kijk het na. Welke klas?');
    expect(toSofie(bot).at(-1)).toBe('Jan: Dag Sofie, ik kijk het na. Welke klas?');

    const before = toSofie(bot).length;
    await say(bot, 'Het gaat om de klas Piano 2');
    expect(toSofie(bot)).toHaveLength(before); // the bot keeps silent
    expect(thread(bot, card).at(-1)).toBe('Sofie Peeters: Het gaat om de klas Piano 2');
    const notes = (await bot.tickets.get('HD-000001'))?.notes ?? [];
    expect(notes.map((n) => n.text)).toEqual(['Dag Sofie, ik kijk het na. Welke klas?', 'Het gaat om de klas Piano 2']);

    await press(bot, card, 'resolve');
    expect(toSofie(bot).at(-1)).toMatch(/afgerond/);
    const resolved = current(bot, card);
    expect(resolved).toContain('Afgerond door Jan Claes');
    expect(resolved).not.toMatch(/"act":"(claim|resolve|return)"/);
    expect(resolved).toContain('"act":"kind"');

    const relayed = thread(bot, card).length;
    await say(bot, 'Waar stel ik de vakantiedagen in? Academie Lindenhof');
    expect(toSofie(bot).at(-1)).not.toMatch(/afgerond/);
    expect(thread(bot, card)).toHaveLength(relayed);
    // Personal data stays out of the info log; tokens out of every log.
    const info = bot.logs.filter((l) => JSON.parse(l).level >= 30).join('');
    for (const text of ['Piano 2', 'ik kijk het na', 'verkeerde punten']) expect(info).not.toContain(text);
    expect(bot.logs.join('')).not.toContain(BOT_TOKEN);
  });

  it('internal talk, a second claim, copies of a click or a message, and Return to bot', async () => {
    bot = await deskBots({ TEAMS_DESK_CONVERSATION: TEAMS_DESK }, () => clock.now);
    const card = await handedOff(bot);
    const told = toSofie(bot).length;
    await inThread(bot, card, 'Wie neemt deze?', PIET);
    expect(thread(bot, card).at(-1)).toMatch(/^Piet Janssens: Neem de vraag eerst met de knop Nemen/);

    // Two clicks on Claim at once (a double click, or Teams redelivering it) act once.
    await Promise.all([bot.teamsPress(card, 'claim'), bot.teamsPress(card, 'claim')]);
    await bot.settled();
    await press(bot, card, 'claim', PIET);
    expect(thread(bot, card).at(-1)).toMatch(/^Piet Janssens: Jan Claes heeft deze vraag al genomen/);
    await inThread(bot, card, 'Dit is de klant van vorige week', PIET);
    expect(thread(bot, card).at(-1)).toMatch(/^Piet Janssens: Jan Claes heeft deze vraag genomen; uw bericht blijft/);

    const reply = channelMention(bot.serviceUrl, 'Ik bel u zo op.', { root: String(card.id), channel: TEAMS_DESK });
    await Promise.all([bot.teamsPost(reply), bot.teamsPost(reply)]);
    await bot.settled();
    expect(toSofie(bot).slice(told)).toEqual([
      expect.stringMatching(/^Jan van de helpdesk neemt/),
      'Jan: Ik bel u zo op.',
    ]);

    await press(bot, card, 'return');
    expect(toSofie(bot).at(-1)).toMatch(/geeft het gesprek terug aan mij/);
    expect(current(bot, card)).toContain('Teruggegeven aan de bot door Jan Claes');
  });

  it('two agents clicking Claim at the same moment: one takes it, the other is told who did', async () => {
    bot = await deskBots({ TEAMS_DESK_CONVERSATION: TEAMS_DESK }, () => clock.now);
    const card = await handedOff(bot);
    const told = toSofie(bot).length;
    await Promise.all([bot.teamsPress(card, 'claim', JAN), bot.teamsPress(card, 'claim', PIET)]);
    await bot.settled();
    const claimed = toSofie(bot)
      .slice(told)
      .filter((t) => /van de helpdesk neemt/.test(t));
    expect(claimed).toHaveLength(1);
    const [winner, loser] = claimed[0]!.startsWith('Jan')
      ? ['Jan Claes', 'Piet Janssens']
      : ['Piet Janssens', 'Jan Claes'];
    expect(thread(bot, card).filter((m) => m.includes('heeft deze vraag al genomen'))).toEqual([
      `${loser}: ${winner} heeft deze vraag al genomen.`,
    ]);
  });

  it('loses and doubles nothing when both sides write at once', async () => {
    bot = await deskBots({ TEAMS_DESK_CONVERSATION: TEAMS_DESK }, () => clock.now);
    const card = await handedOff(bot);
    await press(bot, card, 'claim');
    const told = toSofie(bot).length;
    const sends: Promise<Response>[] = [];
    for (let i = 1; i <= 4; i++) {
      sends.push(bot.teamsPost(personalMessage(bot.serviceUrl, `Sofie ${i}`)));
      sends.push(
        bot.teamsPost(channelMention(bot.serviceUrl, `Jan ${i}`, { root: String(card.id), channel: TEAMS_DESK })),
      );
    }
    await Promise.all(sends);
    await bot.settled();
    expect([...toSofie(bot).slice(told)].sort()).toEqual(['Jan: Jan 1', 'Jan: Jan 2', 'Jan: Jan 3', 'Jan: Jan 4']);
    const fromSofie = thread(bot, card).filter((m) => m.startsWith('Sofie Peeters:'));
    expect([...fromSofie].sort()).toEqual([1, 2, 3, 4].map((i) => `Sofie Peeters: Sofie ${i}`));
    expect((await bot.tickets.get('HD-000001'))?.notes ?? []).toHaveLength(8);
  });

  it('the queue and one reminder, in the thread of the card nobody took', async () => {
    bot = await deskBots({ TEAMS_DESK_CONVERSATION: TEAMS_DESK }, () => clock.now);
    const card = await handedOff(bot);
    const desk = bot.teamsChannel.desk!;
    expect(await desk.remind(new Date(OPEN_HOURS.getTime() + 5 * 60_000))).toBe(0);
    expect(await desk.remind(new Date(OPEN_HOURS.getTime() + 11 * 60_000))).toBe(1);
    expect(await desk.remind(new Date(OPEN_HOURS.getTime() + 30 * 60_000))).toBe(0);
    expect(thread(bot, card)).toEqual([expect.stringMatching(/wacht al 11 minuten/)]);
  });
});

describe('TEAMS_DESK_CONVERSATION', () => {
  it('takes a channel id, also URL-encoded from "Get link to channel"; warns about anything else', () => {
    expect(teamsDeskFromEnv({ TEAMS_DESK_CONVERSATION: ' 19%3aabc123%40thread.tacv2 ' })).toEqual({
      desk: { conversation: '19:abc123@thread.tacv2' },
    });
    expect(
      teamsDeskFromEnv({
        TEAMS_DESK_CONVERSATION: '19:abc@thread.tacv2;messageid=1',
        TEAMS_DESK_SERVICE_URL: 'https://smba.trafficmanager.net/emea',
        MicrosoftAppTenantId: 't1',
      }),
    ).toEqual({
      desk: {
        conversation: '19:abc@thread.tacv2',
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        tenantId: 't1',
      },
    });
    expect(teamsDeskFromEnv({ TEAMS_DESK_CONVERSATION: 'helpdesk-agents' }).warning).toMatch(/not a channel id/);
    expect(teamsDeskFromEnv({})).toEqual({});
  });
});
