import { describe, expect, it } from 'vitest';
import { loadConfig } from '../adapters/config/load.ts';
import { withExamples } from '../adapters/learn/examples.ts';
import { CLASSES, historyPriors, type Model, trainClassifier } from '../core/classify/classifier.ts';
import type { Features } from '../core/classify/features.ts';

// Learned examples (the helpdesk's own tickets) also re-estimate the class priors: the lean of a model
// that never saw them, measured on them, is taken off the logits (`classifier.history_priors`).

const config = loadConfig({ profile: 'academy' });

/** A model that answers the same probabilities for every message. */
function flat(p: number[]): Model {
  return {
    predict: () => Float64Array.from(p),
    explain: () => [],
    data: () => [],
  };
}

function examples(labels: string[]) {
  return labels.map((label) => ({
    text: 'x',
    features: new Map([['bias', 1]]) as Features,
    label,
    group: (label.startsWith('oos:') ? 'out_of_scope' : label) as never,
    weight: 1,
    learned: true,
  }));
}

describe('class priors re-estimated on learned examples', () => {
  const uniform = CLASSES.map(() => 1 / CLASSES.length);
  const at = (offsets: number[], cls: string) => offsets[CLASSES.indexOf(cls)]!;

  it('a kind the tickets hold more often than the model says gets a higher prior, the others lower', () => {
    const offsets = historyPriors(config, flat(uniform), examples(['incident', 'incident', 'incident', 'question']));
    expect(at(offsets, 'incident')).toBeGreaterThan(at(offsets, 'question'));
    expect(at(offsets, 'question')).toBeGreaterThan(at(offsets, 'change'));
    expect(at(offsets, 'change')).toBeLessThan(0);
  });

  it('a model whose lean matches the tickets is left (almost) as it is', () => {
    const p = CLASSES.map((c) => (c === 'incident' ? 0.5 : c === 'question' ? 0.5 : 0));
    const offsets = historyPriors(config, flat(p), examples(['incident', 'question']));
    expect(Math.abs(at(offsets, 'incident') - at(offsets, 'question'))).toBeLessThan(0.01);
  });

  it('phrases only: history_priors changes nothing; with learned examples it shifts the bias', () => {
    const phrases = { ...config, classifier: { ...config.classifier, ensemble: 1, epochs: 3 } };
    const off = { ...phrases, classifier: { ...phrases.classifier, history_priors: 0 } };
    const bias = (c: ReturnType<typeof trainClassifier>) => {
      const [data] = c.trained();
      const i = data!.features.indexOf('bias');
      return Array.from(data!.weights.slice(i * CLASSES.length, (i + 1) * CLASSES.length));
    };
    expect(bias(trainClassifier(phrases))).toEqual(bias(trainClassifier(off)));
    const tickets = Array.from({ length: 12 }, (_, i) => ({
      text: `Bij het openen van het rapport van klas ${i} krijgen we een foutmelding en niets laadt`,
      label: 'incident' as const,
      oos_reason: null,
    }));
    const learnedOn = bias(trainClassifier(withExamples(phrases, tickets, 2)));
    const learnedOff = bias(trainClassifier(withExamples(off, tickets, 2)));
    expect(learnedOn).not.toEqual(learnedOff);
  });
});
