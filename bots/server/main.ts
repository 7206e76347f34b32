import type { Logger } from 'pino';
import { FileBlobStore } from '../../adapters/files/blobs.ts';
import { backendFromEnv, type StateBackend } from '../../adapters/state/backend.ts';
import { createTicketing } from '../../adapters/tickets/factory.ts';
import type { WorkerLog } from '../../adapters/tickets/outbox/worker.ts';
import type { TriageCore } from '../../core/engine.ts';
import { say } from '../../core/messages.ts';
import { Metrics, outboxCounts } from '../runtime/metrics.ts';
import { type Notifier, TriageService } from '../runtime/service.ts';
import { SlackChannel } from '../slack/channel.ts';
import { slackSettingsFromEnv } from '../slack/settings.ts';
import { type Channel, type ComponentHealth, offChannel, type RunningServer, startServer } from './server.ts';

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
  /** Where conversations, delivery records and the outbox live (files, or Redis with `REDIS_URL`). */
  state: StateBackend;
  metrics: Metrics;
}

/**
 * The bot as a server: every channel whose settings are in the environment, the others off with the
 * reason. Conversations, delivery records and the ticket outbox live in Redis when `REDIS_URL` is set
 * (several processes then serve the same people), else in files under `dataDir`; files (screenshots)
 * and the local ticket store stay under `dataDir` either way.
 */
export async function serve(options: ServeOptions): Promise<Serving> {
  const { core, dataDir, log } = options;
  const state = await backendFromEnv(options.env, dataDir, {
    onError: (error) => log.error({ err: error.message }, 'redis connection error'),
  });
  const { store, deliveries } = state;
  // Tickets go through the durable outbox to the configured ticket system; news that comes after its
  // turn (a late number, a reminder) goes to the channel the conversation lives in.
  const ticketing = createTicketing(core.config, {
    dataDir,
    outbox: state.outbox,
    log: log as unknown as WorkerLog,
  });
  const counts = outboxCounts(() => state.outbox.briefs());
  const metrics = new Metrics({
    outbox: counts,
    storeUp: async () => (await state.health()).state === 'ok',
  });
  const health: Record<string, () => Promise<ComponentHealth>> = {
    store: () => state.health(),
    // The helpdesk being slow or down degrades the bot without stopping it: tickets wait in the outbox.
    tickets: async () => {
      const { pending, delivering, dead } = await counts();
      return { state: dead > 0 ? 'degraded' : 'ok', adapter: ticketing.sink.name, waiting: pending + delivering, dead };
    },
  };
  const notifiers = new Map<string, Notifier>();
  const notifier: Notifier = {
    async notify(conversation, replies) {
      const channel = notifiers.get(conversation.split(':')[0] ?? '');
      if (!channel) throw new Error(`no channel for conversation ${conversation}`);
      await channel.notify(conversation, replies);
    },
  };
  const service = new TriageService(core, store, ticketing.sink, () => new Date(), log, {
    worker: ticketing.worker,
    notifier,
    waitMs: ticketing.waitMs,
    ...(state.lock ? { lock: state.lock } : {}),
    observer: metrics,
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
      observer: metrics,
      ...(options.env.MAX_WAITING_TURNS ? { maxWaitingTurns: Number(options.env.MAX_WAITING_TURNS) } : {}),
      turnFailed: async (conversation) => {
        const lang = (await store.get(conversation))?.lang ?? core.config.default_language;
        return say(core.config, lang, 'turn_failed');
      },
    });
    notifiers.set('slack', slackChannel);
    channels.push(slackChannel);
  }

  const server = await startServer({
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    channels,
    log,
    health,
    metrics,
    ...(options.env.METRICS_TOKEN ? { metricsToken: options.env.METRICS_TOKEN } : {}),
  });
  return {
    ...server,
    channels,
    state,
    metrics,
    async close() {
      clearInterval(sweeper);
      await server.close();
      await ticketing.close();
      await state.close();
    },
  };
}
