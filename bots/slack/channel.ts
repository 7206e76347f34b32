import { App, type Receiver, type ReceiverEvent, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type restify from 'restify';
import { z } from 'zod';
import type { BlobStore } from '../../adapters/files/blobs.ts';
import type { DeskCorrections } from '../../adapters/learn/corrections.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { HandoffBook } from '../../adapters/state/handoffs.ts';
import type { Inbox } from '../../adapters/state/inbox.ts';
import type { Config } from '../../core/config/schema.ts';
import { visibleLine, visibleTurn } from '../../core/text/visible.ts';
import type { Attachment, ConversationState, Person, Reply, Turn } from '../../core/types.ts';
import type { DeskSurfaces } from '../runtime/desk.ts';
import { Limiter } from '../runtime/limiter.ts';
import type { DeliveryObserver } from '../runtime/metrics.ts';
import { type TurnResult, turnLog } from '../runtime/service.ts';
import { type Channel, type ChannelStatus, MAX_BODY_BYTES } from '../server/server.ts';
import { answeredBlocks, CHOICE_ACTION, conversationOfBlock, renderReply } from './blocks.ts';
import { COMMAND, EVENTS } from './capabilities.ts';
import { type DeskHost, SlackDesk } from './desk.ts';
import { DESK_ACTION } from './desk-card.ts';
import { fetchAttachments, type SlackFile, slackError, slackFile } from './files.ts';
import { boltLogger } from './log.ts';
import { RestifyReceiver } from './receiver.ts';
import type { SlackSettings } from './settings.ts';
import { fromSlack } from './text.ts';

/** What the Slack channel needs from the host: the triage runtime and the stores. */
export interface SlackDeps {
  turns: {
    handleTurn(
      turn: Turn,
      options?: { delivery?: string; record?: (result: TurnResult) => Promise<void> },
    ): Promise<TurnResult>;
  };
  /** Read-only: whether a channel thread has a conversation going on with the bot. */
  conversations: { get(conversation: string): Promise<ConversationState | undefined> };
  deliveries: DeliveryLog;
  /**
   * Where each message and click is written before Slack gets its acknowledgement, and struck off once
   * handled: what a crash left there is handled at the next start (Slack never sends an acknowledged
   * request again). Without it (Redis), a crash loses the turns under way.
   */
  inbox?: Inbox;
  blobs: BlobStore;
  log: Logger;
  /** Clock for request timestamps (ms since the epoch). */
  now?: () => number;
  /** Web API retries (Slack's client retries with back-off by default; tests use 0). */
  webApiRetries?: number;
  /** Shared files above this size are linked, not downloaded (default 20 MB). */
  maxFileBytes?: number;
  /** Turns handled at once; more wait in arrival order (default 4). Their acks never wait. */
  concurrentTurns?: number;
  /** Turns that may wait; past this, events get 503 and Slack delivers them again later (default 2000). */
  maxWaitingTurns?: number;
  /** The configured apology when a turn fails (given why: not saved, or else), in the conversation's language. */
  turnFailed?: (conversation: string, error?: unknown) => Promise<string>;
  /** What the agent desk needs (used when `SLACK_DESK_CHANNEL` names the desk channel). */
  desk?: {
    host: DeskHost;
    book: HandoffBook;
    config: Config;
    clock?: () => Date;
    corrections?: DeskCorrections;
    surfaces?: DeskSurfaces;
  };
  /** Told whether each delivery was handled or recognised as a copy (metrics). */
  observer?: DeliveryObserver;
  /** Largest request body read (default {@link MAX_BODY_BYTES}): larger gets 413. */
  maxBodyBytes?: number;
}

/** Where the bot answers: a DM or channel, in a thread or not. */
interface Place {
  channel: string;
  thread?: string;
}

const messageEvent = z.looseObject({
  channel: z.string(),
  channel_type: z.string().optional(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().nullish(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(slackFile).optional(),
});
type MessageEvent = z.infer<typeof messageEvent>;
const messageEnvelope = z.looseObject({ event_id: z.string(), event: messageEvent });
const commandBody = z.looseObject({
  user_id: z.string(),
  text: z.string().optional(),
  trigger_id: z.string(),
});
const actionBody = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z
    .looseObject({
      ts: z.string(),
      thread_ts: z.string().optional(),
      text: z.string().optional(),
      blocks: z.array(z.unknown()).optional(),
    })
    .optional(),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string(),
        block_id: z.string().optional(),
        value: z.string().optional(),
        text: z.looseObject({ text: z.string() }).optional(),
      }),
    )
    .min(1),
});

