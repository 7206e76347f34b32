import type { Logger } from 'pino';
import { FileBlobStore } from '../../adapters/files/blobs.ts';
import { fileDeliveryLog } from '../../adapters/state/deliveries.ts';
import { fileHandoffBook } from '../../adapters/state/handoffs.ts';
import { fileStore } from '../../adapters/state/store.ts';
import { createTicketing } from '../../adapters/tickets/factory.ts';
import type { WorkerLog } from '../../adapters/tickets/outbox/worker.ts';
import type { TriageCore } from '../../core/engine.ts';
import { say } from '../../core/messages.ts';
import { type Notifier, TriageService } from '../runtime/service.ts';
import { SlackChannel } from '../slack/channel.ts';
import { slackSettingsFromEnv } from '../slack/settings.ts';
import { type Channel, offChannel, type RunningServer, startServer } from './server.ts';

export interface ServeOptions {
  core: TriageCore;
  dataDir: string;
  port: number;
  host?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** The clock of the runtime and the agent desk (contact hours, queue, reminders); tests inject one. */
  clock?: () => Date;
}

/** The running bot: the HTTP server with its channels, and how to stop it cleanly. */
export interface Serving extends RunningServer {
  channels: Channel[];
}

/**
 * The bot as a server with the embedded stores under `dataDir` (conversations, tickets, files,
 * deliveries): every channel whose settings are in the environment, the others off with the reason.
 */
export async function serve(options: ServeOptions): Promise<Serving> {
  const { core, dataDir, log } = options;
  const store = fileStore(dataDir);
  const deliveries = fileDeliveryLog(dataDir);
  const clock = options.clock ?? (() => new Date());
  // Handoffs on the agent desk (card <-> conversation): on disk, so a restart keeps relaying.
  const handoffs = fileHandoffBook(dataDir);
  // Tickets go through the durable outbox to the configured ticket system; news that comes after its
  // turn (a late number, a reminder) goes to the channel the conversation lives in.
  const ticketing = createTicketing(core.config, { dataDir, log: log as unknown as WorkerLog });
  const notifiers = new Map<string, Notifier>();
  const notifier: Notifier = {
    async notify(conversation, replies) {
      const channel = notifiers.get(conversation.split(':')[0] ?? '');
      if (!channel) throw new Error(`no channel for conversation ${conversation}`);
      await channel.notify(conversation, replies);
    },
  };
  const service = new TriageService(core, store, ticketing.sink, clock, log, {
    worker: ticketing.worker,
    notifier,
    waitMs: ticketing.waitMs,
  });
  ticketing.worker.start(2000);
  const sweeper = setInterval(() => {
    void service.sweep().catch((error: unknown) => log.error({ err: String(error) }, 'closing-rule sweep failed'));
  }, 5 * 60_000);
  sweeper.unref();

  const channels: Channel[] = [];
  const slack = slackSettingsFromEnv(options.env);
  if ('off' in slack) {
    channels.push(offChannel('slack', slack.off));
  } else {
    for (const warning of slack.warnings) log.warn({ channel: 'slack' }, warning);
    const slackChannel = new SlackChannel(slack.settings, {
      turns: service,
      conversations: store,
      deliveries,
      blobs: new FileBlobStore(dataDir),
      log,
      turnFailed: async (conversation) => {
        const lang = (await store.get(conversation))?.lang ?? core.config.default_language;
        return say(core.config, lang, 'turn_failed');
      },
      desk: { host: service, book: handoffs, config: core.config, clock },
    });
    notifiers.set('slack', slackChannel);
    if (slackChannel.desk) {
      service.useDesk(slackChannel.desk);
      log.info({ channel: 'slack', desk: slack.settings.deskChannel }, 'agent desk on Slack');
    }
    channels.push(slackChannel);
  }

  const server = await startServer({
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    channels,
    log,
  });
  return {
    ...server,
    channels,
    async close() {
      clearInterval(sweeper);
      await server.close();
      await ticketing.close();
      await Promise.all([store.close(), deliveries.close(), handoffs.close()]);
    },
  };
}
