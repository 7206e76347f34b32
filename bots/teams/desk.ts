import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { DeskCorrections } from '../../adapters/learn/corrections.ts';
import { parseKind } from '../../adapters/learn/examples.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { Handoff, HandoffBook } from '../../adapters/state/handoffs.ts';
import type { Config, Lang } from '../../core/config/schema.ts';
import type { CardStatus } from '../../core/desk/desk.ts';
import { say } from '../../core/messages.ts';
import { visibleLine } from '../../core/text/visible.ts';
import type { Attachment, Person } from '../../core/types.ts';
import {
  type CardChange,
  ChannelDesk,
  type DeskSurface,
  type DeskSurfaces,
  type OpenHandoff,
} from '../runtime/desk.ts';
import type { TriageService } from '../runtime/service.ts';
import { type IncomingActivity, intentOf, messageText } from './activities.ts';
import { ADAPTIVE_CARD, type AdaptiveCard } from './cards.ts';
import { cardWithKind, cardWithStatus, type DeskAct, deskCard, deskSubmit, nameOf, relayText } from './desk-card.ts';

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
  /** The server's desk surfaces (a step on the browser desk redraws this desk's card). */
  surfaces?: DeskSurfaces;
}

const PREFIX = 'teams:';
const ICONS: Record<CardStatus, string> = { claimed: '🙋', resolved: '✅', returned: '🤖' };

/**
 * The agent desk in a Teams channel. Each live handoff is a post with an Adaptive Card (details, ticket,
 * the conversation so far) and Claim; the agent who claims it answers in the post's thread, mentioning
 * the bot (a bot only hears channel messages that mention it), and that goes to the person through the
 * core, marked with the agent's first name; what the person writes comes into the thread. Resolve and
 * Return to bot end it. The card (and its thread) is named `teams:<channel>;messageid=<post>` in the
 * handoff book, which the other desks share: one queue, one reminder rule. Teams translation only: the
 * decisions are the desk's (`core/desk`, run by `Desk`).
 */
export class TeamsDesk extends ChannelDesk {
  constructor(private readonly deps: TeamsDeskDeps) {
    super(new TeamsCards(deps, deps.config.default_language), deps);
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

  /**
   * A desk activity {@link takes} accepted (and the channel claimed in the delivery log): a card's
   * button (Claim, Resolve, Return to bot, the kind menu) or a message in a card's thread. From the
   * agent who claimed it: to the person; before a claim, or from another agent: internal, and the
   * thread says so (Teams has no message only one member sees).
   */
  async receive(activity: IncomingActivity): Promise<void> {
    const submit = deskSubmit.safeParse(activity.value);
    const handoff = await this.deps.book.byCard(cardOf(activity));
    const agent = personOf(activity);
    if (!handoff) return;
    if (!submit.success) {
      if (handoff.ended) return;
      const intent = intentOf(activity);
      const files = intent.kind === 'message' ? intent.attachments.length : 0;
      await this.desk.act(handoff, { type: 'reply', agent, text: messageText(activity), files });
    } else if (submit.data.act === 'kind') {
      const kind = parseKind(submit.data.kind ?? '');
      if (kind) await this.desk.correctKind(handoff, agent, kind, 'teams');
    } else {
      await this.desk.act(handoff, { type: submit.data.act as DeskAct, agent });
    }
  }
}

/** The desk's surface in the Teams channel: Adaptive Cards redrawn from the view kept in the book. */
class TeamsCards implements DeskSurface {
  readonly prefix = PREFIX;

  constructor(
    private readonly deps: TeamsDeskDeps,
    private readonly lang: Lang,
  ) {}

  async post(_conversation: string, handoff: OpenHandoff): Promise<{ card: string; view: unknown }> {
    const { card, summary } = this.cardOf(handoff);
    const root = await this.deps.connector.send(this.deps.channel, cardActivity(card, summary));
    if (!root) throw new Error('the desk card was posted without an id');
    return { card: `${PREFIX}${this.deps.channel};messageid=${root}`, view: card };
  }

  async transcript(handoff: Handoff, opened: OpenHandoff): Promise<void> {
    for (const text of this.cardOf(opened).thread) {
      await this.deps.connector
        .send(threadOf(handoff), { type: 'message', text, textFormat: 'plain' })
        .catch((error: unknown) => this.deps.log.error({ err: String(error) }, 'could not post the transcript'));
    }
  }

  async relay(handoff: Handoff, text: string, attachments: Attachment[]): Promise<void> {
    await this.deps.connector.send(threadOf(handoff), {
      type: 'message',
      text: relayText(nameOf(handoff.requester), text, attachments),
      textFormat: 'plain',
    });
  }

  async show(handoff: Handoff, change: CardChange): Promise<unknown> {
    const sent = handoff.view as AdaptiveCard | undefined;
    const [channel, root] = splitThread(threadOf(handoff));
    if (!sent || !root) return undefined;
    const { config } = this.deps;
    const lang = this.lang;
    let card: AdaptiveCard;
    let summary: string;
    if (change.type === 'status') {
      const mention = change.status === 'claimed' ? ` ${say(config, lang, 'desk_mention_bot')}` : '';
      summary = `${ICONS[change.status]} ${change.text}${mention}`;
      card = cardWithStatus(sent, { config, lang, ticket: handoff.ticket, text: summary, acts: change.buttons });
    } else {
      summary = change.note;
      card = cardWithKind(sent, { config, lang, kind: change.kind, note: `✏️ ${change.note}` });
    }
    await this.deps.connector.update(channel, root, cardActivity(card, summary));
    return card;
  }

  async hint(handoff: Handoff, to: Person, text: string): Promise<void> {
    try {
      await this.deps.connector.send(threadOf(handoff), {
        type: 'message',
        text: `${nameOf(to)}: ${text}`,
        textFormat: 'plain',
      });
    } catch (error) {
      this.deps.log.warn({ err: String(error) }, 'could not post a hint to an agent');
    }
  }

  async remind(handoff: Handoff, text: string): Promise<void> {
    await this.deps.connector.send(threadOf(handoff), { type: 'message', text: `⌛ ${text}`, textFormat: 'plain' });
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