/** Message subtypes that are a person writing; edits, joins, bot posts and the like are not. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);
const USER_CACHE_MS = 10 * 60_000;
const USER_CACHE_SIZE = 1000;
const BUTTONS_REMEMBERED = 5000;

/** A message of the bot whose buttons still wait for an answer. */
interface ButtonMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
}

/**
 * Slack as a channel of the triage bot, on Bolt: direct messages, @mentions answered in a thread (one
 * conversation per thread), the `/helpdesk` command (continued in a direct message), buttons, shared
 * files. It only translates: Slack events into core turns, core replies into Block Kit.
 */
export class SlackChannel implements Channel {
  readonly name = 'slack';
  readonly app: App;
  private readonly receiver: RestifyReceiver | SocketModeReceiver;
  private readonly log: Logger;
  private readonly work = new Set<Promise<unknown>>();
  private readonly people = new Map<string, { person: Person; at: number }>();
  private readonly tokenHosts: (host: string) => boolean;
  private readonly turnSlots: Limiter;
  /**
   * Per conversation, the bot's latest message with buttons and whether they still wait for an answer
   * (in memory: after a restart, a click on any message is taken, once).
   */
  private readonly buttons = new Map<string, ButtonMessage & { open: boolean }>();
  private started = false;
  /** The agent desk in the channel `SLACK_DESK_CHANNEL`, when set (the host plugs it into the runtime). */
  readonly desk: SlackDesk | null;

  constructor(
    private readonly settings: SlackSettings,
    private readonly deps: SlackDeps,
  ) {
    this.log = deps.log.child({ channel: 'slack' });
    this.turnSlots = new Limiter(deps.concurrentTurns ?? 4);
    const logger = boltLogger(deps.log);
    const clientOptions = {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      ...(deps.webApiRetries !== undefined ? { retryConfig: { retries: deps.webApiRetries } } : {}),
    };
    if (settings.appToken) {
      this.receiver = new SocketModeReceiver({
        appToken: settings.appToken,
        logger,
        installerOptions: { clientOptions },
      });
    } else {
      if (!settings.signingSecret) throw new Error('Slack over HTTP needs a signing secret');
      this.receiver = new RestifyReceiver({
        signingSecret: settings.signingSecret,
        logger,
        ready: () => this.started,
        busy: () => this.overloaded(),
        bodyLimit: deps.maxBodyBytes ?? MAX_BODY_BYTES,
        ...(deps.now ? { now: deps.now } : {}),
      });
    }
    this.app = new App({
      token: settings.botToken,
      receiver: this.receiver as Receiver,
      logger,
      clientOptions,
      deferInitialization: true,
      ignoreSelf: true,
    });
    const apiHost = settings.apiUrl ? new URL(settings.apiUrl).host : null;
    this.tokenHosts = (host) =>
      host === apiHost || /(^|\.)slack\.com$/.test(host) || /(^|\.)slack-gov\.com$/.test(host);
    // Every event counts as work from its arrival (before the ack) to the end of its turn, whichever
    // receiver brought it: `idle()` and a clean stop rely on that.
    const processEvent = this.app.processEvent.bind(this.app);
    this.app.processEvent = (event) => this.track(() => this.journaled(event, processEvent));
    this.desk =
      settings.deskChannel && deps.desk
        ? new SlackDesk({
            client: this.app.client,
            channel: settings.deskChannel,
            host: deps.desk.host,
            config: deps.desk.config,
            book: deps.desk.book,
            deliveries: deps.deliveries,
            person: (id) => this.person(id),
            log: this.log,
            ...(deps.desk.clock ? { clock: deps.desk.clock } : {}),
            ...(deps.desk.corrections ? { corrections: deps.desk.corrections } : {}),
            ...(deps.desk.surfaces ? { surfaces: deps.desk.surfaces } : {}),
          })
        : null;
    this.listen();
  }

