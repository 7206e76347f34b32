import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeskCorrections } from '../../adapters/learn/corrections.ts';
import { parseKind } from '../../adapters/learn/examples.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { Handoff, HandoffBook } from '../../adapters/state/handoffs.ts';
import type { Config, Lang } from '../../core/config/schema.ts';
import type { CardStatus } from '../../core/desk/desk.ts';
import type { Attachment, Person } from '../../core/types.ts';
import {
  type CardChange,
  ChannelDesk,
  type DeskHost,
  type DeskSurface,
  type DeskSurfaces,
  type OpenHandoff,
} from '../runtime/desk.ts';
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

export type { DeskHost } from '../runtime/desk.ts';

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
  /** The server's desk surfaces (a step on the browser desk redraws this desk's card). */
  surfaces?: DeskSurfaces;
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

const ICONS: Record<CardStatus, string> = {
  claimed: ':raising_hand:',
  resolved: ':white_check_mark:',
  returned: ':robot_face:',
};

/**
 * The agent desk in a Slack channel. Each live handoff is a card (details, ticket, the conversation so
 * far) with a Claim button; the agent who claims it answers in the card's thread, and what they write
 * goes to the person through the core (marked with their first name); what the person writes comes
 * into the thread. Resolve and Return to bot end it. Thread replies before a claim, or by another
 * agent after it, stay internal (the writer gets an ephemeral hint). Slack translation only: the
 * decisions are the desk's (`core/desk`, run by `Desk`); the book (card <-> conversation) is kept with
 * the state (on disk, or in Redis for every process), so a restart keeps relaying.
 */
export class SlackDesk extends ChannelDesk {
  private readonly deps: SlackDeskDeps;
  private readonly cards: SlackCards;

  constructor(deps: SlackDeskDeps) {
    const cards = new SlackCards(deps, deps.config.default_language);
    super(cards, deps);
    this.deps = deps;
    this.cards = cards;
  }

  // ---- from Slack ------------------------------------------------------------------------------

  /** Whether a thread in the desk channel is a handoff's card (its replies are the desk's business). */
  async isCard(channel: string, thread: string): Promise<boolean> {
    return channel === this.deps.channel && (await this.deps.book.byCard(cardId(channel, thread))) !== undefined;
  }

  /** A button of a card: Claim, Resolve, Return to bot, or the kind menu. */
  async onClick(body: unknown): Promise<void> {
    const parsed = click.safeParse(body);
    if (!parsed.success) return;
    const { user, channel, message, actions } = parsed.data;
    if (channel?.id !== this.deps.channel || !message) return;
    const card = cardId(channel.id, message.ts);
    const blocks = message.blocks ?? [];
    if (actions[0]!.action_id === KIND_ACTION) {
      const kind = parseKind(actions[0]!.selected_option?.value ?? '');
      const handoff = await this.deps.book.byCard(card);
      if (!kind || !handoff || !this.deps.corrections) return;
      const key = `desk:${card}:kind:${user.id}:${actions[0]!.action_ts ?? actions[0]!.selected_option?.value}`;
      await this.once(key, handoff, async () =>
        this.desk.correctKind(handoff, await this.deps.person(user.id), kind, 'slack', blocks),
      );
      return;
    }
    const action = /^desk_(claim|resolve|return)$/.exec(actions[0]!.action_id)?.[1] as DeskAction | undefined;
    if (!action) return;
    const handoff = await this.deps.book.byCard(card);
    if (!handoff) {
      await this.cards.hintTo(user.id, message.ts, this.desk.say('desk_ended'));
      return;
    }
    const probe = { type: action, agent: { id: user.id } };
    if (!this.desk.changes(handoff, probe)) {
      await this.desk.act(handoff, probe, { via: blocks });
      return;
    }
    // A double click, or the same click twice, acts once; per agent, so that a second agent clicking at
    // the same moment is not taken for a copy and still hears who claimed it (the book picks one).
    const once = `desk:${card}:${action === 'claim' ? 'claim' : 'end'}:${user.id}`;
    await this.desk.act(handoff, { type: action, agent: await this.deps.person(user.id) }, { once, via: blocks });
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
      const text = fromSlack(reply.text, botUserId);
      await this.desk.act(handoff, { type: 'reply', agent: { id: reply.user }, text, files: reply.files });
    } catch (error) {
      await this.deps.deliveries.release(delivery);
      throw error;
    }
    await this.deps.deliveries.done(delivery);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** A step that acts once per delivery key (a double click). */
  private async once(key: string, handoff: Handoff, job: () => Promise<void>): Promise<void> {
    if (!(await this.deps.deliveries.claim(key))) {
      this.deps.log.info({ conversation: handoff.conversation }, 'copy of a desk click ignored');
      return;
    }
    try {
      await job();
    } finally {
      await this.deps.deliveries.done(key);
    }
  }
}

