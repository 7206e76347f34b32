// A request as the conversation keeps it: built from a first message, and what is known of it.

import { withoutAddresses } from '../classify/features.ts';
import type { DetailRule, Slot } from '../config/schema.ts';
import { escapeRegExp } from '../text/normalize.ts';
import type { Attachment, RequestState, Slots, Turn } from '../types.ts';
import { type Dialog, MAX_ANALYSED, onlyNew, roundedScores } from './context.ts';
import type { TurnBuilder } from './turn.ts';

/** A new request from a first message: classified, its details extracted, the person's known details added. */
export function newRequest(
  d: Dialog,
  t: TurnBuilder,
  text: string,
  attachments: Attachment[],
  input: Pick<Turn, 'user'>,
  shared: Slots = {},
): RequestState {
  const analysed = text.slice(0, MAX_ANALYSED);
  const { reasons: _reasons, ...classification } = d.classifier.classify(analysed, t.lang);
  const slots: Slots = { ...d.extractor.extract(analysed), ...corrected(d, analysed) };
  Object.assign(slots, onlyNew(slots, shared));
  // The academy or site of this conversation's last ticket, or of the request just refused: said once.
  const refused = t.state.phase === 'rejected' ? t.state.rejected?.slots : undefined;
  const unit = t.state.unit ?? refused?.academy ?? refused?.site_id;
  if (unit && !slots.academy && !slots.site_id) {
    if (/^\d{4}$/.test(unit)) slots.site_id = unit;
    else slots.academy = unit;
  }
  const unknown = slots.academy || d.config.directories.academies.length === 0 ? null : unknownAcademy(d, analysed);
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
    ...(saysEnough(d, text, slots) ? { described: true } : {}),
    ...(unknown ? { given: { academy: unknown } } : {}),
    ...saidUpFront(d, analysed),
  };
  t.set({ requests: request.seq, rejected: null, misunderstood: 0 });
  return request;
}

/** "Het is niet academie Lier maar academie Halle": the academy or site named right, not the wrong one. */
function corrected(d: Dialog, text: string): Slots {
  const kept = d.kit.correction(text);
  if (kept === null) return {};
  const right = d.extractor.extract(kept);
  return {
    ...(right.academy ? { academy: right.academy } : {}),
    ...(right.site_id ? { site_id: right.site_id } : {}),
  };
}

/**
 * "Geen foutmelding", "No screenshot." in the first message: what will not come is not asked for (a
 * missing screenshot still asks the error text, as "nee" to the screenshot question does).
 */
function saidUpFront(d: Dialog, text: string): Pick<RequestState, 'absent' | 'skipped'> {
  const sentences = text.split(/[.,!?;\n]+/u);
  if (sentences.some((s) => d.kit.noError(s.trim()))) return { absent: ['screenshot', 'error_message'], skipped: [] };
  return { skipped: d.kit.noScreenshot(text) ? ['screenshot'] : [] };
}

/** Details that say who or where, never what: "academie Brugge", a site, a name, a phone number. */
const WHO_OR_WHERE: readonly Exclude<Slot, 'screenshot'>[] = ['academy', 'site_id', 'student', 'name', 'phone'];

/**
 * Whether a text says what the request is about: enough words besides fillers ("ik heb een probleem"
 * says nothing yet; "de export loopt vast" does), and some besides the `details` read from it
 * ("academie Brugge" says where, not what; "site 2290 ligt plat" says both).
 */
export function saysEnough(d: Dialog, text: string, details: Slots = {}): boolean {
  // A URL or an address alone ("https://cultuur.example.be/agenda") says where, not what.
  const plain = withoutAddresses(text);
  if (d.kit.contentWords(plain) < Math.max(2, d.config.conversation.min_description_words - 1)) return false;
  const besides = WHO_OR_WHERE.flatMap((slot) => {
    const value = details[slot];
    return value ? [...namesOf(d, slot, value), ...Object.values(d.config.vocabulary.slots[slot])] : [];
  });
  return besides.length === 0 || d.kit.contentWords(d.kit.withoutCourtesies(plain), besides) > 0;
}

/** The ways a detail may be written: an academy's code, name, town and aliases; a site's id and names. */
function namesOf(d: Dialog, slot: Slot, value: string): string[] {
  const dirs = d.config.directories;
  const academy = slot === 'academy' ? dirs.academies.find((a) => a.code === value) : undefined;
  if (academy) return [academy.code, academy.name, academy.town, academy.town_fr ?? '', ...academy.aliases];
  const site = slot === 'site_id' ? dirs.sites.find((x) => x.id === value) : undefined;
  if (site) return [site.id, site.name, ...site.aliases];
  return [value];
}

/** Everything the person said about the request so far. */
export function textOf(request: RequestState): string {
  return [request.text, ...request.extra].join(' ');
}

/** The details the request's kind needs (none before the kind is known). */
export function rulesFor(d: Dialog, request: RequestState): DetailRule[] {
  return request.label ? d.config.details[request.label] : [];
}

/** Required details the person could not give (an optional "n.v.t." is an answer). */
export function missingRequired(d: Dialog, request: RequestState): Slot[] {
  const required = new Set(
    rulesFor(d, request)
      .filter((r) => r.required)
      .map((r) => r.slot),
  );
  return [...new Set(request.skipped)].filter((slot) => required.has(slot));
}

/** The request's idempotency key: one request, one ticket, however often it is filed. */
export function requestKey(t: TurnBuilder, request: RequestState): string {
  return `${t.state.conversation}#${request.seq}`;
}

/**
 * "Academie Gent", "l'Académie de Mouscron": the word for an academy (the slot's name in any language)
 * and a capitalised name after it, when the directory knows no such academy.
 */
function unknownAcademy(d: Dialog, text: string): string | null {
  const names = Object.values(d.config.vocabulary.slots.academy).flatMap((w) => [w, w.toLowerCase()]);
  const word = '\\p{Lu}[\\p{L}-]+';
  const pattern = new RegExp(
    `(?<![\\p{L}])(?:${names.map(escapeRegExp).join('|')})\\s+(?:(?:de|van|voor|of|du|la|het)\\s+)?${word}(?:\\s+${word}){0,2}`,
    'u',
  );
  return pattern.exec(text)?.[0].trim() ?? null;
}
