import { buildAnswers } from './answers/index.ts';
import { numbered } from './answers/lists.ts';
import { agentSuffix } from './answers/personal.ts';
import { type Classifier, trainClassifier } from './classify/classifier.ts';
import { cueMatcher } from './classify/rules.ts';
import { withScopeSignals } from './classify/scope.ts';
import type { SoftmaxData } from './classify/softmax.ts';
import {
  type Config,
  type DetailRule,
  IN_SCOPE_LABELS,
  type InScopeLabel,
  type Lang,
  type Slot,
} from './config/schema.ts';
import { buildLanguage } from './dialog/language.ts';
import { hearDetail, tellsMore } from './dialog/prompts.ts';
import { readState, STATE_VERSION, StateError } from './dialog/state.ts';
import { MAX_TRANSCRIPT, statusOf, TurnBuilder } from './dialog/turn.ts';
import { buildExtractor, type Extractor, isImage } from './extract/index.ts';
import { afterWorkdays, describeDate, describeInstant, isOpen, nextOpening } from './hours.ts';
import { buildKnowledge, type Knowledge, sameSubject } from './knowledge.ts';
import { fill, helpdeskParams, say } from './messages.ts';
import { subjectOf, summarise, withoutPreamble } from './summary.ts';
import { detectLanguage } from './text/lang.ts';
import { fold, words } from './text/normalize.ts';
import type {
  Attachment,
  ConversationState,
  CoreContext,
  FiledTicket,
  OfferedTicket,
  Outcome,
  Person,
  Reply,
  RequestState,
  Slots,
  TicketDraft,
  TicketPreview,
  TicketState,
  TicketSummary,
  Turn,
} from './types.ts';

export { summarise };

type HandoffReason = 'asked' | 'misunderstood' | 'rule';

/** Phases in which the bot offered buttons, so a button press is an answer. */
const BUTTON_PHASES: ReadonlySet<ConversationState['phase']> = new Set([
  'choosing_label',
  'choosing_list',
  'offering',
  'clarifying',
  'confirming',
  'deflecting',
  'billing',
  'duplicate',
]);

const LOCALES: Record<Lang, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB' };
const LANGS: readonly Lang[] = ['nl', 'fr', 'en'];
/** "Is it fixed yet?" is a short question; with a ticket number, shorter still (else a story that quotes it). */
const PROGRESS_WORDS = 24;

/** Details that belong to the person and their academy or site, not to one subject: asked once. */
const SHARED_SLOTS = ['academy', 'site_id', 'email', 'phone', 'name'] as const;

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
  /** The agent desk: a colleague took the handoff, wrote to the person, or ended it. */
  | { type: 'agent_claimed'; agent: Person }
  | { type: 'agent_message'; agent: Person; text: string }
  | { type: 'handoff_ended'; how: 'resolved' | 'returned' }
  /** Unclaimed handoff during contact hours: the person's place in the queue. */
  | { type: 'handoff_queue'; position: number }
  /** The host's answer to a `ticket_status` effect. */
  | { type: 'ticket_status'; id: string; status: TicketState }
  /** The host's answer to an `add_to_ticket` effect: the note is on the ticket, or could not be added. */
  | { type: 'note_added'; ticketId: string; purpose: 'duplicate' | 'addendum' }
  | { type: 'note_failed'; ticketId: string; purpose: 'duplicate' | 'addendum' };

/** Longest text the core reads of one message; the rest is kept for the ticket but not analysed. */
const MAX_ANALYSED = 4000;

/**
 * The verdict as the state keeps it: probabilities to three decimals (the full floats weigh 200 bytes of state
 * and decide nothing more), without the language (the conversation's own, kept once).
 */
