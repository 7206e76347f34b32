import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { correctOnCard, type DeskCorrections, kindText } from '../../adapters/learn/corrections.ts';
import { parseKind } from '../../adapters/learn/examples.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { Handoff, HandoffBook } from '../../adapters/state/handoffs.ts';
import type { Config, Lang, MessageKey } from '../../core/config/schema.ts';
import { say } from '../../core/messages.ts';
import { visibleLine } from '../../core/text/visible.ts';
import type { Attachment, ConversationState, Person, TicketDraft } from '../../core/types.ts';
import { Ticker } from '../runtime/desks.ts';
import type { AgentDesk, DeskOpened, TriageService } from '../runtime/service.ts';
import { type IncomingActivity, intentOf, messageText } from './activities.ts';
import { ADAPTIVE_CARD, type AdaptiveCard } from './cards.ts';
import {
  cardWithKind,
  cardWithStatus,
  type DeskAct,
  type DeskSubmit,
  deskCard,
  deskSubmit,
  nameOf,
  relayText,
} from './desk-card.ts';

/** How the desk posts in its channel: a new post (the card), a reply in a thread, an update of the card. */
export interface DeskConnector {
  /** Send to a conversation (the channel: a new post; `<channel>;messageid=<root>`: its thread); the new id. */
  send(conversation: string, activity: Partial<Activity>): Promise<string | undefined>;
  update(conversation: string, id: string, activity: Partial<Activity>): Promise<void>;
}

export interface TeamsDeskDeps {
  /** The desk channel's conversation id (`19:...@thread.tacv2`). */
  channel: string;
  connector: DeskConnector;
  host: Pick<TriageService, 'fromDesk'>;
  config: Config;
  book: HandoffBook;
  deliveries: DeliveryLog;
  log: Logger;
  clock?: () => Date;
  /** Where an agent's correction of a ticket's kind goes (learned, noted on the ticket); none: the menu does nothing. */
  corrections?: DeskCorrections;
}

const PREFIX = 'teams:';

/**
 * The agent desk in a Teams channel. Each live handoff is a post with an Adaptive Card (details, ticket,
 * the conversation so far) and Claim; the agent who claims it answers in the post's thread, mentioning
 * the bot (a bot only hears channel messages that mention it), and that goes to the person through the
 * core, marked with the agent's first name; what the person writes comes into the thread. Resolve and
 * Return to bot end it. The card (and its thread) is named `teams:<channel>;messageid=<post>` in the
 * handoff book, which the Slack desk shares: one queue, one reminder rule.
 */
export class TeamsDesk implements AgentDesk {
  private readonly lang: Lang;
  private readonly clock: () => Date;
  private readonly reminders = new Ticker();

  constructor(private readonly deps: TeamsDeskDeps) {
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
    const { connector, channel, config, book } = this.deps;
    const waiting = await book.waitingBefore(conversation, this.clock());
    const { card, summary, thread } = deskCard({
      config,
      lang: this.lang,
      ticket: handoff.ticket,
      ...(handoff.url ? { url: handoff.url } : {}),
      draft: handoff.draft,
      transcript: handoff.state.transcript,
    });
    const root = await connector.send(channel, cardActivity(card, summary));
    if (!root) throw new Error('the desk card was posted without an id');
    const threadId = `${channel};messageid=${root}`;
    await book.open({
      conversation,
      ticket: handoff.ticket,
      card: `${PREFIX}${threadId}`,
      requester: handoff.draft.requester,
      openedAt: this.clock().toISOString(),
      view: card,
      kind: handoff.draft.label,
    });
    for (const text of thread) {
      await connector
        .send(threadId, { type: 'message', text, textFormat: 'plain' })
        .catch((error: unknown) => this.deps.log.error({ err: String(error) }, 'could not post the transcript'));
    }
    this.deps.log.info({ conversation, ticket: handoff.ticket, waiting }, 'handoff posted on the Teams desk');
    return { position: waiting + 1 };
  }

