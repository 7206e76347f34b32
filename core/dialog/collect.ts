// Gathering a request's details: ask the next one, hear the answer, go on to the checks before filing.
import type { Slot } from '../config/schema.ts';
import { isImage, writtenName } from '../extract/index.ts';
import { say } from '../messages.ts';
import { fold, words } from '../text/normalize.ts';
import type { Attachment, RequestState, Slots } from '../types.ts';
import { beforeFiling, deflect, warnBillable } from './checks.ts';
import { displayValue } from './confirm.ts';
import { type Dialog, MAX_ANALYSED, onlyNew, roundedScores } from './context.ts';
import { lookUpOpenTickets } from './duplicates.ts';
import { hearDetail, tellsMore } from './prompts.ts';
import { rulesFor, saysEnough, textOf } from './request.ts';
import { askClarify, reject, triage } from './triage.ts';
import type { TurnBuilder } from './turn.ts';

/** Ask one detail (a second time with "I didn't quite get that"). */
export function ask(d: Dialog, t: TurnBuilder, request: RequestState, slot: Slot): void {
  const asked = request.asked[slot] ?? 0;
  request.asked[slot] = asked + 1;
  // What it is about, worded for the kind the person named ("ik wil een klacht indienen").
  const kind = slot === 'description' ? (request.label ?? d.kit.namesKind(textOf(request))) : null;
  // A page to change is not "where it happens".
  const key =
    kind === 'question' || kind === 'complaint'
      ? (`ask_description_${kind}` as const)
      : slot === 'url' && request.label === 'change'
        ? 'ask_url_change'
        : (`ask_${slot}` as const);
  const question = say(d.config, t.lang, key);
  t.enter({ phase: 'collecting', awaiting: slot, request });
  // "Academie Gent" in the opening, not in the directory: the person hears it was read, not ignored.
  const unknown = request.given?.[slot];
  if (asked === 0 && unknown) {
    t.reply(say(d.config, t.lang, 'ask_unknown', { value: unknown, question }));
    t.status = 'collecting';
    return;
  }
  // Asked again after more of the story instead of the detail: the words are kept, not "not understood".
  const again = t.noted ? 'retry_noted' : 'retry';
  const asking = asked === 0 ? question : say(d.config, t.lang, again, { question });
  t.reply(t.preface ? say(d.config, t.lang, t.preface.message, { ...t.preface, question }) : asking);
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
  if (slot && anotherSubject(d, t, slot, text, attachments)) return;
  request.attachments.push(...attachments);
  if (slot === 'description') {
    onDescription(d, t, request, text);
    return;
  }
  // Several details in one answer: take every new one the answer holds.
  const all = d.extractor.extract(text);
  const found = onlyNew(request.slots, all);
  if (!slot) {
    if (text) request.extra.push(text);
  } else {
    const answer: Answer = { slot, text, attachments, all, found };
    const taken = READERS.some((read) => read(d, t, request, answer));
    if (!taken && detail(d, t, request, answer)) return;
  }
  Object.assign(request.slots, found);
  proceed(d, t, request);
}

/** The answer to an asked detail: every detail read in it (`all`), and those new to the request (`found`). */
interface Answer {
  slot: Slot;
  text: string;
  attachments: Attachment[];
  all: Slots;
  found: Slots;
}

/** Reads an answer that is something else than the detail asked; true when it took it. */
type Reader = (d: Dialog, t: TurnBuilder, request: RequestState, answer: Answer) => boolean;

/** "Nog iets anders: ..." instead of the detail: another subject, taken after this one. */
function anotherSubject(d: Dialog, t: TurnBuilder, slot: Slot, text: string, attachments: Attachment[]): boolean {
  const another = slot !== 'description' && attachments.length === 0 ? d.kit.newSubject(text) : null;
  if (!another) return false;
  t.set({ queue: [...(t.state.queue ?? []), another] });
  t.reply(say(d.config, t.lang, 'subject_later'));
  t.reply(say(d.config, t.lang, `ask_${slot}`));
  t.status = 'collecting';
  return true;
}

