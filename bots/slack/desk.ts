import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { correctOnCard, type DeskCorrections, kindText } from '../../adapters/learn/corrections.ts';
import { kindName, parseKind } from '../../adapters/learn/examples.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { Handoff, HandoffBook } from '../../adapters/state/handoffs.ts';
import type { Config, Lang, MessageKey } from '../../core/config/schema.ts';
import type { CoreEvent } from '../../core/engine.ts';
import { say } from '../../core/messages.ts';
import type { Attachment, ConversationState, Person, Reply, TicketDraft } from '../../core/types.ts';
import { Ticker } from '../runtime/desks.ts';
import type { AgentDesk, DeskOpened } from '../runtime/service.ts';
import {
  cardWithKind,
  cardWithStatus,
  type DeskAction,
  deskCard,
  KIND_ACTION,
  nameOf,
  relayMessage,
} from './desk-card.ts';
import { slackError } from './files.ts';
import { escapeMrkdwn, fromSlack } from './text.ts';

/** What the desk tells the runtime: an agent claimed, wrote, or ended a handoff. */
export type DeskEvent = Extract<CoreEvent, { type: 'agent_claimed' | 'agent_message' | 'handoff_ended' }>;

/** The runtime as the desk sees it (`TriageService.fromDesk`): the core decides what the person hears. */
export interface DeskHost {
  fromDesk(conversation: string, event: DeskEvent): Promise<Reply[]>;
}

export interface SlackDeskDeps {
  client: webApi.WebClient;
  /** The desk channel's id. */
  channel: string;
  host: DeskHost;
  config: Config;
  book: HandoffBook;
  deliveries: DeliveryLog;
  /** Name and e-mail of a Slack user (cached by the channel). */
  person(id: string): Promise<Person>;
  log: Logger;
  clock?: () => Date;
  /** Where an agent's correction of a ticket's kind goes (learned, noted on the ticket); none: the menu does nothing. */
  corrections?: DeskCorrections;
}

const click = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ ts: z.string(), blocks: z.array(z.unknown()).optional() }).optional(),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string(),
        action_ts: z.string().optional(),
        selected_option: z.looseObject({ value: z.string() }).optional(),
      }),
    )
    .min(1),
});

/** A reply in a card's thread, as the channel hands it over (a person's message, not the bot's). */
export interface ThreadReply {
  eventId: string;
  channel: string;
  thread: string;
  ts: string;
  user: string;
  text: string;
  files: number;
}

/**
 * The agent desk in a Slack channel. Each live handoff is a card (details, ticket, the conversation so
 * far) with a Claim button; the agent who claims it answers in the card's thread, and what they write
 * goes to the person through the core (marked with their first name); what the person writes comes
 * into the thread. Resolve and Return to bot end it. Thread replies before a claim, or by another
 * agent after it, stay internal (the writer gets an ephemeral hint). The book (card <-> conversation)
 * is kept with the state (on disk, or in Redis for every process), so a restart keeps relaying.
 */
export class SlackDesk implements AgentDesk {
  private readonly lang: Lang;
  private readonly clock: () => Date;
  private readonly reminders = new Ticker();

