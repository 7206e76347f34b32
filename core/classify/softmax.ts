import type { Features } from './features.ts';

/** Training settings for the softmax regression. */
export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Seed of the example order; the same seed trains the same model. */
  seed?: number;
}

interface Example {
  /** Feature indices and values, as typed arrays: the training loop runs over them millions of times. */
  idx: Int32Array;
  val: Float64Array;
  y: number;
  w: number;
}

/** A trained model's parameters as plain data, to keep it between runs. */
export interface SoftmaxData {
  classes: string[];
  features: string[];
  weights: Float64Array;
}

/** Below this gradient on a class's output, a training step leaves that class's weights alone. */
const SETTLED = 1e-3;

/** Small deterministic PRNG (mulberry32), so training is reproducible without Math.random. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Multinomial logistic regression on sparse features, trained with AdaGrad and L2. Trains on a thousand
 * short phrases in tens of milliseconds; its probabilities are what the confidence threshold reads.
 */
export class SoftmaxModel {
  private readonly index = new Map<string, number>();
  private weights: Float64Array = new Float64Array(0);
  constructor(readonly classes: readonly string[]) {}

  /** The parameters, to rebuild the same model without training (`SoftmaxModel.from`). */
  data(): SoftmaxData {
    return { classes: [...this.classes], features: [...this.index.keys()], weights: this.weights };
  }

  /** A model from saved parameters; null when they do not fit (other classes, wrong size). */
  static from(data: SoftmaxData, classes: readonly string[]): SoftmaxModel | null {
    const sameClasses = data.classes.length === classes.length && data.classes.every((c, i) => c === classes[i]);
    if (!sameClasses || data.weights.length !== data.features.length * classes.length) return null;
    const model = new SoftmaxModel(classes);
    for (const [i, f] of data.features.entries()) model.index.set(f, i);
    model.weights = data.weights;
    return model;
  }

  /**
   * One model whose weights are the mean of several models' (a feature one of them never saw counts as
   * zero there): as steady as averaging their answers, at the cost of predicting with one model.
   */
  static average(models: readonly SoftmaxModel[]): SoftmaxModel {
    const first = models[0];
    if (!first) throw new Error('no models to average');
    const k = first.classes.length;
    const merged = new SoftmaxModel(first.classes);
    for (const m of models)
      for (const f of m.index.keys()) if (!merged.index.has(f)) merged.index.set(f, merged.index.size);
    merged.weights = new Float64Array(merged.index.size * k);
    for (const m of models) {
      for (const [f, i] of m.index) {
        const to = merged.index.get(f)! * k;
        for (let c = 0; c < k; c++) merged.weights[to + c]! += m.weights[i * k + c]! / models.length;
      }
    }
    return merged;
  }