/** "Jef Peeters, jef@..., 02 553 12 34" at any question: the contact details, never an error text. */
const contactLine: Reader = (d, t, request, { slot, text, attachments, found }) => {
  const contact = attachments.length === 0 ? d.extractor.contact(text) : null;
  if (!contact) return false;
  Object.assign(found, onlyNew({ ...request.slots, ...found }, contact));
  t.noted = !(slot in contact);
  return true;
};

/**
 * "Geen foutmelding": neither the screenshot of one nor its text; the rest is more story. Said at
 * another question ("over welke leerling?"): noted, and that question asked again.
 */
const noErrorMessage: Reader = (d, t, request, { slot, text, attachments }) => {
  if (attachments.length > 0 || !d.kit.noError(text)) return false;
  request.absent = ['screenshot', 'error_message'];
  t.noted = slot !== 'screenshot' && slot !== 'error_message';
  if (tellsMore(text, d.config.conversation.min_description_words)) request.extra.push(text);
  return true;
};

/**
 * A ticket number ("HD-000456"), a question of the person's own ("wanneer wordt dit opgelost?") or a
 * detail said before, at the error or name question: kept with the request, the question asked again.
 */
const notThisDetail: Reader = (d, t, request, { slot, text, attachments }) => {
  if (!FREE_OR_FILE.has(slot) || attachments.length > 0) return false;
  if (!notTheDetail(d, text) && !repeats(request, text) && !d.kit.seeAbove(text)) return false;
  request.extra.push(text);
  t.noted = true;
  return true;
};

/** "Nee, dat lukt hier niet" at the screenshot or error question: none to give; the rest is story. */
const noneToGive: Reader = (d, t, request, { slot, text, attachments }) => {
  if (slot !== 'screenshot' && slot !== 'error_message') return false;
  if (attachments.length > 0 || quotes(text) || !d.kit.plainNo(text)) return false;
  declined(d, t, request, slot);
  if (tellsMore(text, d.config.conversation.min_description_words)) request.extra.push(text);
  return true;
};

/**
 * A name (two to four capitalised words and nothing else) where another detail was asked, the name not
 * known yet: "Joke Maes" at the e-mail or phone question; "Tine Claeys" at the screenshot or error
 * question of a request that will ask the name (given ahead, not an error text).
 */
const nameElsewhere: Reader = (d, t, request, { slot, text, attachments, found }) => {
  const ahead = slot === 'screenshot' || slot === 'error_message';
  if ((!ahead && slot !== 'email' && slot !== 'phone') || attachments.length > 0 || request.slots.name) return false;
  if (ahead && !rulesFor(d, request).some((r) => r.slot === 'name')) return false;
  const name = writtenName(text);
  if (!name) return false;
  found.name = name;
  t.noted = true;
  return true;
};

/** Details a person may correct while the questions go on. */
const CORRECTABLE: readonly Exclude<Slot, 'screenshot' | 'description' | 'error_message'>[] = [
  'academy',
  'site_id',
  'student',
  'screen',
  'url',
  'name',
  'email',
  'phone',
];

/**
 * "Sorry, het is niet Ieper maar Lier", "oh wacht, site 6243 niet 6234": a detail given before is
 * replaced by the right one (never by the wrong value named), said back, and the question goes on.
 */
const correction: Reader = (d, t, request, { text, attachments }) => {
  const kept = attachments.length === 0 ? d.kit.correction(text) : null;
  if (kept === null) return false;
  const right = d.extractor.extract(kept);
  if (request.slots.student && !right.student && d.kit.renames(kept)) {
    right.student = d.extractor.answer('student', kept, []) ?? undefined;
  }
  const changed = CORRECTABLE.filter(
    (slot) => right[slot] && request.slots[slot] && right[slot] !== request.slots[slot],
  );
  if (changed.length === 0) return false;
  const vocabulary = d.config.vocabulary.slots;
  const details = changed
    .map((slot) => {
      request.slots[slot] = right[slot];
      return `${vocabulary[slot][t.lang]} ${displayValue(d, slot, right[slot]!)}`;
    })
    .join(', ');
  t.preface = { message: 'corrected', details };
  return true;
};

/**
 * "Tot hoe laat zijn jullie open?", "when will I get a reply?" at a question: the fact answered (a
 * question that plainly asks it), then the question goes on; never a detail.
 */
