import { Writable } from 'node:stream';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import { appLogger } from '../../bots/runtime/log.ts';
import { type Serving, serve } from '../../bots/server/main.ts';
import type { SlackChannel } from '../../bots/slack/channel.ts';
import { shippedCore, tempDir } from '../helpers.ts';
import { FakeSlack } from './fake-slack.ts';
import {
  BOT_TOKEN,
  buttonClick,
  buttonPress,
  eventCallback,
  menuChoice,
  SIGNING_SECRET,
  sendSigned,
  slashCommand,
} from './requests.ts';

/** Log lines kept in memory (JSON), at debug level so that everything that could leak is there. */
export function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: appLogger('debug', stream) };
}

/**
 * The real server (`serve`, as `npm start` runs it) on 127.0.0.1 with a fresh data folder, configured
 * from the environment to use a local fake of Slack's Web API; requests go in signed over HTTP.
 */
export async function slackBot(env: NodeJS.ProcessEnv = {}, options: { clock?: () => Date } = {}) {
  const fake = new FakeSlack(BOT_TOKEN);
  await fake.start();
  fake.addUser('USOFIE', 'Sofie Peeters', 'sofie.peeters@klankkast.example');
  fake.addUser('UJAN', 'Jan Claes', 'jan.claes@lindenhof.example');
  const dataDir = tempDir();
  const { lines, log } = memoryLog();
  const start = () =>
    serve({
      core: shippedCore('academy'),
      dataDir,
      port: 0,
      host: '127.0.0.1',
      env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...env },
      log,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  let running: Serving = await start();
  const slackOf = (serving: Serving) => serving.channels.find((c) => c.name === 'slack') as SlackChannel;
  const endpointOf = (serving: Serving) => `${serving.url}/slack/events`;
  return {
    fake,
    dataDir,
    logs: lines,
    get url() {
      return running.url;
    },
    get endpoint() {
      return endpointOf(running);
    },
    get slack() {
      return slackOf(running);
    },
    tickets: new LocalTicketStore(dataDir),
    /** Deliver an Events API event; resolves with Slack's view: the HTTP response (the ack). */
    event(event: Record<string, unknown>, options: { id?: string; retryNum?: number } = {}) {
      const body = JSON.stringify(eventCallback(event, options.id));
      return sendSigned(endpointOf(running), body, 'application/json', {
        ...(options.retryNum !== undefined ? { retryNum: options.retryNum, retryReason: 'http_timeout' } : {}),
      });
    },
    command(text: string, user?: string) {
      return sendSigned(
        endpointOf(running),
        slashCommand(text, user ? { user } : {}),
        'application/x-www-form-urlencoded',
      );
    },
    click(message: Record<string, unknown>, value: string, user?: string) {
      return sendSigned(endpointOf(running), buttonClick(message, value, user), 'application/x-www-form-urlencoded');
    },
    /** Click the button with this action id (the desk card's buttons share one value). */
    press(message: Record<string, unknown>, actionId: string, user?: string) {
      return sendSigned(endpointOf(running), buttonPress(message, actionId, user), 'application/x-www-form-urlencoded');
    },
    /** Choose an option in a message's select menu (the desk card's kind menu). */
    choose(message: Record<string, unknown>, actionId: string, value: string, user?: string) {
      return sendSigned(
        endpointOf(running),
        menuChoice(message, actionId, value, user),
        'application/x-www-form-urlencoded',
      );
    },
    /** Every request received so far handled and answered. */
    settled: () => slackOf(running).idle(),
    /** Stop the server and start it again on the same data folder (Slack's fake stays up). */
    async restart() {
      await running.close();
      running = await start();
    },
    async close() {
      await running.close();
      await fake.close();
    },
  };
}

export type SlackBot = Awaited<ReturnType<typeof slackBot>>;

/** The text of everything a message shows (blocks included), for matching. */
export function shown(message: Record<string, unknown> | undefined): string {
  return JSON.stringify(message?.blocks ?? message?.text ?? '');
}
