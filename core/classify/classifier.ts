import {
  type Config,
  IN_SCOPE_LABELS,
  type InScopeLabel,
  LABELS,
  type Label,
  type Lang,
  OOS_REASONS,
  type OosReason,
} from '../config/schema.ts';
import { detectLanguage } from '../text/lang.ts';
import { fold } from '../text/normalize.ts';
import { featurize, Lexicon, read } from './features.ts';
import { cueMatcher, isMultiSubject, isUrgent, splitSubjects } from './rules.ts';
import { SoftmaxModel } from './softmax.ts';

/** The model's classes: the four in-scope kinds and one per out-of-scope reason. */
const CLASSES = [...IN_SCOPE_LABELS, ...OOS_REASONS.map((r) => `oos:${r}`)];

/** What the classifier says about one message, before any conversation context. */
export interface Verdict {
  label: Label;
  oosReason: OosReason | null;
  confidence: number;
  scores: Record<Label, number>;
  inScopeLabel: InScopeLabel;
  lang: Lang;
  urgent: boolean;
  multiSubject: boolean;
  /** The features that weighed most for the label (empty unless asked for with `explain`). */
  reasons: string[];
}

/** A classifier trained from a configuration's intents and lexicon. */
export interface Classifier {
  /** `explain`: also name the features that decided (only `triage eval` needs them; it costs time). */
  classify(text: string, fallbackLang?: Lang, options?: { explain?: boolean }): Verdict;
  /** The separate subjects of a message (one element for a message with one subject). */
  subjects(text: string): string[];
  /** Milliseconds the training took. */
  trainingMs: number;
  examples: number;
}

/** Train the classifier on the config's example phrases (a few tens of milliseconds). */
export function trainClassifier(config: Config, clock: () => number = () => 0): Classifier {
  const started = clock();
  const lexicon = new Lexicon(config.lexicon);
  const model = new SoftmaxModel(CLASSES);
  model.temperature = config.classifier.temperature;
  const data = Object.values(config.intents).flatMap((intent) =>
    intent.examples.map((text) => {
      const lang = detectLanguage(fold(text), config.default_language).lang;
      return {
        features: featurize(text, read(text, lang), lexicon),
        label: intent.label === 'out_of_scope' ? `oos:${intent.reason}` : intent.label,
        group: intent.label,
      };
    }),
  );
  // Each kind of request weighs the same in training, however many phrases it has; the out-of-scope
  // reasons share one kind's weight, so eight reasons do not outvote one in-scope kind.
  const perLabel = new Map<string, number>();
  for (const d of data) perLabel.set(d.group, (perLabel.get(d.group) ?? 0) + 1);
  const mean = data.length / Math.max(1, perLabel.size);
  const weighted = data.map((d) => ({ ...d, weight: mean / perLabel.get(d.group)! }));
  model.train(weighted, {
    epochs: config.classifier.epochs,
    learningRate: config.classifier.learning_rate,
    l2: config.classifier.l2,
  });
  const urgency = cueMatcher(config.urgency.cues);
  const multi = cueMatcher(config.multi_subject.cues);

  function classify(
    text: string,
    fallbackLang: Lang = config.default_language,
    options: { explain?: boolean } = {},
  ): Verdict {
    const lang = detectLanguage(fold(text), fallbackLang).lang;
    const features = featurize(text, read(text, lang), lexicon);
    const p = model.predict(features);
    // Refusing needs evidence: without a word from any out-of-scope list (a device, the network, a
    // backup, a course...), the out-of-scope classes are damped and the mass goes back in scope.
    const evidence = OOS_REASONS.some((r) => features.has(`lex:${r}`));
    if (!evidence) {
      const damp = config.classifier.oos_without_evidence;
      let sum = 0;
      CLASSES.forEach((c, i) => {
        if (c.startsWith('oos:')) p[i]! *= damp;
        sum += p[i]!;
      });
      for (let i = 0; i < p.length; i++) p[i]! /= sum;
    }
    const byClass = new Map(CLASSES.map((c, i) => [c, p[i]!]));
    const scores = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
    for (const label of IN_SCOPE_LABELS) scores[label] = byClass.get(label)!;
    let bestReason: OosReason = 'other';
    let bestReasonP = -1;
    for (const reason of OOS_REASONS) {
      const pr = byClass.get(`oos:${reason}`)!;
      scores.out_of_scope += pr;
      if (pr > bestReasonP) [bestReason, bestReasonP] = [reason, pr];
    }
    const inScopeLabel = [...IN_SCOPE_LABELS].sort((a, b) => scores[b] - scores[a])[0]!;
    const outOfScope = scores.out_of_scope >= config.classifier.reject_threshold;
    const label: Label = outOfScope ? 'out_of_scope' : inScopeLabel;
    const winningClass = outOfScope ? `oos:${bestReason}` : inScopeLabel;
    return {
      label,
      oosReason: outOfScope ? bestReason : null,
      confidence: scores[label],
      scores,
      inScopeLabel,
      lang,
      urgent: isUrgent(text, urgency),
      multiSubject: isMultiSubject(text, multi),
      reasons: options.explain ? model.explain(features, winningClass) : [],
    };
  }

  function subjects(text: string): string[] {
    return isMultiSubject(text, multi) ? splitSubjects(text, multi) : [text];
  }

  return { classify, subjects, trainingMs: clock() - started, examples: data.length };
}
