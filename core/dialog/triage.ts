// What a new request needs first: a refusal, a clarifying question, the kind, or its details.
import { IN_SCOPE_LABELS, type InScopeLabel, type Lang } from '../config/schema.ts';
import { fill, helpdeskParams, say } from '../messages.ts';
import { FUNCTION_WORD_SET } from '../text/lang.ts';
import { fold } from '../text/normalize.ts';
import type { Attachment, RequestState, Turn } from '../types.ts';
import { yesNo, yesOrNo } from './choices.ts';
import { ask, onDescription, proceed } from './collect.ts';
import { type Dialog, onlyNew } from './context.ts';
import { file } from './file.ts';
import { saysEnough, textOf } from './request.ts';
import { nextSubject } from './subjects.ts';
import type { TurnBuilder } from './turn.ts';

/** Decide what a new request needs: a refusal, a clarifying question, the kind, or its details. */
export function triage(d: Dialog, t: TurnBuilder, request: RequestState): void {
  const verdict = request.classification;
  const unsure = verdict.scores.out_of_scope < d.config.classifier.clarify_threshold;
  // Too little said to refuse on ("ik heb een vraag"): what it is about first, unless plainly out of scope.
  const tooLittle = !request.described && !request.asked.description && !saysEnough(d, request.text);
  if (verdict.label === 'out_of_scope' && unsure && tooLittle) {
    ask(d, t, request, 'description');
    return;
  }
  // The kind the person said ("ik heb een vraag over ..."), read once for both uses below.
  const named = d.kit.namesKind(textOf(request));
  if (unsure && named && kindSaid(d, t, request, named)) return;
  if (verdict.label === 'out_of_scope' && verdict.oosReason) {
    const clarify = d.config.scope.reasons[verdict.oosReason].clarify;
    // A check question about the printer or the network only when the message names one: unsure and
    // without such a word, the request is the helpdesk's.
    const named = d.evidence.get(verdict.oosReason)?.test(fold(textOf(request))) ?? true;
    // Just refused for this reason ("nee hoor, het script doet niks..."): no check question after the
    // refusal, but the refusal again with how to reach a person.
    const again = t.before.phase === 'rejected' && t.before.rejected?.classification.oosReason === verdict.oosReason;
    if (clarify && unsure && named && !again) {
      askClarify(d, t, request);
      return;
    }
    if (!unsure || !clarify || again) {
      reject(d, t, request);
      return;
    }
  }
  // Too little said to know what it is about: ask first, then read it again (see onDescription).
  if (!request.described && !request.asked.description) {
    ask(d, t, request, 'description');
    return;
  }
  const guess = verdict.label === 'out_of_scope' ? verdict.inScopeLabel : (verdict.label as InScopeLabel);
  if (verdict.confidence < d.config.classifier.ask_threshold) {
    // "Ik heb een vraag over ... en ..." names its kind; else the menu, once per request at most.
    if (!named && !request.menu) {
      askLabel(d, t, request, false);
      return;
    }
    request.label = named ?? guess;
  } else request.label = guess;
  delete request.chosen;
  proceed(d, t, request);
}

/**
 * "Vraagje over de uurroosters", "ik heb een vraag over de rapporten": the kind said, and little else
 * (the classifier reads a topic word, or "vraag over" as something out of scope): that kind, and the
 * question itself is asked. True when it took the turn.
 */
function kindSaid(d: Dialog, t: TurnBuilder, request: RequestState, named: InScopeLabel): boolean {
  if (request.chosen || !saysLittle(d, textOf(request))) return false;
  request.label = named;
  if (request.asked.description) proceed(d, t, request);
  else ask(d, t, request, 'description');
  return true;
}

/** Without its greeting and the words of any language's grammar, fewer words than a description. */
function saysLittle(d: Dialog, text: string): boolean {
  const body = d.kit.withoutCourtesies(text);
  const words = body.split(/\s+/).filter((w) => !FUNCTION_WORD_SET.has(fold(w).replace(/[^\p{L}\p{N}]+/gu, '')));
  return d.kit.contentWords(words.join(' ')) < d.config.conversation.min_description_words;
}

/** The out-of-scope reason's check question ("Does the device misbehave in other programs too?"). */
export function askClarify(d: Dialog, t: TurnBuilder, request: RequestState): void {
  const reason = request.classification.oosReason ?? 'other';
  const clarify = d.config.scope.reasons[reason].clarify;
  if (!clarify) {
    reject(d, t, request);
    return;
  }
  t.enter({ phase: 'clarifying', awaiting: 'confirm', request, misunderstood: 0 });
  t.reply(clarify.question[t.lang], yesNo(d, t.lang));
  t.status = 'collecting';
}

