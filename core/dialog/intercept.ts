// Whole-message intents that take precedence over the pending question, each only where it makes sense.
import type { FactAnswer } from '../answers/facts.ts';
import { say } from '../messages.ts';
import { fold, words } from '../text/normalize.ts';
import type { Attachment, Turn } from '../types.ts';
import { addendum } from './addendum.ts';
import { type Dialog, MAX_ANALYSED, type Said } from './context.ts';
import { fileKept } from './file.ts';
import { handOff } from './handoff.ts';
import { askedProgress } from './progress.ts';
import { saysEnough } from './request.ts';
import { lookUpStatus } from './status.ts';
import { startRequest } from './subjects.ts';
import { statusOf, type TurnBuilder } from './turn.ts';

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

/** A message as an interceptor reads it: and whether it came between requests (no question pending). */
interface Heard extends Said {
  idle: boolean;
}

/** Reads one whole-message intent; true when it took the turn. */
type Interceptor = (d: Dialog, t: TurnBuilder, heard: Heard) => boolean;

/** Intents that hold even for a button press: cancel, and relay during a live handoff. */
const ALWAYS: readonly Interceptor[] = [cancel, relay];

/** Intents of what the person typed, in order of precedence. */
const TYPED: readonly Interceptor[] = [
  moreForTicket,
  punctuationOnly,
  progress,
  status,
  colleagueNamed,
  personAsked,
  thanked,
  fact,
  greeting,
];

/**
 * Intents that take precedence over the pending question: cancel, relay to the agent, a status look-up,
 * a named colleague, a request for a person, thanks, a bare greeting. Returns true when one took the turn.
 */
export function intercept(d: Dialog, t: TurnBuilder, said: Said): boolean {
  const heard = { ...said, idle: between(t) };
  if (ALWAYS.some((step) => step(d, t, heard))) return true;
  if (said.input.choice) return false;
  return TYPED.some((step) => step(d, t, heard));
}

/** "Laat maar", "stop": the request is dropped, while a question is pending. */
function cancel(d: Dialog, t: TurnBuilder, { text, idle }: Heard): boolean {
  if (idle || t.state.phase === 'handoff' || !cancelled(d, text)) return false;
  // Subjects of a split message already complete are filed all the same, and the person told so.
  const kept = (t.state.ready ?? []).length > 0;
  t.enter({ phase: 'done', request: null, awaiting: null, queue: [], shared: {} });
  t.reply(say(d.config, t.lang, kept ? 'cancelled_rest' : 'cancelled'));
  fileKept(d, t);
  t.status = 'done';
  return true;
}

/** Handed to a person: what the person says goes to the agent; the bot keeps silent. */
function relay(_d: Dialog, t: TurnBuilder, { text, attachments }: Heard): boolean {
  if (t.state.phase !== 'handoff' || !t.state.handoff?.live) return false;
  t.effect({ type: 'relay', text, attachments });
  t.status = 'handoff';
  return true;
}

/** A file or "ik vergat te zeggen..." right after a ticket: a note on it (see addendum.ts). */
function moreForTicket(d: Dialog, t: TurnBuilder, { text, attachments, idle }: Heard): boolean {
  return idle && addendum(d, t, text, attachments);
}

/** "??" or "..." between requests: what can the bot do for them. */
function punctuationOnly(d: Dialog, t: TurnBuilder, { text, attachments, idle }: Heard): boolean {
  if (!idle || attachments.length > 0 || /[\p{L}\p{N}]/u.test(text)) return false;
  t.reply(say(d.config, t.lang, 'empty'));
  t.status = 'done';
  return true;
}

/** "Is het al opgelost?" between requests or instead of an opening. */
function progress(d: Dialog, t: TurnBuilder, { input, text, attachments, idle }: Heard): boolean {
  return (idle || t.state.phase === 'opening') && askedProgress(d, t, text, attachments, input);
}

/** "Status van HD-000123?"; "status?" between requests. */
function status(d: Dialog, t: TurnBuilder, { text, idle }: Heard): boolean {
  return lookUpStatus(d, t, text, idle);
}

/** "Kan ik Sandra spreken?" */
function colleagueNamed(d: Dialog, t: TurnBuilder, { input, text, attachments, idle }: Heard): boolean {
  const named = d.kit.namedColleague(text);
  if (!named) return false;
  namedColleague(d, t, named.rest, attachments, input, idle);
  return true;
}

/** "Ik wil een medewerker spreken": a person takes over. */
function personAsked(d: Dialog, t: TurnBuilder, { input, text, attachments }: Heard): boolean {
  if (!d.kit.asksForPerson(text)) return false;
  handOff(d, t, text, attachments, input, 'asked');
  return true;
}

/** "Dank u wel!", "ok", "nee hoor" between requests: answered politely, no new request. */
function thanked(d: Dialog, t: TurnBuilder, { text, attachments, idle }: Heard): boolean {
  const thanks = d.kit.thanks(text);
  const acknowledges = thanks || d.kit.yesNo(text) !== null || d.kit.declines(text);
  // A short "ok" or "nee hoor"; thanks as long as the thanks recognizer allows ("het is gelukt, bedankt voor ...").
  if (!idle || attachments.length > 0 || !acknowledges || (!thanks && words(fold(text)).length > 4)) return false;
  t.reply(say(d.config, t.lang, thanks ? 'thanks_reply' : 'acknowledged'));
  t.status = t.state.phase === 'handoff' ? 'handoff' : 'done';
  return true;
}

/**
 * The whole message cancels, or its last sentence does after a short one ("wacht, het staat er nu wel.
 * laat maar"; "laat maar, zeg ik").
 */
