import type { ConversationStore } from '../../adapters/state/store.ts';
import type { TicketSink } from '../../adapters/tickets/sink.ts';
import type { OosReason } from '../../core/config/schema.ts';
import type { CoreEvent, TriageCore } from '../../core/engine.ts';
import type {
  Awaiting,
  ConversationState,
  Effect,
  Reply,
  Status,
  TicketDraft,
  TicketSummary,
  Turn,
} from '../../core/types.ts';

/** What one turn produced, channel-neutral: what channels render and the CLI prints. */
export interface TurnResult {
  conversation: string;
  replies: Reply[];
  status: Status;
  awaiting: Awaiting;
  label: string | null;
  ticket:
    | (Omit<TicketDraft, 'transcript' | 'requester' | 'idempotencyKey' | 'conversation'> & { id: string; url?: string })
    | null;
  /** Every ticket filed this turn (a message with several subjects files several); `ticket` is the last. */
  tickets: NonNullable<TurnResult['ticket']>[];
  rejection: { reason: OosReason; text: string } | null;
  effects: Effect[];
}

/** Minimal logger port (pino fits). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

/**
 * Runs turns: loads the conversation, asks the core, carries out its effects (files tickets), feeds
 * the outcome back to the core, stores the new state. Turns of one conversation run one at a time.
 */
export class TriageService {
  private readonly queues = new Map<string, Promise<unknown>>();
  /**
   * Ask once across conversations: look up open tickets of the same academy or site. Off where
   * conversations must stay independent of each other (the JSON-lines contract, unless asked).
   */
  askOnce = true;

  constructor(
    readonly core: TriageCore,
    private readonly store: ConversationStore,
    private readonly sink: TicketSink,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: Logger = silent,
  ) {}

  /** Handle one message; turns of the same conversation are serialised. */
  handleTurn(turn: Turn): Promise<TurnResult> {
    const previous = this.queues.get(turn.conversation) ?? Promise.resolve();
    const next = previous.then(
      () => this.run(turn),
      () => this.run(turn),
    );
    this.queues.set(turn.conversation, next);
    void next.finally(() => {
      if (this.queues.get(turn.conversation) === next) this.queues.delete(turn.conversation);
    });
    return next;
  }

  /**
   * Let time pass for a conversation waiting on the person (the closing rule): the core reminds once
   * and closes later. Returns what to send the person, if anything. Serialised with the turns.
   */
  tick(conversation: string): Promise<Reply[]> {
    const previous = this.queues.get(conversation) ?? Promise.resolve();
    const next = previous.then(
      () => this.runTick(conversation),
      () => this.runTick(conversation),
    );
    this.queues.set(conversation, next);
    void next.finally(() => {
      if (this.queues.get(conversation) === next) this.queues.delete(conversation);
    });
    return next;
  }

  private async runTick(conversation: string): Promise<Reply[]> {
    const state = await this.store.get(conversation);
    if (!state) return [];
    const outcome = this.core.handle(state, { type: 'tick' }, { now: this.clock() });
    if (outcome.replies.length === 0) return [];
    const ttl = this.core.config.conversation.idle_minutes * 60_000;
    const closesIn = outcome.state.closesAt ? Date.parse(outcome.state.closesAt) - this.clock().getTime() : 0;
    await this.store.set(conversation, outcome.state, Math.max(ttl, closesIn + ttl));
    return outcome.replies;
  }