  mount(server: restify.Server): void {
    if (this.receiver instanceof RestifyReceiver) this.receiver.mount(server);
  }

  /** Check the token (`auth.test`); in Socket Mode, connect. */
  async start(): Promise<void> {
    await this.app.init();
    if (this.receiver instanceof SocketModeReceiver) await this.app.start();
    this.desk?.start();
    this.started = true;
    this.resuming = this.resume();
  }

  /** The requests a crash left in the inbox, handled again in their order of arrival. */
  private resuming: Promise<void> = Promise.resolve();

  /** Resolves once what the previous run left in the inbox is handled. */
  resumed(): Promise<void> {
    return this.resuming;
  }

  private async resume(): Promise<void> {
    const inbox = this.deps.inbox;
    if (!inbox) return;
    try {
      for (const { id, body } of await inbox.list(ANSWERS)) {
        const { place, result } = body as OwedAnswer;
        await this.answer(place, result);
        await inbox.remove(id);
      }
      const left = await inbox.list('slack');
      if (left.length > 0) this.log.warn({ requests: left.length }, 'handling the requests a stop left unfinished');
      for (const { body } of left) {
        await this.app.processEvent({ body: body as Record<string, unknown>, ack: async () => {} });
      }
    } catch (error) {
      this.log.error({ err: String(error) }, 'could not handle the requests a stop left unfinished');
    }
  }

  /**
   * A message, command or click is written to the inbox before Bolt handles it (and acknowledges it):
   * a store that cannot take it makes the request fail (Slack sends it again later) rather than be
   * acknowledged and lost.
   */
  private async journaled(event: ReceiverEvent, process: (event: ReceiverEvent) => Promise<void>): Promise<void> {
    const inbox = this.deps.inbox;
    const id = inbox ? inboxId(event.body) : null;
    if (!inbox || !id) return process(event);
    try {
      await inbox.put(id, 'slack', event.body);
    } catch (error) {
      // The store cannot be written: handled all the same, so that the person hears it was not saved
      // (refused, Slack would try again for a few minutes and then drop it without a word).
      this.log.error({ err: String(error) }, 'inbox unwritable: handling the request without it');
      return process(event);
    }
    try {
      await process(event);
    } finally {
      await inbox.remove(id).catch((error: unknown) => this.log.error({ err: String(error) }, 'inbox not cleared'));
    }
  }

  async stop(): Promise<void> {
    this.desk?.stop();
    if (this.started && this.receiver instanceof SocketModeReceiver) await this.app.stop();
    await this.idle();
  }

  status(): ChannelStatus {
    const mode = this.receiver instanceof SocketModeReceiver ? 'socket' : 'http';
    // Until its token is checked the app refuses events (503): `/healthz` says so rather than plain "on".
    return this.started ? { state: 'on', mode } : { state: 'on', mode, starting: true };
  }

  private lastBusyLog = 0;

  /** More turns waiting than allowed: said in the log at most once a minute. */
  private overloaded(): boolean {
    const busy = this.turnSlots.load.waiting >= (this.deps.maxWaitingTurns ?? 2000);
    if (busy) {
      this.deps.observer?.delivery('slack', 'busy');
      if (Date.now() - this.lastBusyLog > 60_000) {
        this.lastBusyLog = Date.now();
        this.log.warn(
          { waiting: this.turnSlots.load.waiting },
          'overloaded: events refused with 503 until the backlog shrinks',
        );
      }
    }
    return busy;
  }