const factAsked: Reader = (d, t, request, { slot, text, attachments }) => {
  const score = attachments.length === 0 && text.includes('?') ? d.answers.facts.score(text) : null;
  if (!score || score.score < d.config.facts.sentence_min_score) return false;
  const fact = d.answers.facts.answer(text, t.lang, t.ctx.now);
  if (!fact) return false;
  t.reply(fact.text);
  t.preface = { message: 'fact_go_on' };
  // Answering the person's own question does not use up one of the asks of this detail.
  request.asked[slot] = Math.max(0, (request.asked[slot] ?? 1) - 1);
  return true;
};

/** "Is er al nieuws over mijn ticket?" before the ticket exists: said so, and the question asked again. */
const statusMidway: Reader = (d, t, _request, { text, attachments }) => {
  if (attachments.length > 0 || d.ticketPattern.test(text) || !d.kit.asksStatus(text)) return false;
  t.preface = { message: 'status_not_yet' };
  return true;
};

/**
 * "Scherm rapporten > afdrukken", "écran bulletins" at the student, screenshot or error question: the
 * screen (kept when new), not a student's name or the error text (only a screen and a few words).
 */
const screenNamed: Reader = (_d, t, request, { slot, text, attachments, all, found }) => {
  if (!SCREEN_ELSEWHERE.has(slot) || attachments.length > 0 || quotes(text)) return false;
  const screen = all.screen;
  if (!screen || words(fold(text)).length > 4) return false;
  if (!request.slots.screen) found.screen = screen;
  t.noted = true;
  return true;
};

const SCREEN_ELSEWHERE: ReadonlySet<Slot> = new Set(['student', 'screenshot', 'error_message']);

const READERS: readonly Reader[] = [
  correction,
  factAsked,
  statusMidway,
  screenNamed,
  contactLine,
  noErrorMessage,
  notThisDetail,
  noneToGive,
  nameElsewhere,
];

/** The detail asked, read from the answer; true when the story refused the request (the turn is over). */
function detail(d: Dialog, t: TurnBuilder, request: RequestState, { slot, text, attachments, found }: Answer): boolean {
  // A file without a word at another question: kept with the request, and that question asked again.
  t.noted = !text.trim() && attachments.length > 0;
  const heard = hearDetail(slot, text, attachments, d);
  if (heard.kind === 'value') {
    if (slot !== 'screenshot') found[slot] = heard.value;
  } else if (heard.kind === 'declined') {
    declined(d, t, request, slot);
  } else {
    // Not this detail by the answer's own reading ("Kortrijk en Mol"): nor by the first name in it.
    if (slot !== 'screenshot') delete found[slot];
    return notUnderstood(d, t, request, slot, text, found);
  }
  return false;
}

/**
 * A short answer that names a screen or an academy ("het scherm export", with the screen's own word in
 * any language): a place, not an error text.
 */
function namesPlace(d: Dialog, text: string): boolean {
  if (tellsMore(text, d.config.conversation.min_description_words)) return false;
  const found = d.extractor.extract(text);
  if (found.screen !== undefined || found.academy !== undefined || found.site_id !== undefined) return true;
  const said = new Set(words(fold(text)));
  return Object.values(d.config.vocabulary.slots.screen).some((w) => said.has(fold(w)));
}

/** The details answered in the person's own words (or with a file). */
const FREE_OR_FILE: ReadonlySet<Slot> = new Set(['error_message', 'screenshot', 'name']);

/** A ticket number alone, or a question of the person's own ("wanneer wordt dit opgelost?"): no detail. */
function notTheDetail(d: Dialog, text: string): boolean {
  const trimmed = text.trim();
  const references = new RegExp(d.ticketPattern.source, 'gi');
  if (references.test(trimmed) && trimmed.replace(references, '').replace(/[^\p{L}\p{N}]+/gu, '').length < 4)
    return true;
  if (!trimmed.endsWith('?') || quotes(trimmed)) return false;
  const folded = fold(trimmed);
  return Object.values(d.config.facts.question_cues)
    .flat()
    .some((cue) => folded.startsWith(`${fold(cue)} `));
}