  async relay(conversation: string, text: string, attachments: Attachment[]): Promise<void> {
    const handoff = await this.deps.book.get(conversation);
    if (!handoff || handoff.ended || !handoff.card.startsWith(PREFIX))
      throw new Error('no open handoff on the Teams desk for this conversation');
    await this.deps.connector.send(threadOf(handoff), {
      type: 'message',
      text: relayText(nameOf(handoff.requester), text, attachments),
      textFormat: 'plain',
    });
  }

  // ---- from Teams ------------------------------------------------------------------------------

  /**
   * Whether an activity is the desk's business: a click on a desk card, or a person's message in the
   * thread of a handoff's card (other posts in the desk channel are ordinary conversations with the bot).
   */
  async takes(activity: IncomingActivity): Promise<boolean> {
    if (activity.type !== 'message' || fromBot(activity)) return false;
    const [base] = activity.conversation.id.split(';');
    if (base !== this.deps.channel) return false;
    if (deskSubmit.safeParse(activity.value).success) return true;
    return (await this.deps.book.byCard(cardOf(activity))) !== undefined;
  }

  /**
   * The delivery-log key of a desk activity: a message once; a card's button once per step and agent (a
   * double click acts once, while a second agent's Claim still gets its hint).
   */
  deliveryKey(activity: IncomingActivity): string | null {
    const submit = deskSubmit.safeParse(activity.value);
    if (submit.success) {
      // A kind chosen is its own activity (a double click is two, and the book takes the kind once).
      if (submit.data.act === 'kind')
        return activity.id ? `desk:${cardOf(activity)}:kind:${personOf(activity).id}:${activity.id}` : null;
      const step = submit.data.act === 'claim' ? 'claim' : 'end';
      return `desk:${cardOf(activity)}:${step}:${personOf(activity).id}`;
    }
    return activity.id ? `teams:activity:${activity.conversation.id}:${activity.id}` : null;
  }

  /** A desk activity {@link takes} accepted (and the channel claimed in the delivery log). */
  async receive(activity: IncomingActivity): Promise<void> {
    const submit = deskSubmit.safeParse(activity.value);
    if (!submit.success) await this.onReply(activity);
    else if (submit.data.act === 'kind') await this.onKind(activity, submit.data);
    else await this.onClick(activity, submit.data.act);
  }

  /**
   * The kind menu: the agent corrects the ticket's kind. The book takes one correction at a time (a
   * double click finds the kind already set and does nothing); the correction is learned and noted on
   * the ticket, and the card shows the new kind and who corrected it. Ended handoffs can be corrected too.
   */
  private async onKind(activity: IncomingActivity, submit: DeskSubmit): Promise<void> {
    const kind = parseKind(submit.kind ?? '');
    const handoff = await this.deps.book.byCard(cardOf(activity));
    if (!kind || !handoff || !this.deps.corrections) return;
    const agent = personOf(activity);
    const by = { kind, by: agent, channel: 'teams' };
    const corrected = await correctOnCard(this.deps.book, this.deps.corrections, handoff, by, this.deps.log);
    if (corrected === 'unchanged') return;
    if (corrected === 'not_found') {
      await this.hint(handoff, agent, 'desk_kind_not_found', { ticket: handoff.ticket });
      return;
    }
    const { to, handoff: changed } = corrected;
    const note = this.say('desk_kind_corrected', {
      agent: nameOf(agent),
      from: kindText(this.deps.config, this.lang, corrected.from),
      to: kindText(this.deps.config, this.lang, corrected.to),
    });
    const sent = changed.view as AdaptiveCard | undefined;
    const [channel, root] = splitThread(threadOf(changed));
    if (sent && root) {
      const card = cardWithKind(sent, { config: this.deps.config, lang: this.lang, kind: to, note: `✏️ ${note}` });
      try {
        await this.deps.connector.update(channel, root, cardActivity(card, note));
        await this.deps.book.update(handoff.conversation, (h) =>
          h.card === handoff.card ? { ...h, view: card } : null,
        );
      } catch (error) {
        this.deps.log.warn({ err: String(error) }, 'could not update the desk card');
      }
    }
    this.deps.log.info(
      { conversation: handoff.conversation, ticket: handoff.ticket, example: corrected.example.id },
      'kind corrected on the desk',
    );
  }

