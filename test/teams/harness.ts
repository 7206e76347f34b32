import { type ServiceClientCredentials, ServiceClientCredentialsFactory } from 'botframework-connector';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import { type Serving, serve } from '../../bots/server/main.ts';
import type { TeamsChannel } from '../../bots/teams/channel.ts';
import { shippedCore, tempDir } from '../helpers.ts';
import { memoryLog } from '../slack/harness.ts';
import { FakeConnector } from './fake-connector.ts';
import { JAN, SOFIE } from './requests.ts';

export const BOT_TOKEN = 'eyJ0eXAiOiJKV1Qi.fake-bot-framework-token';

/**
 * The bot's credentials as a test gives them: requests come in unauthenticated (local mode, as from the
 * Bot Framework Emulator), but calls out carry a bearer token, like a registered bot's. So the fake
 * connector can insist on the token as the real one does, pasted images included.
 */
export class FixedTokenCredentials extends ServiceClientCredentialsFactory {
  constructor(private readonly token: string) {
    super();
  }
  async isValidAppId(): Promise<boolean> {
    return true;
  }
  async isAuthenticationDisabled(): Promise<boolean> {
    return true;
  }
  async createCredentials(): Promise<ServiceClientCredentials> {
    const token = this.token;
    return {
      async signRequest(request: Parameters<ServiceClientCredentials['signRequest']>[0]) {
        request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    };
  }
}

/**
 * The real server (`serve`, as `npm start` runs it) on 127.0.0.1 with a fresh data folder in Teams'
 * local mode (`TEAMS_LOCAL_MODE=1`, no app id, as for the Bot Framework Emulator); activities go in over HTTP with a local fake Bot Connector as `serviceUrl`.
 */
export async function teamsBot(env: NodeJS.ProcessEnv = {}) {
  const fake = new FakeConnector(BOT_TOKEN);
  await fake.start();
  fake.addMember({ ...SOFIE, email: 'sofie.peeters@klankkast.example', userPrincipalName: 'sofie@klankkast.example' });
  fake.addMember({ ...JAN, userPrincipalName: 'jan.claes@lindenhof.example' });
  const dataDir = tempDir();
  const { lines, log } = memoryLog();
  const running: Serving = await serve({
    core: shippedCore('academy'),
    dataDir,
    port: 0,
    host: '127.0.0.1',
    env: { TEAMS_LOCAL_MODE: '1', ...env },
    log,
    teams: { credentials: new FixedTokenCredentials(BOT_TOKEN), retry: { baseMs: 1 }, typingEveryMs: 60_000 },
  });
  const teams = running.channels.find((c) => c.name === 'teams') as TeamsChannel;
  const endpoint = `${running.url}/api/messages`;
  return {
    fake,
    dataDir,
    logs: lines,
    url: running.url,
    endpoint,
    teams,
    serviceUrl: fake.url,
    tickets: new LocalTicketStore(dataDir),
    /** POST an activity as Teams does; resolves with the HTTP response. */
    post(activity: unknown, headers: Record<string, string> = {}) {
      return fetch(endpoint, {
        method: 'POST',
        body: typeof activity === 'string' ? activity : JSON.stringify(activity),
        headers: { 'content-type': 'application/json', ...headers },
      });
    },
    /** Every activity received so far handled and answered. */
    settled: () => teams.idle(),
    async close() {
      await running.close();
      await fake.close();
    },
  };
}

export type TeamsBot = Awaited<ReturnType<typeof teamsBot>>;

/** What a sent message shows (text, or the card's JSON), for matching. */
export function shown(activity: Record<string, unknown> | undefined): string {
  return JSON.stringify(activity?.attachments ?? activity?.text ?? '');
}

/** The Action.Submit buttons' data on a sent card. */
export function buttons(activity: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const attachments = (activity?.attachments ?? []) as { content?: { actions?: { type: string; data?: unknown }[] } }[];
  return (attachments[0]?.content?.actions ?? [])
    .filter((a) => a.type === 'Action.Submit')
    .map((a) => a.data as Record<string, unknown>);
}
