// Gathering a request's details: ask the next one, hear the answer, go on to the checks before filing.
import type { Slot } from '../config/schema.ts';
import { isImage } from '../extract/index.ts';
import { say } from '../messages.ts';
import { fold } from '../text/normalize.ts';
import type { Attachment, RequestState, Slots } from '../types.ts';
import { beforeFiling, deflect, warnBillable } from './checks.ts';
import { type Dialog, MAX_ANALYSED, onlyNew, roundedScores } from './context.ts';
import { lookUpOpenTickets } from './duplicates.ts';
import { hearDetail, tellsMore } from './prompts.ts';
import { rulesFor, saysEnough, textOf } from './request.ts';
import { triage } from './triage.ts';
import type { TurnBuilder } from './turn.ts';

/** Ask one detail (a second time with "I didn't quite get that"). */
export function ask(d: Dialog, t: TurnBuilder, request: RequestState, slot: Slot): void {
  const asked = request.asked[slot] ?? 0;
  request.asked[slot] = asked + 1;
  const question = say(d.config, t.lang, `ask_${slot}`);
  t.enter({ phase: 'collecting', awaiting: slot, request });
  t.reply(asked === 0 ? question : say(d.config, t.lang, 'retry', { question }));
  t.status = 'collecting';
}

/** The answer to the detail asked: every new detail it holds is taken, then the next question or the checks. */
export function onAnswer(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  text: string,
  attachments: Attachment[],
): void {
  const slot = t.state.awaiting as Slot | null;
  // "Nog iets anders: ..." instead of the detail: another subject, taken after this one.
  const another = slot && slot !== 'description' && attachments.length === 0 ? d.kit.newSubject(text) : null;
  if (slot && another) {
    t.set({ queue: [...(t.state.queue ?? []), another] });
    t.reply(say(d.config, t.lang, 'subject_later'));
    t.reply(say(d.config, t.lang, `ask_${slot}`));
    t.status = 'collecting';
    return;
  }
  request.attachments.push(...attachments);
  if (slot === 'description') {
    onDescription(d, t, request, text);
    return;
  }
  // Several details in one answer: take every new one the answer holds.
  const found = onlyNew(request.slots, d.extractor.extract(text));
  if ((slot === 'screenshot' || slot === 'error_message') && attachments.length === 0 && d.kit.noError(text)) {
    // No error message to give: neither the screenshot of one nor its text; the rest is more story.
    request.absent = ['screenshot', 'error_message'];
    if (tellsMore(text, d.config.conversation.min_description_words)) request.extra.push(text);
    Object.assign(request.slots, found);
    proceed(d, t, request);
    return;
  }
  if (slot) {
    const heard = hearDetail(slot, text, attachments, d);
    if (heard.kind === 'value') {
      if (slot !== 'screenshot') found[slot] = heard.value;
    } else if (heard.kind === 'declined') {
      declined(d, t, request, slot);
    } else {
      notUnderstood(d, t, request, slot, text, found);
    }
  } else if (text) {
    request.extra.push(text);
  }
  Object.assign(request.slots, found);
  proceed(d, t, request);
}

/** "Weet ik niet", "heb ik niet": asked once is enough; an optional detail gets a short "no problem". */
function declined(d: Dialog, t: TurnBuilder, request: RequestState, slot: Slot): void {
  request.skipped.push(slot);
  const rule = rulesFor(d, request).find((r) => r.slot === slot);
  if (!rule?.required) t.reply(say(d.config, t.lang, 'skip_ack'));
}

/**
 * An answer that is not the detail asked: a longer one is more of the story; at the screenshot question a
 * typed text is the error text; after the last try the person's words are kept for the ticket as given.
 */
