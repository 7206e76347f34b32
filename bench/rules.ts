// The helpdesk's rules measured on labelled sets written for them (test/fixtures/kb.jsonl and
// duplicates.jsonl): which manual pages the bot proposes, and which open tickets it takes for the same
// subject. Prints figures; asserts nothing. Usage: npm run bench:rules
import { readFileSync } from 'node:fs';
import { loadConfig } from '../adapters/config/load.ts';
import type { Lang } from '../core/config/schema.ts';
import { createCore, type TriageCore } from '../core/engine.ts';
import { sameSubject } from '../core/knowledge.ts';

const read = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

const cores: Record<string, TriageCore> = {
  academy: createCore(loadConfig({ profile: 'academy' })),
  site: createCore(loadConfig({ profile: 'site' })),
};
const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

// ---- manual first -----------------------------------------------------------------------------
interface KbLine {
  id: string;
  profile: string;
  lang: Lang;
  text: string;
  articles: string[];
}
const kb = read<KbLine>('test/fixtures/kb.jsonl');
let proposed = 0;
let right = 0;
let answerable = 0;
let found = 0;
let top1 = 0;
let noiseMessages = 0;
let falseOffers = 0;
for (const line of kb) {
  const core = cores[line.profile]!;
  const verdict = core.classifier.classify(line.text, line.lang);
  // As the bot does it: pages only for what it takes for a question.
  const pages =
    verdict.label === 'question' ? core.knowledge.manual(line.text, verdict.lang).map((m) => m.page.id) : [];
  proposed += pages.length;
  right += pages.filter((p) => line.articles.includes(p)).length;
  if (line.articles.length > 0) {
    answerable++;
    if (pages.some((p) => line.articles.includes(p))) found++;
    if (pages[0] && line.articles.includes(pages[0])) top1++;
  } else {
    noiseMessages++;
    if (pages.length > 0) falseOffers++;
  }
}
console.log(`manual first: ${kb.length} labelled messages (${answerable} answered by a page)`);
console.log(`  precision of proposed pages  ${pct(right, proposed)}  (${right}/${proposed})`);
console.log(
  `  answerable messages offered the right page  ${pct(found, answerable)}  (first proposal right: ${pct(top1, answerable)})`,
);
console.log(
  `  messages no page answers, still offered a page  ${pct(falseOffers, noiseMessages)}  (${falseOffers}/${noiseMessages})`,
);

// ---- ask once -----------------------------------------------------------------------------------
interface DupLine {
  id: string;
  profile: string;
  lang: Lang;
  open: { title: string; description: string; screen?: string };
  text: string;
  screen?: string;
  same: boolean;
}
const dups = read<DupLine>('test/fixtures/duplicates.jsonl');
console.log(`ask once: ${dups.length} labelled pairs (${dups.filter((d) => d.same).length} the same subject)`);
for (const min of [0.2, 0.25, 0.3, 0.35, 0.4]) {
  let caught = 0;
  let merges = 0;
  let wrongMerges = 0;
  for (const d of dups) {
    const core = cores[d.profile]!;
    const lang = core.classifier.classify(d.text, d.lang).lang;
    // The screen as the bot would extract it from each text.
    const screen = core.extractor.extract(d.text).screen;
    const openScreen = d.open.screen ?? core.extractor.extract(d.open.description).screen;
    const { same } = sameSubject(
      { text: d.text, screen },
      { text: `${d.open.title} ${d.open.description}`, screen: openScreen },
      lang,
      min,
    );
    if (same) merges++;
    if (same && d.same) caught++;
    if (same && !d.same) wrongMerges++;
  }
  const shipped = min === cores.academy!.config.duplicates.min_similarity ? '  <- shipped' : '';
  console.log(
    `  min_similarity ${min.toFixed(2)}: duplicates caught ${pct(caught, dups.filter((d) => d.same).length)}, ` +
      `false merges ${wrongMerges} of ${merges} offers (${pct(wrongMerges, dups.filter((d) => !d.same).length)} of different pairs)${shipped}`,
  );
}
