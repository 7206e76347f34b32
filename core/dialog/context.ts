// What every step of a turn may use, passed in explicitly: the configuration and what was built from it
// once (classifier, extractor, knowledge, language kit, answers), instead of one closure over everything.
import type { Answers } from '../answers/index.ts';
import type { Classifier } from '../classify/classifier.ts';
import type { Config, DetailRule, InScopeLabel, Lang } from '../config/schema.ts';
import type { Extractor } from '../extract/index.ts';
import type { Knowledge } from '../knowledge.ts';
import type { Attachment, ConversationState, RequestState, Slots, Turn } from '../types.ts';
import type { LanguageKit } from './language.ts';

/** The dependencies of the conversation's steps, built once per configuration by `createCore`. */
export interface Dialog {
  readonly config: Config;
  readonly classifier: Classifier;
  readonly extractor: Extractor;
  readonly knowledge: Knowledge;
  readonly kit: LanguageKit;
  readonly answers: Answers;
  /** A ticket number of this helpdesk ("HD-000123"). */
  readonly ticketPattern: RegExp;
  /** Per billing rule: does a text name one of its cues? */
  readonly billingCues: ReadonlyMap<string, RegExp>;
  /** Per detail rule with `unless` cues: does a text say one (the detail is needless)? */
  readonly unlessCues: ReadonlyMap<DetailRule, RegExp>;
  /** Per out-of-scope reason: does a text name a word of its lexicon (a device, the network...)? */
  readonly evidence: ReadonlyMap<string, RegExp>;
  /** The kind menu's wording per kind, in every language (people answer in their own). */
  readonly menuWording: Record<InScopeLabel, string[]>;
}

/** Why a person takes over: the person asked, the bot did not understand, or a configured rule. */
export type HandoffReason = 'asked' | 'misunderstood' | 'rule';

/** One message as the steps of a turn read it: the turn, its text trimmed, its files within the limits. */
export interface Said {
  input: Turn;
  text: string;
  attachments: Attachment[];
}

/** Phases in which the bot offered buttons, so a button press is an answer. */
export const BUTTON_PHASES: ReadonlySet<ConversationState['phase']> = new Set([
  'choosing_label',
  'choosing_list',
  'offering',
  'clarifying',
  'confirming',
  'deflecting',
  'billing',
  'duplicate',
]);

/** The locale dates and times are written in, per language. */
export const LOCALES: Record<Lang, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB' };
/** "Is it fixed yet?" is a short question; with a ticket number, shorter still (else a story that quotes it). */
export const PROGRESS_WORDS = 24;

/** Details that belong to the person and their academy or site, not to one subject: asked once. */
export const SHARED_SLOTS = ['academy', 'site_id', 'email', 'phone', 'name'] as const;

/** Longest text the core reads of one message; the rest is kept for the ticket but not analysed. */
export const MAX_ANALYSED = 4000;

/**
 * The verdict as the state keeps it: probabilities to three decimals (the full floats weigh 200 bytes of state
 * and decide nothing more), without the language (the conversation's own, kept once).
 */
export function roundedScores<T extends { confidence: number; scores: Record<string, number>; lang: Lang }>(
  classification: T,
): Omit<T, 'lang'> {
  const round = (p: number) => Math.round(p * 1000) / 1000;
  const scores = Object.fromEntries(Object.entries(classification.scores).map(([label, p]) => [label, round(p)]));
  const { lang: _lang, ...rest } = classification;
  return { ...rest, confidence: round(classification.confidence), scores };
}

/** Whether a content type is in a list of types, where `type/*` and `prefix.*` stand for families. */
export function typeAllowed(contentType: string, allowed: string[]): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p;
  });
}

/** Slots in `found` that `known` does not have yet (an answer never overwrites what was said). */
export function onlyNew(known: Slots, found: Slots): Slots {
  return Object.fromEntries(Object.entries(found).filter(([k]) => known[k as keyof Slots] === undefined)) as Slots;
}

/** The academy or site a filed request named: the person's own, remembered for status questions. */
export function unitOf(request: RequestState): Pick<ConversationState, 'unit'> {
  const unit = request.slots.academy ?? request.slots.site_id;
  return unit ? { unit } : {};
}

/** The slots named in `keys` that `slots` has. */
export function pick(slots: Slots, keys: readonly (keyof Slots)[]): Slots {
  return Object.fromEntries(keys.filter((k) => slots[k] !== undefined).map((k) => [k, slots[k]])) as Slots;
}
