import {
  correctOnCard,
  type DeskCorrections,
  type KindCorrection,
  kindText,
} from '../../adapters/learn/corrections.ts';
import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { Handoff, HandoffBook, ThreadEntry } from '../../adapters/state/handoffs.ts';
import type { Config, Lang, MessageKey } from '../../core/config/schema.ts';
import {
  type AgentAction,
  type CardButton,
  type CardStatus,
  changes,
  type Decision,
  type DeskContext,
  type DeskEffect,
  decide,
  deskText,
  nameOf,
  reminder,
  type ToPerson,
} from '../../core/desk/desk.ts';
import type { Attachment, ConversationState, Person, Reply, TicketDraft } from '../../core/types.ts';
import { Ticker } from './desks.ts';
import type { AgentDesk, DeskOpened, Logger } from './service.ts';

/** What the desk tells the runtime: an agent claimed, wrote, or ended a handoff. */
export type DeskEvent = ToPerson;

/** The runtime as the desk sees it (`TriageService.fromDesk`): the core decides what the person hears. */
export interface DeskHost {
  fromDesk(conversation: string, event: DeskEvent): Promise<Reply[]>;
}

/** A new handoff as the runtime gives it to the desk. */
export interface OpenHandoff {
  ticket: string;
  url?: string;
  draft: TicketDraft;
  state: ConversationState;
}

/** How a card changes: its status after a step (with the buttons left), or its kind after a correction. */
export type CardChange =
  | { type: 'status'; status: CardStatus; text: string; buttons: CardButton[] }
  | { type: 'kind'; kind: string; note: string };

/**
 * The port of one desk surface (a Slack channel, a Teams channel, the browser): how it shows cards
 * and talks to agents. It translates only; every decision is the desk's (`core/desk`).
 * `via` is what the surface handed in with the agent's action (Slack: the card's blocks as clicked).
 */
export interface DeskSurface {
  /** The prefix of this surface's card ids in the book (`slack:`, `teams:`, `web:`). */
  readonly prefix: string;
  /** Post a new handoff's card: its id in the book, and what to keep of it to redraw it later. */
  post(conversation: string, handoff: OpenHandoff): Promise<{ card: string; view?: unknown }>;
  /** After the book has the card: the conversation so far in the card's thread. */
  transcript(handoff: Handoff, opened: OpenHandoff): Promise<void>;
  /** What the person wrote, into the card's thread. */
  relay(handoff: Handoff, text: string, attachments: Attachment[]): Promise<void>;
  /** Redraw the card; the view to keep when the surface redraws from it (Teams), else undefined. */
  show(handoff: Handoff, change: CardChange, via?: unknown): Promise<unknown>;
  /** Tell only this agent (a refused step, files not sent). */
  hint(handoff: Handoff, to: Person, text: string, via?: unknown): Promise<void>;
  /** Remind the desk of a handoff nobody took. */
  remind(handoff: Handoff, text: string): Promise<void>;
}

/**
 * Every surface by its card prefix: a step taken on one surface (the browser) redraws the card where
 * it was posted (Slack, Teams). One registry per server, shared by its desks.
 */
export class DeskSurfaces {
  private readonly surfaces = new Map<string, DeskSurface>();

  add(surface: DeskSurface): void {
    this.surfaces.set(surface.prefix, surface);
  }

  of(card: string): DeskSurface | undefined {
    for (const [prefix, surface] of this.surfaces) if (card.startsWith(prefix)) return surface;
    return undefined;
  }
}

export interface DeskDeps {
  host: DeskHost;
  config: Config;
  book: HandoffBook;
  log: Logger;
  clock?: () => Date;
  /** Where an agent's correction of a ticket's kind goes (learned, noted on the ticket); none: no correction. */
  corrections?: DeskCorrections;
  /** A step that changes the record (claim, end) is taken once per delivery key (a double click acts once). */
  deliveries?: DeliveryLog;
  /** The other desks' surfaces, to redraw a card posted elsewhere (default: this one only). */
  surfaces?: DeskSurfaces;
}

/**
 * One agent desk on one surface: the runner of the desk's decisions. It reads the handoff from the
 * shared book, lets `core/desk` decide under the book's lock (two agents claiming at once on any
 * surface or process: one wins), and carries out the effects: the card redrawn where it was posted,
 * the person told through the core, the hint to the agent who acted, the exchange kept for the
 * browser desk.
 */
export class Desk implements AgentDesk {
  readonly lang: Lang;
  private readonly clock: () => Date;
  private readonly reminders = new Ticker();
  private readonly surfaces: DeskSurfaces;

