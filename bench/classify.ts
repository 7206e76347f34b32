// Classify + extract latency per message, and training time per profile. Prints figures; asserts nothing.
// Usage: npm run bench [-- FILE.jsonl]   (default: the repository's hold-out set)
// Training is timed on the wall clock and in CPU time: on a busy machine the wall clock says more about
// the neighbours than about the training.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../adapters/config/load.ts';
import { createCore, type TriageCore } from '../core/engine.ts';

const file = process.argv[2] ?? 'test/fixtures/holdout.jsonl';
const lines = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { text: string; profile: string });

const cores: Record<string, TriageCore> = {};
for (const profile of ['academy', 'site']) {
  const config = loadConfig({ profile });
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = process.cpuUsage();
    const core = createCore(config, { clock: () => performance.now() });
    const used = process.cpuUsage(before);
    runs.push(core.classifier.trainingMs);
    cpu.push((used.user + used.system) / 1000);
    cores[profile] = core;
  }
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
  console.log(
    `training ${profile}: ${cores[profile]!.classifier.examples} examples, ${list(runs)} ms wall, ${list(cpu)} ms CPU (3 runs, first includes warm-up)`,
  );
}

const times: number[] = [];
for (let round = 0; round < 20; round++) {
  for (const line of lines) {
    const core = cores[line.profile] ?? cores.academy!;
    const start = performance.now();
    core.classifier.classify(line.text);
    core.extractor.extract(line.text);
    if (round > 0) times.push(performance.now() - start);
  }
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
console.log(`classify + extract over ${times.length} calls (${lines.length} messages x 19 rounds after warm-up):`);
console.log(
  `  median ${q(0.5).toFixed(3)} ms   p90 ${q(0.9).toFixed(3)} ms   p99 ${q(0.99).toFixed(3)} ms   max ${q(1).toFixed(3)} ms`,
);