  /** Add offsets (one per class) to a feature's weights: with `bias`, a shift of every message's logits. */
  shift(feature: string, offsets: readonly number[]): void {
    const k = this.classes.length;
    let i = this.index.get(feature);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(feature, i);
      const grown = new Float64Array((i + 1) * k);
      grown.set(this.weights);
      this.weights = grown;
    }
    for (let c = 0; c < k; c++) this.weights[i * k + c]! += offsets[c] ?? 0;
  }

  private vector(features: Features, grow: boolean): [number, number][] {
    const x: [number, number][] = [];
    for (const [name, value] of features) {
      let i = this.index.get(name);
      if (i === undefined) {
        if (!grow) continue;
        i = this.index.size;
        this.index.set(name, i);
      }
      x.push([i, value]);
    }
    return x;
  }

  /** Fit the model on labelled feature maps. */
  train(data: { features: Features; label: string; weight?: number }[], options: TrainOptions): void {
    const k = this.classes.length;
    const examples: Example[] = data.map((d) => {
      const y = this.classes.indexOf(d.label);
      if (y < 0) throw new Error(`unknown class "${d.label}"`);
      const x = this.vector(d.features, true);
      return {
        idx: Int32Array.from(x, ([i]) => i),
        val: Float64Array.from(x, ([, v]) => v),
        y,
        w: d.weight ?? 1,
      };
    });
    const n = this.index.size;
    const weights = new Float64Array(n * k);
    const g2 = new Float64Array(n * k).fill(1e-8);
    const random = prng(options.seed ?? 7);
    const order = examples.map((_, i) => i);
    const p = new Float64Array(k);
    const live = new Int32Array(k);
    const { learningRate, l2 } = options;
    const averaged = new Float64Array(n * k);
    const averageFrom = Math.floor(options.epochs / 2);
    let averagedEpochs = 0;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const e of order) {
        const { idx, val, y, w } = examples[e]!;
        p.fill(0);
        for (let f = 0; f < idx.length; f++) {
          const base = idx[f]! * k;
          const v = val[f]!;
          for (let c = 0; c < k; c++) p[c]! += weights[base + c]! * v;
        }
        softmaxInPlace(p);
        p[y]! -= 1;
        // Classes the model already gives (almost) nothing, and should, get no update this step: on
        // thousands of phrases most of the 13 classes are settled, and skipping them makes training
        // several times faster (their L2 shrinkage waits until they move again).
        let active = 0;
        for (let c = 0; c < k; c++) {
          p[c]! *= w;
          if (p[c]! > SETTLED || p[c]! < -SETTLED) live[active++] = c;
        }
        for (let f = 0; f < idx.length; f++) {
          const base = idx[f]! * k;
          const v = val[f]!;
          for (let a = 0; a < active; a++) {
            const c = live[a]!;
            const at = base + c;
            const grad = p[c]! * v + l2 * weights[at]!;
            const acc = g2[at]! + grad * grad;
            g2[at] = acc;
            weights[at]! -= (learningRate * grad) / Math.sqrt(acc);
          }
        }
      }
      // The model is the average of the weights after each epoch of the second half: far steadier
      // than the last epoch's, which depends on the order of the last few phrases seen.
      if (epoch >= averageFrom) {
        for (let i = 0; i < weights.length; i++) averaged[i]! += weights[i]!;
        averagedEpochs++;
      }
    }
    for (let i = 0; i < averaged.length; i++) averaged[i]! /= averagedEpochs;
    this.weights = averaged;
  }

  private logitsInto(x: [number, number][], out: Float64Array, temperature: number): void {
    const k = this.classes.length;
    out.fill(0);
    for (const [i, v] of x) {
      for (let c = 0; c < k; c++) out[c]! += this.weights[i * k + c]! * v;
    }
    if (temperature !== 1) for (let c = 0; c < k; c++) out[c]! /= temperature;
  }

  /** Probability per class, in `classes` order; a temperature above 1 softens them, below 1 sharpens. */
  predict(features: Features, temperature = 1): Float64Array {
    const out = new Float64Array(this.classes.length);
    this.logitsInto(this.vector(features, false), out, temperature);
    softmaxInPlace(out);
    return out;
  }

  /** The features that pushed most towards a class, strongest first (for explaining a decision). */
  explain(features: Features, cls: string, top = 5): string[] {
    const c = this.classes.indexOf(cls);
    const k = this.classes.length;
    const contributions: [string, number][] = [];
    for (const [name, value] of features) {
      const i = this.index.get(name);
      if (i === undefined || name === 'bias') continue;
      let mean = 0;
      for (let j = 0; j < k; j++) mean += this.weights[i * k + j]!;
      mean /= k;
      contributions.push([name, (this.weights[i * k + c]! - mean) * value]);
    }
    return contributions
      .filter(([, w]) => w > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, w]) => `${name} (+${w.toFixed(2)})`);
  }
}

function softmaxInPlace(v: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of v) max = Math.max(max, x);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.exp(v[i]! - max);
    sum += v[i]!;
  }
  for (let i = 0; i < v.length; i++) v[i]! /= sum;
}