function roundedScores<T extends { confidence: number; scores: Record<string, number>; lang: Lang }>(
  classification: T,
): Omit<T, 'lang'> {
  const round = (p: number) => Math.round(p * 1000) / 1000;
  const scores = Object.fromEntries(Object.entries(classification.scores).map(([label, p]) => [label, round(p)]));
  const { lang: _lang, ...rest } = classification;
  return { ...rest, confidence: round(classification.confidence), scores };
}

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
  const classifier = withScopeSignals(config, trainClassifier(config, options.clock, options.trained));
  const extractor = buildExtractor(config);
  const knowledge = buildKnowledge(config, (text) => extractor.extract(text).screen);
  const ticketPattern = new RegExp(`\\b${config.ticket_prefix}-[0-9A-Z]{4,10}\\b`, 'i');
  const billingCues = new Map(config.billing.rules.map((r) => [r.id, cueMatcher(r.cues)]));
  /** Per out-of-scope reason: does a text name a word of its lexicon (a device, the network...)? */
  const evidence = new Map(
    Object.entries(config.lexicon)
      .filter(([reason]) => reason in config.scope.reasons)
      .map(([reason, phrases]) => [reason, cueMatcher(phrases)] as const),
  );
  const core = { config, classifier, extractor, knowledge };
  const kit = buildLanguage(config);
  const answers = buildAnswers(config);
  const menuWording = Object.fromEntries(
    IN_SCOPE_LABELS.map((label) => [label, LANGS.map((l) => say(config, l, `label_choice_${label}`))]),
  ) as Record<InScopeLabel, string[]>;

  function start(conversation: string, ctx: CoreContext): ConversationState {
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

  function handle(previous: ConversationState | null, event: CoreEvent, ctx: CoreContext): Outcome {
    const conversation = event.type === 'message' ? event.turn.conversation : (previous?.conversation ?? '');
    let state = previous ? stateOf(previous, conversation, ctx) : start(conversation, ctx);
    const idleMs = config.conversation.idle_minutes * 60_000;
    const waitingToClose = state.closesAt !== undefined && ctx.now.getTime() < Date.parse(state.closesAt);
    const idle = ctx.now.getTime() - Date.parse(state.updatedAt) > idleMs;
    if (event.type === 'message' && idle && state.phase !== 'filing' && !waitingToClose) {
      // A fresh start, but tickets whose number is still to come stay known, so the number reaches the person.
      state = {
        ...start(conversation, ctx),
        lang: state.lang,
        requests: state.requests,
        lastTicket: state.lastTicket,
        ...(state.pendingTickets?.length ? { pendingTickets: state.pendingTickets } : {}),
        ...(state.user ? { user: state.user } : {}),
        ...(state.unit ? { unit: state.unit } : {}),
      };
    }
    const turn = new TurnBuilder(state, ctx);
    if (event.type === 'message') onMessage(turn, event.turn);
    else if (event.type === 'ticket_filed') onFiled(turn, event.idempotencyKey, event.ticket);
    else if (event.type === 'ticket_queued') onQueued(turn, event.idempotencyKey);
    else if (event.type === 'tickets_found') onTicketsFound(turn, event.key, event.tickets);
    else if (event.type === 'tick') return onTick(turn);
    else if (event.type === 'ticket_failed') onFailed(turn, event.idempotencyKey);
    else if (event.type === 'ticket_status') onStatus(turn, event.id, event.status);
    else if (event.type === 'note_added' || event.type === 'note_failed') onNote(turn, event);
    else onDesk(turn, event);
    return turn.outcome();
  }

  /**
   * A stored state, checked and upgraded (an older release's state still loads); one that cannot be read
   * starts the conversation afresh rather than failing every turn of it.
   */
  function stateOf(previous: ConversationState, conversation: string, ctx: CoreContext): ConversationState {
    try {
      return readState(previous);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return start(conversation, ctx);
    }
  }

  // ---- steps of a message turn -------------------------------------------------------------------

  /**
   * Over-long text is refused (politely, the conversation stays where it was); files over a limit
   * (count, size, type) are left out and named. Returns the turn to go on with, or null.
   */
  function withinLimits(t: TurnBuilder, input: Turn): Turn | null {
    const limits = config.limits;
    if (input.text.length > limits.text_chars) {
      updateLanguage(t, input.text.slice(0, MAX_ANALYSED));
      t.log('user', input.text);
      t.reply(say(config, t.lang, 'limit_text', { max: limits.text_chars }));
      t.effect({ type: 'input_limited', limit: 'text_length' });
      return null;
    }
    const files = input.attachments ?? [];
    if (files.length === 0) return input;
    updateLanguage(t, input.text.slice(0, MAX_ANALYSED));
    const maxBytes = limits.attachment_mb * 1024 * 1024;
    const kept: Attachment[] = [];
    const left: Record<'attachments' | 'attachment_size' | 'attachment_type', string[]> = {
      attachment_type: [],
      attachment_size: [],
      attachments: [],
    };
    for (const file of files) {
      if (!typeAllowed(file.contentType, limits.attachment_types)) left.attachment_type.push(file.name);
      else if ((file.size ?? 0) > maxBytes) left.attachment_size.push(file.name);
      else if (kept.length >= limits.attachments) left.attachments.push(file.name);
      else kept.push(file);
    }
    const max = { attachments: limits.attachments, attachment_size: limits.attachment_mb, attachment_type: '' };
    for (const limit of ['attachment_type', 'attachment_size', 'attachments'] as const) {
      if (left[limit].length === 0) continue;
      const names = left[limit].map((n) => `"${n.slice(0, 80)}"`).join(', ');
      t.reply(say(config, t.lang, `limit_${limit}`, { max: max[limit], names }));
      t.effect({ type: 'input_limited', limit });
    }
    return kept.length === files.length ? input : { ...input, attachments: kept };
  }

  function onMessage(t: TurnBuilder, given: Turn): void {
    const input = withinLimits(t, given);
    if (!input) return;
    const text = input.text.trim();
    const attachments = input.attachments ?? [];
    t.log('user', text || attachments.map((a) => `[${a.name}]`).join(' '));
    if (t.state.remindedAt || t.state.closesAt) t.set({ remindedAt: undefined, closesAt: undefined });
    if (input.user.id && t.state.user?.id !== input.user.id) t.set({ user: input.user });
    if (input.interactive !== undefined && input.interactive !== t.state.interactive) {
      t.set({ interactive: input.interactive });
    }
    updateLanguage(t, text);

    if (!text && attachments.length === 0 && !input.choice) {
      t.reply(say(config, t.lang, 'empty'));
      return;
    }
    if (intercept(t, input, text, attachments)) return;
    // A button of an earlier question, pressed after the conversation moved on: nothing to answer.
    if (input.choice && !text && attachments.length === 0 && !BUTTON_PHASES.has(t.state.phase)) return;
    switch (t.state.phase) {
      case 'choosing_label':
        onLabelChoice(t, input, attachments);
        return;
      case 'choosing_list':
        onListChoice(t, input);
        return;
      case 'offering':
        onOffer(t, input);
        return;
      case 'collecting':
        onAnswer(t, text, attachments);
        return;
      case 'clarifying':
        onClarify(t, input, attachments);
        return;
      case 'confirming':
        onConfirm(t, input, attachments);
        return;
      case 'editing':
        onEdit(t, text, attachments);
        return;
      case 'deflecting':
        onDeflect(t, input, attachments);
        return;
      case 'billing':
        onBilling(t, input, attachments);
        return;
      case 'duplicate':
        onDuplicate(t, input, attachments);
        return;
      case 'checking':
        // The host has not answered the look-up yet: keep what was said, and ask again.
        if (text) t.state.request!.extra.push(text);
        t.state.request!.attachments.push(...attachments);
        proceed(t);
        return;
      case 'opening':
        t.set({ phase: 'idle', awaiting: null });
        startRequest(t, text, attachments, input);
        return;
      case 'rejected':
        if (t.state.rejected && kit.notOutOfScope(text)) {
          resumeAfterOverride(t, text, attachments);
          return;
        }
        startRequest(t, text, attachments, input);
        return;
      default:
        startRequest(t, text, attachments, input);
    }
  }

  // ---- interceptors: whole-message intents, each only where it makes sense ------------------------

  /** Phases in which the bot waits for no answer: a message there is new (thanks, a greeting, a request). */
  function between(t: TurnBuilder): boolean {
    const phase = t.state.phase;
    return (
      phase === 'idle' ||
      phase === 'done' ||
      phase === 'rejected' ||
      phase === 'filing' ||
      (phase === 'handoff' && !t.state.handoff?.live)
    );
  }

  /**
   * Intents that take precedence over the pending question: cancel, relay to the agent, a status look-up,
   * a named colleague, a request for a person, thanks, a bare greeting. Returns true when one took the turn.
   */
  function intercept(t: TurnBuilder, input: Turn, text: string, attachments: Attachment[]): boolean {
    const idle = between(t);
    if (!idle && t.state.phase !== 'handoff' && kit.cancels(text)) {
      const kept = (t.state.ready ?? []).length > 0;
      t.set({ phase: 'done', request: null, awaiting: null, queue: [], shared: {} });
      t.reply(say(config, t.lang, kept ? 'cancelled_rest' : 'cancelled'));
      fileKept(t);
      t.status = 'done';
      return true;
    }
    // Handed to a person: what the person says goes to the agent; the bot keeps silent.
    if (t.state.phase === 'handoff' && t.state.handoff?.live) {
      t.effect({ type: 'relay', text, attachments });
      t.status = 'handoff';
      return true;
    }
    if (input.choice) return false;
    if (idle && addendum(t, text, attachments)) return true;
    // "??" or "..." between requests: what can the bot do for them.
    if (idle && attachments.length === 0 && !/[\p{L}\p{N}]/u.test(text)) {
      t.reply(say(config, t.lang, 'empty'));
      t.status = 'done';
      return true;
    }
    if ((idle || t.state.phase === 'opening') && askedProgress(t, text, attachments, input)) return true;
    if (lookUpStatus(t, text, idle)) return true;
    const named = kit.namedColleague(text);
    if (named) {
      namedColleague(t, named.rest, attachments, input, idle);
      return true;
    }
    if (kit.asksForPerson(text)) {
      handOff(t, text, attachments, input, 'asked');
      return true;
    }
    const thanked = kit.thanks(text);
    const acknowledges = thanked || kit.yesNo(text) !== null || kit.declines(text);
    if (idle && attachments.length === 0 && acknowledges && words(fold(text)).length <= 4) {
      t.reply(say(config, t.lang, thanked ? 'thanks_reply' : 'acknowledged'));
      t.status = t.state.phase === 'handoff' ? 'handoff' : 'done';
      return true;
    }
    if ((idle || t.state.phase === 'opening') && attachments.length === 0 && answerFact(t, text)) return true;
    if (idle && attachments.length === 0 && kit.greetingOnly(text)) {
      t.set({ phase: 'opening', awaiting: 'description', request: null, rejected: null });
      t.reply(say(config, t.lang, 'greeting_reply'));
      t.status = 'collecting';
      return true;
    }
    return false;
  }

  /**
   * Shortly after a ticket: a file sent with little or no text, a file announced ("ik stuur zo een
   * screenshot"), or "ik vergat te zeggen..." is more for that ticket, added to it as a note; anything
   * else is a new request. The person hears whether it was added when the host has tried (`onNote`).
   */
  function addendum(t: TurnBuilder, text: string, attachments: Attachment[]): boolean {
    const ticket = t.state.lastTicket?.id;
    const minutes = config.conversation.addendum_minutes;
    if (!ticket || t.state.phase !== 'done' || minutes === 0) return false;
    if (t.ctx.now.getTime() - Date.parse(t.state.updatedAt) > minutes * 60_000) return false;
    const announced = t.state.addendumFor === ticket;
    const forIt = kit.addsToTicket(text);
    if (attachments.length > 0 && (announced || forIt || kit.contentWords(text) < 3)) {
      t.effect({ type: 'add_to_ticket', ticketId: ticket, text, attachments, purpose: 'addendum' });
    } else if (attachments.length === 0 && kit.announcesFile(text)) {
      t.set({ addendumFor: ticket });
      t.reply(say(config, t.lang, 'addendum_wait', { ticket }));
    } else if (attachments.length === 0 && forIt && kit.contentWords(text) >= 2) {
      t.effect({ type: 'add_to_ticket', ticketId: ticket, text, attachments, purpose: 'addendum' });
    } else {
      return false;
    }
    t.status = 'done';
    return true;
  }

  function onNote(t: TurnBuilder, event: Extract<CoreEvent, { type: 'note_added' | 'note_failed' }>): void {
    if (event.purpose === 'addendum') t.set({ addendumFor: undefined });
    if (event.type === 'note_added') {
      if (event.purpose === 'addendum') t.reply(say(config, t.lang, 'addendum_added', { ticket: event.ticketId }));
      return;
    }
    t.reply(say(config, t.lang, 'addendum_failed', { ticket: event.ticketId, ...helpdeskParams(config, t.lang) }));
  }

  /** Ask the host for a ticket's status, saying who asks (the host answers for their own tickets only). */
  function askStatusOf(t: TurnBuilder, ticket: string): void {
    const slots = t.state.request?.slots;
    const unit = slots?.academy ?? slots?.site_id ?? t.state.unit;
    t.effect({ type: 'ticket_status', id: ticket, requester: t.state.user ?? { id: '' }, ...(unit ? { unit } : {}) });
  }

  /**
   * "Is het al opgelost?", "nog nieuws over de rapporten?": the person's own open ticket on it, a
   * colleague's of the same academy or site, or the changelog, before any new ticket; only when nothing
   * matches does the bot offer to file (asking again does not speed a fix up).
   */
  function askedProgress(t: TurnBuilder, text: string, attachments: Attachment[], input: Turn): boolean {
    const ask = answers.progress.asksProgress(text, t.lang);
    // A long story that says "nog altijd niet opgelost" is a new report, not a question about progress.
    const length = words(fold(text)).length;
    if (!ask || length > PROGRESS_WORDS) return false;
    if (ask.ticket && length <= PROGRESS_WORDS / 2) {
      askStatusOf(t, ask.ticket.toUpperCase());
      return true;
    }
    const request = newRequest(t, text, attachments, input);
    if (ask.subject) request.subject = ask.subject;
    request.progress = true;
    request.described = true;
    request.label = request.classification.inScopeLabel;
    const unit = t.state.unit;
    if (unit && !request.slots.academy && !request.slots.site_id) {
      if (/^\d{4}$/.test(unit)) request.slots.site_id = unit;
      else request.slots.academy = unit;
    }
    if (request.slots.academy || request.slots.site_id) {
      request.checks = { manual: true, billing: true };
      lookUpOpenTickets(t, request);
      t.status = 'collecting';
      return true;
    }
    noOpenTicket(t, request);
    return true;
  }

  /** No open ticket on the subject: the changelog if it has it, else the offer to file one. */
  function noOpenTicket(t: TurnBuilder, request: RequestState): void {
    const entry = knowledge.changelog(textOf(request), t.lang);
    request.checks = { ...request.checks, manual: true, duplicates: true };
    if (entry) {
      request.proposed = [entry.page.id];
      t.set({ phase: 'deflecting', awaiting: 'confirm', request });
      t.reply(
        say(config, t.lang, 'progress_changelog', {
          title: entry.page.title,
          url: entry.page.url,
          date: entry.page.date,
        }),
        yesNo(t.lang),
      );
      t.status = 'collecting';
      return;
    }
    t.set({ phase: 'offering', awaiting: 'confirm', request });
    t.reply(
      say(config, t.lang, 'progress_none', { subject: subjectOf(request.subject ?? request.text) }),
      yesNo(t.lang),
    );
    t.status = 'collecting';
  }

  /** "Shall I file a ticket for it?": yes triages it as a new request; no closes politely. */
  function onOffer(t: TurnBuilder, input: Turn): void {
    const request = t.state.request!;
    const answer = yesOrNo(input);
    if (answer === 'yes') {
      delete request.progress;
      request.checks = {};
      request.label = null;
      triage(t, request);
      return;
    }
    if (answer === null && input.text.trim() && !input.choice) {
      // More about it instead of yes or no: a request after all.
      t.set({ phase: 'idle', awaiting: null, request: null });
      startRequest(t, input.text.trim(), input.attachments ?? [], input);
      return;
    }
    t.set({ phase: 'done', awaiting: null, request: null });
    t.reply(say(config, t.lang, 'thanks_reply'));
    t.status = 'done';
  }

  /**
   * "Tot hoe laat zijn jullie open?", "wat is jullie telefoonnummer?": a fact about the helpdesk, answered
   * at once from config in the person's language; no ticket, and the conversation stays open for a request.
   */
  function answerFact(t: TurnBuilder, text: string): boolean {
    const fact = answers.facts.answer(text, t.lang, t.ctx.now);
    if (!fact) return false;
    // "Kunnen jullie ter plaatse komen?" names the out-of-scope rule, but asks for it: refused with its referral.
    const verdict = classifier.classify(text.slice(0, MAX_ANALYSED), t.lang);
    if (verdict.label === 'out_of_scope' && verdict.confidence >= config.classifier.clarify_threshold) return false;
    t.set({ phase: 'done', awaiting: null, request: null });
    t.reply(`${fact.text}\n\n${say(config, t.lang, 'fact_more')}`);
    t.effect({ type: 'answered_fact', fact: fact.id });
    t.status = 'done';
    return true;
  }

  /**
   * "Status van HD-000123?" asks the host (which answers for the person's own tickets only); "status?"
   * between requests is about this conversation's last ticket, or the one whose number is still coming.
   */
  function lookUpStatus(t: TurnBuilder, text: string, idle: boolean): boolean {
    if (!kit.asksStatus(text)) return false;
    const id = ticketPattern.exec(text)?.[0]?.toUpperCase();
    const lookUp = (ticket: string) => askStatusOf(t, ticket);
    if (id) {
      lookUp(id);
      return true;
    }
    if (!idle) return false;
    const waiting = (t.state.pendingTickets ?? []).filter((p) => !p.failed).at(-1);
    if (waiting) {
      t.reply(say(config, t.lang, 'status_waiting', { title: waiting.title }));
      return true;
    }
    if (t.state.lastTicket) {
      lookUp(t.state.lastTicket.id);
      return true;
    }
    t.reply(say(config, t.lang, 'status_which', { prefix: config.ticket_prefix }));
    t.status = 'done';
    return true;
  }

  /**
   * "Kan ik Sandra spreken?": the honest answer (any colleague can help, no promise of that person); what
   * else the message says is the request, else the bot asks what it is about.
   */
  function namedColleague(t: TurnBuilder, rest: string, attachments: Attachment[], input: Turn, idle: boolean): void {
    const content = kit.withoutCourtesies(rest);
    if (!idle) {
      t.reply(say(config, t.lang, 'named_agent_go_on'));
      t.status = statusOf(t.state);
      return;
    }
    if (words(fold(content)).length >= config.conversation.min_description_words) {
      t.reply(say(config, t.lang, 'named_agent_go_on'));
      startRequest(t, content, attachments, input);
      return;
    }
    t.set({ phase: 'opening', awaiting: 'description', request: null, rejected: null });
    t.reply(say(config, t.lang, 'named_agent'));
    t.status = 'collecting';
  }

  function updateLanguage(t: TurnBuilder, text: string): void {
    const guess = detectLanguage(fold(text), t.state.lang);
    // A short answer ("AKW", "ja", "weet ik niet") says nothing about the language the person wants to
    // be answered in (bilingual staff answer in either); switch mid-request only on a whole sentence.
    const first = ['idle', 'done', 'rejected', 'handoff', 'filing'].includes(t.state.phase);
    if (guess.evidence >= (first ? 1 : 4)) t.set({ lang: guess.lang });
  }

  /** A new request from a first message: classified, its details extracted, the person's known details added. */
  function newRequest(
    t: TurnBuilder,
    text: string,
    attachments: Attachment[],
    input: Pick<Turn, 'user'>,
    shared: Slots = {},
  ): RequestState {
    const analysed = text.slice(0, MAX_ANALYSED);
    const { reasons: _reasons, ...classification } = classifier.classify(analysed, t.lang);
    const slots: Slots = { ...extractor.extract(analysed) };
    Object.assign(slots, onlyNew(slots, shared));
    // The academy or site of this conversation's last ticket: said once, not asked again.
    const unit = t.state.unit;
    if (unit && !slots.academy && !slots.site_id) {
      if (/^\d{4}$/.test(unit)) slots.site_id = unit;
      else slots.academy = unit;
    }
    if (input.user.name) slots.name ??= input.user.name;
    if (input.user.email) slots.email ??= input.user.email;
    const request: RequestState = {
      seq: t.state.requests + 1,
      text,
      extra: [],
      label: null,
      classification: roundedScores(classification),
      slots,
      attachments: [...attachments],
      asked: {},
      skipped: [],
      ...(saysEnough(text) ? { described: true } : {}),
    };
    t.set({ requests: request.seq, request, rejected: null, misunderstood: 0 });
    return request;
  }

  /**
   * A first message: one subject is triaged as it is; two or three unrelated subjects become one
   * ticket each (shared details asked once); a longer list gets the e-mail advice and one ticket.
   */
  function startRequest(t: TurnBuilder, text: string, attachments: Attachment[], input: Turn): void {
    t.restartTranscript();
    const questions = answers.lists.questionList(text.slice(0, MAX_ANALYSED));
    if (questions && questions.length >= 3) {
      offerListChoice(t, text, questions, attachments, input);
      return;
    }
    const split = classifier.subjects(text.slice(0, MAX_ANALYSED));
    // The numbered steps of one problem are one subject, one ticket.
    const subjects = kit.areSteps(split) ? [text] : split;
    if (subjects.length > config.multi_subject.max_split) {
      t.reply(say(config, t.lang, 'multi_list'));
      triage(t, { ...newRequest(t, text, attachments, input), list: true });
      return;
    }
    if (subjects.length >= 2) {
      const shared = pick(extractor.extract(text.slice(0, MAX_ANALYSED)), SHARED_SLOTS);
      const [first, ...rest] = subjects as [string, ...string[]];
      t.set({ queue: rest, shared });
      t.reply(say(config, t.lang, 'multi_split', { count: subjects.length, subject: subjectOf(first) }));
      triage(t, newRequest(t, first, attachments, input, shared));
      return;
    }
    const request = newRequest(t, text, attachments, input);
    if (promisesNoDate(t, request)) return;
    const mail = answers.personal.mailedPersonalAddress(text, t.lang);
    if (mail) t.reply(say(config, t.lang, 'personal_address', { agent: agentSuffix(mail) }));
    triage(t, request);
  }

  /**
   * "Tegen vrijdag klaar?" / "wanneer komt de nieuwe versie uit?": the helpdesk never promises a date. A
   * question about when a release or fix comes is answered with the changelog (no ticket); a wish for a
   * date on a request is said to be a wish, and the request goes on (its text carries the wish).
   */
  function promisesNoDate(t: TurnBuilder, request: RequestState): boolean {
    const date = answers.dates.asksForDate(request.text, t.lang);
    if (!date) return false;
    const breakage = request.classification.label === 'incident' || request.classification.label === 'out_of_scope';
    if (date.kind === 'when' && !breakage) {
      t.set({ phase: 'done', awaiting: null, request: null });
      t.reply(say(config, t.lang, 'date_release'));
      t.effect({ type: 'answered_fact', fact: 'release_date' });
      t.status = 'done';
      return true;
    }
    t.reply(say(config, t.lang, 'date_no_promise', { wish: date.wish }));
    return false;
  }

  /**
   * A list of three or more questions: the helpdesk prefers lists by e-mail. The bot says so, quoting the
   * questions, and offers one ticket per question or the address.
   */
  function offerListChoice(
    t: TurnBuilder,
    text: string,
    questions: string[],
    attachments: Attachment[],
    input: Turn,
  ): void {
    const request = newRequest(t, text, attachments, input);
    t.set({
      phase: 'choosing_list',
      awaiting: 'confirm',
      request,
      queue: questions,
      shared: pick(request.slots, SHARED_SLOTS),
    });
    const params = { count: questions.length, items: numbered(questions) };
    t.reply(say(config, t.lang, 'list_by_email', params), [
      { value: 'tickets', label: say(config, t.lang, 'list_choice_tickets') },
      { value: 'email', label: say(config, t.lang, 'list_choice_email') },
    ]);
    t.status = 'collecting';
  }

  function onListChoice(t: TurnBuilder, input: Turn): void {
    const questions = t.state.queue ?? [];
    const answer = input.choice ?? (kit.says(input.text, 'separate') ? 'tickets' : kit.yesNo(input.text));
    const tickets = answer === 'tickets' || answer === 'yes' || /ticket/i.test(input.text);
    if (!tickets || questions.length === 0) {
      const unit = unitWord(t.lang, config.profile === 'site');
      t.set({ phase: 'done', awaiting: null, request: null, queue: [], shared: {} });
      t.reply(say(config, t.lang, 'list_email', { unit }));
      t.status = 'done';
      return;
    }
    const [first, ...rest] = questions as [string, ...string[]];
    t.set({ queue: rest });
    t.reply(say(config, t.lang, 'list_split', { count: questions.length, subject: subjectOf(first) }));
    triage(t, newRequest(t, first, t.state.request?.attachments ?? [], input, t.state.shared ?? {}));
  }

  /** Decide what a new request needs: a refusal, a clarifying question, the kind, or its details. */
  function triage(t: TurnBuilder, request: RequestState): void {
    t.set({ request });
    const verdict = request.classification;
    const unsure = verdict.scores.out_of_scope < config.classifier.clarify_threshold;
    if (verdict.label === 'out_of_scope' && verdict.oosReason) {
      const clarify = config.scope.reasons[verdict.oosReason].clarify;
      // A check question about the printer or the network only when the message names one: unsure and
      // without such a word, the request is the helpdesk's.
      const named = evidence.get(verdict.oosReason)?.test(fold(textOf(request))) ?? true;
      if (clarify && unsure && named) {
        t.set({ phase: 'clarifying', awaiting: 'confirm', misunderstood: 0 });
        t.reply(clarify.question[t.lang], yesNo(t.lang));
        t.status = 'collecting';
        return;
      }
      if (!unsure || !clarify) {
        reject(t, request);
        return;
      }
    }
    // Too little said to know what it is about: ask first, then read it again (see onDescription).
    if (!request.described && !request.asked.description) {
      ask(t, request, 'description');
      return;
    }
    if (verdict.confidence < config.classifier.ask_threshold) {
      askLabel(t, false);
      return;
    }
    request.label = verdict.label === 'out_of_scope' ? verdict.inScopeLabel : (verdict.label as InScopeLabel);
    delete request.chosen;
    proceed(t);
  }

  /**
   * Whether a text says what the request is about: enough words besides fillers ("ik heb een probleem"
   * says nothing yet; "de export loopt vast" does).
   */
  function saysEnough(text: string): boolean {
    return kit.contentWords(text) >= Math.max(2, config.conversation.min_description_words - 1);
  }

  /** Everything the person said about the request so far. */
  function textOf(request: RequestState): string {
    return [request.text, ...request.extra].join(' ');
  }

  /** Ask one detail (a second time with "I didn't quite get that"). */
  function ask(t: TurnBuilder, request: RequestState, slot: Slot): void {
    const asked = request.asked[slot] ?? 0;
    request.asked[slot] = asked + 1;
    const question = say(config, t.lang, `ask_${slot}`);
    t.set({ phase: 'collecting', awaiting: slot, request });
    t.reply(asked === 0 ? question : say(config, t.lang, 'retry', { question }));
    t.status = 'collecting';
  }

  function reject(t: TurnBuilder, request: RequestState): void {
    const reason = request.classification.oosReason ?? 'other';
    const scope = config.scope.reasons[reason];
    const message = say(config, t.lang, 'rejected', {
      explain: scope.explain[t.lang],
      referral: fill(scope.referral[t.lang], helpdeskParams(config, t.lang)),
    });
    t.set({ phase: 'rejected', awaiting: null, rejected: request, request: null });
    t.reply(message);
    t.effect({ type: 'rejected', reason, text: message });
    t.status = 'rejected';
    nextSubject(t);
  }

  function yesNo(lang: Lang): Reply['choices'] {
    return [
      { value: 'yes', label: config.answers.yes[lang][0] ?? 'yes' },
      { value: 'no', label: config.answers.no[lang][0] ?? 'no' },
    ];
  }

  /** The answer to a clarifying question near the out-of-scope boundary decides: refuse, or triage. */
  function onClarify(t: TurnBuilder, input: Turn, attachments: Attachment[]): void {
    const request = t.state.request!;
    const reason = request.classification.oosReason ?? 'other';
    const clarify = config.scope.reasons[reason].clarify;
    const answer = yesOrNo(input);
    request.attachments.push(...attachments);
    if (!clarify) {
      reject(t, request);
      return;
    }
    if (answer === null) {
      const misunderstood = t.state.misunderstood + 1;
      t.set({ misunderstood });
      if (input.text.trim()) request.extra.push(input.text.trim());
      if (misunderstood < config.conversation.max_asks) {
        t.reply(say(config, t.lang, 'clarify_retry', { question: clarify.question[t.lang] }), yesNo(t.lang));
        t.status = 'collecting';
        return;
      }
    }
    t.set({ misunderstood: 0 });
    if (answer === clarify.out_of_scope_if) {
      reject(t, request);
      return;
    }
    // Not the device, the network...: the helpdesk's business after all (an unclear answer too: a person decides).
    request.label = config.scope.reasons[reason].resume_as ?? request.classification.inScopeLabel;
    proceed(t);
  }

  function labelChoices(lang: Lang): { value: string; label: string }[] {
    return IN_SCOPE_LABELS.map((label) => ({ value: label, label: say(config, lang, `label_choice_${label}`) }));
  }

  function askLabel(t: TurnBuilder, retry: boolean): void {
    const choices = labelChoices(t.lang);
    const numbered = choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
    t.set({ phase: 'choosing_label', awaiting: 'label' });
    t.reply(say(config, t.lang, retry ? 'label_retry' : 'ask_label', { choices: numbered }), choices);
    t.status = 'collecting';
  }

  function onLabelChoice(t: TurnBuilder, input: Turn, attachments: Attachment[]): void {
    const request = t.state.request;
    if (!request) {
      startRequest(t, input.text.trim(), attachments, input);
      return;
    }
    const picked = parseLabel(input.choice ?? input.text);
    if (!picked && !input.choice && saysEnough(input.text)) {
      // Not a kind but what it is about ("met de zoekfunctie, die vindt niks meer"): read it again with it.
      request.attachments.push(...attachments);
      onDescription(t, request, input.text.trim());
      return;
    }
    if (!picked) {
      const misunderstood = t.state.misunderstood + 1;
      t.set({ misunderstood });
      if (misunderstood < config.conversation.max_asks) {
        askLabel(t, true);
        return;
      }
      // Misunderstood twice: the best guess goes on (an agent corrects the kind), or, when configured, a
      // person takes over; never with the misunderstood answers as the request.
      request.label = request.classification.inScopeLabel;
      delete request.chosen;
      if (config.handoff.on_misunderstood && request.described) {
        t.set({ misunderstood: 0 });
        file(t, 'misunderstood');
        return;
      }
    } else {
      request.label = picked;
      request.chosen = true;
    }
    request.attachments.push(...attachments);
    t.set({ misunderstood: 0 });
    proceed(t);
  }

  /** The kind picked from the menu: a number, a number word, the menu's wording in any language, a kind word. */
  function parseLabel(answer: string): InScopeLabel | null {
    return kit.label(answer, menuWording);
  }

  function resumeAfterOverride(t: TurnBuilder, text: string, attachments: Attachment[]): void {
    const request = t.state.rejected!;
    const reason = request.classification.oosReason;
    request.label = (reason && config.scope.reasons[reason].resume_as) || request.classification.inScopeLabel;
    request.extra.push(text);
    request.attachments.push(...attachments);
    Object.assign(request.slots, onlyNew(request.slots, extractor.extract(text)));
    t.set({ request, rejected: null });
    t.reply(say(config, t.lang, 'override_resumed'));
    proceed(t);
  }

  function onAnswer(t: TurnBuilder, text: string, attachments: Attachment[]): void {
    const request = t.state.request!;
    const slot = t.state.awaiting as Slot | null;
    // "Nog iets anders: ..." instead of the detail: another subject, taken after this one.
    const another = slot && slot !== 'description' && attachments.length === 0 ? kit.newSubject(text) : null;
    if (slot && another) {
      t.set({ queue: [...(t.state.queue ?? []), another] });
      t.reply(say(config, t.lang, 'subject_later'));
      t.reply(say(config, t.lang, `ask_${slot}`));
      t.status = 'collecting';
      return;
    }
    request.attachments.push(...attachments);
    if (slot === 'description') {
      onDescription(t, request, text);
      return;
    }
    // Several details in one answer: take every new one the answer holds.
    const found = onlyNew(request.slots, extractor.extract(text));
    if ((slot === 'screenshot' || slot === 'error_message') && attachments.length === 0 && kit.noError(text)) {
      // No error message to give: neither the screenshot of one nor its text; the rest is more story.
      request.absent = ['screenshot', 'error_message'];
      if (tellsMore(text, config.conversation.min_description_words)) request.extra.push(text);
      Object.assign(request.slots, found);
      t.set({ request });
      proceed(t);
      return;
    }
    if (slot) {
      const heard = hearDetail(slot, text, attachments, { extractor, kit });
      if (heard.kind === 'value') {
        if (slot !== 'screenshot') found[slot] = heard.value;
      } else if (heard.kind === 'declined') {
        declined(t, request, slot);
      } else {
        notUnderstood(t, request, slot, text, found);
      }
    } else if (text) {
      request.extra.push(text);
    }
    Object.assign(request.slots, found);
    t.set({ request });
    proceed(t);
  }

  /** "Weet ik niet", "heb ik niet": asked once is enough; an optional detail gets a short "no problem". */
  function declined(t: TurnBuilder, request: RequestState, slot: Slot): void {
    request.skipped.push(slot);
    const rule = rulesFor(request).find((r) => r.slot === slot);
    if (!rule?.required) t.reply(say(config, t.lang, 'skip_ack'));
  }

  /**
   * An answer that is not the detail asked: a longer one is more of the story; at the screenshot question a
   * typed text is the error text; after the last try the person's words are kept for the ticket as given.
   */
  function notUnderstood(t: TurnBuilder, request: RequestState, slot: Slot, text: string, found: Slots): void {
    const rule = rulesFor(request).find((r) => r.slot === slot);
    const typedError = !kit.mentionsScreenshot(text);
    if (
      slot === 'screenshot' &&
      typedError &&
      rule?.alternatives.includes('error_message') &&
      !request.slots.error_message
    ) {
      const error = hearDetail('error_message', text, [], { extractor, kit });
      if (error.kind === 'value') {
        found.error_message = error.value;
        return;
      }
    }
    const lastTry = (request.asked[slot] ?? 0) >= config.conversation.max_asks;
    if (tellsMore(text, config.conversation.min_description_words)) request.extra.push(text);
    // "Bedankt!", "hallo" are no academy or student: never kept as what the person gave.
    else if (text && !kit.thanks(text) && !kit.greetingOnly(text))
      request.given = { ...request.given, [slot]: text.slice(0, 200) };
    if (!lastTry) return;
    request.skipped.push(slot);
    const given = request.given?.[slot];
    if (given) {
      const what = config.vocabulary.slots[slot][t.lang];
      t.reply(say(config, t.lang, 'unmatched_kept', { value: given, what }));
    }
  }

  /**
   * The person's own explanation, asked because the opening said too little ("het werkt niet"): it becomes
   * the ticket's subject, and the request is read again with it (the kind may only now be clear).
   */
  function onDescription(t: TurnBuilder, request: RequestState, text: string): void {
    const heard = hearDetail('description', text, [], { extractor, kit });
    if (heard.kind !== 'value') {
      if (heard.kind === 'declined' || (request.asked.description ?? 0) >= config.conversation.max_asks) {
        request.skipped.push('description');
      }
      // Nothing said of what it is about: no ticket made of "nee" or "?".
      if (!request.described && request.skipped.includes('description')) {
        t.set({ phase: 'done', awaiting: null, request: null, queue: [] });
        t.reply(say(config, t.lang, 'nothing_to_file'));
        t.status = 'done';
        return;
      }
      if (request.label) proceed(t);
      else triage(t, request);
      return;
    }
    const explanation = kit.withoutCourtesies(heard.value) || heard.value;
    request.extra.push(explanation);
    request.subject = explanation;
    request.described = true;
    Object.assign(request.slots, onlyNew(request.slots, extractor.extract(explanation)));
    if (request.chosen) {
      proceed(t);
      return;
    }
    // An opening that said nothing ("ik heb een probleem") has nothing to add to the explanation's reading.
    const read = saysEnough(request.text) ? [request.text, explanation].join('\n') : explanation;
    const reread = classifier.classify(read.slice(0, MAX_ANALYSED), t.lang);
    const { reasons: _reasons, ...classification } = reread;
    request.classification = roundedScores(classification);
    request.label = null;
    triage(t, request);
  }

  function missingRequired(request: RequestState): Slot[] {
    const required = new Set(
      rulesFor(request)
        .filter((r) => r.required)
        .map((r) => r.slot),
    );
    return [...new Set(request.skipped)].filter((slot) => required.has(slot));
  }

  function rulesFor(request: RequestState): DetailRule[] {
    return request.label ? config.details[request.label] : [];
  }

  /** Ask the next missing detail, or file the ticket when nothing required is missing. */
  function proceed(t: TurnBuilder): void {
    const request = t.state.request!;
    request.checks ??= {};
    // The helpdesk's rules that can spare the person the questions: the manual, the billing warning,
    // and an open ticket on the same subject (as soon as the academy or site is known).
    if (!request.checks.manual) {
      request.checks.manual = true;
      if (deflect(t, request)) return;
    }
    if (!request.checks.billing) {
      request.checks.billing = true;
      if (warnBillable(t, request)) return;
    }
    if (!request.checks.duplicates && (request.slots.academy || request.slots.site_id)) {
      lookUpOpenTickets(t, request);
      return;
    }
    const known = (slot: Slot) =>
      slot === 'screenshot'
        ? request.attachments.some(isImage)
        : slot === 'description'
          ? request.described === true
          : request.slots[slot] !== undefined;
    for (const rule of rulesFor(request)) {
      if (rule.when_screen && !(request.slots.screen && rule.when_screen.includes(request.slots.screen))) continue;
      if (known(rule.slot) || rule.alternatives.some(known)) continue;
      if (request.absent?.includes(rule.slot)) continue;
      if (request.skipped.includes(rule.slot)) {
        // No screenshot: the error text instead, asked once.
        const instead = rule.alternatives.find((alt) => !request.skipped.includes(alt) && !request.asked[alt]);
        if (instead) {
          ask(t, request, instead);
          return;
        }
        continue;
      }
      if ((request.asked[rule.slot] ?? 0) >= config.conversation.max_asks) {
        request.skipped.push(rule.slot);
        continue;
      }
      ask(t, request, rule.slot);
      return;
    }
    beforeFiling(t);
  }

  // ---- the helpdesk's rules before a ticket is filed ------------------------------------------------

  /** Manual first: a question the manual answers, or "is it fixed?" about a changelog entry. */
  function deflect(t: TurnBuilder, request: RequestState): boolean {
    const text = textOf(request);
    const fixed = knowledge.changelog(text, t.lang);
    const pages = fixed ? [fixed] : request.label === 'question' ? knowledge.manual(text, t.lang) : [];
    if (pages.length === 0) return false;
    request.proposed = pages.map((m) => m.page.id);
    const list = pages.map((m) => `- ${m.page.title}: ${m.page.url}`).join('\n');
    const message = fixed
      ? say(config, t.lang, 'changelog_known', { title: fixed.page.title, url: fixed.page.url, date: fixed.page.date })
      : say(config, t.lang, 'kb_proposal', { articles: list });
    t.set({ phase: 'deflecting', awaiting: 'confirm', request });
    t.reply(message, yesNo(t.lang));
    t.status = 'collecting';
    return true;
  }

  function yesOrNo(input: Turn): 'yes' | 'no' | null {
    if (input.choice === 'yes' || input.choice === 'no') return input.choice;
    return kit.yesNo(input.text);
  }

  function onDeflect(t: TurnBuilder, input: Turn, attachments: Attachment[]): void {
    const request = t.state.request!;
    request.attachments.push(...attachments);
    const answer = yesOrNo(input);
    if (answer === 'yes') {
      t.set({ phase: 'done', awaiting: null, request: null });
      t.reply(say(config, t.lang, 'kb_resolved'));
      t.effect({ type: 'resolved_by_manual', pages: request.proposed ?? [] });
      t.status = 'done';
      nextSubject(t);
      return;
    }
    // "No", or more about the problem: the pages did not answer it, so on to the ticket.
    if (answer === null && input.text.trim()) {
      request.extra.push(input.text.trim());
      Object.assign(request.slots, onlyNew(request.slots, extractor.extract(input.text)));
    }
    t.reply(say(config, t.lang, 'kb_go_on'));
    t.set({ phase: 'collecting', awaiting: null, request });
    proceed(t);
  }

  /** All details known: who may ask; then preview or file. */
  function beforeFiling(t: TurnBuilder): void {
    const request = t.state.request!;
    request.checks ??= {};
    if (!request.checks.registry) {
      request.checks.registry = true;
      if (!checkRegistry(t, request)) return;
    }
    if (config.conversation.preview && t.state.interactive) showPreview(t);
    else file(t, ruleHandoff(t, request));
  }

  /** A configured rule that hands this request to a person (urgent incidents during contact hours). */
  function ruleHandoff(t: TurnBuilder, request: RequestState): HandoffReason | undefined {
    const urgentIncident = request.classification.urgent && request.label === 'incident';
    if (config.handoff.urgent_incidents_in_hours && urgentIncident && isOpen(t.ctx.now, config.helpdesk.hours)) {
      return 'rule';
    }
    return undefined;
  }

  /** Who may ask. Returns false when the request stops here (refused). */
  function checkRegistry(t: TurnBuilder, request: RequestState): boolean {
    const registry = config.registry;
    if (registry.mode === 'off') return true;
    const unit = request.slots.academy ?? request.slots.site_id;
    const people = unit ? registry.people[unit] : undefined;
    const email = request.slots.email?.toLowerCase();
    const name = request.slots.name ? fold(request.slots.name).trim() : undefined;
    // Nothing to check against, or nobody to check: the desk sees the request as it is.
    if (!people || (!email && !name)) return true;
    const listed = people.some(
      (p) => (email && p.email?.toLowerCase() === email) || (name && fold(p.name).trim() === name),
    );
    request.registered = listed;
    if (listed) return true;
    // Who the contact persons are is not this person's to know: the message names the unit only.
    const params = { unit: unit ?? '' };
    if (registry.mode === 'refuse') {
      t.set({ phase: 'done', awaiting: null, request: null });
      t.reply(say(config, t.lang, 'not_registered_refused', params));
      t.status = 'done';
      nextSubject(t);
      return false;
    }
    t.reply(say(config, t.lang, 'not_registered', params));
    return true;
  }

  /** Outside the contract: warn before filing that it may be charged, and let the person decide. */
  function warnBillable(t: TurnBuilder, request: RequestState): boolean {
    const label = request.label ?? request.classification.inScopeLabel;
    const text = fold(textOf(request));
    const rule = config.billing.rules.find((r) => r.labels.includes(label) && billingCues.get(r.id)!.test(text));
    if (!rule) return false;
    request.billable = rule.id;
    t.set({ phase: 'billing', awaiting: 'confirm', request });
    t.reply(say(config, t.lang, 'billable_warning'), yesNo(t.lang));
    t.status = 'collecting';
    return true;
  }

  function onBilling(t: TurnBuilder, input: Turn, attachments: Attachment[]): void {
    const request = t.state.request!;
    request.attachments.push(...attachments);
    const answer = yesOrNo(input);
    if (answer === 'no') {
      t.set({ phase: 'done', awaiting: null, request: null });
      t.reply(say(config, t.lang, 'billable_declined'));
      t.status = 'done';
      nextSubject(t);
      return;
    }
    if (answer === null) {
      t.reply(
        say(config, t.lang, 'clarify_retry', { question: say(config, t.lang, 'billable_warning') }),
        yesNo(t.lang),
      );
      t.status = 'collecting';
      return;
    }
    proceed(t);
  }

  function lookUpOpenTickets(t: TurnBuilder, request: RequestState): void {
    const since = new Date(t.ctx.now.getTime() - config.duplicates.window_days * 86_400_000).toISOString();
    t.set({ phase: 'checking', awaiting: null, request });
    t.effect({
      type: 'find_tickets',
      key: requestKey(t, request),
      ...(request.slots.academy ? { academy: request.slots.academy } : {}),
      ...(request.slots.site_id ? { siteId: request.slots.site_id } : {}),
      since,
    });
  }

  /** Ask once: the most similar open ticket on the same screen, if similar enough. */
  function onTicketsFound(t: TurnBuilder, key: string, tickets: TicketSummary[]): void {
    const request = t.state.request;
    if (t.state.phase !== 'checking' || !request || requestKey(t, request) !== key) return;
    request.checks = { ...request.checks, duplicates: true };
    const match = similarTicket(request, tickets, t.lang);
    if (!match) {
      if (request.progress) noOpenTicket(t, request);
      else proceed(t);
      return;
    }
    const me = t.state.user?.id;
    const sameAsker = Boolean(me) && match.requester.id === me;
    if (request.progress) {
      progressFound(t, request, match, sameAsker);
      return;
    }
    if (sameAsker) {
      // The same person asking again: the ticket they have, not a second one.
      t.set({ phase: 'done', awaiting: null, request: null, lastTicket: { id: match.id } });
      t.reply(say(config, t.lang, 'duplicate_same_person', { ticket: match.id, title: match.title }));
      t.status = 'done';
      nextSubject(t);
      return;
    }
    // Never the colleague's name: the person learns that a colleague reported it, not who.
    request.duplicate = { id: match.id, title: match.title, createdAt: match.createdAt };
    t.set({ phase: 'duplicate', awaiting: 'confirm', request });
    offerDuplicate(t, request.duplicate, 'duplicate_found');
  }

  /** "Is it fixed yet?" about an open ticket: the person's own (no second one), or a colleague's (join it?). */
  function progressFound(t: TurnBuilder, request: RequestState, match: TicketSummary, own: boolean): void {
    const status = say(config, t.lang, 'status_open', { ticket: match.id });
    if (own) {
      t.set({ phase: 'done', awaiting: null, request: null, lastTicket: { id: match.id } });
      t.reply(say(config, t.lang, 'progress_own', { ticket: match.id, title: match.title, status }));
      t.status = 'done';
      return;
    }
    const unit = unitWord(t.lang, request.slots.site_id !== undefined);
    request.duplicate = { id: match.id, title: match.title, createdAt: match.createdAt };
    t.set({ phase: 'duplicate', awaiting: 'confirm', request });
    t.reply(
      say(config, t.lang, 'progress_colleague', { ticket: match.id, title: match.title, status, unit }),
      joinChoices(t.lang),
    );
    t.status = 'collecting';
  }

  function offerDuplicate(t: TurnBuilder, match: OfferedTicket, key: 'duplicate_found' | 'duplicate_retry'): void {
    t.reply(
      say(config, t.lang, key, {
        ticket: match.id,
        title: match.title,
        when: describeDate(new Date(match.createdAt), config.helpdesk.hours.timezone, LOCALES[t.lang]),
      }),
      joinChoices(t.lang),
    );
    t.status = 'collecting';
  }

  /** Add my details to that ticket, or a new one: the buttons of every offer of an open ticket. */
  function joinChoices(lang: Lang): Reply['choices'] {
    return [
      { value: 'add', label: say(config, lang, 'duplicate_add') },
      { value: 'new', label: say(config, lang, 'duplicate_new') },
    ];
  }

  /** "academie" / "site": what the person's organisation is called in this profile, as a word in a sentence. */
  function unitWord(lang: Lang, site: boolean): string {
    return config.vocabulary.slots[site ? 'site_id' : 'academy'][lang].toLowerCase();
  }

  function similarTicket(request: RequestState, tickets: TicketSummary[], lang: Lang): TicketSummary | null {
    const mine = { text: textOf(request), screen: request.slots.screen };
    let best: TicketSummary | null = null;
    let bestScore = -1;
    for (const ticket of tickets) {
      const theirs = { text: `${ticket.title} ${ticket.description}`, screen: ticket.screen };
      const { same, score } = sameSubject(mine, theirs, lang, config.duplicates.min_similarity);
      if (same && score > bestScore) [best, bestScore] = [ticket, score];
    }
    return best;
  }

  function onDuplicate(t: TurnBuilder, input: Turn, attachments: Attachment[]): void {
    const request = t.state.request!;
    const duplicate = request.duplicate!;
    request.attachments.push(...attachments);
    const typed = !input.choice ? kit.yesNo(input.text) : null;
    const add = input.choice === 'add' || (!input.choice && (kit.says(input.text, 'join') || typed === 'yes'));
    const fresh = input.choice === 'new' || (!input.choice && (kit.says(input.text, 'separate') || typed === 'no'));
    if (add) {
      const text = [request.text, ...request.extra].join('\n\n');
      t.effect({
        type: 'add_to_ticket',
        ticketId: duplicate.id,
        text,
        attachments: request.attachments,
        purpose: 'duplicate',
      });
      t.set({ phase: 'done', awaiting: null, request: null, lastTicket: { id: duplicate.id } });
      t.reply(say(config, t.lang, 'duplicate_added', { ticket: duplicate.id }));
      t.status = 'done';
      nextSubject(t);
      return;
    }
    if (!fresh) {
      offerDuplicate(t, duplicate, 'duplicate_retry');
      return;
    }
    request.related = duplicate.id;
    delete request.duplicate;
    proceed(t);
  }

  // ---- the closing rule: no reaction to a question ------------------------------------------------

  /** Remind once of an unanswered question and say when it closes; close when that time has come. */
  function onTick(t: TurnBuilder): Outcome {
    const waiting = t.state.awaiting !== null && t.state.request !== null;
    const quietFor = t.ctx.now.getTime() - Date.parse(t.state.updatedAt);
    const updatedAt = t.state.updatedAt;
    if (waiting && !t.state.remindedAt && quietFor >= config.closing.remind_after_hours * 3_600_000) {
      const closes = afterWorkdays(t.ctx.now, config.closing.close_after_workdays, config.helpdesk.hours);
      t.set({ remindedAt: t.ctx.now.toISOString(), closesAt: closes.toISOString() });
      const question = lastQuestion(t);
      t.reply(
        say(config, t.lang, 'reminder', {
          question,
          date: describeDate(closes, config.helpdesk.hours.timezone, LOCALES[t.lang]),
          days: config.closing.close_after_workdays,
        }),
      );
      t.status = 'collecting';
    } else if (waiting && t.state.closesAt && t.ctx.now.getTime() >= Date.parse(t.state.closesAt)) {
      const kept = (t.state.ready ?? []).length > 0;
      t.set({ phase: 'done', awaiting: null, request: null, remindedAt: undefined, closesAt: undefined, queue: [] });
      t.reply(say(config, t.lang, kept ? 'closed_rest' : 'closed_no_reaction'));
      fileKept(t);
      t.status = 'done';
    }
    // Time passing is not activity: the conversation keeps its last-activity time.
    const outcome = t.outcome();
    outcome.state.updatedAt = updatedAt;
    return outcome;
  }

  function lastQuestion(t: TurnBuilder): string {
    return [...t.state.transcript].reverse().find((m) => m.from === 'bot')?.text ?? '';
  }

  // ---- the ticket preview (channels with buttons) ------------------------------------------------

  function showPreview(t: TurnBuilder): void {
    const request = t.state.request!;
    const preview = previewOf(t, request);
    const summary = [
      `${preview.kind}: ${preview.title}`,
      ...preview.fields.map((f) => `${f.label}: ${f.value}`),
      ...(preview.attachments.length > 0
        ? [`${config.vocabulary.slots.screenshot[t.lang]}: ${preview.attachments.join(', ')}`]
        : []),
    ]
      .map((line) => `- ${line}`)
      .join('\n');
    t.set({ phase: 'confirming', awaiting: 'confirm', request });
    t.replies.push({
      text: say(config, t.lang, 'preview', { summary }),
      choices: [
        { value: 'send', label: say(config, t.lang, 'preview_send') },
        { value: 'edit', label: say(config, t.lang, 'preview_edit') },
      ],
      preview,
    });
    t.log('bot', say(config, t.lang, 'preview', { summary }));
    t.status = 'collecting';
  }

  function previewOf(t: TurnBuilder, request: RequestState): TicketPreview {
    const label = request.label ?? request.classification.inScopeLabel;
    const fields = Object.entries(request.slots)
      .filter(([slot]) => slot !== 'description')
      .map(([slot, value]) => ({
        slot: slot as Slot,
        label: config.vocabulary.slots[slot as Slot][t.lang],
        value: displayValue(slot as Slot, value),
      }));
    return {
      intro: say(config, t.lang, 'preview_intro'),
      question: say(config, t.lang, 'preview_question'),
      title: titleOf(request),
      kind: config.vocabulary.kinds[label][t.lang],
      urgent: request.classification.urgent,
      fields,
      description: describe(t, request),
      attachments: request.attachments.map((a) => a.name),
    };
  }

  /** A canonical value as a person recognises it: "AKW (Academie ...)", a screen's name. */
  function displayValue(slot: Slot, value: string): string {
    const d = config.directories;
    if (slot === 'academy') {
      const a = d.academies.find((x) => x.code === value);
      return a ? `${a.code} (${a.name})` : value;
    }
    if (slot === 'site_id') {
      const site = d.sites.find((x) => x.id === value);
      return site ? `${site.id} (${site.name})` : value;
    }
    if (slot === 'screen') return d.screens.find((x) => x.id === value)?.name ?? value;
    return value;
  }

  function onConfirm(t: TurnBuilder, input: Turn, attachments: Attachment[]): void {
    const request = t.state.request!;
    request.attachments.push(...attachments);
    if (input.choice === 'send' || (!input.choice && kit.says(input.text, 'send'))) {
      file(t, ruleHandoff(t, request));
      return;
    }
    if (input.choice === 'edit' || (!input.choice && kit.says(input.text, 'edit'))) {
      t.set({ phase: 'editing', awaiting: 'description', request });
      t.reply(say(config, t.lang, 'ask_edit'));
      t.status = 'collecting';
      return;
    }
    // Anything else is read as the correction itself.
    onEdit(t, input.text.trim(), []);
  }

  /** A correction: details it names replace the ones known (the person knows best); other text is added. */
  function onEdit(t: TurnBuilder, text: string, attachments: Attachment[]): void {
    const request = t.state.request!;
    request.attachments.push(...attachments);
    const corrections = extractor.extract(text);
    if (Object.keys(corrections).length > 0) Object.assign(request.slots, corrections);
    else if (text) request.extra.push(text);
    showPreview(t);
  }

  function handOff(t: TurnBuilder, text: string, attachments: Attachment[], input: Turn, reason: HandoffReason): void {
    if (!t.state.request) {
      newRequest(t, text, attachments, input);
    } else {
      t.state.request.extra.push(text);
      t.state.request.attachments.push(...attachments);
    }
    t.state.request!.label ??= t.state.request!.classification.inScopeLabel;
    file(t, reason);
  }

  /**
   * Ask the host to file the request's ticket; for a handoff, as a handoff to a person. A subject of a
   * split message waits for the ones after it: all are filed together at the end, the first subject's
   * ticket first, so the person hears every number in one answer (see `keepForLater`).
   */
  function file(t: TurnBuilder, handoff?: HandoffReason): void {
    if (!handoff && (t.state.queue?.length ?? 0) > 0) {
      keepForLater(t);
      return;
    }
    fileKept(t);
    const request = t.state.request!;
    const draft = buildDraft(t, request, handoff !== undefined);
    const pending = { key: draft.idempotencyKey, title: draft.title, urgent: draft.urgent, handoff: draft.handoff };
    t.set({
      phase: 'filing',
      awaiting: null,
      request,
      pendingTickets: [...(t.state.pendingTickets ?? []), pending].slice(-20),
    });
    t.effect(handoff ? { type: 'handoff', reason: handoff, ticket: draft } : { type: 'file_ticket', ticket: draft });
    t.status = handoff ? 'handoff' : 'filed';
  }

  /** A finished subject of a split message, kept in the state until the last subject is through. */
  function keepForLater(t: TurnBuilder): void {
    const request = t.state.request!;
    t.set({
      ready: [...(t.state.ready ?? []), request],
      request: null,
      awaiting: null,
      shared: { ...t.state.shared, ...pick(request.slots, SHARED_SLOTS) },
    });
    t.reply(say(config, t.lang, 'multi_kept'));
    t.status = 'collecting';
    nextSubject(t);
  }

  /** File the kept subjects (they were complete): at the end, when the rest is cancelled or closed. */
  function fileKept(t: TurnBuilder): void {
    const kept = t.state.ready ?? [];
    if (kept.length === 0) return;
    const pending = kept.map((request) => {
      const draft = buildDraft(t, request, false);
      t.effect({ type: 'file_ticket', ticket: draft });
      return { key: draft.idempotencyKey, title: draft.title, urgent: draft.urgent, handoff: false, subject: true };
    });
    t.set({ ready: [], pendingTickets: [...(t.state.pendingTickets ?? []), ...pending].slice(-20) });
  }

  function buildDraft(t: TurnBuilder, request: RequestState, handoff: boolean): TicketDraft {
    const description = describe(t, request);
    const label = request.label ?? request.classification.inScopeLabel;
    // Missing: required details the person could not give (an optional "n.v.t." is an answer).
    const missing = missingRequired(request);
    return {
      idempotencyKey: requestKey(t, request),
      conversation: t.state.conversation,
      requester: { id: t.state.user?.id ?? '', ...(request.slots.name ? { name: request.slots.name } : {}) },
      label,
      title: titleOf(request),
      description,
      slots: Object.fromEntries(Object.entries(request.slots).filter(([k]) => k !== 'description')) as Slots,
      attachments: request.attachments,
      lang: t.lang,
      urgent: request.classification.urgent,
      priority: request.classification.urgent && label === 'incident' ? 'high' : 'normal',
      multiSubject: request.classification.multiSubject || request.list === true,
      missing,
      ...(request.proposed?.length ? { proposed: request.proposed } : {}),
      ...(request.billable ? { billable: request.billable } : {}),
      ...(request.registered !== undefined ? { registered: request.registered } : {}),
      ...(request.related ? { related: request.related } : {}),
      handoff,
      transcript: t.state.transcript.slice(-MAX_TRANSCRIPT),
      createdAt: t.ctx.now.toISOString(),
    };
  }

  /** The ticket's text: what the person wrote, and the answers kept as given that matched no directory. */
  function describe(t: TurnBuilder, request: RequestState): string {
    const given = Object.entries(request.given ?? {})
      .filter(([slot]) => request.slots[slot as keyof Slots] === undefined)
      .map(([slot, value]) =>
        say(config, t.lang, 'unmatched_note', { what: config.vocabulary.slots[slot as Slot][t.lang], value }),
      );
    return [request.text, ...request.extra, ...given].filter(Boolean).join('\n\n');
  }

  function titleOf(request: RequestState): string {
    const where = request.slots.academy ?? request.slots.site_id;
    const screen = config.directories.screens.find((s) => s.id === request.slots.screen)?.name;
    const source = request.subject ?? (request.text.length >= 8 ? request.text : textOf(request));
    const sentence = summarise(withoutPreamble(kit.withoutCourtesies(source) || source));
    const screenPrefix = screen && !fold(sentence).startsWith(fold(screen)) ? `${screen}:` : '';
    return [where ? `[${where}]` : '', screenPrefix, sentence].filter(Boolean).join(' ');
  }

  // ---- ticket outcomes ---------------------------------------------------------------------------

  /** The request being filed in this conversation right now, if `key` is its ticket. */
  function isCurrent(t: TurnBuilder, key: string): boolean {
    const request = t.state.request;
    return t.state.phase === 'filing' && request !== null && requestKey(t, request) === key;
  }

  function requestKey(t: TurnBuilder, request: RequestState): string {
    return `${t.state.conversation}#${request.seq}`;
  }

  function takePending(t: TurnBuilder, key: string) {
    const pending = t.state.pendingTickets ?? [];
    t.set({ pendingTickets: pending.filter((p) => p.key !== key) });
    return pending.find((p) => p.key === key);
  }

  function onFiled(t: TurnBuilder, key: string, ticket: FiledTicket): void {
    const pending = takePending(t, key);
    t.set({ lastTicket: ticket });
    if (!isCurrent(t, key)) {
      // The number of a ticket that waited in the outbox: the person has moved on, so name the request.
      if (!pending) return;
      const told = pending.subject ? 'filed_subject' : 'ticket_late';
      const parts = [say(config, t.lang, told, { ticket: ticket.id, title: pending.title })];
      if (pending.urgent) parts.push(say(config, t.lang, 'filed_urgent', { ticket: ticket.id }));
      t.reply(parts.join('\n\n'));
      // A handoff whose ticket waited in the outbox goes to the desk now, if a person can still take it.
      const waiting = t.state.phase === 'handoff' && t.state.pendingHandoff === key;
      if (pending.handoff && waiting) {
        const live = isOpen(t.ctx.now, config.helpdesk.hours) && t.ctx.desk === true;
        t.set({ pendingHandoff: null, handoff: { ticket: ticket.id, live, since: t.ctx.now.toISOString() } });
        if (live) t.effect({ type: 'desk_open', ticket: ticket.id });
        else t.set({ phase: 'done' });
      }
      return;
    }
    const request = t.state.request!;
    const wasHandoff = t.state.pendingHandoff === key;
    const open = isOpen(t.ctx.now, config.helpdesk.hours);
    // Outside contact hours there is no live handoff: the ticket waits for the morning.
    const live = wasHandoff && open && t.ctx.desk === true;
    t.set({
      phase: live ? 'handoff' : 'done',
      awaiting: null,
      request: null,
      pendingHandoff: null,
      ...unitOf(request),
      shared: { ...t.state.shared, ...pick(request.slots, SHARED_SLOTS) },
      ...(wasHandoff ? { handoff: { ticket: ticket.id, live, since: t.ctx.now.toISOString() } } : {}),
    });
    const opens = describeOpening(t);
    if (wasHandoff) {
      t.reply(say(config, t.lang, open ? 'handoff' : 'handoff_outside_hours', { ticket: ticket.id, opens }));
      if (live) t.effect({ type: 'desk_open', ticket: ticket.id, draft: buildDraft(t, request, true) });
      t.status = 'handoff';
      return;
    }
    const parts = [say(config, t.lang, 'filed', { ticket: ticket.id })];
    if (config.tickets.requester_notified) parts.push(say(config, t.lang, 'filed_by_mail'));
    // Urgent outside contact hours: when to call, not "call now" beside "we are closed".
    if (request.classification.urgent && open) parts.push(say(config, t.lang, 'filed_urgent', { ticket: ticket.id }));
    else if (request.classification.urgent)
      parts.push(say(config, t.lang, 'filed_urgent_closed', { ticket: ticket.id, opens }));
    else if (!open) parts.push(say(config, t.lang, 'filed_outside_hours', { opens }));
    if (missingRequired(request).length > 0) parts.push(say(config, t.lang, 'filed_partial'));
    if (request.label === 'complaint') parts.push(say(config, t.lang, 'complaint_followup'));
    // A second subject the splitter could not separate: the one-subject-per-ticket tip.
    const split = (t.state.queue?.length ?? 0) > 0 || request.list === true;
    if (request.classification.multiSubject && !split) parts.push(say(config, t.lang, 'multi_subject'));
    t.reply(parts.join('\n\n'));
    t.status = 'filed';
    nextSubject(t);
  }

  /** The next subject of a split message, triaged as its own request with the shared details known. */
  function nextSubject(t: TurnBuilder): void {
    const [next, ...rest] = t.state.queue ?? [];
    if (next === undefined) {
      // The last subject ended without a ticket of its own (refused, added to another, failed).
      fileKept(t);
      if (t.state.shared && Object.keys(t.state.shared).length > 0) t.set({ shared: {} });
      return;
    }
    const status = t.status;
    t.set({ queue: rest });
    t.reply(say(config, t.lang, 'multi_next', { subject: subjectOf(next) }));
    const shared = t.state.shared ?? {};
    triage(t, newRequest(t, next, [], { user: { id: '' } }, shared));
    // A ticket filed in this turn stays the turn's news even when the bot goes on asking.
    if (status === 'filed' && t.status !== 'filed') t.status = 'filed';
  }

  function onQueued(t: TurnBuilder, key: string): void {
    const current = isCurrent(t, key);
    t.reply(say(config, t.lang, 'ticket_queued'));
    if (!current) return;
    const request = t.state.request!;
    const wasHandoff = t.state.pendingHandoff === key;
    // A handoff keeps `pendingHandoff`: when the number comes, the desk gets it (see `onFiled`).
    t.set({
      phase: wasHandoff ? 'handoff' : 'done',
      awaiting: null,
      request: null,
      ...unitOf(request),
      shared: { ...t.state.shared, ...pick(request.slots, SHARED_SLOTS) },
    });
    t.status = wasHandoff ? 'handoff' : 'filed';
    nextSubject(t);
  }

  function onFailed(t: TurnBuilder, key: string): void {
    const current = isCurrent(t, key);
    // Kept, marked: a dead letter re-sent later (`triage tickets retry`) still brings its number here.
    const pending = t.state.pendingTickets ?? [];
    t.set({ pendingTickets: pending.map((p) => (p.key === key ? { ...p, failed: true } : p)) });
    t.reply(say(config, t.lang, 'ticket_failed'));
    if (!current) return;
    t.set({ phase: 'done', awaiting: null, request: null, pendingHandoff: null });
    t.status = 'done';
    nextSubject(t);
  }

  // ---- the agent desk and ticket status --------------------------------------------------------

  function onDesk(t: TurnBuilder, event: Extract<CoreEvent, { type: `agent_${string}` | `handoff_${string}` }>): void {
    const handoff = t.state.handoff;
    if (t.state.phase !== 'handoff' || !handoff) return;
    const agent = (p: Person) => p.name?.split(/\s+/)[0] ?? say(config, t.lang, 'duplicate_colleague');
    t.status = 'handoff';
    switch (event.type) {
      case 'agent_claimed':
        t.set({ handoff: { ...handoff, agent: event.agent } });
        t.reply(say(config, t.lang, 'handoff_claimed', { agent: agent(event.agent), ticket: handoff.ticket }));
        return;
      case 'agent_message':
        t.reply(say(config, t.lang, 'agent_says', { agent: agent(event.agent), text: event.text }));
        return;
      case 'handoff_queue':
        if (!handoff.agent) t.reply(say(config, t.lang, 'handoff_queue', { position: event.position }));
        return;
      case 'handoff_ended':
        t.set({ phase: 'done', handoff: undefined });
        t.reply(say(config, t.lang, event.how === 'resolved' ? 'handoff_resolved' : 'handoff_returned'));
        t.status = 'done';
        return;
    }
  }

  function onStatus(t: TurnBuilder, id: string, status: TicketState): void {
    t.reply(say(config, t.lang, `status_${status}`, { ticket: id }));
  }

  function describeOpening(t: TurnBuilder): string {
    const at = nextOpening(t.ctx.now, config.helpdesk.hours);
    const { day, time } = describeInstant(at, config.helpdesk.hours.timezone, LOCALES[t.lang]);
    return say(config, t.lang, 'opens_at', { day, time });
  }

  return { ...core, start, handle };
}

/** Whether a content type is in a list of types, where `type/*` and `prefix.*` stand for families. */
function typeAllowed(contentType: string, allowed: string[]): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p;
  });
}

/** Slots in `found` that `known` does not have yet (an answer never overwrites what was said). */
function onlyNew(known: Slots, found: Slots): Slots {
  return Object.fromEntries(Object.entries(found).filter(([k]) => known[k as keyof Slots] === undefined)) as Slots;
}

/** The academy or site a filed request named: the person's own, remembered for status questions. */
function unitOf(request: RequestState): Pick<ConversationState, 'unit'> {
  const unit = request.slots.academy ?? request.slots.site_id;
  return unit ? { unit } : {};
}

function pick(slots: Slots, keys: readonly (keyof Slots)[]): Slots {
  return Object.fromEntries(keys.filter((k) => slots[k] !== undefined).map((k) => [k, slots[k]])) as Slots;
}
