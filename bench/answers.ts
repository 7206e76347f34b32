// The self-service recognizers (core/answers) measured: how often the written test sets are answered
// right, and what each costs per message. Prints figures; asserts nothing. Usage: npx tsx bench/answers.ts
import { loadConfig } from '../adapters/config/load.ts';
import { buildAnswers } from '../core/answers/index.ts';
import type { Lang } from '../core/config/schema.ts';
import {
  FACT_QUESTIONS,
  HELD_OUT_NOT_FACTS,
  HELD_OUT_NOT_FACTS_2,
  HELD_OUT_QUESTIONS,
  HELD_OUT_QUESTIONS_2,
  NOT_FACTS,
} from '../test/answers/fact-questions.ts';

const now = new Date('2026-11-24T09:00:00Z');
const messages: [Lang, string][] = [
  ...FACT_QUESTIONS.map(([l, q]) => [l, q] as [Lang, string]),
  ...NOT_FACTS,
  ...HELD_OUT_QUESTIONS.map(([l, q]) => [l, q] as [Lang, string]),
  ...HELD_OUT_NOT_FACTS,
];

function perMessage(run: (lang: Lang, text: string) => unknown, list: [Lang, string][]): string {
  for (const [l, t] of list) run(l, t); // warm the caches (stems, formatters)
  const rounds = 50;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const [l, t] of list) run(l, t);
  return `${((performance.now() - start) / (rounds * list.length)).toFixed(4)} ms`;
}

for (const profile of ['academy', 'site'] as const) {
  const started = performance.now();
  const a = buildAnswers(loadConfig({ profile }));
  const built = performance.now() - started;
  const right = (set: [Lang, string, string][]) =>
    set.filter(([l, q, id]) => a.facts.answer(q, l, now)?.id === id).length;
  const quiet = (set: [Lang, string][]) => set.filter(([l, q]) => a.facts.answer(q, l, now) === null).length;
  const requests = [...NOT_FACTS, ...HELD_OUT_NOT_FACTS, ...HELD_OUT_NOT_FACTS_2];
  const questions = FACT_QUESTIONS.map(([l, q]) => [l, q] as [Lang, string]);
  console.log(`${profile} (built in ${built.toFixed(0)} ms with the config load)`);
  console.log(
    `  facts, written set:  ${right(FACT_QUESTIONS)}/${FACT_QUESTIONS.length} right, ${quiet(NOT_FACTS)}/${NOT_FACTS.length} requests left alone`,
  );
  console.log(
    `  facts, held out:     ${right(HELD_OUT_QUESTIONS)}/${HELD_OUT_QUESTIONS.length} right, ${quiet(HELD_OUT_NOT_FACTS)}/${HELD_OUT_NOT_FACTS.length} requests left alone`,
  );
  console.log(
    `  facts, held out 2:   ${right(HELD_OUT_QUESTIONS_2)}/${HELD_OUT_QUESTIONS_2.length} right, ${quiet(HELD_OUT_NOT_FACTS_2)}/${HELD_OUT_NOT_FACTS_2.length} requests left alone`,
  );
  console.log(`  facts.answer on a request (no fact):  ${perMessage((l, t) => a.facts.answer(t, l, now), requests)}`);
  console.log(
    `  facts.answer on a fact question (rendered): ${perMessage((l, t) => a.facts.answer(t, l, now), questions)}`,
  );
  console.log(`  lists.questionList: ${perMessage((_l, t) => a.lists.questionList(t), messages)}`);
  console.log(`  dates.asksForDate:  ${perMessage((l, t) => a.dates.asksForDate(t, l), messages)}`);
  console.log(
    `  personal.mailedPersonalAddress: ${perMessage((l, t) => a.personal.mailedPersonalAddress(t, l), messages)}`,
  );
  console.log(`  progress.asksProgress: ${perMessage((l, t) => a.progress.asksProgress(t, l), messages)}`);
}
