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
import { MessageReader } from '../text/message.ts';
import { fold } from '../text/normalize.ts';
import { featurize, Lexicon, read, withoutAddresses } from './features.ts';
import { cueMatcher, isMultiSubject, isUrgent, splitSubjects } from './rules.ts';
import { type SoftmaxData, SoftmaxModel } from './softmax.ts';

/** The model's classes: the four in-scope kinds and one per out-of-scope reason. */
export const CLASSES = [...IN_SCOPE_LABELS, ...OOS_REASONS.map((r) => `oos:${r}`)];

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
  /** The trained parameters, for the host to keep (`createCore(config, { trained })` reuses them). */
  trained(): SoftmaxData[];
  /** True when the model came from saved parameters rather than training. */
  restored: boolean;
  /** Milliseconds the training took. */
  trainingMs: number;
  examples: number;
}

interface TrainingExample {
  text: string;
  features: ReturnType<typeof featurize>;
  label: string;
  group: Label;
  /** How much it counts against one configured phrase (the intent's `weight`, 1 by default). */
  weight: number;
  /** From the helpdesk's own tickets rather than typed in the configuration. */
  learned: boolean;
}

/**
 * The part of a message the kind is read from, as a person reads it: without the greeting and the
 * signature, and of a message with several subjects only the first (the kind of the first ticket).
 */
export function requestReader(config: Config): (text: string) => string {
  const reader = new MessageReader(config.classifier);
  const multi = cueMatcher(config.multi_subject.cues);
  const joins = cueMatcher(config.multi_subject.joins);
  return (text) => {
    const body = reader.focus(text);
    return isMultiSubject(body, multi) ? (splitSubjects(body, multi, joins)[0] ?? body) : body;
  };
}

/** The config's example phrases as training examples (class = kind, or `oos:<reason>`). */
export function trainingExamples(
  config: Config,
  lexicon = new Lexicon(config.lexicon),
  focus = requestReader(config),
): TrainingExample[] {
  return Object.values(config.intents).flatMap((intent) =>
    intent.examples.map((text) => {
      const lang = detectLanguage(fold(text), config.default_language).lang;
      const request = focus(text);
      return {
        text,
        features: featurize(request, read(withoutAddresses(request), lang), lexicon, config.classifier.char_ngrams),
        label: intent.label === 'out_of_scope' ? `oos:${intent.reason}` : intent.label,
        group: intent.label,
        weight: intent.weight ?? 1,
        learned: intent.learned === true,
      };
    }),
  );
}

/** What the classifier needs of a model: probabilities per class, and the features that decided. */
export interface Model {
  predict(features: ReturnType<typeof featurize>, temperature?: number): Float64Array;
  explain(features: ReturnType<typeof featurize>, cls: string, top?: number): string[];
  /** The trained parameters of each member, to keep them between runs. */
  data(): SoftmaxData[];
}

/**
 * Fit the model on examples, each kind of request weighing the same. `classifier.ensemble` models,
 * each seeing the phrases in its own order, are averaged into one (their weights): one model's answer
 * on a borderline message depends on the order it saw the phrases in; the average does not, and
 * predicting with one averaged model costs half of asking two. With learned examples (real tickets),
 * the class priors are then re-estimated on them (`historyPriors`).
 */
export function fitModel(config: Config, data: TrainingExample[]): Model {
  const model = fitSoftmax(config, data);
  const learned = data.filter((d) => d.learned);
  const strength = config.classifier.history_priors;
  if (learned.length === 0 || strength === 0) return ensemble([model]);
  // The lean of a model that never saw the tickets, measured on them: a model trained with them has
  // learnt their words, not how often each kind comes, and still leans as the phrases taught it.
  const phrasesOnly = ensemble([
    fitSoftmax(
      config,
      data.filter((d) => !d.learned),
    ),
  ]);
  // Thirteen numbers need no more than a thousand tickets to measure (every k-th, the same each time).
  const step = Math.ceil(learned.length / PRIOR_SAMPLE);
  const offsets = historyPriors(
    config,
    phrasesOnly,
    learned.filter((_, i) => i % step === 0),
  );
  model.shift(
    'bias',
    offsets.map((b) => b * strength * config.classifier.temperature),
  );
  return ensemble([model]);
}

/** The averaged softmax of `classifier.ensemble` members, every kind weighing the same in total. */
function fitSoftmax(config: Config, data: TrainingExample[]): SoftmaxModel {
  // Each kind of request weighs the same in training, however many phrases it has; the out-of-scope
  // reasons share one kind's weight, so eight reasons do not outvote one in-scope kind. A learned
  // example counts as `weight` phrases of its kind.
  const perLabel = new Map<string, number>();
  let total = 0;
  for (const d of data) {
    perLabel.set(d.group, (perLabel.get(d.group) ?? 0) + d.weight);
    total += d.weight;
  }
  const mean = total / Math.max(1, perLabel.size);
  // An example of weight 2 is shown twice per epoch (its features computed once): AdaGrad scales each
  // step by the gradients seen so far, so a doubled gradient would mostly cancel out; a second step does not.
  const weighted = data.flatMap((d) => {
    const copies = Math.max(1, Math.round(d.weight));
    const one = { ...d, weight: (d.weight * mean) / perLabel.get(d.group)! / copies };
    return Array.from({ length: copies }, () => one);
  });
  const models = Array.from({ length: config.classifier.ensemble }, (_, i) => {
    const model = new SoftmaxModel(CLASSES);
    model.train(weighted, {
      epochs: config.classifier.epochs,
      learningRate: config.classifier.learning_rate,
      l2: config.classifier.l2,
      seed: 7 + i,
    });
    return model;
  });
  return SoftmaxModel.average(models);
}

