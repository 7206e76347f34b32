import {
  type Activity,
  CloudAdapter,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder';
import {
  AuthenticationError,
  type ConnectorClient,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import type { Logger } from 'pino';
import type restify from 'restify';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import type { DeskCorrections } from '../../adapters/learn/corrections.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { HandoffBook } from '../../adapters/state/handoffs.ts';
import type { AddressBook } from '../../adapters/state/references.ts';
import type { Config } from '../../core/config/schema.ts';
import { visibleLine, visibleTurn } from '../../core/text/visible.ts';
import type { Attachment, Person, Reply, Turn } from '../../core/types.ts';
import type { DeskSurfaces } from '../runtime/desk.ts';
import { Limiter } from '../runtime/limiter.ts';
import type { DeliveryObserver } from '../runtime/metrics.ts';
import { type TriageService, type TurnResult, turnLog } from '../runtime/service.ts';
import type { Channel, ChannelStatus } from '../server/server.ts';
import {
  conversationKey,
  type IncomingActivity,
  type Intent,
  intentOf,
  parseActivity,
  rosterId,
} from './activities.ts';
import { ADAPTIVE_CARD, type AdaptiveCard, answeredCard, cardWithButtons, renderReply } from './cards.ts';
import { authorizationOf, type RetryOptions, TeamsAuthentication } from './connector.ts';
import { type DeskConnector, TeamsDesk } from './desk.ts';
import { fetchAttachments } from './files.ts';
import { isLocalUrl, localRefusal } from './local.ts';
import { mountTeamsRoute } from './route.ts';
import { botFrameworkConfig, GLOBAL_SERVICE_URL, type TeamsDeskSettings, type TeamsSettings } from './settings.ts';

/** The route Teams (through the Azure Bot's messaging endpoint) posts activities to. */

/** What the Teams channel needs from the host: the triage runtime, the stores, the configured texts. */
export interface TeamsDeps {
  turns: { handleTurn(turn: Turn, options?: { delivery?: string }): Promise<TurnResult> };
  deliveries: DeliveryLog;
  blobs: BlobStore;
  /**
   * How to reach each conversation outside a turn (late ticket numbers, reminders, agents' messages):
   * with the state, so on Redis any process reaches a conversation another one served.
   */
  addresses: AddressBook<Partial<ConversationReference>>;
  log: Logger;
  /** What the bot says of its own accord, from the configuration, in the conversation's language. */
  texts: {
    /** On installation; `locale` is the person's Teams language (e.g. `fr-BE`), when known. */
    welcome(locale?: string): string;
    /** Given why it failed: a store that could not save it says so. */
    turnFailed(conversation: string, error?: unknown): Promise<string>;
  };
  /**
   * How the bot signs its calls to Teams and downloads. Default: botbuilder's, from the settings
   * (MicrosoftAppPassword, or a managed identity). Tests pass a fixed token.
   */
  credentials?: ServiceClientCredentialsFactory;
  /** Told whether each delivery was handled or recognised as a copy (metrics), as the Slack channel tells it. */
  observer?: DeliveryObserver;
  /** Back-off of calls Teams throttles (429) or that meet a busy gateway (412, 502, 504). */
  retry?: RetryOptions;
  /** Files above this size are named in the ticket, not downloaded (default 20 MB). */
  maxFileBytes?: number;
  /** Turns handled at once; more wait in arrival order (default 4). Their HTTP answers never wait. */
  concurrentTurns?: number;
  /** How often the typing indicator is renewed while the bot works (Teams shows it about 3 s). */
  typingEveryMs?: number;
  /** The agent desk in a Teams channel (`TEAMS_DESK_CONVERSATION`); the host plugs it into the runtime. */
  desk?: {
    settings: TeamsDeskSettings;
    host: Pick<TriageService, 'fromDesk'>;
    book: HandoffBook;
    config: Config;
    clock?: () => Date;
    corrections?: DeskCorrections;
    /** The server's desk surfaces (a step on the browser desk redraws this desk's card). */
    surfaces?: DeskSurfaces;
  };
}

/** CloudAdapter, with the route's own checks before it: only parsed, valid activities reach it. */
class TeamsAdapter extends CloudAdapter {
  /** Authenticate one activity (401 on a missing or bad token when an app id is set) and run `logic`. */
  run(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authorization, activity, logic);
  }
}

const USER_CACHE_MS = 10 * 60_000;
const REMEMBERED = 5000;
/** Where the Bot Connector and tenant of the latest activity are kept, for the desk's proactive posts. */
const SERVICE_KEY = 'teams-desk:service';

/**
 * Microsoft Teams as a channel of the triage bot, on botbuilder's CloudAdapter: personal chats, @mentions
 * in channels (answered in the thread, one conversation per thread) and group chats, Adaptive Cards for
 * choices and the ticket preview, pasted screenshots, a welcome on installation. It only translates:
 * activities into core turns, core replies into messages and cards.
 *
 * Every activity is answered (HTTP 200) as soon as it is claimed in the delivery log; the turn runs after,
 * and replies go out through the Bot Connector. So Teams never waits 15 s and redelivers, and a copy it
 * redelivers anyway finds its claim and is ignored.
 */
export class TeamsChannel implements Channel {
  readonly name = 'teams';
  readonly adapter: TeamsAdapter;
  private readonly log: Logger;
  private readonly appId: string;
  private readonly slots: Limiter;
  private readonly work = new Set<Promise<unknown>>();
  private readonly people = new Map<string, { person: Person; at: number }>();
  /** Per conversation, the bot's latest card whose buttons still wait for an answer (in memory). */
  private readonly cards = new Map<string, { id: string; card: AdaptiveCard }>();
  /** The agent desk in the channel `TEAMS_DESK_CONVERSATION`, when set. */
  readonly desk: TeamsDesk | null;
  /** The Bot Connector and tenant Teams named on the latest activity (Microsoft: reuse it for proactive posts). */
  private service: { serviceUrl: string; tenantId?: string } | undefined;
  /** Per desk thread, the last of its activities in hand (they run one after the other). */
  private readonly deskThreads = new Map<string, Promise<void>>();

  constructor(
    private readonly settings: TeamsSettings,
    private readonly deps: TeamsDeps,
  ) {
    this.log = deps.log.child({ channel: 'teams' });
    this.appId = settings.mode === 'authenticated' ? settings.appId : '';
    this.slots = new Limiter(deps.concurrentTurns ?? 4);
    let warned = false;
    const auth = new TeamsAuthentication(
      botFrameworkConfig(settings),
      deps.credentials,
      {
        ...deps.retry,
        onRetry: (status, attempt, delayMs) =>
          this.log.warn({ status, attempt, delayMs }, 'Bot Connector asked to come back later; retrying'),
      },
      () => {
        if (!warned) this.log.warn({}, 'could not set the retry policy on the Bot Connector client');
        warned = true;
      },
    );
    this.adapter = new TeamsAdapter(auth);
    this.desk = deps.desk
      ? new TeamsDesk({
          channel: deps.desk.settings.conversation,
          connector: this.deskConnector(deps.desk.settings),
          host: deps.desk.host,
          config: deps.desk.config,
          book: deps.desk.book,
          deliveries: deps.deliveries,
          log: this.log,
          ...(deps.desk.clock ? { clock: deps.desk.clock } : {}),
          ...(deps.desk.corrections ? { corrections: deps.desk.corrections } : {}),
          ...(deps.desk.surfaces ? { surfaces: deps.desk.surfaces } : {}),
        })
      : null;
  }

  mount(server: restify.Server): void {
    mountTeamsRoute(server, () => this);
  }

  async start(): Promise<void> {
    this.desk?.start();
  }

  async stop(): Promise<void> {
    this.desk?.stop();
    await this.idle();
  }

  status(): ChannelStatus {
    return { state: 'on', mode: this.settings.mode };
  }

  /** Resolves when every activity received before the call is handled and answered. */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** Send the person what the core says outside a turn (a late ticket number, a reminder). */
  async notify(conversation: string, replies: Reply[]): Promise<void> {
    const reference = await this.deps.addresses.get(conversation);
    if (!reference) throw new Error(`no Teams address for ${conversation}`);
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      for (const reply of replies) await this.post(context, conversation, renderReply(reply));
    });
    // A use like a message: the conversation was just kept longer (an agent's messages, a reminder), so is its address.
    await this.deps.addresses
      .set(conversation, reference)
      .catch((error: unknown) => this.log.warn({ err: String(error) }, 'could not renew the conversation address'));
  }

  // ---- from Teams ------------------------------------------------------------------------------

  /** One POST to the route, its body parsed: checked, claimed, answered; the turn runs after. */
  async receive(req: restify.Request, res: restify.Response): Promise<void> {
    const local = this.settings.mode === 'local';
    const refused = local ? localRefusal({ remoteAddress: req.socket.remoteAddress, headers: req.headers }) : null;
    if (refused) {
      this.log.warn({ remote: req.socket.remoteAddress }, 'local mode: request from elsewhere refused');
      res.send(403, { error: refused });
      return;
    }
    const parsed = parseActivity(req.body);
    if ('error' in parsed) {
      res.send(400, { error: parsed.error });
      return;
    }
    const activity = parsed.activity;
    if (local && !isLocalUrl(activity.serviceUrl)) {
      res.send(400, {
        error: 'in local mode the bot answers on this machine only: serviceUrl must be 127.0.0.1, [::1] or localhost',
      });
      return;
    }
    const authorization = req.header('authorization') ?? '';
    let invoke: InvokeResponse | undefined;
    try {
      invoke = await this.adapter.run(authorization, activity as unknown as Activity, () => this.accept(activity));
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.send(error.statusCode === 400 ? 400 : 401, { error: 'unauthorized: no valid Bot Framework token' });
        return;
      }
      this.log.error({ err: String(error), type: activity.type }, 'activity not accepted');
      res.send(500, { error: 'the activity could not be accepted; try again' });
      return;
    }
    if (invoke?.body !== undefined) res.send(invoke.status, invoke.body);
    else res.send(invoke?.status ?? 200);
  }

  /**
   * Claim the activity in the delivery log (a copy is ignored: no second answer, no second ticket), then
   * hand it to the turn slots and answer Teams at once. The claim is all that is written before the
   * answer: it is what makes a redelivery safe. The conversation's address is kept in the turn.
   */
  private async accept(activity: IncomingActivity): Promise<void> {
    if (this.desk) {
      this.learnService(activity);
      if (await this.desk.takes(activity)) return this.acceptDesk(this.desk, activity);
    }
    const intent = intentOf(activity);
    if (intent.kind === 'none') return;
    const conversation = conversationKey(activity);
    const delivery = deliveryKey(activity, intent);
    if (!delivery) return;
    if (!(await this.deps.deliveries.claim(delivery))) {
      this.log.info({ delivery, conversation }, 'copy of a handled activity ignored');
      this.deps.observer?.delivery('teams', 'duplicate');
      return;
    }
    const reference = TurnContext.getConversationReference(activity as unknown as Activity);
    this.track(this.slots.run(() => this.handle(delivery, conversation, reference, activity, intent)));
  }

  /**
   * A click on a desk card or a message in a card's thread: claimed once, then the desk's. Within one
   * thread they run in the order they came, so an agent's replies reach the person in that order.
   */
  private async acceptDesk(desk: TeamsDesk, activity: IncomingActivity): Promise<void> {
    const delivery = desk.deliveryKey(activity);
    if (!delivery) return;
    if (!(await this.deps.deliveries.claim(delivery))) {
      this.log.info({ delivery }, 'copy of a desk activity ignored');
      return;
    }
    const thread = activity.conversation.id;
    const previous = this.deskThreads.get(thread) ?? Promise.resolve();
    const next = previous.then(() =>
      this.slots.run(async () => {
        try {
          await desk.receive(activity);
          await this.deps.deliveries.done(delivery);
        } catch (error) {
          this.log.error({ err: String(error) }, 'desk activity not handled');
          await this.deps.deliveries.release(delivery);
        }
      }),
    );
    this.deskThreads.set(thread, next);
    void next.finally(() => {
      if (this.deskThreads.get(thread) === next) this.deskThreads.delete(thread);
    });
    this.track(next);
  }

  /**
   * Remember the Bot Connector and tenant Teams uses: in memory for this process, and in the address
   * book for the others and after a restart. Not awaited: the answer to Teams does not depend on it,
   * and the book writes only a change or a renewal.
   */
  private learnService(activity: IncomingActivity): void {
    const tenantId = activity.conversation.tenantId ?? undefined;
    this.service = { serviceUrl: activity.serviceUrl, ...(tenantId ? { tenantId } : {}) };
    this.track(
      this.deps.addresses
        .set(SERVICE_KEY, {
          serviceUrl: activity.serviceUrl,
          conversation: { tenantId } as ConversationReference['conversation'],
        })
        .catch((error: unknown) => this.log.warn({ err: String(error) }, 'could not store the Bot Connector address')),
    );
  }

  /**
   * How the desk posts in its channel: proactively, on the configured Bot Connector, else the one of the
   * latest activity, else the global one.
   */
  private deskConnector(settings: TeamsDeskSettings): DeskConnector {
    const reference = async (conversation: string): Promise<Partial<ConversationReference>> => {
      const stored = this.service ? undefined : await this.deps.addresses.get(SERVICE_KEY).catch(() => undefined);
      const serviceUrl = settings.serviceUrl ?? this.service?.serviceUrl ?? stored?.serviceUrl ?? GLOBAL_SERVICE_URL;
      const tenantId = settings.tenantId ?? this.service?.tenantId ?? stored?.conversation?.tenantId;
      if (this.settings.mode === 'local' && !isLocalUrl(serviceUrl))
        throw new Error('in local mode the desk posts on this machine only: set TEAMS_DESK_SERVICE_URL to localhost');
      return {
        channelId: 'msteams',
        serviceUrl,
        bot: { id: this.appId ? `28:${this.appId}` : 'helpdesk-bot', name: 'Helpdesk' },
        conversation: {
          id: conversation,
          isGroup: true,
          conversationType: 'channel',
          name: '',
          ...(tenantId ? { tenantId } : {}),
        },
      };
    };
    return {
      send: async (conversation, activity) => {
        let id: string | undefined;
        await this.adapter.continueConversationAsync(this.appId, await reference(conversation), async (context) => {
          id = (await context.sendActivity(activity))?.id;
        });
        return id;
      },
      update: async (conversation, id, activity) => {
        await this.adapter.continueConversationAsync(this.appId, await reference(conversation), async (context) => {
          await context.updateActivity({ ...activity, id });
        });
      },
    };
  }

  private track(running: Promise<unknown>): void {
    this.work.add(running);
    void running.then(
      () => this.work.delete(running),
      () => this.work.delete(running),
    );
  }

  // ---- one turn --------------------------------------------------------------------------------

  /**
   * The turn, in a proactive context on the conversation: its address kept, typing indicator, who
   * wrote, the files, the core, then the replies. The delivery is recorded as handled before answering,
   * so a failed send is never followed by a second turn.
   */
  private async handle(
    delivery: string,
    conversation: string,
    reference: Partial<ConversationReference>,
    activity: IncomingActivity,
    intent: Exclude<Intent, { kind: 'none' }>,
  ): Promise<void> {
    await this.remember(conversation, reference);
    let claimed = true;
    const finish = async (handled: boolean) => {
      if (!claimed) return;
      claimed = false;
      await (handled ? this.deps.deliveries.done(delivery) : this.deps.deliveries.release(delivery)).catch(
        (error: unknown) => this.log.error({ err: String(error) }, 'delivery record not written'),
      );
      // Counted once the log says so: released (a redelivery may try again) is a failure.
      this.deps.observer?.delivery('teams', handled ? 'handled' : 'failed');
    };
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        // Replies name the message they answer, as they would within the turn.
        if (reference.activityId) context.activity.id = reference.activityId;
        if (intent.kind === 'welcome') {
          await context.sendActivity({ type: 'message', text: this.deps.texts.welcome(activity.locale ?? undefined) });
          await finish(true);
          return;
        }
        const typing = this.typing(context);
        let result: TurnResult;
        try {
          const [user, attachments] = await Promise.all([
            this.person(context, activity),
            intent.kind === 'message' ? this.attachments(context, activity, intent) : [],
          ]);
          result = await this.deps.turns.handleTurn(
            visibleTurn({
              conversation,
              user,
              text: intent.kind === 'message' ? intent.text : '',
              attachments,
              interactive: true,
              ...(intent.kind === 'submit' ? { choice: intent.choice } : {}),
            }),
            { delivery },
          );
        } catch (error) {
          await typing.stop();
          await finish(false);
          this.log.error({ err: String(error), conversation }, 'turn failed');
          const apology = await this.deps.texts.turnFailed(conversation, error).catch(() => null);
          if (apology) await context.sendActivity({ type: 'message', text: apology, textFormat: 'plain' });
          return;
        }
        await finish(true);
        this.log.info(turnLog(conversation, result), 'turn handled');
        await typing.stop();
        await this.retireCard(context, conversation, intent);
        for (const reply of result.replies) await this.post(context, conversation, renderReply(reply, result.tickets));
      });
    } catch (error) {
      this.log.error({ err: String(error), conversation }, 'could not answer in Teams');
    } finally {
      // Reached only when the conversation could not even be opened: a redelivery may try again.
      await finish(false).catch(() => {});
    }
  }

  /**
   * Keep the conversation's address for what is sent outside a turn, before the turn runs (a ticket
   * number that comes late is sent through it). Without the message id: it changes with every message,
   * and a proactive post does not use it (botbuilder's continuation gives the context an id of its own;
   * a channel thread is named in the conversation id, `...;messageid=<root>`). So the address is the
   * same from one message to the next, and the book does not write it again.
   */
  private async remember(conversation: string, reference: Partial<ConversationReference>): Promise<void> {
    const { activityId: _, ...address } = reference;
    await this.deps.addresses
      .set(conversation, address)
      .catch((error: unknown) => this.log.warn({ err: String(error) }, 'could not store the conversation address'));
  }

  /** The typing indicator, renewed until the answer is ready. */
  private typing(context: TurnContext): { stop(): Promise<void> } {
    let sending: Promise<unknown> = Promise.resolve();
    const send = () => {
      sending = context.sendActivity({ type: 'typing' }).catch((error: unknown) => {
        this.log.debug({ err: String(error) }, 'typing indicator not sent');
      });
    };
    send();
    const timer = setInterval(send, this.deps.typingEveryMs ?? 3000);
    return {
      async stop() {
        clearInterval(timer);
        // The indicator must not come after the answer.
        await sending;
      },
    };
  }

  /** Send one message; a card with buttons is remembered, so its buttons can give way to the answer. */
  private async post(context: TurnContext, conversation: string, message: Partial<Activity>): Promise<void> {
    const sent: ResourceResponse | undefined = await context.sendActivity(message);
    const card = cardWithButtons(message);
    if (!card || !sent?.id) return;
    if (this.cards.size >= REMEMBERED) this.cards.delete(this.cards.keys().next().value!);
    this.cards.set(conversation, { id: sent.id, card });
  }

  /**
   * The buttons of the bot's last card go once answered: replaced by the label chosen, or just removed
   * when the person typed the answer instead.
   */
  private async retireCard(context: TurnContext, conversation: string, intent: Intent): Promise<void> {
    const open = this.cards.get(conversation);
    if (!open) return;
    const clicked = intent.kind === 'submit' && intent.card === open.id;
    if (intent.kind === 'submit' && !clicked) return;
    this.cards.delete(conversation);
    const card = answeredCard(open.card, clicked && intent.kind === 'submit' ? intent.label : undefined);
    try {
      await context.updateActivity({
        id: open.id,
        type: 'message',
        attachments: [{ contentType: ADAPTIVE_CARD, content: card }],
      });
    } catch (error) {
      this.log.warn({ err: String(error) }, 'could not update the answered card');
    }
  }

  /** Who wrote: name and e-mail from the conversation's roster, so the bot need not ask for them. */
  private async person(context: TurnContext, activity: IncomingActivity): Promise<Person> {
    const from = activity.from;
    const id = from.aadObjectId || from.id;
    const cached = this.people.get(id);
    if (cached && Date.now() - cached.at < USER_CACHE_MS) return cached.person;
    const person: Person = { id, ...(from.name ? { name: visibleLine(from.name) } : {}) };
    try {
      const member = await this.connector(context).conversations.getConversationMember(rosterId(activity), from.id);
      const m = member as { name?: string; email?: string; userPrincipalName?: string };
      if (m.name) person.name = visibleLine(m.name);
      const email = m.email || (m.userPrincipalName?.includes('@') ? m.userPrincipalName : undefined);
      if (email) person.email = visibleLine(email);
    } catch (error) {
      this.log.warn({ err: String(error) }, 'member look-up failed; going on with the name Teams gave');
    }
    if (this.people.size >= REMEMBERED) this.people.delete(this.people.keys().next().value!);
    this.people.set(id, { person, at: Date.now() });
    return person;
  }

  private async attachments(
    context: TurnContext,
    activity: IncomingActivity,
    intent: Extract<Intent, { kind: 'message' }>,
  ): Promise<Attachment[]> {
    if (intent.attachments.length === 0) return [];
    return fetchAttachments(intent.attachments, {
      authorization: await authorizationOf(this.connector(context)),
      serviceUrl: activity.serviceUrl,
      local: this.settings.mode === 'local',
      blobs: this.deps.blobs,
      maxBytes: this.deps.maxFileBytes ?? 20 * 1024 * 1024,
      log: this.log,
    });
  }

  private connector(context: TurnContext): ConnectorClient {
    const client = context.turnState.get<ConnectorClient>(context.adapter.ConnectorClientKey);
    if (!client) throw new Error('no Bot Connector client in the turn');
    return client;
  }
}

/**
 * The delivery log's key: the activity (ids are unique within a conversation), or for a card's button the
 * card itself (a double click or a copy of the click is not a second answer), or the installation.
 */
function deliveryKey(activity: IncomingActivity, intent: Exclude<Intent, { kind: 'none' }>): string | null {
  const conversation = activity.conversation.id;
  if (intent.kind === 'welcome') return `teams:welcome:${conversation}`;
  if (intent.kind === 'submit' && intent.card) return `teams:card:${conversation}:${intent.card}`;
  return activity.id ? `teams:activity:${conversation}:${activity.id}` : null;
}
