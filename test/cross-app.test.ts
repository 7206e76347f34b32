import { afterEach, describe, expect, it } from 'vitest';
import { type DeskBots, deskBots, SLACK_DESK, TEAMS_DESK, teamsShown } from './desks/harness.ts';
import { OPEN_HOURS } from './helpers.ts';
import { shown } from './slack/harness.ts';
import { channelMessage, directMessage } from './slack/requests.ts';
import { channelMention, PERSONAL, personalMessage } from './teams/requests.ts';

// A person on one app, agents on the other: one server with both channels, each against its fake
// (Slack's Web API, the Bot Connector). The notifier sends desk news to the person's app by the
// conversation's prefix; the desk relays to its own app.

const REPORT = 'De rapporten van Lindenhof tonen verkeerde punten, dat klopt niet';
const BOTH = { SLACK_DESK_CHANNEL: SLACK_DESK, TEAMS_DESK_CONVERSATION: TEAMS_DESK };

describe('handoff across apps', () => {
  let bot: DeskBots;
  afterEach(async () => {
    await bot.close();
  });

  it('a person on Teams, agents on the Slack desk (which wins when both desks are set)', async () => {
    bot = await deskBots(BOTH, () => OPEN_HOURS);
    const toSofie = () => bot.teams.sent({ conversation: PERSONAL }).map(teamsShown);
    const tell = async (text: string) => {
      await bot.teamsPost(personalMessage(bot.serviceUrl, text));
      await bot.settled();
    };
    await tell(REPORT);
    await tell('ik wil een medewerker spreken');
    expect(bot.teams.sent({ conversation: TEAMS_DESK })).toEqual([]);
    const [card] = bot.slack.posted({ channel: SLACK_DESK, thread_ts: undefined });
    expect(shown(card)).toContain('Sofie Peeters');
    expect(shown(card)).toContain('HD-000001');
    expect(toSofie().at(-1)).toMatch(/nummer 1 in de wachtrij/);

    // Jan claims with a signed Slack interaction and answers in the card's thread.
    expect((await bot.slackPress(card!, 'desk_claim', 'UJAN')).status).toBe(200);
    await bot.settled();
    expect(toSofie().at(-1)).toMatch(/^Jan van de helpdesk neemt uw vraag/);
    const ts = String(card!.ts);
    await bot.slackEvent(channelMessage('Welke klas bedoelt u?', { channel: SLACK_DESK, thread_ts: ts, user: 'UJAN' }));
    await bot.settled();
    expect(toSofie().at(-1)).toBe('Jan: Welke klas bedoelt u?');

    const before = toSofie().length;
    await tell('Piano 2');
    expect(toSofie()).toHaveLength(before);
    expect(shown(bot.slack.posted({ channel: SLACK_DESK, thread_ts: ts }).at(-1))).toContain(
      '*Sofie Peeters:* Piano 2',
    );

    // Both sides at once: nothing lost, nothing twice.
    const sends: Promise<Response>[] = [];
    for (let i = 1; i <= 3; i++) {
      sends.push(bot.teamsPost(personalMessage(bot.serviceUrl, `Sofie ${i}`)));
      sends.push(bot.slackEvent(channelMessage(`Jan ${i}`, { channel: SLACK_DESK, thread_ts: ts, user: 'UJAN' })));
    }
    await Promise.all(sends);
    await bot.settled();
    expect([...toSofie().slice(before)].sort()).toEqual(['Jan: Jan 1', 'Jan: Jan 2', 'Jan: Jan 3']);
    const inThread = bot.slack.posted({ channel: SLACK_DESK, thread_ts: ts }).map(shown);
    for (let i = 1; i <= 3; i++) expect(inThread.filter((m) => m.includes(`Sofie ${i}`))).toHaveLength(1);

    const claimedCard = bot.slack.posted({ channel: SLACK_DESK, thread_ts: undefined })[0]!;
    expect((await bot.slackPress(claimedCard, 'desk_resolve', 'UJAN')).status).toBe(200);
    await bot.settled();
    expect(toSofie().at(-1)).toMatch(/afgerond/);
    await tell('Waar stel ik de vakantiedagen in? Academie Lindenhof');
    expect(toSofie().at(-1)).not.toMatch(/afgerond/);
    expect(bot.slack.posted({ channel: SLACK_DESK, thread_ts: ts }).map(shown).join('')).not.toContain('vakantiedagen');
  });

  it('a person on Slack, agents on the Teams desk (HANDOFF_DESK=teams)', async () => {
    bot = await deskBots({ ...BOTH, HANDOFF_DESK: 'teams' }, () => OPEN_HOURS);
    const toSofie = () => bot.slack.posted({ channel: 'D0SOFIE' }).map((m) => String(m.text));
    const tell = async (text: string) => {
      await bot.slackEvent(directMessage(text));
      await bot.settled();
    };
    await tell(REPORT);
    await tell('ik wil een medewerker spreken');
    expect(bot.slack.posted({ channel: SLACK_DESK })).toEqual([]);
    const [card] = bot.teams.sent({ conversation: TEAMS_DESK });
    expect(teamsShown(card)).toContain('Sofie Peeters');
    expect(toSofie().at(-1)).toMatch(/nummer 1 in de wachtrij/);
    const thread = () =>
      bot.teams.sent({ conversation: `${TEAMS_DESK};messageid=${String(card!.id)}` }).map(teamsShown);

    await bot.teamsPress(card!, 'claim');
    await bot.settled();
    expect(toSofie().at(-1)).toMatch(/^Jan van de helpdesk neemt uw vraag/);
    await bot.teamsPost(channelMention(bot.serviceUrl, 'Welke klas?', { root: String(card!.id), channel: TEAMS_DESK }));
    await bot.settled();
    expect(toSofie().at(-1)).toBe('Jan: Welke klas?');
    await tell('Piano 2');
    expect(thread().at(-1)).toBe('Sofie Peeters: Piano 2');

    await bot.teamsPress(card!, 'resolve');
    await bot.settled();
    expect(toSofie().at(-1)).toMatch(/afgerond/);
    const notes = (await bot.tickets.get('HD-000001'))?.notes ?? [];
    expect(notes.map((n) => n.text)).toEqual(['Welke klas?', 'Piano 2']);
  });
});