/** The desk's surface in the Slack channel: cards as Block Kit messages, hints as ephemeral messages. */
class SlackCards implements DeskSurface {
  readonly prefix = 'slack:';

  constructor(
    private readonly deps: SlackDeskDeps,
    private readonly lang: Lang,
  ) {}

  // ---- the desk's surface ----------------------------------------------------------------------

  async post(_conversation: string, handoff: OpenHandoff): Promise<{ card: string; view: unknown }> {
    const { card } = this.cardOf(handoff);
    const { client, channel } = this.deps;
    const posted = await client.chat.postMessage({ channel, ...card, unfurl_links: false, unfurl_media: false });
    if (!posted.ts) throw new Error('the desk card was posted without a ts');
    return { card: cardId(channel, posted.ts), view: card.blocks };
  }

  async transcript(handoff: Handoff, opened: OpenHandoff): Promise<void> {
    const [, channel, ts] = splitCard(handoff.card);
    for (const message of this.cardOf(opened).thread) {
      await this.deps.client.chat
        .postMessage({ channel, thread_ts: ts, ...message, unfurl_links: false, unfurl_media: false })
        .catch((error: unknown) => this.deps.log.error({ err: slackError(error) }, 'could not post the transcript'));
    }
  }

  async relay(handoff: Handoff, text: string, attachments: Attachment[]): Promise<void> {
    const [, channel, ts] = splitCard(handoff.card);
    await this.deps.client.chat.postMessage({
      channel,
      thread_ts: ts,
      ...relayMessage(nameOf(handoff.requester), text, attachments),
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  async show(handoff: Handoff, change: CardChange, via?: unknown): Promise<unknown> {
    const [, channel, ts] = splitCard(handoff.card);
    const blocks = (via ?? handoff.view ?? []) as unknown[];
    const { config } = this.deps;
    const lang = this.lang;
    const text = change.type === 'status' ? `${ICONS[change.status]} ${escapeMrkdwn(change.text)}` : change.note;
    const redrawn =
      change.type === 'status'
        ? cardWithStatus(blocks, { config, lang, ticket: handoff.ticket, text, actions: change.buttons })
        : cardWithKind(blocks, { config, lang, kind: change.kind, note: `:pencil2: ${escapeMrkdwn(change.note)}` });
    try {
      await this.deps.client.chat.update({ channel, ts, text, blocks: redrawn });
    } catch (error) {
      this.deps.log.warn({ err: slackError(error) }, 'could not update the desk card');
      return undefined;
    }
    return redrawn;
  }

  hint(handoff: Handoff, to: Person, text: string): Promise<void> {
    return this.hintTo(to.id, splitCard(handoff.card)[2], text);
  }

  async remind(handoff: Handoff, text: string): Promise<void> {
    const [, channel, ts] = splitCard(handoff.card);
    await this.deps.client.chat
      .postMessage({ channel, thread_ts: ts, reply_broadcast: true, text: `:hourglass: ${text}` })
      .catch((error: unknown) => Promise.reject(new Error(slackError(error))));
  }

  private cardOf(handoff: OpenHandoff) {
    return deskCard({
      config: this.deps.config,
      lang: this.lang,
      ticket: handoff.ticket,
      ...(handoff.url ? { url: handoff.url } : {}),
      draft: handoff.draft,
      transcript: handoff.state.transcript,
    });
  }

  /** A hint only the agent sees, in the card's thread. */
  async hintTo(user: string, thread: string, text: string): Promise<void> {
    try {
      await this.deps.client.chat.postEphemeral({ channel: this.deps.channel, user, thread_ts: thread, text });
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
