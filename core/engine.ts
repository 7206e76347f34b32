import { buildAnswers } from './answers/index.ts';
import { type Classifier, trainClassifier } from './classify/classifier.ts';
import { cueMatcher } from './classify/rules.ts';
import { withScopeSignals } from './classify/scope.ts';
import type { SoftmaxData } from './classify/softmax.ts';
import { type Config, IN_SCOPE_LABELS, type InScopeLabel, type Lang } from './config/schema.ts';
import { type NotePurpose, onNote } from './dialog/addendum.ts';
import { onTick } from './dialog/closing.ts';
import type { Dialog } from './dialog/context.ts';
import { onTicketsFound } from './dialog/duplicates.ts';
import { onFailed, onFiled, onQueued } from './dialog/file.ts';
import { type DeskEvent, onDesk } from './dialog/handoff.ts';
import { buildLanguage } from './dialog/language.ts';
import { onMessage } from './dialog/message.ts';
import { readState, STATE_VERSION, StateError } from './dialog/state.ts';
import { onStatus } from './dialog/status.ts';
import { TurnBuilder } from './dialog/turn.ts';
import { buildExtractor, type Extractor } from './extract/index.ts';
import { buildKnowledge, type Knowledge } from './knowledge.ts';
import { say } from './messages.ts';
import { summarise } from './summary.ts';
import type {
  ConversationState,
  CoreContext,
  FiledTicket,
  Outcome,
  TicketState,
  TicketSummary,
  Turn,
} from './types.ts';

export { summarise };

const LANGS: readonly Lang[] = ['nl', 'fr', 'en'];

/** What can happen to a conversation: a message, or the outcome of filing a ticket it asked for. */
export type CoreEvent =
  | { type: 'message'; turn: Turn }
  | { type: 'ticket_filed'; idempotencyKey: string; ticket: FiledTicket }
  /** The ticket system is slow or down: the ticket waits in the host's outbox, its number follows. */
  | { type: 'ticket_queued'; idempotencyKey: string }
  /** The ticket system refused the ticket for good (kept as a dead letter for a person to handle). */
  | { type: 'ticket_failed'; idempotencyKey: string; error: string }
  /** The host's answer to a `find_tickets` effect: open tickets of the academy or site. */
  | { type: 'tickets_found'; key: string; tickets: TicketSummary[] }
  /** Time passes: the host calls this now and then for conversations waiting on the person. */
  | { type: 'tick' }
  /** The agent desk: a colleague took the handoff, wrote to the person, or ended it; the queue position. */
  | DeskEvent
  /** The host's answer to a `ticket_status` effect. */
  | { type: 'ticket_status'; id: string; status: TicketState }
  /** The host's answer to an `add_to_ticket` effect: the note is on the ticket, or could not be added. */
  | { type: 'note_added'; ticketId: string; purpose: NotePurpose }
  | { type: 'note_failed'; ticketId: string; purpose: NotePurpose };

/** The triage core for one configuration: pure, deterministic given its inputs. */
export interface TriageCore {
  readonly config: Config;
  readonly classifier: Classifier;
  readonly extractor: Extractor;
  readonly knowledge: Knowledge;
  /** A new, empty conversation. */
  start(conversation: string, ctx: CoreContext): ConversationState;
  /** Apply one event to a conversation: new state, replies, effects. `state` null starts a conversation. */
  handle(state: ConversationState | null, event: CoreEvent, ctx: CoreContext): Outcome;
}

/** Build the core: train the classifier and compile the directories of a configuration. */
export function createCore(
  config: Config,
  options: { clock?: () => number; trained?: SoftmaxData[] } = {},
): TriageCore {
  const d = buildDialog(config, options);
  const start = (conversation: string, ctx: CoreContext) => startState(config, conversation, ctx);
  const handle = (previous: ConversationState | null, event: CoreEvent, ctx: CoreContext): Outcome => {
    const conversation = event.type === 'message' ? event.turn.conversation : (previous?.conversation ?? '');
    const loaded = previous ? stateOf(config, previous, conversation, ctx) : start(conversation, ctx);
    const state = event.type === 'message' ? afterIdle(config, loaded, conversation, ctx) : loaded;
    const turn = new TurnBuilder(state, ctx);
    if (event.type === 'tick') return onTick(d, turn);
    dispatch(d, turn, event);
    return turn.outcome();
  };
  const { classifier, extractor, knowledge } = d;
  return { config, classifier, extractor, knowledge, start, handle };
}