  private async onClick(activity: IncomingActivity, act: DeskAct): Promise<void> {
    const handoff = await this.deps.book.byCard(cardOf(activity));
    const agent = personOf(activity);
    if (!handoff || handoff.ended) {
      if (handoff) await this.hint(handoff, agent, 'desk_ended');
      return;
    }
    if (act === 'claim' && handoff.agent) {
      if (handoff.agent.id !== agent.id)
        await this.hint(handoff, agent, 'desk_already_claimed', { agent: nameOf(handoff.agent) });
      return;
    }
    if (act !== 'claim' && !handoff.agent) return;
    if (act === 'claim') await this.claim(handoff, agent);
    else await this.end(handoff, act === 'resolve' ? 'resolved' : 'returned', agent);
  }

  private async claim(handoff: Handoff, agent: Person): Promise<void> {
    const now = this.clock().toISOString();
    const claimed = await this.deps.book.update(handoff.conversation, (h) =>
      h.card === handoff.card && !h.agent && !h.ended ? { ...h, agent, claimedAt: now } : null,
    );
    if (!claimed) {
      const current = await this.deps.book.get(handoff.conversation);
      if (current?.agent && current.agent.id !== agent.id)
        await this.hint(handoff, agent, 'desk_already_claimed', { agent: nameOf(current.agent) });
      return;
    }
    const text = this.say('desk_claimed', { agent: nameOf(agent), requester: nameOf(handoff.requester) });
    await this.redraw(claimed, `🙋 ${text} ${this.say('desk_mention_bot')}`, ['resolve', 'return']);
    await this.deps.host.fromDesk(handoff.conversation, { type: 'agent_claimed', agent });
    this.deps.log.info({ conversation: handoff.conversation, ticket: handoff.ticket }, 'handoff claimed');
  }

  private async end(handoff: Handoff, how: 'resolved' | 'returned', by: Person): Promise<void> {
    const at = this.clock().toISOString();
    const ended = await this.deps.book.update(handoff.conversation, (h) =>
      h.card === handoff.card && !h.ended ? { ...h, ended: { how, by, at } } : null,
    );
    if (!ended) return;
    const text = this.say(how === 'resolved' ? 'desk_resolved' : 'desk_returned', { agent: nameOf(by) });
    await this.redraw(ended, `${how === 'resolved' ? '✅' : '🤖'} ${text}`, []);
    await this.deps.host.fromDesk(handoff.conversation, { type: 'handoff_ended', how });
    this.deps.log.info({ conversation: handoff.conversation, ticket: handoff.ticket, how }, 'handoff ended');
  }

  /**
   * A message in a card's thread. From the agent who claimed it: to the person. Before a claim, or from
   * another agent: internal, and the thread says so (Teams has no message only one member sees).
   */
  private async onReply(activity: IncomingActivity): Promise<void> {
    const handoff = await this.deps.book.byCard(cardOf(activity));
    if (!handoff || handoff.ended) return;
    const writer = personOf(activity);
    if (!handoff.agent) {
      await this.hint(handoff, writer, 'desk_claim_first', { claim: this.say('desk_claim') });
      return;
    }
    if (handoff.agent.id !== writer.id) {
      await this.hint(handoff, writer, 'desk_not_yours', { agent: nameOf(handoff.agent) });
      return;
    }
    const intent = intentOf(activity);
    const text = messageText(activity);
    if (intent.kind === 'message' && intent.attachments.length > 0)
      await this.hint(handoff, writer, 'desk_files_not_sent');
    if (text)
      await this.deps.host.fromDesk(handoff.conversation, { type: 'agent_message', agent: handoff.agent, text });
  }