/**
 * Log-offsets per class that make a model's probabilities fit labelled real tickets best (maximum
 * likelihood with a little L2, by gradient descent on 13 numbers): the priors of the helpdesk's own
 * tickets instead of the phrases' equal weights, and the model's lean on longer, real messages.
 */
export function historyPriors(config: Config, model: Model, examples: TrainingExample[]): number[] {
  const k = CLASSES.length;
  const rows = examples.map((e) => ({
    y: CLASSES.indexOf(e.label),
    w: e.weight,
    p: classProbabilities(config, model, e.features, config.classifier.temperature),
  }));
  const total = rows.reduce((s, r) => s + r.w, 0);
  const b = new Float64Array(k);
  const q = new Float64Array(k);
  const l2 = 0.01;
  for (let step = 0; step < 300; step++) {
    const grad = new Float64Array(k);
    for (let c = 0; c < k; c++) grad[c] = l2 * b[c]! * total;
    for (const r of rows) {
      let z = 0;
      for (let c = 0; c < k; c++) {
        q[c] = Math.max(r.p[c]!, 1e-9) * Math.exp(b[c]!);
        z += q[c]!;
      }
      for (let c = 0; c < k; c++) grad[c]! += r.w * (q[c]! / z - (c === r.y ? 1 : 0));
    }
    for (let c = 0; c < k; c++) b[c]! -= (0.5 * grad[c]!) / total;
  }
  return [...b];
}

/** At most this many learned examples measure the class priors. */
const PRIOR_SAMPLE = 1000;

/** Several models as one: their probabilities averaged. */
function ensemble(models: SoftmaxModel[]): Model {
  return {
    predict(features, temperature = 1) {
      const sum = new Float64Array(CLASSES.length);
      for (const m of models) {
        const p = m.predict(features, temperature);
        for (let i = 0; i < sum.length; i++) sum[i]! += p[i]! / models.length;
      }
      return sum;
    },
    explain: (features, cls, top) => models[0]!.explain(features, cls, top),
    data: () => models.map((m) => m.data()),
  };
}

/**
 * Class probabilities of one message as the classifier reads them: the model's softmax at a
 * temperature, then, without any word from an out-of-scope list, the out-of-scope classes damped.
 */
export function classProbabilities(
  config: Config,
  model: Model,
  features: ReturnType<typeof featurize>,
  temperature: number,
): Float64Array {
  const p = model.predict(features, temperature);
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
  return p;
}

/** Probability per label (the out-of-scope reasons summed), with the most probable reason. */
export function labelScores(p: Float64Array): { scores: Record<Label, number>; reason: OosReason } {
  const scores = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  let reason: OosReason = 'other';
  let best = -1;
  CLASSES.forEach((c, i) => {
    if (!c.startsWith('oos:')) scores[c as InScopeLabel] = p[i]!;
    else {
      scores.out_of_scope += p[i]!;
      if (p[i]! > best) [reason, best] = [c.slice(4) as OosReason, p[i]!];
    }
  });
  return { scores, reason };
}

/** Train the classifier on the config's example phrases (a few hundred milliseconds at most). */
export function trainClassifier(config: Config, clock: () => number = () => 0, trained?: SoftmaxData[]): Classifier {
  const started = clock();
  const lexicon = new Lexicon(config.lexicon);
  const focus = requestReader(config);
  // A model trained before on the same configuration (kept by the host) spares the training.
  const restored = trained?.map((d) => SoftmaxModel.from(d, CLASSES));
  // The ensemble is kept as one averaged model; which settings trained it is the host's key (a hash).
  const reuse = restored && restored.length > 0 && restored.every((m) => m !== null);
  const model = reuse
    ? ensemble(restored as SoftmaxModel[])
    : fitModel(config, trainingExamples(config, lexicon, focus));
  const examples = Object.values(config.intents).reduce(
    (n, intent) => n + intent.examples.length * (intent.weight ?? 1),
    0,
  );
  const urgency = cueMatcher(config.urgency.cues);
  const acronyms = new Set(config.urgency.acronyms.map((a) => a.toLowerCase()));
  const multi = cueMatcher(config.multi_subject.cues);
  const joins = cueMatcher(config.multi_subject.joins);

  function classify(
    text: string,
    fallbackLang: Lang = config.default_language,
    options: { explain?: boolean } = {},
  ): Verdict {
    const lang = detectLanguage(fold(text), fallbackLang).lang;
    const request = focus(text);
    const features = featurize(request, read(withoutAddresses(request), lang), lexicon, config.classifier.char_ngrams);
    const p = classProbabilities(config, model, features, config.classifier.temperature);
    const { scores, reason: bestReason } = labelScores(p);
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
      urgent: isUrgent(text, urgency, acronyms),
      multiSubject: isMultiSubject(text, multi),
      reasons: options.explain ? model.explain(features, winningClass) : [],
    };
  }

  function subjects(text: string): string[] {
    return isMultiSubject(text, multi) ? splitSubjects(text, multi, joins) : [text];
  }

  return {
    classify,
    subjects,
    trainingMs: clock() - started,
    examples,
    trained: () => model.data(),
    restored: Boolean(reuse),
  };
}
