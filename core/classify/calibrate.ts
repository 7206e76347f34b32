import { type Config, IN_SCOPE_LABELS, type Label } from '../config/schema.ts';
import { classProbabilities, fitModel, labelScores, trainingExamples } from './classifier.ts';

/** What calibration found: the temperature to configure and how much it helps. */
export interface Calibration {
  temperature: number;
  folds: number;
  examples: number;
  /** Share of held-out phrases labelled right (their whole intent unseen in training). */
  accuracy: number;
  before: { ece: number; nll: number };
  after: { ece: number; nll: number };
}

interface HeldOut {
  truth: Label;
  predict: (temperature: number) => Record<Label, number>;
}

/**
 * Fit the temperature that makes confidence mean probability, by cross-validation over the config's
 * own phrases. Folds hold out whole intents, so each phrase is scored by a model that never saw its
 * intent: closer to a new message than holding out one phrase of an intent whose siblings were seen.
 */
export function calibrate(config: Config, folds = 5): Calibration {
  const examples = trainingExamples(config);
  const intentOf: string[] = [];
  for (const [name, intent] of Object.entries(config.intents)) for (const _ of intent.examples) intentOf.push(name);
  // Intents round-robin over the folds within each label, so every fold holds some of each kind.
  const foldOf = new Map<string, number>();
  const perLabel = new Map<string, number>();
  for (const [name, intent] of Object.entries(config.intents).sort(([a], [b]) => a.localeCompare(b))) {
    const n = perLabel.get(intent.label) ?? 0;
    foldOf.set(name, n % folds);
    perLabel.set(intent.label, n + 1);
  }
  const held: HeldOut[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const train = examples.filter((_, i) => foldOf.get(intentOf[i]!) !== fold);
    const model = fitModel(config, train);
    examples.forEach((e, i) => {
      if (foldOf.get(intentOf[i]!) !== fold) return;
      held.push({
        truth: e.group,
        predict: (t) => labelScores(classProbabilities(config, model, e.features, t)).scores,
      });
    });
  }
  // Scores at a temperature are recomputed from the stored models; a golden-section search on the
  // negative log-likelihood finds the temperature (it is unimodal in practice).
  const measure = (t: number) => {
    const rows = held.map((h) => {
      const scores = h.predict(t);
      const predicted = decide(config, scores);
      return { confidence: scores[predicted], correct: predicted === h.truth, pTruth: scores[h.truth] };
    });
    return {
      nll: rows.reduce((s, r) => s - Math.log(Math.max(r.pTruth, 1e-9)), 0) / rows.length,
      ece: expectedCalibrationError(rows),
      accuracy: rows.filter((r) => r.correct).length / rows.length,
    };
  };
  let [lo, hi] = [0.25, 4];
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 25; i++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (measure(a).nll < measure(b).nll) hi = b;
    else lo = a;
  }
  const temperature = Math.round(((lo + hi) / 2) * 100) / 100;
  const before = measure(1);
  const after = measure(temperature);
  return {
    temperature,
    folds,
    examples: held.length,
    accuracy: after.accuracy,
    before: { ece: before.ece, nll: before.nll },
    after: { ece: after.ece, nll: after.nll },
  };
}

/** The label the classifier would give for these scores (out of scope only from the reject threshold). */
function decide(config: Config, scores: Record<Label, number>): Label {
  if (scores.out_of_scope >= config.classifier.reject_threshold) return 'out_of_scope';
  return [...IN_SCOPE_LABELS].sort((a, b) => scores[b] - scores[a])[0]!;
}

/** Expected calibration error over ten equal-width confidence bins. */
export function expectedCalibrationError(rows: { confidence: number; correct: boolean }[], bins = 10): number {
  const sums = Array.from({ length: bins }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const r of rows) {
    const bin = sums[Math.min(bins - 1, Math.floor(r.confidence * bins))]!;
    bin.n++;
    bin.confidence += r.confidence;
    bin.correct += r.correct ? 1 : 0;
  }
  const total = rows.length || 1;
  return sums.reduce((e, b) => (b.n === 0 ? e : e + (b.n / total) * Math.abs(b.confidence / b.n - b.correct / b.n)), 0);
}