  constructor(
    private readonly surface: DeskSurface,
    private readonly deps: DeskDeps,
  ) {
    this.lang = deps.config.default_language;
    this.clock = deps.clock ?? (() => new Date());
    this.surfaces = deps.surfaces ?? new DeskSurfaces();
    this.surfaces.add(surface);
  }

  /** A desk text in the desk's language. */
  say(key: MessageKey, params: Record<string, string | number> = {}): string {
    return deskText({ config: this.deps.config, lang: this.lang }, key, params);
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

  async open(conversation: string, handoff: OpenHandoff): Promise<DeskOpened> {
    const { book } = this.deps;
    const waiting = await book.waitingBefore(conversation, this.clock());
    const { card, view } = await this.surface.post(conversation, handoff);
    const record: Handoff = {
      conversation,
      ticket: handoff.ticket,
      card,
      requester: handoff.draft.requester,
      openedAt: this.clock().toISOString(),
      ...(view !== undefined ? { view } : {}),
      kind: handoff.draft.label,
    };
    await book.open(record);
    await book.clearThread(conversation);
    await book.addToThread(conversation, transcriptOf(handoff, nameOf(record.requester)));
    await this.surface.transcript(record, handoff);
    this.deps.log.info({ conversation, ticket: handoff.ticket, waiting }, 'handoff posted on the desk');
    return { position: waiting + 1 };
  }

  async relay(conversation: string, text: string, attachments: Attachment[]): Promise<void> {
    const handoff = await this.deps.book.get(conversation);
    if (!handoff || handoff.ended || !handoff.card.startsWith(this.surface.prefix))
      throw new Error('no open handoff on this desk for this conversation');
    await this.deps.book.addToThread(conversation, [
      {
        from: 'person',
        name: nameOf(handoff.requester),
        text,
        at: this.clock().toISOString(),
        ...(attachments.length > 0 ? { files: attachments.map((a) => a.name) } : {}),
      },
    ]);
    await this.surface.relay(handoff, text, attachments);
  }

  /**
   * An agent's step on a card (the handoff as found by its card, or undefined when the card is not a
   * handoff's). A step that changes the record is decided again under the book's lock; with `once`,
   * a copy of the same delivery is ignored. `via`: what the surface needs to redraw or hint.
   */
  async act(
    handoff: Handoff | undefined,
    action: AgentAction,
    options: { once?: string; via?: unknown } = {},
  ): Promise<void> {
    const first = decide(handoff, action, this.context());
    if (!handoff || !first.handoff) {
      if (handoff) await this.apply(handoff, first.effects, options.via);
      return;
    }
    const { deliveries } = this.deps;
    if (options.once && deliveries && !(await deliveries.claim(options.once))) {
      this.deps.log.info({ conversation: handoff.conversation }, 'copy of a desk click ignored');
      return;
    }
    try {
      let decision: Decision = { handoff: null, effects: [] };
      const stored = await this.deps.book.update(handoff.conversation, (current) => {
        // The conversation's handoff may be a newer one by now (another card): this card's is gone.
        decision = current.card === handoff.card ? decide(current, action, this.context()) : decision;
        return decision.handoff;
      });
      await this.apply(stored ?? handoff, decision.effects, options.via);
    } finally {
      if (options.once && deliveries) await deliveries.done(options.once);
    }
  }

  /**
   * The kind menu: the agent corrects the ticket's kind. The book takes one correction at a time (a
   * double click finds the kind already set and does nothing); the correction is learned and noted on
   * the ticket, and the card shows the new kind and who corrected it. Ended handoffs can be corrected too.
   */
  async correctKind(
    handoff: Handoff,
    agent: Person,
    kind: KindCorrection['kind'],
    channel: string,
    via?: unknown,
  ): Promise<void> {
    const { book, corrections, config, log } = this.deps;
    if (!corrections) return;
    const corrected = await correctOnCard(book, corrections, handoff, { kind, by: agent, channel }, log);
    if (corrected === 'unchanged') return;
    if (corrected === 'not_found') {
      await this.surface.hint(handoff, agent, this.say('desk_kind_not_found', { ticket: handoff.ticket }), via);
      return;
    }
    const note = this.say('desk_kind_corrected', {
      agent: nameOf(agent),
      from: kindText(config, this.lang, corrected.from),
      to: kindText(config, this.lang, corrected.to),
    });
    await this.redraw(corrected.handoff, { type: 'kind', kind: corrected.to, note }, via);
    log.info(
      { conversation: handoff.conversation, ticket: handoff.ticket, example: corrected.example.id },
      'kind corrected on the desk',
    );
  }

  /**
   * Remind the desk, once, of each of its handoffs nobody took within `handoff.remind_desk_after_minutes`
   * (the rule is `core/desk`'s `reminder`). Every process runs this round: the mark is made under the
   * book's lock, so only one of them reminds. Returns how many were reminded.
   */
  async remind(now: Date = this.clock()): Promise<number> {
    const { book, log } = this.deps;
    const ctx = { ...this.context(), now };
    let reminded = 0;
    for (const handoff of await book.current()) {
      if (!handoff.card.startsWith(this.surface.prefix) || !reminder(handoff, ctx)) continue;
      let text = '';
      const marked = await book.update(handoff.conversation, (h) => {
        const due = h.card === handoff.card ? reminder(h, ctx) : null;
        text = due?.text ?? '';
        return due?.handoff ?? null;
      });
      if (!marked) continue;
      try {
        await book.addToThread(handoff.conversation, [{ from: 'note', text, at: now.toISOString() }]);
        await this.surface.remind(marked, text);
        reminded++;
      } catch (error) {
        log.error({ err: String(error) }, 'could not remind the desk');
      }
    }
    return reminded;
  }

  /** Whether an action would change the handoff as it stands (a claim, an end), rather than only hint. */
  changes(handoff: Handoff, action: AgentAction): boolean {
    return changes(handoff, action, this.context());
  }

  private context(): DeskContext {
    return { config: this.deps.config, lang: this.lang, now: this.clock() };
  }

  private async apply(handoff: Handoff, effects: DeskEffect[], via: unknown): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'card':
          await this.redraw(
            handoff,
            { type: 'status', status: effect.status, text: effect.text, buttons: effect.buttons },
            via,
          );
          await this.deps.book.addToThread(handoff.conversation, [
            { from: 'note', text: effect.text, at: this.clock().toISOString() },
          ]);
          break;
        case 'person':
          if (effect.event.type === 'agent_message')
            await this.deps.book.addToThread(handoff.conversation, [
              {
                from: 'agent',
                name: nameOf(effect.event.agent),
                text: effect.event.text,
                at: this.clock().toISOString(),
              },
            ]);
          await this.deps.host.fromDesk(handoff.conversation, effect.event);
          break;
        case 'hint':
          await this.surface.hint(handoff, effect.to, effect.text, via);
          break;
        case 'log':
          this.deps.log.info(
            { conversation: handoff.conversation, ticket: handoff.ticket, ...effect.fields },
            effect.message,
          );
          break;
      }
    }
  }

  /** Redraw the card where it was posted (this surface or another), and keep the view it returns. */
  private async redraw(handoff: Handoff, change: CardChange, via: unknown): Promise<void> {
    const owner = this.surfaces.of(handoff.card);
    if (!owner) return;
    try {
      const view = await owner.show(handoff, change, owner === this.surface ? via : undefined);
      if (view !== undefined)
        await this.deps.book.update(handoff.conversation, (h) => (h.card === handoff.card ? { ...h, view } : null));
    } catch (error) {
      this.deps.log.warn({ err: String(error) }, 'could not update the desk card');
    }
  }
}

