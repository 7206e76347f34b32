// A first message: one subject, two or three split into tickets of their own, or a list for e-mail.
import { numbered } from '../answers/lists.ts';
import { agentSuffix } from '../answers/personal.ts';
import { say } from '../messages.ts';
import { subjectOf } from '../summary.ts';
import type { Attachment, RequestState, Turn } from '../types.ts';
import { unitWord } from './choices.ts';
import { type Dialog, MAX_ANALYSED, pick, SHARED_SLOTS } from './context.ts';
import { fileKept } from './file.ts';
import { newRequest } from './request.ts';
import { triage } from './triage.ts';
import type { TurnBuilder } from './turn.ts';

/**
 * A first message: one subject is triaged as it is; two or three unrelated subjects become one
 * ticket each (shared details asked once); a longer list gets the e-mail advice and one ticket.
 */
export function startRequest(d: Dialog, t: TurnBuilder, text: string, attachments: Attachment[], input: Turn): void {
  t.restartTranscript();
  const questions = d.answers.lists.questionList(text.slice(0, MAX_ANALYSED));
  if (questions && questions.length >= 3) {
    offerListChoice(d, t, text, questions, attachments, input);
    return;
  }
  const split = d.classifier.subjects(text.slice(0, MAX_ANALYSED));
  // The numbered steps of one problem are one subject, one ticket.
  const subjects = d.kit.areSteps(split) ? [text] : split;
  if (subjects.length > d.config.multi_subject.max_split) {
    t.reply(say(d.config, t.lang, 'multi_list'));
    triage(d, t, { ...newRequest(d, t, text, attachments, input), list: true });
    return;
  }
  if (subjects.length >= 2) {
    const shared = pick(d.extractor.extract(text.slice(0, MAX_ANALYSED)), SHARED_SLOTS);
    const [first, ...rest] = subjects as [string, ...string[]];
    t.set({ queue: rest, shared });
    t.reply(say(d.config, t.lang, 'multi_split', { count: subjects.length, subject: subjectOf(first) }));
    triage(d, t, newRequest(d, t, first, attachments, input, shared));
    return;
  }
  const request = newRequest(d, t, text, attachments, input);
  if (promisesNoDate(d, t, request)) return;
  const mail = d.answers.personal.mailedPersonalAddress(text, t.lang);
  if (mail) t.reply(say(d.config, t.lang, 'personal_address', { agent: agentSuffix(mail) }));
  triage(d, t, request);
}

/**
 * "Tegen vrijdag klaar?" / "wanneer komt de nieuwe versie uit?": the helpdesk never promises a date. A
 * question about when a release or fix comes is answered with the changelog (no ticket); a wish for a
 * date on a request is said to be a wish, and the request goes on (its text carries the wish).
 */
function promisesNoDate(d: Dialog, t: TurnBuilder, request: RequestState): boolean {
  const date = d.answers.dates.asksForDate(request.text, t.lang);
  if (!date) return false;
  const breakage = request.classification.label === 'incident' || request.classification.label === 'out_of_scope';
  if (date.kind === 'when' && !breakage) {
    t.enter({ phase: 'done', awaiting: null, request: null });
    t.reply(say(d.config, t.lang, 'date_release'));
    t.effect({ type: 'answered_fact', fact: 'release_date' });
    t.status = 'done';
    return true;
  }
  t.reply(say(d.config, t.lang, 'date_no_promise', { wish: date.wish }));
  return false;
}

/**
 * A list of three or more questions: the helpdesk prefers lists by e-mail. The bot says so, quoting the
 * questions, and offers one ticket per question or the address.
 */
function offerListChoice(
  d: Dialog,
  t: TurnBuilder,
  text: string,
  questions: string[],
  attachments: Attachment[],
  input: Turn,
): void {
  const request = newRequest(d, t, text, attachments, input);
  t.enter({
    phase: 'choosing_list',
    awaiting: 'confirm',
    request,
    queue: questions,
    shared: pick(request.slots, SHARED_SLOTS),
  });
  const params = { count: questions.length, items: numbered(questions) };
  t.reply(say(d.config, t.lang, 'list_by_email', params), [
    { value: 'tickets', label: say(d.config, t.lang, 'list_choice_tickets') },
    { value: 'email', label: say(d.config, t.lang, 'list_choice_email') },
  ]);
  t.status = 'collecting';
}

/** One ticket per question of the list, or the list by e-mail. */
export function onListChoice(d: Dialog, t: TurnBuilder, request: RequestState, input: Turn): void {
  const questions = t.state.queue ?? [];
  const answer = input.choice ?? (d.kit.says(input.text, 'separate') ? 'tickets' : d.kit.yesNo(input.text));
  const tickets = answer === 'tickets' || answer === 'yes' || /ticket/i.test(input.text);
  if (!tickets || questions.length === 0) {
    const unit = unitWord(d, t.lang, d.config.profile === 'site');
    t.enter({ phase: 'done', awaiting: null, request: null, queue: [], shared: {} });
    t.reply(say(d.config, t.lang, 'list_email', { unit }));
    t.status = 'done';
    return;
  }
  const [first, ...rest] = questions as [string, ...string[]];
  t.set({ queue: rest });
  t.reply(say(d.config, t.lang, 'list_split', { count: questions.length, subject: subjectOf(first) }));
  triage(d, t, newRequest(d, t, first, request.attachments, input, t.state.shared ?? {}));
}

/** The next subject of a split message, triaged as its own request with the shared details known. */
export function nextSubject(d: Dialog, t: TurnBuilder): void {
  const [next, ...rest] = t.state.queue ?? [];
  if (next === undefined) {
    // The last subject ended without a ticket of its own (refused, added to another, failed).
    fileKept(d, t);
    if (t.state.shared && Object.keys(t.state.shared).length > 0) t.set({ shared: {} });
    return;
  }
  const status = t.status;
  t.set({ queue: rest });
  t.reply(say(d.config, t.lang, 'multi_next', { subject: subjectOf(next) }));
  const shared = t.state.shared ?? {};
  triage(d, t, newRequest(d, t, next, [], { user: { id: '' } }, shared));
  // A ticket filed in this turn stays the turn's news even when the bot goes on asking.
  if (status === 'filed' && t.status !== 'filed') t.status = 'filed';
}
