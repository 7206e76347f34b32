import type { DeliveryLog } from '../../adapters/state/deliveries.ts';
import type { NamedLock } from '../../adapters/state/lock.ts';
import type { ConversationStore } from '../../adapters/state/store.ts';
import { isStoreError } from '../../adapters/state/transactions.ts';
import { memoryWaitingList, type WaitingList } from '../../adapters/state/waiting.ts';
import { memoryOutbox, type Outbox, type OutboxEntry } from '../../adapters/tickets/outbox/outbox.ts';
import { DeliveryWorker, hashKey } from '../../adapters/tickets/outbox/worker.ts';
import { TicketError, type TicketSink } from '../../adapters/tickets/sink.ts';
import type { Config, OosReason } from '../../core/config/schema.ts';
import type { CoreEvent, TriageCore } from '../../core/engine.ts';
import type {
  Attachment,
  Awaiting,
  ConversationState,
  Effect,
  Outcome,
  Person,
  Reply,
  Status,
  TicketDraft,
  TicketSummary,
  Turn,
} from '../../core/types.ts';
import type { TurnObserver } from './metrics.ts';

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
  /** Every ticket filed this turn (a message with several subjects files several); `ticket` is the first. */
  tickets: NonNullable<TurnResult['ticket']>[];
  rejection: { reason: OosReason; text: string } | null;
  effects: Effect[];
  /** Idempotency keys of tickets registered in the outbox whose number follows later (the helpdesk was slow or down). */
  queued: string[];
}

/** What a channel logs of a handled turn: where it stands, never what was said. */
export function turnLog(conversation: string, result: TurnResult) {
  return {
    conversation,
    status: result.status,
    awaiting: result.awaiting,
    label: result.label,
    ticket: result.ticket?.id,
  };
}

/**
 * How the host reaches a person outside a turn: the number of a ticket that waited in the outbox, or
 * word that it failed. Channels implement it (Slack posts to the conversation, the CLI prints).
 */
export interface Notifier {
  notify(conversation: string, replies: Reply[]): Promise<void>;
}

/** What the desk says of a handoff it just opened: its place in the queue when nobody took it yet (1: next). */
export interface DeskOpened {
  position?: number;
}

/**
 * Where handoffs go: the agent desk (a Slack or Teams channel). `open` posts a live handoff with its
 * ticket and the conversation so far, and may give its place in the queue (the person hears it in the
 * same turn, after the handoff message); `relay` brings what the person says to the agent who has it.
 */
export interface AgentDesk {
  open(
    conversation: string,
    handoff: { ticket: string; url?: string; draft: TicketDraft; state: ConversationState },
  ): Promise<DeskOpened | undefined>;
  relay(conversation: string, text: string, attachments: Attachment[]): Promise<void>;
}

/** Ticket delivery as the service runs it: a durable outbox, its worker, and how long a turn waits. */
export interface ServiceOptions {
  /** Default: an outbox in memory over the sink given (not durable: hosts pass `createTicketing(...)`). */
  worker?: DeliveryWorker;
  notifier?: Notifier;
  /** How long a turn waits for the helpdesk before saying "registered, the number follows". */
  waitMs?: number;
  /** The agent desk handoffs go to (without one, a handoff is a ticket marked for a person). */
  desk?: AgentDesk;
  /**
   * Serialises a conversation's turns across processes sharing the store (Redis). Without it turns are
   * serialised within this process only, which is enough for one process.
   */
  lock?: NamedLock;
  /**
   * The conversations waiting on their person, which `sweep` visits. Default: in memory (a restart
   * forgets them); hosts pass the state backend's, kept beside the conversations and shared by every
   * process that shares them.
   */
  waiting?: WaitingList;
  /** Told about every turn, ticket, refusal and hand-off (metrics). */
  observer?: TurnObserver;
  /**
   * Applies the writes `fn` makes through the store, the outbox, the waiting list and the delivery log
   * all together or not at all (the state backend's `atomic`). Default: as they come (memory).
   */
  atomic?: <T>(fn: () => Promise<T>) => Promise<T>;
  /**
   * The channels' delivery log: a turn given its delivery (see `handleTurn`) records it handled in the
   * same commit as the conversation it changed, so that after a crash the request is either handled
   * again in full or recognised as handled, never half.
   */
  deliveries?: DeliveryLog;
}