  /** Resolves when every turn under way (received before the call) is handled and answered. */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private listen(): void {
    const handlers: Record<string, (body: unknown, botUserId?: string) => Promise<void>> = {
      app_mention: (body, botUserId) => this.onMention(body, botUserId),
      message: (body, botUserId) => this.onMessage(body, botUserId),
    };
    // One listener per event type subscribed to (`message.im`, `message.channels`... are all `message`).
    for (const type of new Set(Object.keys(EVENTS).map((name) => name.split('.')[0]!))) {
      const handler = handlers[type];
      if (!handler) throw new Error(`no handler for the Slack event ${type}`);
      this.app.event(type, ({ body, context }) => this.turnSlots.run(() => handler(body, context.botUserId)));
    }
    this.app.command(COMMAND, async ({ ack, body }) => {
      await ack();
      await this.turnSlots.run(() => this.onCommand(body));
    });
    this.app.action(CHOICE_ACTION, async ({ ack, body }) => {
      await ack();
      await this.turnSlots.run(() => this.onButton(body));
    });
    this.app.action(DESK_ACTION, async ({ ack, body }) => {
      await ack();
      const desk = this.desk;
      if (desk) await this.turnSlots.run(() => desk.onClick(body));
    });
    this.app.error(async (error) => {
      this.log.error({ err: slackError(error), code: error.code }, 'Slack listener failed');
    });
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.work.add(running);
    void running.then(
      () => this.work.delete(running),
      () => this.work.delete(running),
    );
    return running;
  }

  // ---- from Slack ------------------------------------------------------------------------------

  /** An @mention in a channel: a conversation in the message's thread. */
  private async onMention(body: unknown, botUserId?: string): Promise<void> {
    const parsed = messageEnvelope.safeParse(body);
    if (!parsed.success) return;
    const { event_id, event } = parsed.data;
    if (!this.fromPerson(event) || event.channel.startsWith('D')) return;
    // In a card's thread on the desk, a mention is an agent's reply: the message event brings it.
    if (event.thread_ts && (await this.desk?.isCard(event.channel, event.thread_ts))) return;
    const thread = event.thread_ts ?? event.ts;
    await this.handle(
      `event:${event_id}`,
      `slack:${event.channel}:${thread}`,
      { channel: event.channel, thread },
      event,
      {
        text: fromSlack(event.text ?? '', botUserId),
        files: event.files ?? [],
      },
    );
  }

  /** A direct message, or a reply in a channel thread where a conversation with the bot is going on. */
  private async onMessage(body: unknown, botUserId?: string): Promise<void> {
    // Message events Slack sends that are not a message of a person (edits, deletions...) may lack
    // fields: they are not for the bot.
    const parsed = messageEnvelope.safeParse(body);
    if (!parsed.success) return;
    const { event_id, event } = parsed.data;
    if (!this.fromPerson(event)) return;
    if (this.desk && event.channel === this.settings.deskChannel && event.thread_ts) {
      await this.onDeskReply(event_id, { ...event, thread_ts: event.thread_ts }, botUserId);
      return;
    }
    let conversation: string;
    let place: Place;
    if (event.channel_type === 'im') {
      conversation = `slack:${event.channel}`;
      place = { channel: event.channel, ...(event.thread_ts ? { thread: event.thread_ts } : {}) };
    } else if (event.channel_type === 'channel' || event.channel_type === 'group') {
      // Mentions come as app_mention too; outside a thread, or in a thread without a conversation going
      // on, people are talking to each other.
      if (!event.thread_ts || (botUserId && event.text?.includes(`<@${botUserId}>`))) return;
      conversation = `slack:${event.channel}:${event.thread_ts}`;
      if (!talking(await this.deps.conversations.get(conversation))) return;
      place = { channel: event.channel, thread: event.thread_ts };
    } else {
      return;
    }
    await this.handle(`event:${event_id}`, conversation, place, event, {
      text: fromSlack(event.text ?? '', botUserId),
      files: event.files ?? [],
    });
  }

