import { cueMatcher } from './classify/rules.ts';
import type { Config, Lang } from './config/schema.ts';
import { FUNCTION_WORD_SET } from './text/lang.ts';
import { fold, words } from './text/normalize.ts';
import { stem } from './text/stem.ts';

/** A page the bot can point to: a manual / FAQ article or a changelog entry. */
export interface Page {
  id: string;
  kind: 'manual' | 'changelog';
  title: string;
  url: string;
  lang: Lang | 'any';
  date?: string;
}

export interface PageMatch {
  page: Page;
  /** Cosine similarity of idf-weighted stems, 0-1. */
  score: number;
}

export interface Knowledge {
  /** Manual pages for a message, best first, at most `knowledge.max_proposals`, above `min_score`. */
  manual(text: string, lang: Lang): PageMatch[];
  /** The changelog entry a "is it fixed yet?" message is about, if any. */
  changelog(text: string, lang: Lang): PageMatch | null;
}

/** Content stems of a text: folded words, function words dropped, stemmed in the text's language. */
export function contentStems(text: string, lang: Lang): Set<string> {
  const out = new Set<string>();
  for (const w of words(fold(text))) {
    if (w.length < 2 || FUNCTION_WORD_SET.has(w)) continue;
    out.add(stem(w, lang));
  }
  return out;
}

/** Cosine similarity of two stem sets, each stem weighted by `weight` (idf). */
export function cosine(a: Set<string>, b: Set<string>, weight: (s: string) => number = () => 1): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const s of a) {
    const w = weight(s) ** 2;
    na += w;
    if (b.has(s)) dot += w;
  }
  for (const s of b) nb += weight(s) ** 2;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

interface Indexed {
  page: Page;
  /** Stems per language the page can be matched in. */
  stems: Map<Lang, Set<string>>;
  keywords: RegExp;
}

const LANG_LIST: Lang[] = ['nl', 'fr', 'en'];

/**
 * A small search over the configured manual and changelog: a message and a page match on the stems
 * they share, rarer stems weighing more (idf), plus a bonus when the message names one of the page's
 * keywords outright. Pages in another language than the message's are not proposed.
 */
export function buildKnowledge(config: Config): Knowledge {
  const k = config.knowledge;
  const index = (kind: Page['kind'], entries: typeof k.articles | typeof k.changelog): Indexed[] =>
    entries.map((e) => {
      const page: Page = {
        id: e.id,
        kind,
        title: e.title,
        url: e.url,
        lang: e.lang,
        ...('date' in e ? { date: e.date } : {}),
      };
      const text = [e.title, ...e.keywords, ...e.phrases].join(' ');
      const langs = e.lang === 'any' ? LANG_LIST : [e.lang];
      return {
        page,
        stems: new Map(langs.map((l) => [l, contentStems(text, l)])),
        keywords: cueMatcher(e.keywords),
      };
    });
  const manualIndex = index('manual', k.articles);
  const changelogIndex = index('changelog', k.changelog);
  const fixedCue = cueMatcher(k.fixed_cues);

  // Inverse document frequency over all pages: a stem every page has says little.
  const df = new Map<string, number>();
  const all = [...manualIndex, ...changelogIndex];
  for (const entry of all) {
    const seen = new Set<string>();
    for (const stems of entry.stems.values()) for (const s of stems) seen.add(s);
    for (const s of seen) df.set(s, (df.get(s) ?? 0) + 1);
  }
  const idf = (s: string) => Math.log(1 + (all.length + 1) / ((df.get(s) ?? 0) + 0.5));

  function score(entries: Indexed[], text: string, lang: Lang): PageMatch[] {
    const query = contentStems(text, lang);
    const folded = fold(text);
    return entries
      .filter((e) => e.stems.has(lang))
      .map((e) => {
        const base = cosine(query, e.stems.get(lang)!, idf);
        const bonus = e.keywords.test(folded) ? 0.25 : 0;
        return { page: e.page, score: Math.min(1, base + bonus) };
      })
      .filter((m) => m.score >= k.min_score)
      .sort((a, b) => b.score - a.score);
  }

  return {
    manual: (text, lang) => score(manualIndex, text, lang).slice(0, k.max_proposals),
    changelog: (text, lang) => (fixedCue.test(fold(text)) ? (score(changelogIndex, text, lang)[0] ?? null) : null),
  };
}