/** Everything a turn's steps use, built once from the configuration. */
function buildDialog(config: Config, options: { clock?: () => number; trained?: SoftmaxData[] }): Dialog {
  const classifier = withScopeSignals(config, trainClassifier(config, options.clock, options.trained));
  const extractor = buildExtractor(config);
  const knowledge = buildKnowledge(config, (text) => extractor.extract(text).screen);
  const ticketPattern = new RegExp(`\\b${config.ticket_prefix}-[0-9A-Z]{4,10}\\b`, 'i');
  const billingCues = new Map(config.billing.rules.map((r) => [r.id, cueMatcher(r.cues)]));
  const unlessCues = new Map(
    Object.values(config.details)
      .flat()
      .flatMap((rule) => (rule.unless ? [[rule, cueMatcher(rule.unless)] as const] : [])),
  );
  const evidence = new Map(
    Object.entries(config.lexicon)
      .filter(([reason]) => reason in config.scope.reasons)
      .map(([reason, phrases]) => [reason, cueMatcher(phrases)] as const),
  );
  const kit = buildLanguage(config);
  const answers = buildAnswers(config);
  const menuWording = Object.fromEntries(
    IN_SCOPE_LABELS.map((label) => [label, LANGS.map((l) => say(config, l, `label_choice_${label}`))]),
  ) as Record<InScopeLabel, string[]>;
  return {
    config,
    classifier,
    extractor,
    knowledge,
    kit,
    answers,
    ticketPattern,
    billingCues,
    unlessCues,
    evidence,
    menuWording,
  };
}

/** One event other than time passing, to the step that handles it. */
function dispatch(d: Dialog, turn: TurnBuilder, event: Exclude<CoreEvent, { type: 'tick' }>): void {
  if (event.type === 'message') onMessage(d, turn, event.turn);
  else if (event.type === 'ticket_filed') onFiled(d, turn, event.idempotencyKey, event.ticket);
  else if (event.type === 'ticket_queued') onQueued(d, turn, event.idempotencyKey);
  else if (event.type === 'tickets_found') onTicketsFound(d, turn, event.key, event.tickets);
  else if (event.type === 'ticket_failed') onFailed(d, turn, event.idempotencyKey);
  else if (event.type === 'ticket_status') onStatus(d, turn, event.id, event.status);
  else if (event.type === 'note_added' || event.type === 'note_failed') onNote(d, turn, event);
  else onDesk(d, turn, event);
}

function startState(config: Config, conversation: string, ctx: CoreContext): ConversationState {
  return {
    version: STATE_VERSION,
    conversation,
    lang: config.default_language,
    phase: 'idle',
    awaiting: null,
    request: null,
    rejected: null,
    misunderstood: 0,
    requests: 0,
    lastTicket: null,
    pendingHandoff: null,
    transcript: [],
    updatedAt: ctx.now.toISOString(),
  };
}

/**
 * A message after the conversation lay idle starts afresh, but tickets whose number is still to come stay
 * known, so the number reaches the person (not while a ticket is being filed or a closing is announced).
 */
function afterIdle(
  config: Config,
  state: ConversationState,
  conversation: string,
  ctx: CoreContext,
): ConversationState {
  const idleMs = config.conversation.idle_minutes * 60_000;
  const waitingToClose = state.closesAt !== undefined && ctx.now.getTime() < Date.parse(state.closesAt);
  const idle = ctx.now.getTime() - Date.parse(state.updatedAt) > idleMs;
  if (!idle || state.phase === 'filing' || waitingToClose) return state;
  return {
    ...startState(config, conversation, ctx),
    lang: state.lang,
    requests: state.requests,
    lastTicket: state.lastTicket,
    ...(state.pendingTickets?.length ? { pendingTickets: state.pendingTickets } : {}),
    ...(state.user ? { user: state.user } : {}),
    ...(state.unit ? { unit: state.unit } : {}),
  };
}

/**
 * A stored state, checked and upgraded (an older release's state still loads); one that cannot be read
 * starts the conversation afresh rather than failing every turn of it.
 */
function stateOf(
  config: Config,
  previous: ConversationState,
  conversation: string,
  ctx: CoreContext,
): ConversationState {
  try {
    return readState(previous);
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    return startState(config, conversation, ctx);
  }
}