  /** `/helpdesk [text]`: the request goes on in the person's direct message with the bot (details stay private). */
  private async onCommand(body: unknown): Promise<void> {
    const command = commandBody.parse(body);
    let channel: string | undefined;
    try {
      const opened = await this.app.client.conversations.open({ users: command.user_id });
      channel = opened.channel?.id;
    } catch (error) {
      this.log.error({ err: slackError(error) }, 'could not open a direct message for /helpdesk');
    }
    if (!channel) return;
    await this.handle(`command:${command.trigger_id}`, `slack:${channel}`, { channel }, null, {
      user: command.user_id,
      text: fromSlack(command.text ?? ''),
      files: [],
    });
  }

  /** A button: its value goes to the core as the choice; the message then shows what was chosen. */
  private async onButton(body: unknown): Promise<void> {
    const click = actionBody.parse(body);
    const action = click.actions[0]!;
    const conversation = conversationOfBlock(action.block_id);
    const channel = click.channel?.id;
    const message = click.message;
    if (!conversation || !channel || !message || action.value === undefined) return;
    // Buttons of an earlier message (the conversation has moved on) answer nothing any more.
    const latest = this.buttons.get(conversation);
    if (latest && (latest.ts !== message.ts || !latest.open)) {
      this.log.info({ conversation }, 'click on buttons already answered ignored');
      return;
    }
    // One answer per set of buttons: a double click or a copy of the click is not a second answer.
    const clicked: ButtonMessage & { label: string } = {
      channel,
      ts: message.ts,
      text: message.text ?? '',
      blocks: message.blocks ?? [],
      label: action.text?.text ?? action.value,
    };
    await this.handle(
      `buttons:${channel}:${message.ts}`,
      conversation,
      { channel, ...(message.thread_ts ? { thread: message.thread_ts } : {}) },
      null,
      { user: click.user.id, text: '', choice: action.value, files: [] },
      clicked,
    );
  }

  /** A reply in a thread of the desk channel: the desk decides (relayed, internal, or a hint). */
  private async onDeskReply(
    eventId: string,
    event: MessageEvent & { user: string; thread_ts: string },
    botUserId?: string,
  ): Promise<void> {
    try {
      await this.desk?.onReply(
        {
          eventId,
          channel: event.channel,
          thread: event.thread_ts,
          ts: event.ts,
          user: event.user,
          text: event.text ?? '',
          files: event.files?.length ?? 0,
        },
        botUserId,
      );
    } catch (error) {
      this.log.error({ err: slackError(error) }, 'agent reply not relayed');
      await this.react(event.channel, event.ts, 'warning');
    }
  }

  private fromPerson(event: MessageEvent): event is MessageEvent & { user: string } {
    return !event.bot_id && event.user !== undefined && PERSON_SUBTYPES.has(event.subtype);
  }

  // ---- one turn --------------------------------------------------------------------------------