/** "Dat heb ik net gezegd: Jef Peeters": the answer repeats a detail the request already has. */
function repeats(request: RequestState, text: string): boolean {
  const folded = fold(text);
  return Object.values(request.slots).some((v) => typeof v === 'string' && v.length >= 4 && folded.includes(fold(v)));
}

/** A text with a quotation in it ("nee, er staat 'Geen toegang'"): an error text given after all. */
function quotes(text: string): boolean {
  return /["“«'‘].{3,}["”»'’]/u.test(text);
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
 * True when the story refused the request after all (the turn is over).
 */
function notUnderstood(
  d: Dialog,
  t: TurnBuilder,
  request: RequestState,
  slot: Slot,
  text: string,
  found: Slots,
): boolean {
  const story = tellsMore(text, d.config.conversation.min_description_words);
  if (story && outOfScopeAfterAll(d, t, request, text)) {
    request.extra.push(text);
    return true;
  }
  const rule = rulesFor(d, request).find((r) => r.slot === slot);
  const typedError = !d.kit.mentionsScreenshot(text);
  if (
    slot === 'screenshot' &&
    typedError &&
    !namesPlace(d, text) &&
    rule?.alternatives.includes('error_message') &&
    !request.slots.error_message
  ) {
    const error = hearDetail('error_message', text, [], d);
    if (error.kind === 'value') {
      found.error_message = error.value;
      return false;
    }
  }
  const lastTry = (request.asked[slot] ?? 0) >= d.config.conversation.max_asks;
  if (story) {
    request.extra.push(text);
    t.noted = true;
  }
  // "Bedankt!", "hallo", "nee helpt niet" are no academy or site, an error text or a screen is another
  // detail: never kept as what the person gave for this one; another detail is taken, and said to be.
  else if (Object.keys(found).length > 0) t.noted = true;
  else if (d.kit.contentWords(text) > 0 && !d.kit.thanks(text) && !d.kit.greetingOnly(text) && !d.kit.yesNo(text))
    request.given = { ...request.given, [slot]: text.slice(0, 200) };
  if (!lastTry) return false;
  request.skipped.push(slot);
  const given = request.given?.[slot];
  if (given) {
    const what = d.config.vocabulary.slots[slot][t.lang];
    t.reply(say(d.config, t.lang, 'unmatched_kept', { value: given, what }));
  }
  return false;
}

/**
 * "Ah wacht, het is de printer zelf, die staat in storing": more of the story that is out of scope after
 * all. Where the reason has a check question and the story names its device or network, the check is
 * asked (a device named in passing, "ook op de laptop van de directeur", is then cleared by a "nee");
 * a reason without one refuses only when sure. The kind so far stays if the check says it is ours.
 */
function outOfScopeAfterAll(d: Dialog, t: TurnBuilder, request: RequestState, text: string): boolean {
  const verdict = d.classifier.classify(text.slice(0, MAX_ANALYSED), t.lang);
  const reason = verdict.oosReason;
  if (verdict.label !== 'out_of_scope' || !reason) return false;
  const check = d.config.scope.reasons[reason].clarify && (d.evidence.get(reason)?.test(fold(text)) ?? true);
  const sure = verdict.confidence >= d.config.classifier.clarify_threshold;
  if (!check && !sure) return false;
  const { reasons: _reasons, ...classification } = verdict;
  request.classification = roundedScores({ ...classification, inScopeLabel: request.label ?? verdict.inScopeLabel });
  if (check) askClarify(d, t, request);
  else reject(d, t, request);
  return true;
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
  const answer = { slot: 'description' as const, text, attachments: [], all: {}, found: {} };
  if (correction(d, t, request, answer) || onlyDetails(d, t, request, explanation)) {
    ask(d, t, request, 'description');
    return;
  }
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

/**
 * "Academie Brugge" or a name where what it is about was asked: the details are kept (not asked again)
 * and the question asked again; the words are not the description.
 */
function onlyDetails(d: Dialog, t: TurnBuilder, request: RequestState, text: string): boolean {
  const found = d.extractor.extract(text);
  const fresh = onlyNew(request.slots, found);
  if (Object.keys(fresh).length === 0 || saysEnough(d, text, found)) return false;
  Object.assign(request.slots, fresh);
  t.noted = true;
  return true;
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
