import type { Logger } from 'pino';
import { profilePath } from '../../adapters/config/load.ts';
import { FileBlobStore } from '../../adapters/files/blobs.ts';
import { ensurePrivateDir } from '../../adapters/files/private.ts';
import { LazyLearnedStore, learnedStoreFromEnv } from '../../adapters/learn/stores.ts';
import { backendFromEnv, type StateBackend } from '../../adapters/state/backend.ts';
import { isStoreError } from '../../adapters/state/transactions.ts';
import { createTicketing } from '../../adapters/tickets/factory.ts';
import type { WorkerLog } from '../../adapters/tickets/outbox/worker.ts';
import { LANGS, type Lang } from '../../core/config/schema.ts';
import type { TriageCore } from '../../core/engine.ts';
import { say } from '../../core/messages.ts';
import {
  buildCoreAside,
  type ConfigSource,
  configSource,
  LearnedHealth,
  type LearnedRead,
} from '../runtime/config-source.ts';

import { DeskSurfaces } from '../runtime/desk.ts';
import { chooseDesk, type DeskName, DeskRouter } from '../runtime/desks.ts';
import { Metrics, outboxCounts } from '../runtime/metrics.ts';
import { noting, RecentConversations } from '../runtime/recent.ts';
import { ReloadableCore, type ReloadOutcome } from '../runtime/reload.ts';
import { type AgentDesk, keepConversationMs, type Notifier, TriageService } from '../runtime/service.ts';
import { warmUp } from '../runtime/warm.ts';
import { slackSettingsFromEnv } from '../slack/settings.ts';
import type { TeamsDeps } from '../teams/channel.ts';
import { mountTeamsRoute } from '../teams/route.ts';
import { teamsDeskFromEnv, teamsSettingsFromEnv } from '../teams/settings.ts';
import { AdminConsole, adminSettingsFromEnv } from '../web/admin.ts';
import { WebChannel, webSettingsFromEnv } from '../web/channel.ts';
import { BrowserDesk, deskPageFromEnv } from '../web/desk.ts';
import { deskCorrections } from './corrections.ts';
import { DeferredChannel } from './deferred.ts';
import { type Channel, type ComponentHealth, offChannel, type RunningServer, startServer } from './server.ts';