export function reject(d: Dialog, t: TurnBuilder, request: RequestState): void {
  const reason = request.classification.oosReason ?? 'other';
  const scope = d.config.scope.reasons[reason];
  // Refused for the same reason just before ("nee hoor, het script doet niks..."): one refused request
  // with both messages (a colleague asked for next sees the first one too), and how to reach a person.
  const before = t.before.phase === 'rejected' ? t.before.rejected : null;
  const again = before?.classification.oosReason === reason;
  if (before && again) {
    request = {
      ...before,
      extra: [...before.extra, request.text, ...request.extra],
      slots: { ...request.slots, ...before.slots },
      attachments: [...before.attachments, ...request.attachments],
    };
  }
  const message = again
    ? say(d.config, t.lang, 'rejected_again', helpdeskParams(d.config, t.lang))
    : say(d.config, t.lang, 'rejected', {
        explain: scope.explain[t.lang],
        referral: fill(scope.referral[t.lang], helpdeskParams(d.config, t.lang)),
      });
  t.enter({ phase: 'rejected', awaiting: null, rejected: request, request: null });
  t.reply(message);
  t.effect({ type: 'rejected', reason, text: message });
  t.status = 'rejected';
  nextSubject(d, t);
}

/** The answer to a clarifying question near the out-of-scope boundary decides: refuse, or triage. */
export function onClarify(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  input: Turn,
  attachments: Attachment[],
): void {
  const reason = request.classification.oosReason ?? 'other';
  const clarify = d.config.scope.reasons[reason].clarify;
  const answer = yesOrNo(d, input);
  request.attachments.push(...attachments);
  if (!clarify) {
    reject(d, t, request);
    return;
  }
  if (answer === null) {
    const misunderstood = t.state.misunderstood + 1;
    t.set({ misunderstood });
    if (input.text.trim()) request.extra.push(input.text.trim());
    if (misunderstood < d.config.conversation.max_asks) {
      t.reply(say(d.config, t.lang, 'clarify_retry', { question: clarify.question[t.lang] }), yesNo(d, t.lang));
      t.status = 'collecting';
      return;
    }
  }
  t.set({ misunderstood: 0 });
  if (answer === clarify.out_of_scope_if) {
    reject(d, t, request);
    return;
  }
  // Not the device, the network...: the helpdesk's business after all (an unclear answer too: a person decides).
  request.label = d.config.scope.reasons[reason].resume_as ?? request.classification.inScopeLabel;
  proceed(d, t, request);
}

function askLabel(d: Dialog, t: TurnBuilder, request: RequestState, retry: boolean): void {
  const choices = labelChoices(d, t.lang);
  const numbered = choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
  request.menu = true;
  t.enter({ phase: 'choosing_label', awaiting: 'label', request });
  const question = say(d.config, t.lang, retry ? 'label_retry' : 'ask_label', { choices: numbered });
  t.reply(t.noted ? say(d.config, t.lang, 'retry_noted', { question }) : question, choices);
  t.status = 'collecting';
}

/** A detail instead of a kind ("academie Brugge"): kept, so it is not asked again, and the menu shown again. */
function detailForLater(d: Dialog, t: TurnBuilder, request: RequestState, text: string): boolean {
  const details = onlyNew(request.slots, d.extractor.extract(text));
  if (Object.keys(details).length === 0) return false;
  Object.assign(request.slots, details);
  t.noted = true;
  askLabel(d, t, request, true);
  return true;
}

/** The kind picked from the menu; an explanation instead is read as the request, two misses go on with the best guess. */
export function onLabelChoice(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  input: Turn,
  attachments: Attachment[],
): void {
  const picked = parseLabel(d, input.choice ?? input.text);
  request.attachments.push(...attachments);
  if (!picked && !input.choice && saysEnough(d, input.text)) {
    // Not a kind but what it is about ("met de zoekfunctie, die vindt niks meer"): read it again with it.
    onDescription(d, t, request, input.text.trim());
    return;
  }
  if (!picked && !input.choice && detailForLater(d, t, request, input.text)) return;
  if (!picked) {
    const misunderstood = t.state.misunderstood + 1;
    t.set({ misunderstood });
    if (misunderstood < d.config.conversation.max_asks) {
      askLabel(d, t, request, true);
      return;
    }
    // Misunderstood twice: the best guess goes on (an agent corrects the kind), or, when configured, a
    // person takes over; never with the misunderstood answers as the request.
    request.label = request.classification.inScopeLabel;
    delete request.chosen;
    if (d.config.handoff.on_misunderstood && request.described) {
      t.set({ misunderstood: 0 });
      file(d, t, request, 'misunderstood');
      return;
    }
  } else {
    request.label = picked;
    request.chosen = true;
  }
  t.set({ misunderstood: 0 });
  proceed(d, t, request);
}

/** The kind picked from the menu: a number, a number word, the menu's wording in any language, a kind word. */
function parseLabel(d: Dialog, answer: string): InScopeLabel | null {
  return d.kit.label(answer, d.menuWording);
}

function labelChoices(d: Dialog, lang: Lang): { value: string; label: string }[] {
  return IN_SCOPE_LABELS.map((label) => ({ value: label, label: say(d.config, lang, `label_choice_${label}`) }));
}

/** "It is not the printer after all": the refused request resumes with what the person adds. */
export function resumeAfterOverride(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  text: string,
  attachments: Attachment[],
): void {
  const reason = request.classification.oosReason;
  request.label = (reason && d.config.scope.reasons[reason].resume_as) || request.classification.inScopeLabel;
  request.extra.push(text);
  request.attachments.push(...attachments);
  Object.assign(request.slots, onlyNew(request.slots, d.extractor.extract(text)));
  t.set({ rejected: null });
  t.reply(say(d.config, t.lang, 'override_resumed'));
  proceed(d, t, request);
}