function notUnderstood(d: Dialog, t: TurnBuilder, request: RequestState, slot: Slot, text: string, found: Slots): void {
  const rule = rulesFor(d, request).find((r) => r.slot === slot);
  const typedError = !d.kit.mentionsScreenshot(text);
  if (
    slot === 'screenshot' &&
    typedError &&
    rule?.alternatives.includes('error_message') &&
    !request.slots.error_message
  ) {
    const error = hearDetail('error_message', text, [], d);
    if (error.kind === 'value') {
      found.error_message = error.value;
      return;
    }
  }
  const lastTry = (request.asked[slot] ?? 0) >= d.config.conversation.max_asks;
  if (tellsMore(text, d.config.conversation.min_description_words)) request.extra.push(text);
  // "Bedankt!", "hallo" are no academy or student: never kept as what the person gave.
  else if (text && !d.kit.thanks(text) && !d.kit.greetingOnly(text))
    request.given = { ...request.given, [slot]: text.slice(0, 200) };
  if (!lastTry) return;
  request.skipped.push(slot);
  const given = request.given?.[slot];
  if (given) {
    const what = d.config.vocabulary.slots[slot][t.lang];
    t.reply(say(d.config, t.lang, 'unmatched_kept', { value: given, what }));
  }
}

/**
 * The person's own explanation, asked because the opening said too little ("het werkt niet"): it becomes
 * the ticket's subject, and the request is read again with it (the kind may only now be clear).
 */
export function onDescription(d: Dialog, t: TurnBuilder, request: RequestState, text: string): void {
  const heard = hearDetail('description', text, [], d);
  if (heard.kind !== 'value') {
    if (heard.kind === 'declined' || (request.asked.description ?? 0) >= d.config.conversation.max_asks) {
      request.skipped.push('description');
    }
    // Nothing said of what it is about: no ticket made of "nee" or "?".
    if (!request.described && request.skipped.includes('description')) {
      t.enter({ phase: 'done', awaiting: null, request: null, queue: [] });
      t.reply(say(d.config, t.lang, 'nothing_to_file'));
      t.status = 'done';
      return;
    }
    if (request.label) proceed(d, t, request);
    else triage(d, t, request);
    return;
  }
  const explanation = d.kit.withoutCourtesies(heard.value) || heard.value;
  request.extra.push(explanation);
  request.subject = explanation;
  request.described = true;
  Object.assign(request.slots, onlyNew(request.slots, d.extractor.extract(explanation)));
  if (request.chosen) {
    proceed(d, t, request);
    return;
  }
  // An opening that said nothing ("ik heb een probleem") has nothing to add to the explanation's reading.
  const read = saysEnough(d, request.text) ? [request.text, explanation].join('\n') : explanation;
  const reread = d.classifier.classify(read.slice(0, MAX_ANALYSED), t.lang);
  const { reasons: _reasons, ...classification } = reread;
  request.classification = roundedScores(classification);
  request.label = null;
  triage(d, t, request);
}

/** Ask the next missing detail, or file the ticket when nothing required is missing. */
export function proceed(d: Dialog, t: TurnBuilder, request: RequestState): void {
  request.checks ??= {};
  // The helpdesk's rules that can spare the person the questions: the manual, the billing warning,
  // and an open ticket on the same subject (as soon as the academy or site is known).
  if (!request.checks.manual) {
    request.checks.manual = true;
    if (deflect(d, t, request)) return;
  }
  if (!request.checks.billing) {
    request.checks.billing = true;
    if (warnBillable(d, t, request)) return;
  }
  if (!request.checks.duplicates && (request.slots.academy || request.slots.site_id)) {
    lookUpOpenTickets(d, t, request);
    return;
  }
  const known = (slot: Slot) =>
    slot === 'screenshot'
      ? request.attachments.some(isImage)
      : slot === 'description'
        ? request.described === true
        : request.slots[slot] !== undefined;
  for (const rule of rulesFor(d, request)) {
    if (rule.when_screen && !(request.slots.screen && rule.when_screen.includes(request.slots.screen))) continue;
    if (d.unlessCues.get(rule)?.test(fold(textOf(request)))) continue;
    if (known(rule.slot) || rule.alternatives.some(known)) continue;
    if (request.absent?.includes(rule.slot)) continue;
    if (request.skipped.includes(rule.slot)) {
      // No screenshot: the error text instead, asked once.
      const instead = rule.alternatives.find((alt) => !request.skipped.includes(alt) && !request.asked[alt]);
      if (instead) {
        ask(d, t, request, instead);
        return;
      }
      continue;
    }
    if ((request.asked[rule.slot] ?? 0) >= d.config.conversation.max_asks) {
      request.skipped.push(rule.slot);
      continue;
    }
    ask(d, t, request, rule.slot);
    return;
  }
  beforeFiling(d, t, request);
}