  /**
   * Claim the delivery (a copy is ignored), build the turn (who, files), run it through the core,
   * then answer. The delivery is recorded as handled before answering, so a failed post is never
   * followed by a second turn.
   */
  private async handle(
    delivery: string,
    conversation: string,
    place: Place,
    source: MessageEvent | null,
    input: { user?: string; text: string; choice?: string; files: SlackFile[] },
    clicked?: ButtonMessage & { label: string },
  ): Promise<void> {
    let first: boolean;
    try {
      first = await this.deps.deliveries.claim(delivery);
    } catch (error) {
      // The store cannot even record the delivery: nothing can be saved, and the person must hear so.
      await this.failed(delivery, conversation, place, source, error);
      return;
    }
    if (!first) {
      this.log.info({ delivery, conversation }, 'copy of a handled delivery ignored');
      this.deps.observer?.delivery('slack', 'duplicate');
      return;
    }
    let result: TurnResult;
    // The answer is written down with the turn's last commit, and struck off once posted: a crash in
    // between, and the next start posts it (the ticket number it may hold is never left unsaid).
    const inbox = this.deps.inbox;
    const owed = inbox ? `slack:answer:${delivery}` : null;
    try {
      await this.retireButtons(conversation, clicked);
      const userId = input.user ?? source?.user ?? '';
      const [user, attachments] = await Promise.all([this.person(userId), this.attachments(input.files)]);
      result = await this.deps.turns.handleTurn(
        visibleTurn({
          conversation,
          user,
          text: input.text,
          attachments,
          interactive: true,
          ...(input.choice !== undefined ? { choice: input.choice } : {}),
        }),
        {
          delivery,
          ...(inbox && owed
            ? { record: (r: TurnResult) => inbox.put(owed, ANSWERS, { place, result: r } satisfies OwedAnswer) }
            : {}),
        },
      );
    } catch (error) {
      await this.deps.deliveries.release(delivery).catch(() => {});
      await this.failed(delivery, conversation, place, source, error);
      return;
    }
    await this.deps.deliveries.done(delivery).catch(() => {});
    this.deps.observer?.delivery('slack', 'handled');
    this.log.info(turnLog(conversation, result), 'turn handled');
    await this.answer(place, result);
    if (inbox && owed)
      await inbox.remove(owed).catch((error: unknown) => this.log.error({ err: String(error) }, 'inbox not cleared'));
  }

  /** A turn that failed: a sign on the message that it was not handled, and the configured apology. */
  private async failed(
    delivery: string,
    conversation: string,
    place: Place,
    source: MessageEvent | null,
    error: unknown,
  ): Promise<void> {
    this.log.error({ err: error, delivery, conversation }, 'turn failed');
    this.deps.observer?.delivery('slack', 'failed');
    if (source) await this.react(source.channel, source.ts, 'warning');
    const apology = await this.deps.turnFailed?.(conversation, error).catch(() => null);
    if (!apology) return;
    await this.app.client.chat
      .postMessage({ channel: place.channel, ...(place.thread ? { thread_ts: place.thread } : {}), text: apology })
      .catch((err: unknown) => this.log.error({ err: slackError(err), conversation }, 'could not post the apology'));
  }

  /**
   * Tell a person something outside a turn (a ticket number that came late, a reminder): posted where
   * the conversation is, read from its id (`slack:<channel>[:<thread>]`).
   */
  async notify(conversation: string, replies: Reply[]): Promise<void> {
    const [prefix, channel, thread] = conversation.split(':');
    if (prefix !== 'slack' || !channel) throw new Error(`not a Slack conversation: ${conversation}`);
    const place: Place = thread ? { channel, thread } : { channel };
    await this.answer(place, {
      conversation,
      replies,
      status: 'done',
      awaiting: null,
      label: null,
      ticket: null,
      tickets: [],
      rejection: null,
      effects: [],
      queued: [],
    });
  }