function cancelled(d: Dialog, text: string): boolean {
  if (d.kit.cancels(text)) return true;
  const sentences = text.split(/(?<=[.!?;,])\s+/u).filter((s) => s.trim());
  if (sentences.length < 2 || sentences.length > 3) return false;
  // "Oh wacht, laat maar, ik vraag het liever per mail": one of a few short clauses cancels.
  const cancels = sentences.some((s) => d.kit.cancels(s.replace(/[.!?;,]+$/u, '')));
  return cancels && words(fold(text)).length <= 12;
}

/** A fact about the helpdesk (hours, phone) between requests or instead of an opening. */
function fact(d: Dialog, t: TurnBuilder, { text, attachments, idle, input }: Heard): boolean {
  if (!idle && t.state.phase !== 'opening') return false;
  // One sentence of a short message that asks a fact, read once: beside a remark or before a request.
  const split = factSentence(d, t, text);
  const request = split !== null && isRequest(d, split.rest);
  if (attachments.length === 0 && answerFact(d, t, text, request ? null : split?.fact)) return true;
  return split !== null && request && factBeforeRequest(d, t, split, attachments, input);
}

/** "Goedemorgen" alone: greeted back, and asked what it is about. */
function greeting(d: Dialog, t: TurnBuilder, { text, attachments, idle }: Heard): boolean {
  if (!idle || attachments.length > 0 || !d.kit.greetingOnly(text)) return false;
  t.enter({ phase: 'opening', awaiting: 'description', request: null, rejected: null });
  t.reply(say(d.config, t.lang, 'greeting_reply'));
  t.status = 'collecting';
  return true;
}

/**
 * "Tot hoe laat zijn jullie open?", "wat is jullie telefoonnummer?": a fact about the helpdesk, answered
 * at once from config in the person's language; no ticket, and the conversation stays open for a request.
 */
function answerFact(d: Dialog, t: TurnBuilder, text: string, besideRemark?: FactAnswer | null): boolean {
  const fact = d.answers.facts.answer(text, t.lang, t.ctx.now) ?? besideRemark;
  if (!fact || asksOutOfScope(d, t, text)) return false;
  t.enter({ phase: 'done', awaiting: null, request: null });
  t.reply(`${fact.text}\n\n${say(d.config, t.lang, 'fact_more')}`);
  t.effect({ type: 'answered_fact', fact: fact.id });
  t.status = 'done';
  return true;
}

/**
 * "Tot hoe laat zijn jullie open? De rapporten van 3B tonen een fout gemiddelde.": the fact is answered
 * and the rest is the request, read without the fact's sentence (which would make it a question).
 */
function factBeforeRequest(
  d: Dialog,
  t: TurnBuilder,
  split: FactSplit,
  attachments: Attachment[],
  input: Turn,
): boolean {
  t.reply(split.fact.text);
  t.effect({ type: 'answered_fact', fact: split.fact.id });
  startRequest(d, t, split.rest, attachments, input);
  return true;
}

/** "Kunnen jullie ter plaatse komen?" names the out-of-scope rule, but asks for it: refused with its referral. */
function asksOutOfScope(d: Dialog, t: TurnBuilder, text: string): boolean {
  const verdict = d.classifier.classify(text.slice(0, MAX_ANALYSED), t.lang);
  return verdict.label === 'out_of_scope' && verdict.confidence >= d.config.classifier.clarify_threshold;
}

/** A fact asked in one sentence of a short message, and the message's other sentences. */
interface FactSplit {
  fact: FactAnswer;
  rest: string;
}

/**
 * The one sentence of a short message (two or three sentences) that asks a fact, and the others: "Kan
 * ik iemand bellen? Ik snap er niks van." (a remark beside it), or a request beside it.
 */
function factSentence(d: Dialog, t: TurnBuilder, text: string): FactSplit | null {
  const sentences = text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (sentences.length < 2 || sentences.length > 3) return null;
  for (const [i, sentence] of sentences.entries()) {
    const score = d.answers.facts.score(sentence);
    if (!sentence.includes('?') || !score || score.score < d.config.facts.sentence_min_score) continue;
    const fact = d.answers.facts.answer(sentence, t.lang, t.ctx.now);
    if (fact && !asksOutOfScope(d, t, sentence)) return { fact, rest: sentences.filter((_, j) => j !== i).join(' ') };
  }
  return null;
}

/** A text that is a request of its own: a detail of one named, or as many content words as a description. */
function isRequest(d: Dialog, text: string): boolean {
  return (
    Object.keys(d.extractor.extract(text)).length > 0 ||
    d.kit.contentWords(text) >= d.config.conversation.min_description_words
  );
}

/**
 * "Kan ik Sandra spreken?": the honest answer (any colleague can help, no promise of that person); what
 * else the message says is the request, else the bot asks what it is about.
 */
function namedColleague(
  d: Dialog,
  t: TurnBuilder,
  rest: string,
  attachments: Attachment[],
  input: Turn,
  idle: boolean,
): void {
  const content = d.kit.withoutCourtesies(rest);
  if (!idle) {
    t.reply(say(d.config, t.lang, 'named_agent_go_on'));
    t.status = statusOf(t.state);
    return;
  }
  // "... van jullie team?", "directement": no story; "De export loopt vast" is one.
  if (saysEnough(d, content)) {
    t.reply(say(d.config, t.lang, 'named_agent_go_on'));
    startRequest(d, t, content, attachments, input);
    return;
  }
  t.enter({ phase: 'opening', awaiting: 'description', request: null, rejected: null });
  t.reply(say(d.config, t.lang, 'named_agent'));
  t.status = 'collecting';
}