  /**
   * Remind the desk, once, of each of its handoffs nobody took within `handoff.remind_desk_after_minutes`
   * (a reply in the card's thread). Returns how many were reminded.
   */
  async remind(now: Date = this.clock()): Promise<number> {
    const due = await this.deps.book.dueForReminder(PREFIX, now, this.deps.config.handoff.remind_desk_after_minutes);
    let reminded = 0;
    for (const { handoff, waited } of due) {
      await this.deps.connector
        .send(threadOf(handoff), {
          type: 'message',
          text: `⌛ ${this.say('desk_reminder', { minutes: waited })}`,
          textFormat: 'plain',
        })
        .then(() => reminded++)
        .catch((error: unknown) => this.deps.log.error({ err: String(error) }, 'could not remind the desk'));
    }
    return reminded;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private say(key: MessageKey, params: Record<string, string | number> = {}): string {
    return say(this.deps.config, this.lang, key, params);
  }

  private async redraw(handoff: Handoff, status: string, acts: DeskAct[]): Promise<void> {
    const sent = handoff.view as AdaptiveCard | undefined;
    const [channel, root] = splitThread(threadOf(handoff));
    if (!sent || !root) return;
    const card = cardWithStatus(sent, {
      config: this.deps.config,
      lang: this.lang,
      ticket: handoff.ticket,
      text: status,
      acts,
    });
    try {
      await this.deps.connector.update(channel, root, cardActivity(card, status));
      await this.deps.book.update(handoff.conversation, (h) => (h.card === handoff.card ? { ...h, view: card } : null));
    } catch (error) {
      this.deps.log.warn({ err: String(error) }, 'could not update the desk card');
    }
  }

  /** A hint to an agent, in the card's thread, addressed by name. */
  private async hint(
    handoff: Handoff,
    agent: Person,
    key: MessageKey,
    params: Record<string, string | number> = {},
  ): Promise<void> {
    try {
      await this.deps.connector.send(threadOf(handoff), {
        type: 'message',
        text: `${nameOf(agent)}: ${this.say(key, params)}`,
        textFormat: 'plain',
      });
    } catch (error) {
      this.deps.log.warn({ err: String(error) }, 'could not post a hint to an agent');
    }
  }
}

function cardActivity(card: AdaptiveCard, summary: string): Partial<Activity> {
  return { type: 'message', summary, attachments: [{ contentType: ADAPTIVE_CARD, content: card }] };
}

function fromBot(activity: IncomingActivity): boolean {
  return activity.from.role === 'bot' || activity.from.id === activity.recipient.id;
}

/** Who clicked or wrote: the same person whichever device (Entra object id), with the name Teams gives. */
function personOf(activity: IncomingActivity): Person {
  return {
    id: activity.from.aadObjectId || activity.from.id,
    ...(activity.from.name ? { name: visibleLine(activity.from.name) } : {}),
  };
}

/**
 * The card an activity belongs to: its thread (`<channel>;messageid=<root>`). A click names the card in
 * `replyToId` and may come on the channel's id alone.
 */
function cardOf(activity: IncomingActivity): string {
  const [base, thread] = activity.conversation.id.split(';messageid=');
  const root = deskSubmit.safeParse(activity.value).success ? (activity.replyToId ?? thread) : thread;
  return `${PREFIX}${base};messageid=${root ?? ''}`;
}

function threadOf(handoff: Handoff): string {
  return handoff.card.slice(PREFIX.length);
}

function splitThread(thread: string): [string, string | undefined] {
  const [channel = '', root] = thread.split(';messageid=');
  return [channel, root];
}