/** How one turn came in. */
export interface TurnOptions {
  /** The platform's delivery (event id, click) the channel claimed in the delivery log for this turn. */
  delivery?: string;
  /**
   * Called inside the turn's last commit with what the person is to be told: a channel that writes it
   * down there (its inbox) still says it after a crash between the commit and its answer (which would
   * otherwise leave a ticket filed, recorded as told, and its number never said).
   */
  record?: (result: TurnResult) => Promise<void>;
}

/** Minimal logger port (pino fits). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

/**
 * How long a conversation is kept after its last turn: `conversation.idle_minutes`, or, while a question
 * waits for the person, until the closing rule is through with it (reminder, closing, 5 days' margin).
 */
export function keepConversationMs(config: Config, waiting: boolean): number {
  const { closing, conversation } = config;
  const closingRule = (closing.remind_after_hours + 24 * (closing.close_after_workdays + 5)) * 3_600_000;
  return Math.max(conversation.idle_minutes * 60_000, waiting ? closingRule : 0);
}

/**
 * Runs turns: loads the conversation, asks the core, carries out its effects (files tickets), feeds
 * the outcome back to the core, stores the new state. Turns of one conversation run one at a time.
 */
export class TriageService {
  private readonly queues = new Map<string, Promise<unknown>>();
  readonly worker: DeliveryWorker;
  readonly outbox: Outbox;
  private readonly sink: TicketSink;
  private readonly notifier: Notifier | null;
  private desk: AgentDesk | null;
  private readonly waitMs: number;
  private readonly lock: NamedLock | null;
  private readonly observer: TurnObserver | null;
  /** Keys whose outcome the running turn tells the person itself (the worker must not tell it again). */
  private readonly inTurn = new Set<string>();
  /**
   * Ask once across conversations: look up open tickets of the same academy or site. Off where
   * conversations must stay independent of each other (the JSON-lines contract, unless asked).
   */
  askOnce = true;
  /** Conversations whose last turn asked the person something: the closing rule's sweep visits them. */
  private readonly waiting: WaitingList;
  private readonly atomic: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly deliveries: DeliveryLog | null;

  constructor(
    readonly core: TriageCore,
    private readonly store: ConversationStore,
    sink: TicketSink,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: Logger = silent,
    options: ServiceOptions = {},
  ) {
    this.worker = options.worker ?? new DeliveryWorker(memoryOutbox(), sink, { log });
    this.outbox = this.worker.outbox;
    this.sink = this.worker.sink;
    this.notifier = options.notifier ?? null;
    this.desk = options.desk ?? null;
    this.waitMs = options.waitMs ?? 4000;
    this.lock = options.lock ?? null;
    this.observer = options.observer ?? null;
    this.waiting = options.waiting ?? memoryWaitingList();
    this.atomic = options.atomic ?? ((fn) => fn());
    this.deliveries = options.deliveries ?? null;
    if (this.notifier) this.worker.onSettled = (entry) => this.settle(entry);
  }

  /**
   * Run `job` after the conversation's earlier turns (and late ticket news) are through: queued in this
   * process first, then under the shared lock, so another process's turn never interleaves with it.
   */
  private serial<T>(conversation: string, job: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(conversation) ?? Promise.resolve();
    const lock = this.lock;
    const alone = lock ? () => lock.run(`conv:${conversation}`, job) : job;
    const next = previous.then(alone, alone);
    this.queues.set(conversation, next);
    void next
      .finally(() => {
        if (this.queues.get(conversation) === next) this.queues.delete(conversation);
      })
      .catch(() => {});
    return next;
  }