  private async answer(place: Place, result: TurnResult): Promise<void> {
    for (const reply of result.replies) {
      const message = renderReply(reply, result.conversation, result.tickets);
      try {
        const posted = await this.app.client.chat.postMessage({
          channel: place.channel,
          ...(place.thread ? { thread_ts: place.thread } : {}),
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        if (reply.choices?.length && posted.ts) {
          this.remember(result.conversation, { channel: place.channel, ts: posted.ts, ...message });
        }
      } catch (error) {
        this.log.error({ err: slackError(error), conversation: result.conversation }, 'could not post the answer');
        return;
      }
    }
  }

  private remember(conversation: string, message: ButtonMessage): void {
    this.buttons.delete(conversation);
    if (this.buttons.size >= BUTTONS_REMEMBERED) this.buttons.delete(this.buttons.keys().next().value!);
    this.buttons.set(conversation, { ...message, open: true });
  }

  /**
   * The conversation moves on: the clicked message shows the choice made; buttons left on an earlier
   * message (the person typed the answer instead) go, so they cannot answer a later question.
   */
  private async retireButtons(conversation: string, clicked?: ButtonMessage & { label: string }): Promise<void> {
    const latest = this.buttons.get(conversation);
    const target = clicked ?? (latest?.open ? latest : undefined);
    if (latest) latest.open = false;
    if (!target) return;
    try {
      await this.app.client.chat.update({
        channel: target.channel,
        ts: target.ts,
        text: target.text,
        blocks: answeredBlocks(target.blocks, clicked?.label),
      });
    } catch (error) {
      this.log.warn({ err: slackError(error) }, 'could not update the buttons of a message');
    }
  }

  private async react(channel: string, ts: string, name: string): Promise<void> {
    try {
      await this.app.client.reactions.add({ channel, timestamp: ts, name });
    } catch (error) {
      this.log.warn({ err: slackError(error) }, 'could not add a reaction');
    }
  }

  /** Who wrote: name and e-mail from Slack's profile, so the bot need not ask for them. */
  private async person(id: string): Promise<Person> {
    const cached = this.people.get(id);
    if (cached && Date.now() - cached.at < USER_CACHE_MS) return cached.person;
    const person: Person = { id };
    try {
      const { user } = await this.app.client.users.info({ user: id });
      const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name;
      if (name) person.name = visibleLine(name);
      if (user?.profile?.email) person.email = visibleLine(user.profile.email);
    } catch (error) {
      this.log.warn({ err: slackError(error) }, 'users.info failed; going on without name and e-mail');
      return person;
    }
    if (this.people.size >= USER_CACHE_SIZE) this.people.delete(this.people.keys().next().value!);
    this.people.set(id, { person, at: Date.now() });
    return person;
  }

  private attachments(files: SlackFile[]): Promise<Attachment[]> {
    if (files.length === 0) return Promise.resolve([]);
    return fetchAttachments(files, {
      client: this.app.client,
      token: this.settings.botToken,
      blobs: this.deps.blobs,
      tokenHosts: this.tokenHosts,
      plainHttpHost: this.settings.apiUrl ? new URL(this.settings.apiUrl).host : null,
      maxBytes: this.deps.maxFileBytes ?? 20 * 1024 * 1024,
      log: this.log,
    });
  }
}

/**
 * A conversation waiting for the person's answer (or just refused, which an answer may overturn), or
 * handed to an agent (what the person writes goes to the agent).
 */
function talking(state: ConversationState | undefined): boolean {
  return state !== undefined && (state.awaiting !== null || state.phase === 'rejected' || state.phase === 'handoff');
}

/** The inbox's name for a request worth keeping: a message or mention, a slash command, a click. */
function inboxId(body: unknown): string | null {
  const b = body as { type?: unknown; event_id?: unknown; trigger_id?: unknown; command?: unknown } | null;
  if (!b || typeof b !== 'object') return null;
  if (b.type === 'event_callback' && typeof b.event_id === 'string') return `slack:event:${b.event_id}`;
  if (b.type === 'block_actions' && typeof b.trigger_id === 'string') return `slack:action:${b.trigger_id}`;
  if (typeof b.command === 'string' && typeof b.trigger_id === 'string') return `slack:command:${b.trigger_id}`;
  return null;
}

/** The inbox's channel for answers a turn committed and the channel has not posted yet. */
const ANSWERS = 'slack-answer';

/** An answer owed: where, and the turn's result it renders. */
interface OwedAnswer {
  place: Place;
  result: TurnResult;
}
