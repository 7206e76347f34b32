import type { Logger } from 'pino';
import { FileBlobStore } from '../../adapters/files/blobs.ts';
import { fileDeliveryLog } from '../../adapters/state/deliveries.ts';
import { fileStore } from '../../adapters/state/store.ts';
import { LocalTicketStore } from '../../adapters/tickets/local/store.ts';
import type { TriageCore } from '../../core/engine.ts';
import { TriageService } from '../runtime/service.ts';
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
  const tickets = new LocalTicketStore(dataDir, core.config.ticket_prefix);
  const service = new TriageService(core, store, tickets, () => new Date(), log);

  const channels: Channel[] = [];
  const slack = slackSettingsFromEnv(options.env);
  if ('off' in slack) {
    channels.push(offChannel('slack', slack.off));
  } else {
    for (const warning of slack.warnings) log.warn({ channel: 'slack' }, warning);
    channels.push(
      new SlackChannel(slack.settings, {
        turns: service,
        conversations: store,
        deliveries,
        blobs: new FileBlobStore(dataDir),
        log,
      }),
    );
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
      await server.close();
      await Promise.all([store.close(), deliveries.close()]);
    },
  };
}
