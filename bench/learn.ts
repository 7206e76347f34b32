// Training time with a helpdesk's history added (default: 5,000 lines), and classification latency after.
// Prints figures; asserts nothing.
// Usage: npm run bench:learn [-- HISTORY.jsonl]   (default: 5,000 ticket-like lines made from the profile's
// own phrases, two or three of one intent joined, as long as real tickets' first messages)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../adapters/config/load.ts';
import { type Labelled, parseHistory, stableId, withExamples } from '../adapters/learn/examples.ts';
import { configWithLearned } from '../adapters/learn/learning.ts';
import type { LearnedExample } from '../adapters/learn/store.ts';
import { sqliteLearnedStore } from '../adapters/learn/stores.ts';
import type { Config } from '../core/config/schema.ts';
import { createCore } from '../core/engine.ts';

const COUNT = 5000;

/** Deterministic ticket-like lines from the configuration's phrases. */
function synthetic(config: Config, count: number): Labelled[] {
  const intents = Object.values(config.intents);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, () => {
    const intent = pick(intents);
    const parts = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(intent.examples));
    return { text: parts.join('. '), label: intent.label, oos_reason: intent.reason ?? null };
  });
}

const file = process.argv[2];
for (const profile of ['academy', 'site']) {
  const config = loadConfig({ profile });
  const history = file ? parseHistory(readFileSync(file, 'utf8'), file).slice(0, COUNT) : synthetic(config, COUNT);
  const clock = () => performance.now();
  const plain = createCore(config, { clock });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const learned = createCore(withExamples(config, history, config.learning.weight), { clock });
  const total = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `${profile}: phrases only ${plain.classifier.examples} examples trained in ${plain.classifier.trainingMs.toFixed(0)} ms; ` +
      `with ${history.length} history lines (weight ${config.learning.weight}) ${learned.classifier.examples} examples trained in ` +
      `${learned.classifier.trainingMs.toFixed(0)} ms (${total.toFixed(0)} ms with the rest of the core, ${cpuMs.toFixed(0)} ms of CPU: on a shared machine the CPU time is the figure)`,
  );
  // The learned store in the embedded database: keeping the examples, and reading them back into a config.
  const store = sqliteLearnedStore(mkdtempSync(join(tmpdir(), 'triage-bench-learn-')));
  const now = new Date();
  const examples: LearnedExample[] = history.map((h, i) => ({
    id: stableId(profile, 'bench', String(i)),
    profile,
    text: h.text,
    label: h.label,
    oos_reason: h.oos_reason,
    source: 'import:labelled',
    status: 'approved',
    created_at: now.toISOString(),
  }));
  let at = performance.now();
  await store.put(examples);
  const putMs = performance.now() - at;
  at = performance.now();
  const merged = await configWithLearned(config, store, now);
  const readMs = performance.now() - at;
  await store.close();
  console.log(
    `${profile}: learned store (triage.db): ${examples.length} examples kept in ${putMs.toFixed(0)} ms, read into the config in ${readMs.toFixed(0)} ms (${Object.values(merged.intents).filter((i) => i.learned).length} learned intents)`,
  );
  const texts = history.slice(0, 500).map((h) => h.text);
  const times: number[] = [];
  for (let round = 0; round < 5; round++)
    for (const text of texts) {
      const start = performance.now();
      learned.classifier.classify(text);
      if (round > 0) times.push(performance.now() - start);
    }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  console.log(`${profile}: classify after learning: median ${q(0.5)} ms, p95 ${q(0.95)} ms (${times.length} calls)`);
}
