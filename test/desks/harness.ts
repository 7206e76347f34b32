import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import { type Serving, serve } from '../../bots/server/main.ts';
import type { SlackChannel } from '../../bots/slack/channel.ts';
import type { TeamsChannel } from '../../bots/teams/channel.ts';
import { shippedCore, tempDir } from '../helpers.ts';
import { FakeSlack } from '../slack/fake-slack.ts';
import { memoryLog } from '../slack/harness.ts';
import { buttonPress, eventCallback, SIGNING_SECRET, BOT_TOKEN as SLACK_TOKEN, sendSigned } from '../slack/requests.ts';
import { FakeConnector } from '../teams/fake-connector.ts';
import { FixedTokenCredentials, BOT_TOKEN as TEAMS_TOKEN } from '../teams/harness.ts';
import { cardSubmit, JAN, SOFIE } from '../teams/requests.ts';

/** The Teams desk channel of these tests. */
export const TEAMS_DESK = '19:helpdesk-agents@thread.tacv2';
export const SLACK_DESK = 'C0DESK';
export const PIET = { id: '29:1piet', name: 'Piet Janssens', aadObjectId: '6b1e0f3c-0000-4000-8000-00000000a003' };

/**
 * The real server with BOTH channels, each against its local fake (Slack's Web API, the Bot Connector):
 * people and agents on either app, one handoff book. `env` picks the desks (`SLACK_DESK_CHANNEL`,
 * `TEAMS_DESK_CONVERSATION`, `HANDOFF_DESK`).
 */
export async function deskBots(env: NodeJS.ProcessEnv, clock: () => Date) {
  const slack = new FakeSlack(SLACK_TOKEN);
  const teams = new FakeConnector(TEAMS_TOKEN);
  await Promise.all([slack.start(), teams.start()]);
  slack.addUser('USOFIE', 'Sofie Peeters', 'sofie.peeters@klankkast.example');
  slack.addUser('UJAN', 'Jan Claes', 'jan.claes@lindenhof.example');
  slack.addUser('UPIET', 'Piet Janssens', 'piet.janssens@helpdesk.example');
  teams.addMember({ ...SOFIE, email: 'sofie.peeters@klankkast.example' });
  teams.addMember({ ...JAN, userPrincipalName: 'jan.claes@lindenhof.example' });
  const dataDir = tempDir();
  const { lines, log } = memoryLog();
  const running: Serving = await serve({
    core: shippedCore('academy'),
    dataDir,
    port: 0,
    host: '127.0.0.1',
    env: {
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      TEAMS_DESK_SERVICE_URL: teams.url,
      TEAMS_LOCAL_MODE: '1',
      ...env,
    },
    log,
    clock,
    teams: { credentials: new FixedTokenCredentials(TEAMS_TOKEN), retry: { baseMs: 1 }, typingEveryMs: 60_000 },
  });
  const slackChannel = running.channels.find((c) => c.name === 'slack') as SlackChannel;
  const teamsChannel = running.channels.find((c) => c.name === 'teams') as TeamsChannel;
  const slackEndpoint = `${running.url}/slack/events`;
  /** Everything received so far handled, including what one app's work sent through the other. */
  const settled = async () => {
    for (let i = 0; i < 3; i++) await Promise.all([slackChannel.idle(), teamsChannel.idle()]);
  };
  return {
    slack,
    teams,
    logs: lines,
    serviceUrl: teams.url,
    slackChannel,
    teamsChannel,
    dataDir,
    tickets: new LocalTicketStore(dataDir),
    settled,
    /** POST an activity as Teams does. */
    teamsPost(activity: unknown): Promise<Response> {
      return fetch(`${running.url}/api/messages`, {
        method: 'POST',
        body: JSON.stringify(activity),
        headers: { 'content-type': 'application/json' },
      });
    },
    /** A click on a Teams desk card's button (claim, resolve, return), as `agent`. */
    teamsPress(card: Record<string, unknown>, act: string, agent = JAN): Promise<Response> {
      const thread = { id: card.id, _to: `${TEAMS_DESK};messageid=${String(card.id)}` };
      return this.teamsPost(cardSubmit(teams.url, thread, { action: 'triage_desk', act, ticket: 'x' }, agent));
    },
    /** Deliver a signed Slack Events API event. */
    slackEvent(event: Record<string, unknown>, id?: string): Promise<Response> {
      return sendSigned(slackEndpoint, JSON.stringify(eventCallback(event, id)), 'application/json');
    },
    slackPress(message: Record<string, unknown>, actionId: string, user: string): Promise<Response> {
      return sendSigned(slackEndpoint, buttonPress(message, actionId, user), 'application/x-www-form-urlencoded');
    },
    async close() {
      await running.close();
      await Promise.all([slack.close(), teams.close()]);
    },
  };
}

export type DeskBots = Awaited<ReturnType<typeof deskBots>>;

/** What a Teams message shows (text, or the card's JSON), for matching. */
export function teamsShown(activity: Record<string, unknown> | undefined): string {
  return typeof activity?.text === 'string' ? activity.text : JSON.stringify(activity?.attachments ?? '');
}