export interface ServeOptions {
  core: TriageCore;
  dataDir: string;
  port: number;
  /**
   * Address to listen on. Default: 127.0.0.1 when Teams runs in local mode (TEAMS_LOCAL_MODE=1) and no
   * other channel needs to be reached from outside, or when no channel is on; else every address.
   */
  host?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** How Teams signs its calls and backs off (default: from the environment; tests pass a fake's token). */
  teams?: Pick<TeamsDeps, 'credentials' | 'retry' | 'typingEveryMs'>;
  /** The clock of the runtime and the agent desk (contact hours, queue, reminders); tests inject one. */
  clock?: () => Date;
  /**
   * Where a reload reads the configuration (default: the shipped profile of `core`, an admin's overlay
   * in `dataDir`, the learned examples there).
   */
  source?: ConfigSource;
  /** Whether `core` was trained with the learned examples (`buildCore` says), for the log and `/healthz`. */
  learned?: LearnedRead;
}

/** The running bot: the HTTP server with its channels, and how to stop it cleanly. */
export interface Serving extends RunningServer {
  channels: Channel[];
  /**
   * Where conversations, delivery records, the outbox, the handoffs, the closing rule's list and the
   * Teams addresses live (files, or Redis with `REDIS_URL`).
   */
  state: StateBackend;
  metrics: Metrics;
  /** Run the closing rule now (the server runs it every five minutes by itself): how many were told. */
  sweep(): Promise<number>;
  /** The replaceable core: `reload()` retrains from the configuration as it now stands and swaps it in. */
  runtime: ReloadableCore;
  reload(reason: string): Promise<ReloadOutcome>;
}

/**
 * The bot as a server: every channel whose settings are in the environment, the others off with the
 * reason. Conversations, delivery records, the ticket outbox, the agent desk's handoffs, the closing
 * rule's list and the Teams conversations' addresses live in Redis when `REDIS_URL` is set (several
 * processes then serve the same people), else in files under `dataDir`; files (screenshots) and the
 * local ticket store stay under `dataDir` either way.
 */
export async function serve(options: ServeOptions): Promise<Serving> {
  const { dataDir, log } = options;
  // Conversations, tickets and screenshots are personal data: the folder is the owner's only.
  await ensurePrivateDir(dataDir);
  // The core every part holds is replaceable: a reload (admin console, SIGHUP, learned examples that
  // changed) swaps a newly trained one in behind it. Warmed up first: the first person's answer is fast.
  const source = options.source ?? configSource(profilePath(options.core.config.profile), dataDir);
  // Learned examples that cannot be read (Redis away, a damaged entry) are left out of training: the
  // log says so once, `/healthz` as long as it lasts.
  const learnedHealth = new LearnedHealth(log);
  if (options.learned) learnedHealth.told(options.learned);
  const build = async () => {
    const built = await buildCoreAside(source, undefined, options.env);
    learnedHealth.told(built.learned);
    return built.core;
  };
  const runtime = new ReloadableCore(options.core, { build, log });
  const warmMs = warmUp(options.core);
  log.debug({ ms: Math.round(warmMs) }, 'core warmed up');
  // Examples approved (`triage learn approve`, an agent's correction) join training without a restart.
  runtime.watch([source.learned]);
  const core = runtime.core;
  const state = await backendFromEnv(options.env, dataDir, {
    log,
    onError: redisErrors(log),
    // Redis unreachable at start: the server opens its port all the same, `/healthz` says 503 and why,
    // turns fail with "not saved" until the client (retrying every 3 s at most) gets through.
    firstConnectMs: 5000,
    onStartWithout: (reason) =>
      log.error({ reason }, 'Redis unreachable at start: serving with the store down, retrying in the background'),
    // An address lives as long as its conversation can (every message and proactive post renews it).
    addresses: { keepMs: keepConversationMs(core.config, true) },
  });
  const { store, deliveries } = state;
  // The book holds what the Teams channel gives it: conversation references.
  const addresses = state.addresses as TeamsDeps['addresses'];
  const blobs = new FileBlobStore(dataDir);
  const clock = options.clock ?? (() => new Date());
  // Handoffs on the agent desk (card <-> conversation): kept with the state, so a restart keeps relaying
  // and, on Redis, whichever process an agent's click or reply reaches finds the handoff.
  const handoffs = state.handoffs;
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
    // A real write (SQLite) or a round trip (Redis): a store that cannot be written is down, with why.
    store: () => state.health(),
    // The core in use trained with the approved learned examples, or without them and why.
    learned: async () => learnedHealth.health(),
    // The helpdesk being slow or down degrades the bot without stopping it: tickets wait in the outbox.
    // An outbox that cannot be read stops every delivery: down, with why.
    tickets: async () => {
      let c: Awaited<ReturnType<typeof counts>>;
      try {
        c = await counts();
      } catch (error) {
        return {
          state: 'down',
          adapter: ticketing.sink.name,
          reason: `outbox unreadable: ${(error as Error).message}`,
        };
      }
      const { pending, delivering, dead } = c;
      const unreadable = state.outbox.unreadable;
      return {
        state: dead > 0 || unreadable > 0 ? 'degraded' : 'ok',
        adapter: ticketing.sink.name,
        waiting: pending + delivering,
        dead,
        ...(unreadable > 0 ? { unreadable } : {}),
      };
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
  // The conversations saved lately, for the admin console (the stores cannot list theirs).
  const recent = new RecentConversations();
  const service = new TriageService(core, noting(store, recent), ticketing.sink, clock, log, {
    worker: ticketing.worker,
    notifier,
    waitMs: ticketing.waitMs,
    ...(state.lock ? { lock: state.lock } : {}),
    waiting: state.waiting,
    observer: metrics,
    atomic: (fn) => state.atomic(fn),
    deliveries,
  });
  ticketing.worker.start(2000);
  // Every process sweeps the one shared list; the conversation lock keeps it to one reminder each.
  const sweeper = setInterval(() => {
    void service.sweep().catch((error: unknown) => log.error({ err: String(error) }, 'closing-rule sweep failed'));
  }, 5 * 60_000);
  sweeper.unref();

  // A store that could not save the turn: the person hears it was not saved (and to try again), never
  // that a ticket went out. The language from the conversation when it can still be read.
  const turnFailed = async (conversation: string, error?: unknown) => {
    const lang = (await store.get(conversation).catch(() => undefined))?.lang ?? core.config.default_language;
    return say(core.config, lang, isStoreError(error) ? 'not_saved' : 'turn_failed');
  };

  // An agent's correction of a ticket's kind on a desk card: learned, and noted on a local ticket.
  // Kept beside the state (the data folder's database, or Redis), opened at the first correction.
  const learned = new LazyLearnedStore(() => learnedStoreFromEnv(options.env, dataDir), 'learned examples');
  const corrections = deskCorrections(core.config, {
    store: learned,
    sink: ticketing.sink,
    outbox: state.outbox,
    clock,
  });
  // Every desk's cards by their prefix: a step on one desk (the browser) redraws the card where it was posted.
  const surfaces = new DeskSurfaces();
  const channels: Channel[] = [];
  const desks: Partial<Record<DeskName, AgentDesk>> = {};
  let outsideCallers = false;
  const slack = slackSettingsFromEnv(options.env);
  if ('off' in slack) {
    channels.push(offChannel('slack', slack.off));
  } else {
    for (const warning of slack.warnings) log.warn({ channel: 'slack' }, warning);
    // Each platform's SDK is loaded only when its channel is on (Bolt and botbuilder take a while to load).
    const { SlackChannel } = await import('../slack/channel.ts');
    const slackChannel = new SlackChannel(slack.settings, {
      turns: service,
      conversations: store,
      deliveries,
      ...(state.inbox ? { inbox: state.inbox } : {}),
      blobs,
      log,
      turnFailed,
      desk: { host: service, book: handoffs, config: core.config, clock, corrections, surfaces },
      observer: metrics,
      ...(options.env.MAX_WAITING_TURNS ? { maxWaitingTurns: Number(options.env.MAX_WAITING_TURNS) } : {}),
    });
    notifiers.set('slack', slackChannel);
    if (slackChannel.desk) desks.slack = slackChannel.desk;
    channels.push(slackChannel);
    // Over HTTP, Slack calls in from outside; in Socket Mode the bot calls out.
    outsideCallers ||= !slack.settings.appToken;
  }

  // The agent desk in the browser (/desk): with DESK_TOKEN, agents on other machines sign in with it.
  const deskPage = deskPageFromEnv(options.env);
  outsideCallers ||= !('off' in deskPage) && Boolean(deskPage.settings.token);

  let host = options.host;
  const teams = teamsSettingsFromEnv(options.env);
  if (teams.warning) log.warn({ channel: 'teams' }, teams.warning);
  if ('off' in teams) {
    channels.push(offChannel('teams', teams.off));
    // Nothing to serve to other machines: the port stays on this one.
    if (!outsideCallers && 'off' in slack) host ??= '127.0.0.1';
  } else {
    if (teams.settings.mode === 'local') {
      // Unauthenticated activities must not come from elsewhere, nor send replies elsewhere.
      host ??= outsideCallers ? undefined : '127.0.0.1';
      const loopback = host === '127.0.0.1' || host === 'localhost';
      log.warn(
        { channel: 'teams', host: host ?? '0.0.0.0' },
        `Teams in local mode (TEAMS_LOCAL_MODE=1, no MicrosoftAppId): requests are NOT authenticated, for the Bot Framework Emulator; ${
          loopback ? 'listening on 127.0.0.1 only' : '/api/messages answers callers on this machine only'
        }, never through a proxy, replies to a serviceUrl on this machine only`,
      );
    }
    const deskSettings = teamsDeskFromEnv(options.env);
    if (deskSettings.warning) log.warn({ channel: 'teams' }, deskSettings.warning);
    const settings = teams.settings;
    const build = async () => {
      const { TeamsChannel } = await import('../teams/channel.ts');
      return new TeamsChannel(settings, {
        turns: service,
        deliveries,
        blobs,
        addresses,
        log,
        observer: metrics,
        texts: {
          welcome(locale) {
            // Teams gives the person's language as a locale (`fr-BE`).
            const asked = LANGS.find((l) => l === locale?.slice(0, 2).toLowerCase());
            const lang: Lang = asked ?? core.config.default_language;
            return say(core.config, lang, 'welcome');
          },
          turnFailed,
        },
        ...(deskSettings.desk
          ? {
              desk: {
                settings: deskSettings.desk,
                host: service,
                book: handoffs,
                config: core.config,
                clock,
                corrections,
                surfaces,
              },
            }
          : {}),
        ...options.teams,
      });
    };
    if (deskSettings.desk) {
      // The agent desk is wired into the handoff router below: built now.
      const teamsChannel = await build();
      notifiers.set('teams', teamsChannel);
      if (teamsChannel.desk) desks.teams = teamsChannel.desk;
      channels.push(teamsChannel);
    } else {
      // Built once the server is up (botbuilder's load is then not part of the start-up).
      const deferred = new DeferredChannel('teams', build, mountTeamsRoute, settings.mode);
      notifiers.set('teams', {
        notify: async (conversation, replies) => (await deferred.channel()).notify(conversation, replies),
      });
      channels.push(deferred);
    }
  }

  // The web chat: on by default, for callers on this machine unless WEBCHAT=open.
  const web = webSettingsFromEnv(options.env);
  let webUrl = false;
  if ('off' in web) {
    channels.push(offChannel('web', web.off));
  } else {
    const webChannel = new WebChannel(web.settings, {
      turns: service,
      blobs,
      log,
      texts: { welcome: (lang) => say(core.config, lang, 'welcome'), turnFailed },
    });
    notifiers.set('web', webChannel);
    channels.push(webChannel);
    webUrl = true;
    // Nothing else needs callers from elsewhere: listen on loopback only, as the web chat answers it only.
    const teamsOutside = !('off' in teams) && teams.settings.mode === 'authenticated';
    if (web.settings.mode === 'local' && !outsideCallers && !teamsOutside) host ??= '127.0.0.1';
  }

  // The admin console: with ADMIN_TOKEN for whoever holds it, else for this machine only (ADMIN=off: none).
  const adminOff = (options.env.ADMIN ?? '').trim().toLowerCase() === 'off';
  const admin = adminSettingsFromEnv(options.env);
  if (adminOff) channels.push(offChannel('admin', 'ADMIN=off'));
  else
    channels.push(
      new AdminConsole(admin, { runtime, source, store, recent, dataDir, blobs, outbox: state.outbox, log }),
    );

  // The browser desk sees every handoff, whichever desk posted its card; it takes new ones when no
  // Slack or Teams desk is set up (or HANDOFF_DESK=web), so a fresh `npm start` has a working desk.
  if ('off' in deskPage) {
    channels.push(offChannel('desk', deskPage.off));
  } else {
    const browserDesk = new BrowserDesk(deskPage.settings, {
      host: service,
      book: handoffs,
      config: core.config,
      log,
      clock,
      corrections,
      deliveries,
      surfaces,
    });
    desks.web = browserDesk.desk;
    channels.push(browserDesk);
  }

  // One desk takes new handoffs (HANDOFF_DESK, else Slack's); each keeps relaying the handoffs it holds.
  const chosen = chooseDesk(options.env.HANDOFF_DESK, Object.keys(desks) as DeskName[]);
  if (chosen.warning) log.warn({}, chosen.warning);
  if (chosen.desk) {
    service.useDesk(new DeskRouter(handoffs, desks, chosen.desk));
    log.info(
      { desk: chosen.desk, desks: Object.keys(desks) },
      `agent desk on ${{ slack: 'Slack', teams: 'Teams', web: 'the browser (/desk)' }[chosen.desk]}`,
    );
  }

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      port: options.port,
      ...(host ? { host } : {}),
      channels,
      log,
      health,
      metrics,
      ...(options.env.METRICS_TOKEN ? { metricsToken: options.env.METRICS_TOKEN } : {}),
    });
  } catch (error) {
    // A port in use (the error says which and what to do): let go of the stores, so the process ends.
    clearInterval(sweeper);
    await ticketing.close().catch(() => {});
    await learned.close().catch(() => {});
    await state.close().catch(() => {});
    throw error;
  }
  if (webUrl) log.info({ url: `${server.url}/` }, `web chat: open ${server.url}/ in a browser`);
  if (!adminOff)
    log.info(
      { url: `${server.url}/admin`, access: admin.token ? 'token' : 'loopback' },
      admin.token
        ? `admin console: ${server.url}/admin (ADMIN_TOKEN required)`
        : `admin console: ${server.url}/admin (no ADMIN_TOKEN: callers on this machine only)`,
    );

  if (desks.web) log.info({ url: `${server.url}/desk` }, `agent desk: open ${server.url}/desk in a browser`);
  return {
    ...server,
    // The channels as built (the server started them all, deferred ones included).
    channels: channels.map((c) => (c instanceof DeferredChannel ? (c.current() ?? c) : c)),
    state,
    metrics,
    sweep: () => service.sweep(),
    runtime,
    reload: (reason) => runtime.reload(reason),
    async close() {
      clearInterval(sweeper);
      runtime.close();
      await server.close();
      await ticketing.close();
      await learned.close();
      await state.close();
    },
  };
}

/**
 * Redis connection errors, logged at most once every 10 s with how many there were: the client retries
 * every few seconds while Redis is away, and each failure would otherwise be a line.
 */
function redisErrors(log: Logger): (error: Error) => void {
  let last = 0;
  let since = 0;
  return (error) => {
    since++;
    const now = Date.now();
    if (now - last < 10_000) return;
    log.error({ err: error.message, failures: since }, 'redis connection error');
    last = now;
    since = 0;
  };
}