  private async run(turn: Turn): Promise<TurnResult> {
    const ttl = this.core.config.conversation.idle_minutes * 60_000;
    let state: ConversationState | null = (await this.store.get(turn.conversation)) ?? null;
    let outcome = this.core.handle(state, { type: 'message', turn }, { now: this.clock() });
    const replies = [...outcome.replies];
    const effects = [...outcome.effects];
    let status = outcome.status;
    const tickets: NonNullable<TurnResult['ticket']>[] = [];
    let rejection: TurnResult['rejection'] = null;
    state = outcome.state;
    // Effects in order; filing a ticket may lead the core on (the next subject), with effects of its own.
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]!;
      if (effect.type === 'rejected') rejection = { reason: effect.reason, text: effect.text };
      if (effect.type === 'find_tickets' || effect.type === 'add_to_ticket') {
        const event = await this.lookUp(effect, turn);
        if (!event) continue;
        outcome = this.core.handle(state, event, { now: this.clock() });
        state = outcome.state;
        replies.push(...outcome.replies);
        effects.push(...outcome.effects);
        status = outcome.status;
        continue;
      }
      if (effect.type !== 'file_ticket' && effect.type !== 'handoff') continue;
      const draft: TicketDraft = {
        ...effect.ticket,
        requester: { ...turn.user, ...effect.ticket.requester, id: turn.user.id },
      };
      let event: CoreEvent;
      try {
        const filed = await this.sink.create(draft);
        this.log.info(
          { ticket: filed.id, conversation: turn.conversation, label: draft.label, sink: this.sink.name },
          'ticket filed',
        );
        const { transcript: _t, requester: _r, idempotencyKey: _k, conversation: _c, ...rest } = draft;
        tickets.push({ ...rest, id: filed.id, ...(filed.url ? { url: filed.url } : {}) });
        event = { type: 'ticket_filed', idempotencyKey: draft.idempotencyKey, ticket: filed };
      } catch (error) {
        this.log.error({ err: error, conversation: turn.conversation, sink: this.sink.name }, 'filing failed');
        event = { type: 'ticket_failed', idempotencyKey: draft.idempotencyKey, error: String(error) };
      }
      outcome = this.core.handle(state, event, { now: this.clock() });
      state = outcome.state;
      replies.push(...outcome.replies);
      effects.push(...outcome.effects);
      status = effect.type === 'handoff' ? 'handoff' : outcome.status;
    }
    const ticket = tickets.at(-1) ?? null;
    // A question left open is kept until the closing rule can remind and close it.
    const closing = this.core.config.closing;
    const keep = state.awaiting
      ? (closing.remind_after_hours + 24 * (closing.close_after_workdays + 5)) * 3_600_000
      : 0;
    await this.store.set(turn.conversation, state, Math.max(ttl, keep));
    const label = state.request?.label ?? ticket?.label ?? (rejection ? 'out_of_scope' : null);
    return {
      conversation: turn.conversation,
      replies,
      status,
      awaiting: state.awaiting,
      label,
      ticket,
      tickets,
      rejection,
      effects,
    };
  }

  /** Ask once: open tickets of the academy or site, for the core to compare; or add a note to one. */
  private async lookUp(
    effect: Extract<Effect, { type: 'find_tickets' | 'add_to_ticket' }>,
    turn: Turn,
  ): Promise<CoreEvent | null> {
    if (effect.type === 'add_to_ticket') {
      const note = {
        at: this.clock().toISOString(),
        author: turn.user,
        text: effect.text,
        attachments: effect.attachments,
      };
      try {
        if (!this.sink.addNote) throw new Error(`${this.sink.name} cannot add notes`);
        await this.sink.addNote(effect.ticketId, note);
        this.log.info({ ticket: effect.ticketId, conversation: turn.conversation }, 'note added to ticket');
      } catch (error) {
        this.log.error({ err: error, ticket: effect.ticketId, conversation: turn.conversation }, 'adding note failed');
      }
      return null;
    }
    let tickets: TicketSummary[] = [];
    if (!this.askOnce) return { type: 'tickets_found', key: effect.key, tickets };
    try {
      const since = Date.parse(effect.since);
      tickets = (await this.sink.list())
        .filter((t) => (t.status === 'open' || t.status === 'pending') && Date.parse(t.createdAt) >= since)
        .filter((t) =>
          effect.academy ? t.draft.slots.academy === effect.academy : t.draft.slots.site_id === effect.siteId,
        )
        .map((t) => ({
          id: t.id,
          title: t.draft.title,
          description: t.draft.description,
          ...(t.draft.slots.screen ? { screen: t.draft.slots.screen } : {}),
          requester: t.draft.requester,
          createdAt: t.createdAt,
        }));
    } catch (error) {
      // Not being able to look is no reason to lose the request: file it, as if nothing were open.
      this.log.warn(
        { err: error, conversation: turn.conversation, sink: this.sink.name },
        'open tickets look-up failed',
      );
    }
    return { type: 'tickets_found', key: effect.key, tickets };
  }
}