  /**
   * Handle one message; turns of the same conversation are serialised. A failure to read or write the
   * store rejects (a `StoreError`): nothing of the turn was saved, and the person must hear so.
   */
  async handleTurn(turn: Turn, options: TurnOptions = {}): Promise<TurnResult> {
    const start = performance.now();
    const channel = turn.conversation.split(':')[0] || 'unknown';
    try {
      // The embedded store answers at once (no I/O to wait on): without a pause for the event loop, a
      // queue of turns would run back to back and hold up the acknowledgements of requests arriving.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const result = await this.serial(turn.conversation, () => this.run(turn, options));
      this.observe(channel, result, (performance.now() - start) / 1000);
      return result;
    } catch (error) {
      this.observer?.turn(channel, 'failed', (performance.now() - start) / 1000);
      throw error;
    }
  }

  private observe(channel: string, result: TurnResult, seconds: number): void {
    const observer = this.observer;
    if (!observer) return;
    observer.turn(channel, result.status, seconds);
    for (const effect of result.effects) {
      if (effect.type === 'rejected') observer.refusal(effect.reason);
      else if (effect.type === 'input_limited') observer.refusal(`limit_${effect.limit}`);
      else if (effect.type === 'handoff') observer.handoff(effect.reason);
    }
  }

  /**
   * Let time pass for a conversation waiting on the person (the closing rule): the core reminds once
   * and closes later. Returns what to send the person, if anything. Serialised with the turns, across
   * processes too: the reminder is recorded in the stored state before the next tick can read it, so
   * however many processes sweep, the person hears it once. A conversation no longer waiting (or
   * expired) leaves the sweep's list here, under the same lock as the turn that would put it back.
   */
  tick(conversation: string): Promise<Reply[]> {
    return this.serial(conversation, async () => {
      const state = await this.store.get(conversation);
      let outcome = state ? this.core.handle(state, { type: 'tick' }, this.context()) : null;
      const filing: string[] = [];
      try {
        // Closing a split message's last subject files the subjects that were complete, as a turn does:
        // the outcomes it tells are marked told in the same commit; one still to come is told later.
        const told: string[] = [];
        if (outcome?.effects.some((e) => e.type === 'file_ticket'))
          outcome = await this.fileFromTick(outcome, filing, told);
        const ticked = outcome;
        if (ticked && ticked.replies.length > 0) {
          await this.atomic(async () => {
            await this.store.set(conversation, ticked.state, this.keepFor(ticked.state));
            await this.markTold(told);
          });
        }
      } finally {
        for (const key of filing) this.inTurn.delete(key);
      }
      const now = outcome && outcome.replies.length > 0 ? outcome.state : state;
      if (!now?.awaiting) await this.waiting.remove(conversation);
      return outcome?.replies ?? [];
    });
  }

  /**
   * The tickets a tick files (through the outbox, as in a turn), their outcomes fed back to the core;
   * `filing` gets every key registered, `told` those whose outcome the replies now say.
   */
  private async fileFromTick(outcome: Outcome, filing: string[], told: string[]): Promise<Outcome> {
    let state = outcome.state;
    const replies = [...outcome.replies];
    for (const effect of outcome.effects) {
      if (effect.type !== 'file_ticket') continue;
      filing.push(effect.ticket.idempotencyKey);
      const { event } = await this.fileTicket(effect.ticket, state, undefined);
      if (event.type !== 'ticket_queued') told.push(effect.ticket.idempotencyKey);
      const how = event.type === 'ticket_filed' ? 'filed' : event.type === 'ticket_queued' ? 'queued' : 'failed';
      this.observer?.ticket(effect.ticket.label, this.sink.name, how);
      const next = this.core.handle(state, event, this.context());
      state = next.state;
      replies.push(...next.replies);
    }
    return { ...outcome, state, replies };
  }

  /** Record that the person has heard these tickets' outcomes, so the worker does not tell them again. */
  private async markTold(keys: Iterable<string>): Promise<void> {
    for (const key of keys)
      await this.outbox.update(key, (e) => (e.notified ? null : { ...e, notified: true }), this.clock().getTime());
  }

  /**
   * The closing rule for every conversation waiting on its person: tick each, and tell `notifier` what
   * the core says (a reminder, the closing). Hosts call this every few minutes, on every process.
   */
  async sweep(): Promise<number> {
    let told = 0;
    for (const conversation of await this.waiting.list()) {
      const replies = await this.tick(conversation);
      if (replies.length === 0 || !this.notifier) continue;
      await this.notifier.notify(conversation, replies).catch((error: unknown) => {
        this.log.error({ err: String(error) }, 'could not send a reminder');
      });
      told++;
    }
    return told;
  }

