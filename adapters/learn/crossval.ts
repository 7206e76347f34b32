import type { Config } from '../../core/config/schema.ts';
import { LABELS } from '../../core/config/schema.ts';
import { createCore } from '../../core/engine.ts';
import { type Labelled, stableId, withExamples } from './examples.ts';

/** How well a classifier labels some messages. */
export interface Score {
  n: number;
  accuracy: number;
  macroF1: number;
  /** F1 per label (labels absent from both truth and prediction left out). */
  f1: Record<string, number>;
}

/** Accuracy, macro-F1 over the labels present, and F1 per label. */
export function score(pairs: { want: string; got: string }[]): Score {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const of = (l: string) => {
    let c = counts.get(l);
    if (!c) counts.set(l, (c = { tp: 0, fp: 0, fn: 0 }));
    return c;
  };
  let right = 0;
  for (const { want, got } of pairs) {
    if (want === got) {
      right++;
      of(want).tp++;
    } else {
      of(want).fn++;
      of(got).fp++;
    }
  }
  const f1: Record<string, number> = {};
  for (const l of LABELS) {
    const c = counts.get(l);
    if (c) f1[l] = c.tp === 0 ? 0 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
  }
  const values = Object.values(f1);
  return {
    n: pairs.length,
    accuracy: pairs.length ? right / pairs.length : 0,
    macroF1: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
    f1,
  };
}

/** Label messages with a configuration's classifier. */
export function labelWith(config: Config, examples: Labelled[]): { want: string; got: string }[] {
  const classifier = createCore(config).classifier;
  return examples.map((e) => ({ want: e.label, got: classifier.classify(e.text).label }));
}

/**
 * The cross-validated effect of learning from examples, on those examples: before, the configured
 * phrases alone label them all; after, each of `folds` parts is labelled by a model that also learned
 * from the other parts (never from itself). Parts are fixed by a hash of the text, so runs agree.
 */
export function crossValidate(
  config: Config,
  examples: Labelled[],
  options: { weight: number; folds?: number },
): { before: Score; after: Score; folds: number } {
  const folds = Math.max(2, Math.min(options.folds ?? 5, examples.length));
  const before = score(labelWith(config, examples));
  if (examples.length < 2) return { before, after: before, folds: 1 };
  const part = examples.map((e) => Number.parseInt(stableId(e.text).slice(0, 8), 16) % folds);
  const pairs: { want: string; got: string }[] = [];
  for (let k = 0; k < folds; k++) {
    const test = examples.filter((_, i) => part[i] === k);
    if (test.length === 0) continue;
    const train = examples.filter((_, i) => part[i] !== k);
    pairs.push(...labelWith(withExamples(config, train, options.weight), test));
  }
  return { before, after: score(pairs), folds };
}