  constructor(private readonly deps: SlackDeskDeps) {
    this.lang = deps.config.default_language;
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Check every 30 seconds for handoffs that waited too long for an agent (in-process timer, on every
   * process: the book marks each reminder under its lock, so the desk hears it once).
   */
  start(everyMs = 30_000): void {
    this.reminders.start(
      everyMs,
      () => this.remind(),
      (error) => this.deps.log.error({ err: String(error) }, 'desk reminder failed'),
    );
  }

  stop(): void {
    this.reminders.stop();
  }

  // ---- from the runtime ------------------------------------------------------------------------

  async open(
    conversation: string,
    handoff: { ticket: string; url?: string; draft: TicketDraft; state: ConversationState },
  ): Promise<DeskOpened> {
    const { client, channel, config, book } = this.deps;
    const waiting = await book.waitingBefore(conversation, this.clock());
    const { card, thread } = deskCard({
      config,
      lang: this.lang,
      ticket: handoff.ticket,
      ...(handoff.url ? { url: handoff.url } : {}),
      draft: handoff.draft,
      transcript: handoff.state.transcript,
    });
    const posted = await client.chat.postMessage({ channel, ...card, unfurl_links: false, unfurl_media: false });
    if (!posted.ts) throw new Error('the desk card was posted without a ts');
    await book.open({
      conversation,
      ticket: handoff.ticket,
      card: cardId(channel, posted.ts),
      requester: handoff.draft.requester,
      openedAt: this.clock().toISOString(),
      kind: handoff.draft.label,
    });
    for (const message of thread) {
      await client.chat
        .postMessage({ channel, thread_ts: posted.ts, ...message, unfurl_links: false, unfurl_media: false })
        .catch((error: unknown) => this.deps.log.error({ err: slackError(error) }, 'could not post the transcript'));
    }
    this.deps.log.info({ conversation, ticket: handoff.ticket, waiting }, 'handoff posted on the desk');
    return { position: waiting + 1 };
  }

  async relay(conversation: string, text: string, attachments: Attachment[]): Promise<void> {
    const handoff = await this.deps.book.get(conversation);
    if (!handoff || handoff.ended) throw new Error('no open handoff on the desk for this conversation');
    const [, channel, ts] = splitCard(handoff.card);
    await this.deps.client.chat.postMessage({
      channel,
      thread_ts: ts,
      ...relayMessage(nameOf(handoff.requester), text, attachments),
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  // ---- from Slack ------------------------------------------------------------------------------

  /** Whether a thread in the desk channel is a handoff's card (its replies are the desk's business). */
  async isCard(channel: string, thread: string): Promise<boolean> {
    return channel === this.deps.channel && (await this.deps.book.byCard(cardId(channel, thread))) !== undefined;
  }

  /** A button of a card: Claim, Resolve, Return to bot. */
  async onClick(body: unknown): Promise<void> {
    const parsed = click.safeParse(body);
    if (!parsed.success) return;
    const { user, channel, message, actions } = parsed.data;
    if (actions[0]!.action_id === KIND_ACTION) {
      if (channel?.id === this.deps.channel && message) await this.onKind(user.id, message, actions[0]!);
      return;
    }
    const action = /^desk_(claim|resolve|return)$/.exec(actions[0]!.action_id)?.[1] as DeskAction | undefined;
    if (!action || channel?.id !== this.deps.channel || !message) return;
    const card = cardId(channel.id, message.ts);
    const handoff = await this.deps.book.byCard(card);
    if (!handoff || handoff.ended) {
      await this.hint(user.id, message.ts, 'desk_ended');
      return;
    }
    if (action === 'claim' && handoff.agent) {
      if (handoff.agent.id !== user.id)
        await this.hint(user.id, message.ts, 'desk_already_claimed', { agent: nameOf(handoff.agent) });
      return;
    }
    if (action !== 'claim' && !handoff.agent) return;
    // A double click, or the same click twice, acts once; per agent, so that a second agent clicking at
    // the same moment is not taken for a copy and still hears who claimed it (the book picks one).
    const delivery = `desk:${card}:${action === 'claim' ? 'claim' : 'end'}:${user.id}`;
    if (!(await this.deps.deliveries.claim(delivery))) {
      this.deps.log.info({ conversation: handoff.conversation }, 'copy of a desk click ignored');
      return;
    }
    try {
      const agent = await this.deps.person(user.id);
      if (action === 'claim') await this.claim(handoff, agent, message.blocks ?? []);
      else await this.end(handoff, action === 'resolve' ? 'resolved' : 'returned', agent, message.blocks ?? []);
    } finally {
      await this.deps.deliveries.done(delivery);
    }
  }

  /**
   * The kind menu: the agent corrects the ticket's kind. The book takes one correction at a time (a
   * double click finds the kind already set and does nothing); the correction is learned and noted on
   * the ticket, and the card shows the new kind and who corrected it. Ended handoffs can be corrected too.
   */
  private async onKind(
    userId: string,
    message: { ts: string; blocks?: unknown[] | undefined },
    action: { action_ts?: string | undefined; selected_option?: { value: string } | undefined },
  ): Promise<void> {
    const kind = parseKind(action.selected_option?.value ?? '');
    const card = cardId(this.deps.channel, message.ts);
    const handoff = await this.deps.book.byCard(card);
    if (!kind || !handoff || !this.deps.corrections) return;
    const delivery = `desk:${card}:kind:${userId}:${action.action_ts ?? kindName(kind)}`;
    if (!(await this.deps.deliveries.claim(delivery))) {
      this.deps.log.info({ conversation: handoff.conversation }, 'copy of a desk click ignored');
      return;
    }
    try {
      const agent = await this.deps.person(userId);
      const by = { kind, by: agent, channel: 'slack' };
      const corrected = await correctOnCard(this.deps.book, this.deps.corrections, handoff, by, this.deps.log);
      if (corrected === 'unchanged') return;
      if (corrected === 'not_found') {
        await this.hint(userId, message.ts, 'desk_kind_not_found', { ticket: handoff.ticket });
        return;
      }
      const { to } = corrected;
      const note = this.say('desk_kind_corrected', {
        agent: nameOf(agent),
        from: kindText(this.deps.config, this.lang, corrected.from),
        to: kindText(this.deps.config, this.lang, corrected.to),
      });
      await this.deps.client.chat
        .update({
          channel: this.deps.channel,
          ts: message.ts,
          text: note,
          blocks: cardWithKind(message.blocks ?? [], {
            config: this.deps.config,
            lang: this.lang,
            kind: to,
            note: `:pencil2: ${escapeMrkdwn(note)}`,
          }),
        })
        .catch((error: unknown) => this.deps.log.warn({ err: slackError(error) }, 'could not update the desk card'));
      this.deps.log.info(
        { conversation: handoff.conversation, ticket: handoff.ticket, example: corrected.example.id },
        'kind corrected on the desk',
      );
    } finally {
      await this.deps.deliveries.done(delivery);
    }
  }

  private async claim(handoff: Handoff, agent: Person, blocks: unknown[]): Promise<void> {
    const now = this.clock().toISOString();
    const claimed = await this.deps.book.update(handoff.conversation, (h) =>
      h.card === handoff.card && !h.agent && !h.ended ? { ...h, agent, claimedAt: now } : null,
    );
    if (!claimed) {
      const current = await this.deps.book.get(handoff.conversation);
      if (current?.agent && current.agent.id !== agent.id) {
        const [, , ts] = splitCard(handoff.card);
        await this.hint(agent.id, ts, 'desk_already_claimed', { agent: nameOf(current.agent) });
      }
      return;
    }
    const text = this.say('desk_claimed', { agent: nameOf(agent), requester: nameOf(handoff.requester) });
    await this.redraw(handoff, blocks, `:raising_hand: ${escapeMrkdwn(text)}`, ['resolve', 'return']);
    await this.deps.host.fromDesk(handoff.conversation, { type: 'agent_claimed', agent });
    this.deps.log.info({ conversation: handoff.conversation, ticket: handoff.ticket }, 'handoff claimed');
  }

  private async end(handoff: Handoff, how: 'resolved' | 'returned', by: Person, blocks: unknown[]): Promise<void> {
    const at = this.clock().toISOString();
    const ended = await this.deps.book.update(handoff.conversation, (h) =>
      h.card === handoff.card && !h.ended ? { ...h, ended: { how, by, at } } : null,
    );
    if (!ended) return;
    const text = this.say(how === 'resolved' ? 'desk_resolved' : 'desk_returned', { agent: nameOf(by) });
    await this.redraw(
      handoff,
      blocks,
      `${how === 'resolved' ? ':white_check_mark:' : ':robot_face:'} ${escapeMrkdwn(text)}`,
      [],
    );
    await this.deps.host.fromDesk(handoff.conversation, { type: 'handoff_ended', how });
    this.deps.log.info({ conversation: handoff.conversation, ticket: handoff.ticket, how }, 'handoff ended');
  }

  /**
   * A person's reply in the desk channel's thread. In a card's thread, from the agent who claimed it:
   * to the person. Before a claim, or from another agent: internal, with an ephemeral hint. Other
   * threads and ended handoffs: the agents' own talk, left alone.
   */
  async onReply(reply: ThreadReply, botUserId?: string): Promise<void> {
    if (reply.channel !== this.deps.channel) return;
    const handoff = await this.deps.book.byCard(cardId(reply.channel, reply.thread));
    if (!handoff || handoff.ended) return;
    const delivery = `event:${reply.eventId}`;
    if (!(await this.deps.deliveries.claim(delivery))) {
      this.deps.log.info({ conversation: handoff.conversation }, 'copy of a desk reply ignored');
      return;
    }
    try {
      if (!handoff.agent) {
        await this.hint(reply.user, reply.thread, 'desk_claim_first', { claim: this.say('desk_claim') });
      } else if (handoff.agent.id !== reply.user) {
        await this.hint(reply.user, reply.thread, 'desk_not_yours', { agent: nameOf(handoff.agent) });
      } else {
        const text = fromSlack(reply.text, botUserId);
        if (reply.files > 0) await this.hint(reply.user, reply.thread, 'desk_files_not_sent');
        if (text)
          await this.deps.host.fromDesk(handoff.conversation, { type: 'agent_message', agent: handoff.agent, text });
      }
    } catch (error) {
      await this.deps.deliveries.release(delivery);
      throw error;
    }
    await this.deps.deliveries.done(delivery);
  }

  /**
   * Remind the desk, once, of each of its handoffs nobody took within `handoff.remind_desk_after_minutes`: a
   * reply in its thread, also shown in the channel. Returns how many were reminded.
   */
  async remind(now: Date = this.clock()): Promise<number> {
    const due = await this.deps.book.dueForReminder('slack:', now, this.deps.config.handoff.remind_desk_after_minutes);
    let reminded = 0;
    for (const { handoff, waited } of due) {
      const [, channel, ts] = splitCard(handoff.card);
      await this.deps.client.chat
        .postMessage({
          channel,
          thread_ts: ts,
          reply_broadcast: true,
          text: `:hourglass: ${this.say('desk_reminder', { minutes: waited })}`,
        })
        .then(() => reminded++)
        .catch((error: unknown) => this.deps.log.error({ err: slackError(error) }, 'could not remind the desk'));
    }
    return reminded;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private say(key: MessageKey, params: Record<string, string | number> = {}): string {
    return say(this.deps.config, this.lang, key, params);
  }

  private async redraw(handoff: Handoff, blocks: unknown[], status: string, actions: DeskAction[]): Promise<void> {
    const [, channel, ts] = splitCard(handoff.card);
    try {
      await this.deps.client.chat.update({
        channel,
        ts,
        text: status,
        blocks: cardWithStatus(blocks, {
          config: this.deps.config,
          lang: this.lang,
          ticket: handoff.ticket,
          text: status,
          actions,
        }),
      });
    } catch (error) {
      this.deps.log.warn({ err: slackError(error) }, 'could not update the desk card');
    }
  }

  /** A hint only the agent sees, in the card's thread. */
  private async hint(
    user: string,
    thread: string,
    key: MessageKey,
    params: Record<string, string | number> = {},
  ): Promise<void> {
    try {
      await this.deps.client.chat.postEphemeral({
        channel: this.deps.channel,
        user,
        thread_ts: thread,
        text: this.say(key, params),
      });
    } catch (error) {
      this.deps.log.warn({ err: slackError(error) }, 'could not post a hint to an agent');
    }
  }
}

function cardId(channel: string, ts: string): string {
  return `slack:${channel}:${ts}`;
}

function splitCard(card: string): [string, string, string] {
  const [prefix = '', channel = '', ts = ''] = card.split(':');
  return [prefix, channel, ts];
}