  /** How long to keep a conversation: a day of quiet, or until the closing rule is through with it. */
  private keepFor(state: ConversationState): number {
    return keepConversationMs(this.core.config, state.awaiting !== null);
  }

  /**
   * Register the draft in the outbox, then give the helpdesk `waitMs` to accept it. The event tells the
   * core what the person hears now: the number, "registered, the number follows", or that it failed.
   *
   * The outbox entry is committed together with the conversation as it stands if the number follows
   * later (and with the request that asked for it, handled): should the process stop at any point after,
   * the restarted worker files the ticket and tells the person its number; before, nothing was filed and
   * the request is handled again. The caller marks the person told in the turn's last commit.
   */
  private async fileTicket(
    draft: TicketDraft,
    state: ConversationState,
    delivery: string | undefined,
  ): Promise<{ event: CoreEvent; filed: OutboxEntry | null }> {
    const key = draft.idempotencyKey;
    const conversation = draft.conversation;
    const queued = this.core.handle(state, { type: 'ticket_queued', idempotencyKey: key }, this.context());
    this.inTurn.add(key);
    const { entry } = await this.atomic(async () => {
      const put = await this.outbox.put(draft, this.sink.name, this.clock().getTime());
      await this.store.set(conversation, queued.state, this.keepFor(queued.state));
      await this.keepWaiting(conversation, queued.state);
      if (delivery) await this.deliveries?.done(delivery);
      return put;
    });
    let settled: OutboxEntry | null = entry.state === 'done' || entry.state === 'dead' ? entry : null;
    if (!settled) {
      const attempt = this.worker.attempt(key);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), this.waitMs);
      });
      const result = await Promise.race([attempt.catch(() => null), timeout]);
      clearTimeout(timer);
      settled = result && (result.state === 'done' || result.state === 'dead') ? result : null;
      // The attempt goes on after the turn; when it ends, the person hears its outcome at once.
      if (!settled) void attempt.then(() => this.worker.settle()).catch(() => {});
    }
    if (!settled) return { event: { type: 'ticket_queued', idempotencyKey: key }, filed: null };
    if (settled.ticket)
      return { event: { type: 'ticket_filed', idempotencyKey: key, ticket: settled.ticket }, filed: settled };
    return {
      event: { type: 'ticket_failed', idempotencyKey: key, error: settled.lastError?.code ?? 'failed' },
      filed: null,
    };
  }

  /** The closing rule's list follows the conversation: on it while a question waits for the person. */
  private async keepWaiting(conversation: string, state: ConversationState): Promise<void> {
    if (state.awaiting) await this.waiting.add(conversation);
    else await this.waiting.remove(conversation);
  }

  /**
   * A ticket's outcome after its turn: feed it to the core on the stored conversation and send the
   * person what the core says. False leaves the entry to be told later (the turn still runs, say).
   */
  private settle(entry: OutboxEntry): Promise<boolean> {
    if (this.inTurn.has(entry.key) || !this.notifier) return Promise.resolve(false);
    const notifier = this.notifier;
    const conversation = entry.draft.conversation;
    return this.serial(conversation, async () => {
      if (this.inTurn.has(entry.key)) return false;
      // The turn that filed it may have told the person meanwhile (it committed that before this ran).
      const current = await this.outbox.get(entry.key);
      if (!current || current.notified) return true;
      const state = (await this.store.get(conversation)) ?? null;
      if (!state) {
        this.log.warn(
          { key: hashKey(entry.key), state: entry.state },
          'conversation expired: the person cannot be told',
        );
        return true;
      }
      const event: CoreEvent = entry.ticket
        ? { type: 'ticket_filed', idempotencyKey: entry.key, ticket: entry.ticket }
        : { type: 'ticket_failed', idempotencyKey: entry.key, error: entry.lastError?.code ?? 'failed' };
      let outcome = this.core.handle(state, event, this.context());
      const replies = [...outcome.replies];
      // A handoff that waited for its number goes to the agent desk now.
      for (const effect of outcome.effects) {
        if (effect.type !== 'desk_open') continue;
        const queue = await this.toDesk(effect, conversation, outcome.state, entry.ticket?.url, entry.draft);
        if (queue) {
          outcome = this.core.handle(outcome.state, queue, this.context());
          replies.push(...outcome.replies);
        }
      }
      // Said first, then recorded with the entry marked told: a crash in between says it twice, never never.
      if (replies.length > 0) await notifier.notify(conversation, replies);
      const told = outcome.state;
      await this.atomic(async () => {
        await this.store.set(conversation, told, this.keepFor(told));
        await this.keepWaiting(conversation, told);
        await this.markTold([entry.key]);
      });
      this.log.info(
        { key: hashKey(entry.key), ticket: entry.ticket?.id, state: entry.state },
        'person told the late outcome',
      );
      return true;
    });
  }

  private async run(turn: Turn, options: TurnOptions): Promise<TurnResult> {
    const filing: string[] = [];
    try {
      return await this.runTurn(turn, options, filing);
    } finally {
      for (const key of filing) this.inTurn.delete(key);
    }
  }

  private async runTurn(turn: Turn, options: TurnOptions, filing: string[]): Promise<TurnResult> {
    const delivery = options.delivery;
    const ttl = this.core.config.conversation.idle_minutes * 60_000;
    let state: ConversationState | null = (await this.store.get(turn.conversation)) ?? null;
    let outcome = this.core.handle(state, { type: 'message', turn }, this.context());
    const replies = [...outcome.replies];
    const effects = [...outcome.effects];
    let status = outcome.status;
    const tickets: NonNullable<TurnResult['ticket']>[] = [];
    let rejection: TurnResult['rejection'] = null;
    const queued: string[] = [];
    /** Tickets whose outcome this turn tells the person. */
    const told: string[] = [];
    state = outcome.state;
    // Effects in order; filing a ticket may lead the core on (the next subject), with effects of its own.
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]!;
      if (effect.type === 'rejected') rejection = { reason: effect.reason, text: effect.text };
      if (effect.type === 'desk_open' || effect.type === 'relay') {
        const url = effect.type === 'desk_open' ? tickets.find((t) => t.id === effect.ticket)?.url : undefined;
        const queue = await this.toDesk(effect, turn.conversation, state, url);
        if (queue) {
          outcome = this.core.handle(state, queue, this.context());
          state = outcome.state;
          replies.push(...outcome.replies);
        }
        continue;
      }
      if (effect.type === 'ticket_status') {
        outcome = this.core.handle(state, await this.statusOf(effect), this.context());
        state = outcome.state;
        replies.push(...outcome.replies);
        status = outcome.status;
        continue;
      }
      if (effect.type === 'find_tickets' || effect.type === 'add_to_ticket') {
        const event = await this.lookUp(effect, turn);
        if (!event) continue;
        outcome = this.core.handle(state, event, this.context());
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
        filing.push(draft.idempotencyKey);
        event = (await this.fileTicket(draft, state, delivery)).event;
        if (event.type !== 'ticket_queued') told.push(draft.idempotencyKey);
        this.observer?.ticket(
          effect.type === 'handoff' ? 'handoff' : draft.label,
          this.sink.name,
          event.type === 'ticket_filed' ? 'filed' : event.type === 'ticket_queued' ? 'queued' : 'failed',
        );
        if (event.type === 'ticket_filed') {
          const filed = event.ticket;
          this.log.info({ ticket: filed.id, label: draft.label, sink: this.sink.name }, 'ticket filed');
          const { transcript: _t, requester: _r, idempotencyKey: _k, conversation: _c, ...rest } = draft;
          tickets.push({ ...rest, id: filed.id, ...(filed.url ? { url: filed.url } : {}) });
        } else if (event.type === 'ticket_queued') {
          queued.push(draft.idempotencyKey);
        }
      } catch (error) {
        // Not even the outbox took it (disk full, Redis down): nothing was saved, the turn fails
        // loudly (the channel tells the person it was not saved) and nothing claims the ticket filed.
        if (isStoreError(error)) throw error;
        this.log.error({ err: String(error), sink: this.sink.name }, 'could not register the ticket');
        this.observer?.ticket(draft.label, this.sink.name, 'failed');
        event = { type: 'ticket_failed', idempotencyKey: draft.idempotencyKey, error: 'OUTBOX' };
      }
      outcome = this.core.handle(state, event, this.context());
      state = outcome.state;
      replies.push(...outcome.replies);
      effects.push(...outcome.effects);
      status = effect.type === 'handoff' ? 'handoff' : outcome.status;
    }
    // A message with several subjects files them together: the turn's ticket is the first subject's.
    const ticket = tickets[0] ?? null;
    // The turn's end in one commit: the conversation, its place on the waiting list, the tickets whose
    // outcome it tells (so the worker does not tell them again) and the request, handled.
    const final = state;
    const label = state.request?.label ?? ticket?.label ?? (rejection ? 'out_of_scope' : null);
    const result: TurnResult = {
      conversation: turn.conversation,
      replies,
      status,
      awaiting: state.awaiting,
      label,
      ticket,
      tickets,
      rejection,
      effects,
      queued,
    };
    await this.atomic(async () => {
      await this.store.set(turn.conversation, final, Math.max(ttl, this.keepFor(final)));
      await this.keepWaiting(turn.conversation, final);
      await this.markTold(told);
      if (delivery) await this.deliveries?.done(delivery);
      await options.record?.(result);
    });
    return result;
  }

  /**
   * Ask once: the open tickets this bot filed for the academy or site within the window (from the
   * outbox, which keeps every ticket it delivered), for the core to compare; or add a note to one.
   */
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
      const purpose = effect.purpose ?? 'duplicate';
      try {
        if (!this.sink.addNote) throw new Error(`${this.sink.name} cannot add notes`);
        await this.sink.addNote(effect.ticketId, note);
        this.log.info({ ticket: effect.ticketId }, 'note added to ticket');
        return { type: 'note_added', ticketId: effect.ticketId, purpose };
      } catch (error) {
        this.log.error({ err: String(error), ticket: effect.ticketId, sink: this.sink.name }, 'adding note failed');
        // The person hears it (with where to send it instead): nothing they sent is lost in silence.
        return { type: 'note_failed', ticketId: effect.ticketId, purpose };
      }
    }
    let tickets: TicketSummary[] = [];
    if (!this.askOnce) return { type: 'tickets_found', key: effect.key, tickets };
    try {
      const since = Date.parse(effect.since);
      // From the outbox's catalogue: reading every ticket of the last 30 days on each look-up would not scale.
      const candidates = (await this.outbox.briefs())
        .filter((e) => e.ticket && Date.parse(e.draft.createdAt) >= since)
        .filter((e) =>
          effect.academy ? e.draft.slots.academy === effect.academy : e.draft.slots.site_id === effect.siteId,
        )
        .sort((a, b) => Date.parse(b.draft.createdAt) - Date.parse(a.draft.createdAt))
        .slice(0, 30);
      const open = await Promise.all(
        candidates.map(async (e) => {
          if (!this.sink.readsStatus) return true;
          const status = await this.sink.status(e.ticket!).catch(() => 'unknown' as const);
          return status !== 'resolved' && status !== 'closed';
        }),
      );
      tickets = candidates
        .filter((_, i) => open[i])
        .map((e) => ({
          id: e.ticket!.id,
          title: e.draft.title,
          description: e.draft.description,
          ...(e.draft.slots.screen ? { screen: e.draft.slots.screen } : {}),
          requester: e.draft.requester,
          createdAt: e.draft.createdAt,
        }));
    } catch (error) {
      // Not being able to look is no reason to lose the request: file it, as if nothing were open.
      this.log.warn({ err: String(error), sink: this.sink.name }, 'open tickets look-up failed');
    }
    return { type: 'tickets_found', key: effect.key, tickets };
  }

  /** Plug in the agent desk once the channels that host it are up. */
  useDesk(desk: AgentDesk): void {
    this.desk = desk;
  }

  /**
   * Something from the agent desk for a conversation (claimed, a reply, ended, queue place): the core
   * decides what the person hears, which goes out through the notifier.
   */
  fromDesk(
    conversation: string,
    event: Extract<CoreEvent, { type: 'agent_claimed' | 'agent_message' | 'handoff_ended' | 'handoff_queue' }>,
  ): Promise<Reply[]> {
    return this.serial(conversation, async () => {
      const state = await this.store.get(conversation);
      if (!state) return [];
      const outcome = this.core.handle(state, event, this.context());
      await this.store.set(conversation, outcome.state, this.keepFor(outcome.state));
      if (outcome.replies.length > 0 && this.notifier) await this.notifier.notify(conversation, outcome.replies);
      if (event.type === 'agent_message') await this.noteOnTicket(state.handoff?.ticket, event.agent, event.text, []);
      return outcome.replies;
    });
  }

  /** Carry out a desk effect; for a handoff still waiting for an agent, the queue event to tell the person. */
  private async toDesk(
    effect: Extract<Effect, { type: 'desk_open' | 'relay' }>,
    conversation: string,
    state: ConversationState,
    url?: string,
    /** The ticket's draft when the core's effect has none (a handoff whose ticket waited in the outbox). */
    fallback?: TicketDraft,
  ): Promise<Extract<CoreEvent, { type: 'handoff_queue' }> | null> {
    if (!this.desk) return null;
    try {
      if (effect.type === 'desk_open') {
        const base = effect.draft ?? fallback;
        if (!base) throw new Error('a handoff without its ticket draft');
        const draft = { ...base, requester: { ...state.user, ...base.requester } };
        const opened = await this.desk.open(conversation, {
          ticket: effect.ticket,
          ...(url ? { url } : {}),
          draft,
          state,
        });
        if (opened?.position !== undefined) return { type: 'handoff_queue', position: opened.position };
      } else {
        await this.desk.relay(conversation, effect.text, effect.attachments);
        await this.noteOnTicket(state.handoff?.ticket, state.user ?? { id: '' }, effect.text, effect.attachments);
      }
    } catch (error) {
      this.log.error({ err: String(error), conversation }, 'agent desk unreachable');
    }
    return null;
  }

  /** The handoff's exchange kept on its ticket, where the ticket system takes notes. */
  private async noteOnTicket(ticket: string | undefined, author: Person, text: string, attachments: Attachment[]) {
    if (!ticket || !this.sink.addNote || !text) return;
    await this.sink
      .addNote(ticket, { at: this.clock().toISOString(), author, text, attachments })
      .catch((error: unknown) =>
        this.log.warn({ err: String(error), ticket }, 'could not add the message to the ticket'),
      );
  }

  /**
   * A ticket's status from the ticket system, for "what is the status of HD-...?": only of a ticket this
   * person filed (or, where the configuration allows, one of their academy or site). Any other number is
   * "not found", so nobody learns whether someone else's ticket exists.
   */
  private async statusOf(effect: Extract<Effect, { type: 'ticket_status' }>): Promise<CoreEvent> {
    const { id } = effect;
    const theirs = await this.mayKnow(effect).catch(() => false);
    if (!theirs) return { type: 'ticket_status', id, status: 'not_found' };
    try {
      const status = await this.sink.status({ id });
      return { type: 'ticket_status', id, status };
    } catch (error) {
      const notFound = error instanceof TicketError && error.code === 'NOT_FOUND';
      if (!notFound) this.log.warn({ err: String(error), sink: this.sink.name }, 'status look-up failed');
      return { type: 'ticket_status', id, status: notFound ? 'not_found' : 'unknown' };
    }
  }

  /** Whether the asking person filed this ticket, or shares its academy or site where config allows it. */
  private async mayKnow(effect: Extract<Effect, { type: 'ticket_status' }>): Promise<boolean> {
    const filed = (await this.outbox.briefs()).find((e) => e.ticket?.id.toUpperCase() === effect.id);
    if (!filed) return false;
    const own = Boolean(effect.requester.id) && filed.draft.requester.id === effect.requester.id;
    if (own) return true;
    const unit = filed.draft.slots.academy ?? filed.draft.slots.site_id;
    return this.core.config.conversation.status_of_organisation && Boolean(unit) && unit === effect.unit;
  }

  private context() {
    return { now: this.clock(), desk: this.desk !== null };
  }
}