/**
 * A desk in a chat platform's channel (Slack, Teams): what the runtime asks of it (open a handoff, relay
 * the person's words, remind, start and stop the reminders) is its {@link Desk}'s; a platform's desk
 * adds only how its agents' clicks and replies come in, and hands them to `desk`.
 */
export abstract class ChannelDesk implements AgentDesk {
  protected readonly desk: Desk;

  constructor(surface: DeskSurface, deps: DeskDeps) {
    this.desk = new Desk(surface, deps);
  }

  start(everyMs = 30_000): void {
    this.desk.start(everyMs);
  }

  stop(): void {
    this.desk.stop();
  }

  open(conversation: string, handoff: OpenHandoff): Promise<DeskOpened> {
    return this.desk.open(conversation, handoff);
  }

  relay(conversation: string, text: string, attachments: Attachment[]): Promise<void> {
    return this.desk.relay(conversation, text, attachments);
  }

  /** Remind the desk, once, of each of its handoffs nobody took in time. Returns how many were reminded. */
  remind(now?: Date): Promise<number> {
    return this.desk.remind(now);
  }
}

/** The conversation so far as the first entries of the handoff's exchange. */
function transcriptOf(handoff: OpenHandoff, requester: string): ThreadEntry[] {
  return (handoff.state.transcript ?? handoff.draft.transcript ?? []).map((t) => ({
    from: t.from === 'user' ? 'person' : 'bot',
    ...(t.from === 'user' ? { name: requester } : {}),
    text: t.text,
    at: t.at,
  }));
}
