import type { Config, InScopeLabel, Label, OosReason } from '../config/schema.ts';
import { fold, words } from '../text/normalize.ts';
import type { Classifier, Verdict } from './classifier.ts';
import { cueMatcher } from './rules.ts';

/**
 * Signals that say on whose side a problem lies, read after the classifier: a person who says the
 * scanner "types fine in Notepad" has a software problem whatever device they name; one who spilled
 * coffee on the keyboard and sees it in every program has a hardware problem whatever screen they
 * name. Phrases per out-of-scope reason in config (`scope.reasons.<reason>.signals`), per language:
 * - `ours`: the helpdesk's software is at fault: the refusal the classifier chose is lifted;
 * - `theirs`: the cause is on the customer's side: an in-scope verdict becomes that refusal, when the
 *   text also names a word of the lexicons in `needs` (a device; a breakage) or says one of `needs_or`,
 *   so a phrase alone never refuses.
 * A message with both says nothing for sure: the classifier's verdict stands.
 *
 * Phrase syntax: words in order within one clause; `a|b` either word; `..` up to four words that are
 * not a negation ("werkt .. in word" matches "werkt gewoon in Word", not "werkt niet in Word").
 */
export interface ScopeSignals {
  /** The kind a `kind_signals` phrase makes an in-scope request, or null. */
  kind(text: string): InScopeLabel | null;
  /** The reason whose `theirs` phrase the text says, or null. */
  theirs(text: string): OosReason | null;
  /** Whether the text says the helpdesk's software is at fault, for this reason. */
  ours(text: string, reason: OosReason): boolean;
}

const GAP = '..';
const MAX_GAP = 4;

type Step = { gap: true } | { gap: false; words: Set<string> };

function compile(phrase: string): Step[] {
  return phrase
    .trim()
    .split(/\s+/)
    .map((token): Step => (token === GAP ? { gap: true } : { gap: false, words: new Set(alternatives(token)) }));
}

function alternatives(token: string): string[] {
  return token.split('|').flatMap((w) => words(fold(w)));
}

/** Whether the steps match the tokens starting at `at` (gaps skip words that are not negations). */
function matchesAt(tokens: string[], steps: Step[], at: number, negations: ReadonlySet<string>): boolean {
  const [step, ...rest] = steps;
  if (!step) return true;
  if (step.gap) {
    for (let skip = 0; skip <= MAX_GAP && at + skip <= tokens.length; skip++) {
      if (skip > 0 && negations.has(tokens[at + skip - 1]!)) return false;
      if (matchesAt(tokens, rest, at + skip, negations)) return true;
    }
    return false;
  }
  const token = tokens[at];
  return token !== undefined && step.words.has(token) && matchesAt(tokens, rest, at + 1, negations);
}

/** A text as the signal phrases read it: folded, and its words per clause. */
interface Reading {
  folded: string;
  clauses: string[][];
}

function read(text: string): Reading {
  const folded = fold(text);
  // Within one clause: "quand je tape, pareil dans Word" is not "tape .. dans word".
  const clauses = folded
    .split(/[.,;:!?()\n]+/u)
    .map(words)
    .filter((c) => c.length > 0);
  return { folded, clauses };
}

function clauseMatcher(phrases: readonly string[], negations: ReadonlySet<string>): (r: Reading) => boolean {
  const compiled = phrases.map(compile).filter((steps) => steps.some((s) => !s.gap));
  return ({ clauses }) =>
    compiled.some((steps) => clauses.some((tokens) => tokens.some((_, i) => matchesAt(tokens, steps, i, negations))));
}

export function phraseMatcher(phrases: readonly string[], negations: ReadonlySet<string>): (text: string) => boolean {
  const matches = clauseMatcher(phrases, negations);
  return (text) => matches(read(text));
}

export function buildScopeSignals(config: Config): ScopeSignals {
  const negations = new Set(
    Object.values(config.answers.negations)
      .flat()
      .flatMap((w) => words(fold(String(w)))),
  );
  const all = (list: { nl: string[]; fr: string[]; en: string[] } | undefined): string[] =>
    list ? [...list.nl, ...list.fr, ...list.en] : [];
  const entries = Object.entries(config.scope.reasons).flatMap(([reason, scope]) => {
    const s = scope.signals;
    if (!s) return [];
    const needs = s.needs.map((name) => cueMatcher(config.lexicon[name] ?? []));
    const instead = clauseMatcher(all(s.needs_or), negations);
    return [
      {
        reason: reason as OosReason,
        ours: clauseMatcher(all(s.ours), negations),
        theirs: clauseMatcher(all(s.theirs), negations),
        needs: (r: Reading) => needs.every((m) => m.test(r.folded)) || instead(r),
      },
    ];
  });
  const kinds = Object.entries(config.kind_signals).map(([label, phrases]) => ({
    label: label as InScopeLabel,
    says: clauseMatcher(all(phrases), negations),
  }));
  return {
    kind(text) {
      const r = read(text);
      return kinds.find((k) => k.says(r))?.label ?? null;
    },
    theirs(text) {
      const r = read(text);
      return entries.find((e) => e.theirs(r) && !e.ours(r) && e.needs(r))?.reason ?? null;
    },
    ours(text, reason) {
      const entry = entries.find((e) => e.reason === reason);
      if (!entry) return false;
      const r = read(text);
      return entry.ours(r) && !entry.theirs(r);
    },
  };
}

/** Move the out-of-scope weight onto one in-scope kind, or onto out of scope, keeping a distribution. */
function rescored(verdict: Verdict, to: Label, share: number): Record<Label, number> {
  const scores = { ...verdict.scores };
  const others = (Object.keys(scores) as Label[]).filter((l) => l !== to);
  const rest = others.reduce((s, l) => s + scores[l], 0);
  const target = Math.max(scores[to], share);
  for (const l of others) scores[l] = rest > 0 ? (scores[l] / rest) * (1 - target) : 0;
  scores[to] = target;
  return scores;
}

/** The verdict once the signals are read (unchanged when none applies). */
export function applySignals(verdict: Verdict, text: string, signals: ScopeSignals, config: Config): Verdict {
  if (verdict.label === 'out_of_scope' && verdict.oosReason && signals.ours(text, verdict.oosReason)) {
    const label: InScopeLabel = config.scope.reasons[verdict.oosReason].resume_as ?? verdict.inScopeLabel;
    const scores = rescored(verdict, label, 1 - config.classifier.reject_threshold / 2);
    return { ...verdict, label, oosReason: null, scores, confidence: scores[label], inScopeLabel: label };
  }
  // Said in so many words: refused without the check question, whatever the classifier made of it.
  const reason = signals.theirs(text);
  if (!reason) {
    const kind = verdict.label === 'out_of_scope' ? null : signals.kind(text);
    if (!kind || kind === verdict.label) return verdict;
    const scores = rescored(verdict, kind, verdict.confidence);
    return { ...verdict, label: kind, scores, confidence: scores[kind], inScopeLabel: kind };
  }
  const scores = rescored(verdict, 'out_of_scope', config.classifier.clarify_threshold);
  return { ...verdict, label: 'out_of_scope', oosReason: reason, scores, confidence: scores.out_of_scope };
}

/** The classifier with the scope and kind signals read after every verdict. */
export function withScopeSignals(config: Config, classifier: Classifier): Classifier {
  const signals = buildScopeSignals(config);
  return {
    ...classifier,
    classify: (text, fallbackLang, options) =>
      applySignals(classifier.classify(text, fallbackLang, options), text, signals, config),
  };
}
